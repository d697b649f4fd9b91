#include "sdrt/review/ReviewSession.h"

#include <QCoreApplication>

#include <algorithm>

namespace sdrt::review {
namespace {

store::Review clearRow(store::Id traceId, const QString &reviewer)
{
    store::Review r;
    r.traceId = traceId;
    r.reviewer = reviewer;
    r.verdict = Verdict::None;
    return r;
}

} // namespace

Result<void> ReviewSession::apply(const Action &action, bool forward, store::ReviewOrigin origin)
{
    std::vector<store::Review> rows;
    rows.reserve(action.changes.size());
    for (const Change &c : action.changes) {
        store::Review r = forward ? c.after : c.before;
        r.id = 0;
        r.origin = origin;
        rows.push_back(std::move(r));
    }
    // The action id is taken inside the append's write transaction (another process may be
    // appending to the same workspace).
    auto appended = store::ReviewRepository(m_db).appendAction(rows);
    if (!appended)
        return fail(appended.error());
    for (std::size_t i = 0; i < rows.size(); ++i) {
        rows[i].id = appended->rowIds[i];
        rows[i].actionId = appended->actionId;
        if (trace(rows[i].traceId)) // a trace gone since a reload keeps its rows, not its state
            setCurrent(rows[i]);
    }
    return {};
}

Result<void> ReviewSession::record(const std::vector<store::Id> &traceIds, const VerdictInput &input)
{
    if (m_reviewer.isEmpty())
        return fail(QCoreApplication::translate("sdrt::review", "Enter your reviewer name before reviewing."));
    Action action;
    for (store::Id id : traceIds) {
        if (!trace(id))
            return fail(QCoreApplication::translate("sdrt::review", "Trace %1 is not a completed trace of this workspace.").arg(id));
        Change c;
        c.traceId = id;
        const store::Review *before = currentReview(id, m_reviewer);
        c.before = before ? *before : clearRow(id, m_reviewer);
        c.after.traceId = id;
        c.after.reviewer = m_reviewer;
        c.after.verdict = input.verdict;
        if (input.verdict == Verdict::Reject) {
            c.after.reasonTags = input.reasonTags;
            c.after.firstWrongStep = input.firstWrongStep;
        }
        c.after.comment = input.comment;
        action.changes.push_back(std::move(c));
    }
    if (action.changes.empty())
        return {};
    const QString what = input.verdict == Verdict::Accept   ? QCoreApplication::translate("sdrt::review", "Accept")
                         : input.verdict == Verdict::Reject ? QCoreApplication::translate("sdrt::review", "Reject")
                         : input.verdict == Verdict::Skip   ? QCoreApplication::translate("sdrt::review", "Skip")
                                                            : QCoreApplication::translate("sdrt::review", "Clear verdict");
    action.label = action.changes.size() == 1
                       ? what
                       : QCoreApplication::translate("sdrt::review", "%1 %n trace(s)", nullptr, int(action.changes.size())).arg(what);
    if (auto r = apply(action, true, store::ReviewOrigin::Verdict); !r)
        return r;
    History &h = history();
    h.undo.push_back(std::move(action));
    h.redo.clear();
    return {};
}

Result<int> ReviewSession::acceptMatchingReference(const std::vector<store::Id> &itemIds)
{
    std::vector<store::Id> ids;
    for (store::Id item : itemIds)
        for (const TraceInfo *t : traces(item))
            if (t->matchesReference.value_or(false) && verdict(t->traceId) == Verdict::None)
                ids.push_back(t->traceId);
    if (ids.empty())
        return 0;
    if (auto r = record(ids, {Verdict::Accept, {}, {}, {}}); !r)
        return fail(r.error());
    history().undo.back().label = QCoreApplication::translate("sdrt::review", "Accept %n trace(s) matching the reference", nullptr, int(ids.size()));
    return int(ids.size());
}

const ReviewSession::History *ReviewSession::findHistory() const
{
    const auto it = m_history.find(m_reviewer);
    return it == m_history.end() ? nullptr : &it->second;
}

bool ReviewSession::canUndo() const
{
    const History *h = findHistory();
    return h && !h->undo.empty();
}

bool ReviewSession::canRedo() const
{
    const History *h = findHistory();
    return h && !h->redo.empty();
}

QString ReviewSession::undoText() const
{
    return canUndo() ? findHistory()->undo.back().label : QString();
}

QString ReviewSession::redoText() const
{
    return canRedo() ? findHistory()->redo.back().label : QString();
}

std::vector<store::Id> ReviewSession::traceIds(const Action &action)
{
    std::vector<store::Id> out;
    for (const Change &c : action.changes)
        out.push_back(c.traceId);
    return out;
}

std::vector<store::Id> ReviewSession::undoTraces() const
{
    return canUndo() ? traceIds(findHistory()->undo.back()) : std::vector<store::Id>();
}

std::vector<store::Id> ReviewSession::redoTraces() const
{
    return canRedo() ? traceIds(findHistory()->redo.back()) : std::vector<store::Id>();
}

Result<void> ReviewSession::replay(std::vector<Action> &from, std::vector<Action> &to, bool forward, store::ReviewOrigin origin)
{
    if (auto r = apply(from.back(), forward, origin); !r)
        return r;
    to.push_back(std::move(from.back()));
    from.pop_back();
    return {};
}

Result<void> ReviewSession::undo()
{
    if (!canUndo())
        return {};
    History &h = history();
    return replay(h.undo, h.redo, false, store::ReviewOrigin::Undo);
}

Result<void> ReviewSession::redo()
{
    if (!canRedo())
        return {};
    History &h = history();
    return replay(h.redo, h.undo, true, store::ReviewOrigin::Redo);
}

} // namespace sdrt::review
