#include "sdrt/review/ReviewSession.h"

#include "sdrt/common/Log.h"

#include "sdrt/prompts/Answers.h"
#include "sdrt/prompts/Ensemble.h"
#include "sdrt/review/Agreement.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <set>

namespace sdrt::review {
namespace {

const QString kPolicyKey = QStringLiteral("review.approval_policy");
const QString kReasonTagsKey = QStringLiteral("review.reason_tags");

// The reject reasons of the workspace setting: the defaults when there is none, when it holds no
// reason, or when it is not a list of texts (then it is reported).
QStringList reasonTagsFrom(const std::optional<QString> &setting)
{
    if (!setting)
        return ReviewSession::defaultReasonTags();
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(setting->toUtf8(), &pe);
    QStringList list;
    bool wellFormed = pe.error == QJsonParseError::NoError && doc.isArray();
    for (const auto &v : doc.array()) {
        wellFormed = wellFormed && v.isString();
        if (!v.toString().trimmed().isEmpty())
            list << v.toString().trimmed();
    }
    if (!wellFormed)
        sdrt::log::get("review")->warn("workspace setting {} is not a JSON list of texts ({}); the default reject reasons are used",
                                       kReasonTagsKey.toStdString(), setting->left(80).toStdString());
    else if (!list.isEmpty())
        return list;
    return ReviewSession::defaultReasonTags();
}

} // namespace

QStringList ReviewSession::defaultReasonTags()
{
    return {QStringLiteral("wrong answer"),      QStringLiteral("hallucinated object"), QStringLiteral("wrong count"),
            QStringLiteral("wrong region"),      QStringLiteral("ignores the note"),    QStringLiteral("misreads the drawing"),
            QStringLiteral("bad format")};
}

Result<std::unique_ptr<ReviewSession>> ReviewSession::load(store::Database &db)
{
    std::unique_ptr<ReviewSession> s(new ReviewSession(db));
    if (auto r = s->reload(); !r)
        return fail(r.error());
    return s;
}

Result<void> ReviewSession::reload()
{
    store::ReviewRepository repo(m_db);
    auto traces = repo.reviewable();
    if (!traces)
        return fail(traces.error());
    auto current = repo.current();
    if (!current)
        return fail(current.error());
    auto known = repo.reviewers();
    if (!known)
        return fail(known.error());
    auto policy = repo.setting(kPolicyKey);
    if (!policy)
        return fail(policy.error());
    auto tags = repo.setting(kReasonTagsKey);
    if (!tags)
        return fail(tags.error());
    auto marks = repo.marks();
    if (!marks)
        return fail(marks.error());
    m_marks = std::move(*marks);

    readTraces(std::move(*traces));
    groupItems();
    m_current.clear();
    for (const store::Review &r : *current)
        if (m_traceIndex.count(r.traceId))
            updateCurrent(r);
    m_knownReviewers = *known;
    ApprovalPolicy stored;
    if (*policy) {
        auto p = ApprovalPolicy::fromJson(**policy);
        if (!p)
            return fail(p.error());
        stored = *p;
    }
    usePolicy(stored);
    m_reasonTags = reasonTagsFrom(*tags);
    return {};
}

void ReviewSession::readTraces(std::vector<store::ReviewableTrace> traces)
{
    m_traces.clear();
    m_traces.reserve(traces.size());
    m_traceIndex.clear();
    for (store::ReviewableTrace &t : traces) {
        TraceInfo info;
        static_cast<store::ReviewableTrace &>(info) = std::move(t);
        info.confidence = std::exp(info.meanLogprob);
        if (info.referenceAnswer && !info.referenceAnswer->isEmpty())
            info.matchesReference = prompts::answersMatch(info.parsedAnswer, *info.referenceAnswer, info.answerType);
        m_traceIndex.emplace(info.traceId, m_traces.size());
        m_traces.push_back(std::move(info));
    }
}

void ReviewSession::groupItems()
{
    m_items.clear();
    m_itemRange.clear();
    m_itemUnanimous.clear();
    std::vector<prompts::Vote> votes;
    for (std::size_t i = 0; i < m_traces.size();) {
        const store::Id item = m_traces[i].itemId;
        std::size_t end = i;
        votes.clear();
        for (; end < m_traces.size() && m_traces[end].itemId == item; ++end)
            votes.push_back({m_traces[end].parsedAnswer, m_traces[end].meanLogprob});
        const prompts::Ensemble e = prompts::ensemble(votes, m_traces[i].answerType);
        bool unanimous = true;
        for (std::size_t k = i; k < end; ++k) {
            TraceInfo &t = m_traces[k];
            t.agreesWithEnsemble = e.agreesWith(t.parsedAnswer);
            unanimous = unanimous && t.agreesWithEnsemble;
        }
        m_items.push_back(item);
        m_itemRange.emplace(item, std::make_pair(i, end));
        m_itemUnanimous.emplace(item, unanimous);
        i = end;
    }
}

bool isSimulatedReviewer(const QString &name)
{
    return name.trimmed().startsWith(QLatin1String(kSimulatedReviewerPrefix), Qt::CaseInsensitive);
}

QStringList ReviewSession::humanReviewers() const
{
    QStringList out = reviewers();
    out.removeIf([](const QString &n) { return isSimulatedReviewer(n); });
    return out;
}

QStringList ReviewSession::reviewers() const
{
    QStringList out = m_knownReviewers;
    if (!m_reviewer.isEmpty() && !out.contains(m_reviewer))
        out << m_reviewer;
    out.sort();
    return out;
}

std::vector<const TraceInfo *> ReviewSession::traces(store::Id itemId) const
{
    std::vector<const TraceInfo *> out;
    const auto it = m_itemRange.find(itemId);
    if (it == m_itemRange.end())
        return out;
    for (std::size_t i = it->second.first; i < it->second.second; ++i)
        out.push_back(&m_traces[i]);
    return out;
}

const TraceInfo *ReviewSession::trace(store::Id traceId) const
{
    const auto it = m_traceIndex.find(traceId);
    return it == m_traceIndex.end() ? nullptr : &m_traces[it->second];
}

QStringList ReviewSession::promptNames() const
{
    std::set<QString> names;
    for (const TraceInfo &t : m_traces)
        names.insert(t.promptName);
    return QStringList(names.begin(), names.end());
}

QStringList ReviewSession::families() const
{
    std::set<QString> names;
    for (const TraceInfo &t : m_traces)
        if (!t.taskFamily.isEmpty())
            names.insert(t.taskFamily);
    return QStringList(names.begin(), names.end());
}

const store::Review *ReviewSession::currentReview(store::Id traceId, const QString &reviewer) const
{
    const auto it = m_current.find(traceId);
    if (it == m_current.end())
        return nullptr;
    for (const store::Review &r : it->second)
        if (r.reviewer == reviewer)
            return &r;
    return nullptr;
}

Verdict ReviewSession::verdict(store::Id traceId, const QString &reviewer) const
{
    const store::Review *r = currentReview(traceId, reviewer);
    return r ? r->verdict : Verdict::None;
}

std::map<QString, Verdict> ReviewSession::verdicts(store::Id traceId) const
{
    std::map<QString, Verdict> out;
    const auto it = m_current.find(traceId);
    if (it != m_current.end())
        for (const store::Review &r : it->second)
            out[r.reviewer] = r.verdict;
    return out;
}

bool ReviewSession::isConflict(store::Id traceId) const
{
    bool accept = false, reject = false;
    for (const auto &[who, v] : verdicts(traceId)) {
        accept = accept || v == Verdict::Accept;
        reject = reject || v == Verdict::Reject;
    }
    return accept && reject;
}

ItemState ReviewSession::itemState(store::Id itemId) const
{
    int reviewed = 0, total = 0;
    for (const TraceInfo *t : traces(itemId)) {
        ++total;
        reviewed += verdict(t->traceId) != Verdict::None;
    }
    if (reviewed == 0)
        return ItemState::Unreviewed;
    return reviewed == total ? ItemState::Done : ItemState::Partly;
}

bool ReviewSession::itemConflict(store::Id itemId) const
{
    for (const TraceInfo *t : traces(itemId))
        if (isConflict(t->traceId))
            return true;
    return false;
}

bool ReviewSession::itemUnanimous(store::Id itemId) const
{
    const auto it = m_itemUnanimous.find(itemId);
    return it != m_itemUnanimous.end() && it->second;
}

std::vector<store::Id> ReviewSession::queue(const QueueFilter &filter) const
{
    std::vector<store::Id> out;
    for (store::Id item : m_items) {
        const auto [first, end] = m_itemRange.at(item);
        if (!filter.family.isEmpty() && m_traces[first].taskFamily != filter.family)
            continue;
        if (!filter.mark.isEmpty()) {
            auto m = m_marks.find(filter.mark);
            if (m == m_marks.end() || !m->second.count(item))
                continue;
        }
        if (!filter.prompt.isEmpty()) {
            bool has = false;
            for (std::size_t i = first; i < end && !has; ++i)
                has = m_traces[i].promptName == filter.prompt;
            if (!has)
                continue;
        }
        if (filter.agreement != QueueFilter::Agreement::Any
            && itemUnanimous(item) != (filter.agreement == QueueFilter::Agreement::Unanimous))
            continue;
        using State = QueueFilter::State;
        if (filter.state == State::Conflict ? !itemConflict(item)
                                            : filter.state != State::Any
                                                  && itemState(item) != (filter.state == State::Unreviewed ? ItemState::Unreviewed
                                                                         : filter.state == State::Partly   ? ItemState::Partly
                                                                                                           : ItemState::Done))
            continue;
        out.push_back(item);
    }
    return out;
}

QStringList ReviewSession::markSources() const
{
    QStringList out;
    for (const auto &[source, items] : m_marks)
        out << source;
    return out;
}

std::vector<store::Id> ReviewSession::markedWithoutTraces(const QString &source) const
{
    std::vector<store::Id> out;
    const auto m = m_marks.find(source);
    if (m == m_marks.end())
        return out;
    for (store::Id item : m->second)
        if (!std::binary_search(m_items.begin(), m_items.end(), item))
            out.push_back(item);
    return out;
}

ReviewSession::Progress ReviewSession::progress(const std::vector<store::Id> &itemIds) const
{
    Progress p;
    for (store::Id item : itemIds)
        for (const TraceInfo *t : traces(item)) {
            ++p.total;
            p.reviewed += verdict(t->traceId) != Verdict::None;
        }
    return p;
}

void ReviewSession::setCurrent(const store::Review &review)
{
    // The approved count follows every change (one trace's verdicts at a time).
    const bool wasApproved = isApproved(review.traceId);
    updateCurrent(review);
    m_approvedCount += int(isApproved(review.traceId)) - int(wasApproved);
}

void ReviewSession::updateCurrent(const store::Review &review)
{
    auto &list = m_current[review.traceId];
    auto it = std::find_if(list.begin(), list.end(), [&](const store::Review &r) { return r.reviewer == review.reviewer; });
    if (review.verdict == Verdict::None) {
        if (it != list.end())
            list.erase(it);
        if (list.empty())
            m_current.erase(review.traceId);
        return;
    }
    if (it != list.end())
        *it = review;
    else
        list.push_back(review);
    if (!m_knownReviewers.contains(review.reviewer))
        m_knownReviewers << review.reviewer;
}

Result<void> ReviewSession::setPolicy(const ApprovalPolicy &policy)
{
    if (policy.minAccepts < 1)
        return fail(QCoreApplication::translate("sdrt::review", "An approval policy needs at least one accept."));
    if (auto r = store::ReviewRepository(m_db).setSetting(kPolicyKey, policy.toJson()); !r)
        return r;
    usePolicy(policy);
    return {};
}

bool ReviewSession::isApproved(store::Id traceId) const
{
    int accepts = 0, rejects = 0;
    for (const auto &[who, v] : verdicts(traceId)) {
        accepts += v == Verdict::Accept;
        rejects += v == Verdict::Reject;
    }
    return m_policy.approves(accepts, rejects);
}

std::vector<store::Id> ReviewSession::approvedTraces() const
{
    std::vector<store::Id> out;
    for (const TraceInfo &t : m_traces)
        if (m_current.count(t.traceId) && isApproved(t.traceId))
            out.push_back(t.traceId);
    return out;
}

int ReviewSession::countApproved() const
{
    int n = 0;
    for (const auto &[traceId, reviews] : m_current)
        n += isApproved(traceId);
    return n;
}

void ReviewSession::usePolicy(const ApprovalPolicy &policy)
{
    m_policy = policy;
    m_approvedCount = countApproved();
}

Result<void> ReviewSession::setReasonTags(const QStringList &tags)
{
    QStringList clean;
    for (const QString &t : tags)
        if (!t.trimmed().isEmpty() && !clean.contains(t.trimmed()))
            clean << t.trimmed();
    if (clean.isEmpty())
        return fail(QCoreApplication::translate("sdrt::review", "The list of reject reasons is empty."));
    const QString json = QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(clean)).toJson(QJsonDocument::Compact));
    if (auto r = store::ReviewRepository(m_db).setSetting(kReasonTagsKey, json); !r)
        return r;
    m_reasonTags = clean;
    return {};
}

