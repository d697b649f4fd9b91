#include "sdrt/ui/ReviewController.h"

#include "sdrt/eval/EvalJob.h"
#include "sdrt/ui/ItemImages.h"
#include "sdrt/ui/RunText.h"

#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"

#include <QSettings>

#include <algorithm>

namespace sdrt::ui {
namespace {

const char *kReviewerKey = "review/reviewer";

} // namespace

ReviewController::ReviewController(std::function<store::Workspace *()> workspace, QObject *parent)
    : QObject(parent), m_workspace(std::move(workspace)),
      m_reviewer(review::isSimulatedReviewer(QSettings().value(QString::fromLatin1(kReviewerKey)).toString())
                     ? QString()
                     : QSettings().value(QString::fromLatin1(kReviewerKey)).toString().trimmed())
{
}

ReviewController::~ReviewController() = default;

void ReviewController::startAfresh()
{
    // The session of the workspace that went (its Database may be gone already) is dropped
    // without touching it; its undo history belongs to that workspace.
    m_session.reset();
    m_item = {};
    m_traces.clear();
    m_focus = -1;
    reload();
}

void ReviewController::reload()
{
    m_queue.clear();
    if (!m_workspace()) {
        m_session.reset();
    } else if (m_session) {
        // In place: the reviewers' undo stacks stay.
        if (auto r = m_session->reload(); !r) {
            Q_EMIT errorOccurred(tr("Cannot read the reviews"), r.error());
            m_session.reset();
        }
    } else {
        auto s = review::ReviewSession::load(m_workspace()->db());
        if (!s) {
            Q_EMIT errorOccurred(tr("Cannot read the reviews"), s.error());
        } else {
            m_session = std::move(*s);
            m_session->setReviewer(m_reviewer);
        }
    }
    if (!m_session) {
        m_item = {};
        m_traces.clear();
        m_focus = -1;
    }
    // A prompt or task family gone from the workspace no longer filters the queue.
    if (!m_session || !m_session->promptNames().contains(m_filter.prompt))
        m_filter.prompt.clear();
    if (!m_session || !m_session->families().contains(m_filter.family))
        m_filter.family.clear();
    Q_EMIT sessionChanged();
    applyFilter();
}

void ReviewController::setReviewer(const QString &name)
{
    const QString clean = name.trimmed();
    if (review::isSimulatedReviewer(clean))
        return; // a person's verdicts never go under a simulated reviewer's name (ReviewPanel says so)
    if (!clean.isEmpty())
        QSettings().setValue(QString::fromLatin1(kReviewerKey), clean);
    m_reviewer = clean;
    if (m_session)
        m_session->setReviewer(clean);
    Q_EMIT reviewerChanged(clean);
    if (m_session)
        applyFilter(); // the review states of the queue are the reviewer's
}

void ReviewController::setFilter(const review::QueueFilter &filter)
{
    m_filter = filter;
    applyFilter();
}

void ReviewController::applyFilter()
{
    if (!m_session) {
        m_queue.clear();
        showItem(0);
        return;
    }
    m_queue = m_session->queue(m_filter);
    m_progressStale = true;
    const bool keep = inQueue(m_item.itemId);
    showItem(keep ? m_item.itemId : (m_queue.empty() ? 0 : m_queue.front()), keep ? focusedTrace() : 0);
}

bool ReviewController::inQueue(store::Id itemId) const
{
    return std::find(m_queue.begin(), m_queue.end(), itemId) != m_queue.end();
}

store::Id ReviewController::focusedTrace() const
{
    return m_focus >= 0 && m_focus < int(m_traces.size()) ? m_traces[std::size_t(m_focus)].traceId : 0;
}

int ReviewController::indexOf(store::Id traceId) const
{
    for (std::size_t i = 0; i < m_traces.size(); ++i)
        if (m_traces[i].traceId == traceId)
            return int(i);
    return -1;
}

ReviewTraceView ReviewController::trace(int index) const
{
    ReviewTraceView v;
    if (index < 0 || index >= int(m_traces.size()))
        return v;
    const ShownTrace &shown = m_traces[std::size_t(index)];
    v.traceId = shown.traceId;
    v.analysis = shown.analysis;
    v.answer = shown.answer;
    v.referenceShown = m_item.referenceShown;
    const review::TraceInfo *info = m_session ? m_session->trace(shown.traceId) : nullptr;
    if (!info)
        return v;
    v.promptName = info->promptName;
    v.promptVersion = info->promptVersion;
    v.sampleIndex = info->sampleIndex;
    v.parsedAnswer = info->parsedAnswer;
    v.agreesWithEnsemble = info->agreesWithEnsemble;
    v.matchesReference = info->matchesReference;
    v.confidence = info->confidence;
    v.verdict = m_session->verdict(info->traceId);
    if (v.verdict == review::Verdict::Reject)
        if (const store::Review *row = m_session->currentReview(info->traceId, m_session->reviewer())) {
            v.reasonTags = row->reasonTags;
            v.firstWrongStep = row->firstWrongStep;
            v.comment = row->comment;
        }
    for (const auto &[who, verdict] : m_session->verdicts(info->traceId))
        if (who != m_session->reviewer())
            v.others.emplace_back(who, verdict);
    v.approved = m_session->isApproved(info->traceId);
    return v;
}

ReviewCounts ReviewController::counts() const
{
    ReviewCounts c;
    if (!m_session)
        return c;
    c.active = true;
    if (m_progressStale) {
        const auto p = m_session->progress(m_queue);
        m_reviewed = p.reviewed;
        m_queueTraces = p.total;
        m_progressStale = false;
    }
    c.reviewed = m_reviewed;
    c.total = m_queueTraces;
    c.approved = m_session->approvedCount();
    c.policy = m_session->policy().describe();
    c.queueSize = int(m_queue.size());
    const auto it = std::find(m_queue.begin(), m_queue.end(), m_item.itemId);
    c.position = it == m_queue.end() ? -1 : int(it - m_queue.begin());
    return c;
}

std::vector<ReviewAnswerView> ReviewController::answersOf(store::Workspace &ws, store::Id itemId)
{
    std::vector<ReviewAnswerView> out;
    auto answers = eval::itemAnswers(ws, itemId);
    if (!answers) {
        Q_EMIT errorOccurred(tr("Cannot read the evaluations of item %1").arg(itemId), answers.error());
        return out;
    }
    for (const eval::ItemAnswer &a : *answers)
        out.push_back({a.evaluation, a.model, evalModeText(a.mode, a.vote), a.answer, a.failed, a.right});
    return out;
}

std::vector<store::Id> ReviewController::markedWithoutTraces() const
{
    return m_session && !m_filter.mark.isEmpty() ? m_session->markedWithoutTraces(m_filter.mark) : std::vector<store::Id>{};
}

void ReviewController::showItem(store::Id itemId, store::Id focusTrace)
{
    const bool sameItem = itemId == m_item.itemId && itemId != 0;
    if (!sameItem) {
        ReviewItemView view; // the reference hidden again: it must not bias the verdicts
        if (store::Workspace *ws = m_workspace(); itemId != 0 && ws) {
            auto item = store::ItemRepository(ws->db()).get(itemId);
            if (!item) {
                Q_EMIT errorOccurred(tr("Cannot read item %1").arg(itemId), item.error());
                return;
            }
            view.itemId = itemId;
            view.displayId = item->externalId.value_or(QString::number(item->id));
            view.question = item->question;
            view.taskFamily = item->taskFamily;
            view.split = splitText(item->split);
            view.note = item->noteText;
            view.reference = item->referenceAnswer.value_or(QString());
            ItemImages images = itemImages(*item, *ws);
            view.assets = std::move(images.assets);
            view.assetPaths = std::move(images.paths);
            view.answers = answersOf(*ws, itemId);
        }
        m_item = std::move(view);
    }
    // One entry per completed trace; the texts are read per item.
    const std::vector<const review::TraceInfo *> infos =
        m_session && m_item.itemId ? m_session->traces(m_item.itemId) : std::vector<const review::TraceInfo *>{};
    std::vector<store::Trace> texts;
    if (!infos.empty()) {
        auto all = store::TraceRepository(m_workspace()->db()).forItem(m_item.itemId);
        if (!all) {
            Q_EMIT errorOccurred(tr("Cannot read the traces of item %1").arg(m_item.itemId), all.error());
            return;
        }
        texts = std::move(*all);
    }
    m_traces.clear();
    m_traces.reserve(infos.size());
    int focus = infos.empty() ? -1 : 0;
    for (std::size_t i = 0; i < infos.size(); ++i) {
        ShownTrace shown;
        shown.traceId = infos[i]->traceId;
        const auto t =
            std::find_if(texts.begin(), texts.end(), [&](const store::Trace &x) { return x.id == shown.traceId; });
        if (t != texts.end()) {
            shown.analysis = t->step1Text;
            shown.answer = t->step2Text.trimmed();
        }
        if (focusTrace != 0 && shown.traceId == focusTrace)
            focus = int(i);
        m_traces.push_back(std::move(shown));
    }
    if (focusTrace == 0 && m_session) {
        // Start at the first trace without a verdict of this reviewer.
        for (std::size_t i = 0; i < infos.size(); ++i)
            if (m_session->verdict(infos[i]->traceId) == review::Verdict::None) {
                focus = int(i);
                break;
            }
    }
    m_focus = focus;
    Q_EMIT itemShown(sameItem);
    Q_EMIT focusChanged(m_focus);
    Q_EMIT countsChanged();
}

void ReviewController::setFocus(int index)
{
    m_focus = index;
    Q_EMIT focusChanged(index);
}

void ReviewController::focusIndex(int index)
{
    if (index >= 0 && index < int(m_traces.size()))
        setFocus(index);
}

void ReviewController::moveFocus(int delta)
{
    if (m_traces.empty())
        return;
    setFocus(std::clamp(m_focus + delta, 0, int(m_traces.size()) - 1));
}

void ReviewController::nextItem()
{
    const auto it = std::find(m_queue.begin(), m_queue.end(), m_item.itemId);
    if (it != m_queue.end() && it + 1 != m_queue.end())
        showItem(*(it + 1));
    else if (it == m_queue.end() && !m_queue.empty())
        showItem(m_queue.front());
    else
        Q_EMIT statusMessage(tr("This is the last item in the queue."));
}

void ReviewController::previousItem()
{
    const auto it = std::find(m_queue.begin(), m_queue.end(), m_item.itemId);
    if (it != m_queue.end() && it != m_queue.begin())
        showItem(*(it - 1));
    else
        Q_EMIT statusMessage(tr("This is the first item in the queue."));
}

void ReviewController::nextUnreviewed()
{
    if (!m_session || m_queue.empty())
        return;
    const auto here = std::find(m_queue.begin(), m_queue.end(), m_item.itemId);
    const std::size_t start = here == m_queue.end() ? 0 : std::size_t(here - m_queue.begin()) + 1;
    for (std::size_t k = 0; k < m_queue.size(); ++k) {
        const store::Id item = m_queue[(start + k) % m_queue.size()];
        if (m_session->itemState(item) != review::ItemState::Done) {
            showItem(item);
            return;
        }
    }
    Q_EMIT statusMessage(tr("Every item in the queue is reviewed."));
}

void ReviewController::toggleReference()
{
    m_item.referenceShown = !m_item.referenceShown;
    Q_EMIT referenceShownChanged(m_item.referenceShown);
    Q_EMIT tracesChanged(); // each column's match with the reference shows or hides
}

bool ReviewController::report(bool ok, const QString &error)
{
    if (!ok)
        Q_EMIT errorOccurred(tr("Cannot save the review"), error);
    return ok;
}

void ReviewController::record(const review::VerdictInput &input)
{
    const store::Id trace = focusedTrace();
    if (!m_session || trace == 0)
        return;
    const bool wasReviewed = m_session->verdict(trace) != review::Verdict::None;
    auto r = m_session->record({trace}, input);
    if (!report(bool(r), r ? QString() : r.error()))
        return;
    // The shown item is in the queue: the progress moves by this one trace.
    if (!m_progressStale && inQueue(m_item.itemId))
        m_reviewed += int(m_session->verdict(trace) != review::Verdict::None) - int(wasReviewed);
    Q_EMIT traceChanged(trace);
    advanceAfterVerdict();
}

void ReviewController::advanceAfterVerdict()
{
    const int n = int(m_traces.size());
    for (int k = 1; k <= n; ++k) {
        const int i = (m_focus + k) % n;
        if (m_session->verdict(m_traces[std::size_t(i)].traceId) == review::Verdict::None) {
            setFocus(i);
            Q_EMIT countsChanged();
            return;
        }
    }
    const auto here = std::find(m_queue.begin(), m_queue.end(), m_item.itemId);
    for (auto it = here == m_queue.end() ? m_queue.begin() : here + 1; it != m_queue.end(); ++it)
        if (m_session->itemState(*it) != review::ItemState::Done) {
            showItem(*it);
            return;
        }
    Q_EMIT countsChanged();
    Q_EMIT focusChanged(m_focus); // it stays
}

void ReviewController::undo()
{
    replay(false);
}

void ReviewController::redo()
{
    replay(true);
}

void ReviewController::replay(bool forward)
{
    if (!m_session || !(forward ? m_session->canRedo() : m_session->canUndo())) {
        Q_EMIT statusMessage(forward ? tr("Nothing to redo.") : tr("Nothing to undo."));
        return;
    }
    const auto traces = forward ? m_session->redoTraces() : m_session->undoTraces();
    const QString what = forward ? m_session->redoText() : m_session->undoText();
    auto r = forward ? m_session->redo() : m_session->undo();
    m_progressStale = true;
    if (!report(bool(r), r ? QString() : r.error()))
        return;
    showChanged(traces);
    Q_EMIT statusMessage((forward ? tr("Redone: %1") : tr("Undone: %1")).arg(what));
}

void ReviewController::showChanged(const std::vector<store::Id> &traceIds)
{
    if (traceIds.empty())
        return;
    const review::TraceInfo *info = m_session->trace(traceIds.front());
    if (!info)
        return;
    if (info->itemId != m_item.itemId) {
        showItem(info->itemId, info->traceId);
        return;
    }
    Q_EMIT tracesChanged();
    if (const int i = indexOf(info->traceId); i >= 0)
        setFocus(i);
    Q_EMIT countsChanged();
}

int ReviewController::matchingReferenceCount() const
{
    int n = 0;
    if (m_session)
        for (store::Id item : m_queue)
            for (const review::TraceInfo *t : m_session->traces(item))
                n += t->matchesReference.value_or(false) && m_session->verdict(t->traceId) == review::Verdict::None;
    return n;
}

int ReviewController::acceptMatchingReference()
{
    if (!m_session)
        return 0;
    if (matchingReferenceCount() == 0) {
        Q_EMIT statusMessage(tr("No unreviewed trace in the queue matches its reference answer."));
        return 0;
    }
    auto n = m_session->acceptMatchingReference(m_queue);
    m_progressStale = true;
    if (!report(bool(n), n ? QString() : n.error()))
        return 0;
    Q_EMIT tracesChanged();
    Q_EMIT countsChanged();
    Q_EMIT statusMessage(tr("Accepted %n trace(s) matching the reference.", nullptr, *n));
    return *n;
}

void ReviewController::setPolicy(const review::ApprovalPolicy &policy)
{
    if (!m_session)
        return;
    if (auto r = m_session->setPolicy(policy); !r) {
        Q_EMIT errorOccurred(tr("Approval policy"), r.error());
        return;
    }
    Q_EMIT tracesChanged(); // approved or not
    Q_EMIT countsChanged();
}

void ReviewController::setReasonTags(const QStringList &tags)
{
    if (!m_session)
        return;
    if (auto r = m_session->setReasonTags(tags); !r)
        Q_EMIT errorOccurred(tr("Reject reasons"), r.error());
}

} // namespace sdrt::ui
