#pragma once
// The review of the open workspace, for the review screen, the main window's exports and the
// benchmark: the review session (verdicts, per-reviewer undo history, policy, reject reasons),
// the queue and its filter, the item shown and the focused trace, what comes next after a
// verdict, and the progress. Owned by the WorkspaceSession, so it outlives any screen showing
// it: the undo history lasts as long as the workspace is open, whatever panels come and go.
// Screens show its view structs (ReviewViews.h) and call its intents; it reads the workspace
// (items, trace texts) itself.
//
// After a verdict the focus goes to the next trace of the item without a verdict of the current
// reviewer, else to the next item in the queue that still has one, else it stays.
//
// Thread rule: GUI thread only, like the workspace connection it uses.

#include "sdrt/review/ReviewSession.h"
#include "sdrt/ui/ReviewViews.h"

#include <QObject>

#include <functional>
#include <memory>
#include <vector>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::ui {

class ReviewController final : public QObject {
    Q_OBJECT
public:
    // `workspace` gives the open workspace (nullptr while none is); its owner (WorkspaceSession)
    // calls startAfresh() whenever a workspace opens or closes.
    explicit ReviewController(std::function<store::Workspace *()> workspace, QObject *parent = nullptr);
    ~ReviewController() override;

    void startAfresh(); // a workspace opened or closed: no session, no history

    // nullptr while no workspace is open (or its reviews could not be read).
    review::ReviewSession *session() const { return m_session.get(); }

    // Rereads the workspace's review state (after a generation run added traces): the undo
    // history stays, and so does the shown item when it is still in the queue. A workspace
    // opened or closed starts afresh (on the WorkspaceSession's signals).
    void reload();

    // The reviewer, remembered in the settings. Verdicts need one; the queue's review states
    // are theirs.
    QString reviewer() const { return m_reviewer; }
    void setReviewer(const QString &name);

    // The queue: the items passing the filter, in id order.
    const review::QueueFilter &filter() const { return m_filter; }
    void setFilter(const review::QueueFilter &filter);
    const std::vector<store::Id> &queue() const { return m_queue; }

    // The item shown and its traces, in column order.
    store::Id currentItem() const { return m_item.itemId; }
    const ReviewItemView &item() const { return m_item; }
    // Items marked under the queue's "From …" filter that have no teacher traces (not in the
    // queue until generated); empty without that filter.
    std::vector<store::Id> markedWithoutTraces() const;
    int traceCount() const { return int(m_traces.size()); }
    ReviewTraceView trace(int index) const;
    int indexOf(store::Id traceId) const; // -1 when not shown
    int focusedIndex() const { return m_focus; }
    store::Id focusedTrace() const;
    ReviewCounts counts() const;

    // Navigation. `focusTrace` 0: the first trace without a verdict of the reviewer.
    void showItem(store::Id itemId, store::Id focusTrace = 0);
    void nextItem();
    void previousItem();
    void nextUnreviewed();
    void moveFocus(int delta);
    void focusIndex(int index);
    void toggleReference();

    // Verdicts, written at once, each one undo step of the reviewer.
    void record(const review::VerdictInput &input); // on the focused trace, then on to the next
    void undo();
    void redo();
    // Unreviewed traces of the queue whose answer matches the reference, and accepting them
    // (one undo step). Returns how many were accepted.
    int matchingReferenceCount() const;
    int acceptMatchingReference();

    // Workspace settings.
    void setPolicy(const review::ApprovalPolicy &policy);
    void setReasonTags(const QStringList &tags);

Q_SIGNALS:
    // The session was loaded, reread or dropped: its prompts, families and reviewers may differ.
    void sessionChanged();
    void reviewerChanged(const QString &name);
    // An item is shown (`sameItem`: the one shown before, its traces reread): every column
    // follows, and the item's assets and texts too unless it is the same item.
    void itemShown(bool sameItem);
    void traceChanged(qint64 traceId); // its verdicts changed
    void tracesChanged();              // every shown trace may have changed
    void referenceShownChanged(bool shown);
    void focusChanged(int index); // also when the focus stays after a verdict
    void countsChanged();
    void errorOccurred(const QString &title, const QString &message);
    void statusMessage(const QString &message);

private:
    std::vector<ReviewAnswerView> answersOf(store::Workspace &ws, store::Id itemId);
    struct ShownTrace {
        store::Id traceId = 0;
        QString analysis;
        QString answer;
    };
    void applyFilter();
    void setFocus(int index);
    void advanceAfterVerdict();
    void replay(bool forward);
    void showChanged(const std::vector<store::Id> &traceIds);
    bool report(bool ok, const QString &error);
    bool inQueue(store::Id itemId) const;

    std::function<store::Workspace *()> m_workspace;
    std::unique_ptr<review::ReviewSession> m_session;
    QString m_reviewer;
    review::QueueFilter m_filter;
    std::vector<store::Id> m_queue;
    ReviewItemView m_item;
    std::vector<ShownTrace> m_traces;
    int m_focus = -1;
    mutable bool m_progressStale = true; // recount the queue's reviewed traces when next asked
    mutable int m_reviewed = 0;
    mutable int m_queueTraces = 0;
};

} // namespace sdrt::ui