std::vector<AgreementResult> ReviewSession::agreement(const QStringList &given) const
{
    QStringList reviewers = given;
    reviewers.removeIf([](const QString &n) { return isSimulatedReviewer(n); });
    std::vector<AgreementResult> out;
    if (reviewers.size() < 2)
        return out;
    QStringList scopes{QString()};
    scopes += promptNames();
    for (const QString &scope : scopes) {
        AgreementResult res;
        res.prompt = scope;
        res.reviewers = reviewers;
        res.method = reviewers.size() == 2 ? AgreementMethod::CohenKappa : AgreementMethod::FleissKappa;
        std::vector<std::pair<bool, bool>> pairs;
        std::vector<std::vector<int>> counts;
        int unanimous = 0;
        for (const auto &[traceId, list] : m_current) {
            const TraceInfo *t = trace(traceId);
            if (!t || (!scope.isEmpty() && t->promptName != scope))
                continue;
            std::vector<bool> votes;
            for (const QString &who : reviewers) {
                const Verdict v = verdict(traceId, who);
                if (v != Verdict::Accept && v != Verdict::Reject)
                    break;
                votes.push_back(v == Verdict::Accept);
            }
            if (votes.size() != std::size_t(reviewers.size()))
                continue;
            const int accepts = int(std::count(votes.begin(), votes.end(), true));
            unanimous += accepts == 0 || accepts == int(votes.size());
            if (reviewers.size() == 2)
                pairs.emplace_back(votes[0], votes[1]);
            counts.push_back({accepts, int(votes.size()) - accepts});
        }
        res.traces = int(counts.size());
        res.observed = counts.empty() ? 0 : double(unanimous) / double(counts.size());
        res.kappa = reviewers.size() == 2 ? cohenKappa(pairs) : fleissKappa(counts);
        out.push_back(std::move(res));
    }
    return out;
}

} // namespace sdrt::review
