#pragma once
// The review state of a workspace as the review screen, the CLI export and the benchmark see it:
// every completed trace (grouped by item, with its agreement with the item's prompt ensemble and
// with the reference answer), each reviewer's current verdict, the approval policy and the
// configurable reject reasons. Verdicts are written at once as append-only rows; undo and redo
// write rows too (restoring the previous verdict, or `clear`), so the database always holds the
// whole history and a crash loses at most the key press in flight. Undo and redo are per
// reviewer: each reviewer name has its own stack, so undo never touches another reviewer's
// verdicts, and reload() keeps the stacks.
//
// Thread rule: a ReviewSession uses the Database it was loaded from, on that thread.

#include "sdrt/common/Result.h"
#include "sdrt/review/Agreement.h"
#include "sdrt/review/Policy.h"
#include "sdrt/store/ReviewRepository.h"

#include <QStringList>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace sdrt::store {
class Database;
}

namespace sdrt::review {

using store::Verdict; // None: no verdict (yet, or withdrawn by an undo)

struct VerdictInput {
    Verdict verdict = Verdict::Accept;
    QStringList reasonTags;
    QString firstWrongStep;
    QString comment;
};

struct TraceInfo : store::ReviewableTrace {
    bool agreesWithEnsemble = false;
    std::optional<bool> matchesReference; // nullopt: the item has no reference answer
    double confidence = 0;                // exp(mean log-probability of the answer tokens)
};

enum class ItemState { Unreviewed, Partly, Done };

struct QueueFilter {
    enum class State { Any, Unreviewed, Partly, Done, Conflict };
    enum class Agreement { Any, Unanimous, Split }; // the prompts' answers on the item
    State state = State::Any;
    QString prompt; // prompt name; empty: any (an item qualifies when it has a trace of it)
    QString family; // empty: any
    Agreement agreement = Agreement::Any;
    QString mark; // a review-mark source ("evaluation …"); empty: any
};

struct AgreementResult {
    QString prompt;          // empty: all prompts
    QStringList reviewers;
    AgreementMethod method = AgreementMethod::CohenKappa; // Cohen for two reviewers, Fleiss for more
    int traces = 0;          // traces every reviewer accepted or rejected
    double observed = 0;     // share of those where all reviewers agree
    std::optional<double> kappa;
};

// A simulated reviewer (sdrt review accept-matching: verdicts made by a rule, not a person) has a
// name that starts with "simulated-". Such a name is never offered or accepted for a person's
// verdicts, and it is not a rater in agreement statistics.
inline constexpr const char *kSimulatedReviewerPrefix = "simulated-";
bool isSimulatedReviewer(const QString &name);

class ReviewSession {
public:
    static Result<std::unique_ptr<ReviewSession>> load(store::Database &db);

    // Rereads the workspace (new traces, other processes' verdicts, settings). Every reviewer's
    // undo and redo history stays; each step still writes the verdicts it recorded.
    Result<void> reload();

    // Undo and redo follow the reviewer: switching back to a name brings its history back.
    void setReviewer(const QString &name) { m_reviewer = name.trimmed(); }
    const QString &reviewer() const { return m_reviewer; }
    QStringList reviewers() const; // with a stored verdict, plus the current one
    QStringList humanReviewers() const; // reviewers() less the simulated ones (isSimulatedReviewer)

    // Items that have completed traces, in id order, and their traces in column order.
    const std::vector<store::Id> &items() const { return m_items; }
    std::vector<const TraceInfo *> traces(store::Id itemId) const;
    const TraceInfo *trace(store::Id traceId) const;
    int traceCount() const { return int(m_traces.size()); }
    QStringList promptNames() const;
    QStringList families() const;
    // Sources of review marks (sdrt eval enqueue), for the queue's "from …" filter.
    QStringList markSources() const;
    // Items marked under `source` that have no completed trace: the queue cannot show them
    // until the teacher has answered them.
    std::vector<store::Id> markedWithoutTraces(const QString &source) const;

    // Current verdicts.
    Verdict verdict(store::Id traceId, const QString &reviewer) const;
    Verdict verdict(store::Id traceId) const { return verdict(traceId, m_reviewer); }
    const store::Review *currentReview(store::Id traceId, const QString &reviewer) const;
    std::map<QString, Verdict> verdicts(store::Id traceId) const;
    bool isConflict(store::Id traceId) const; // one reviewer accepts, another rejects
    ItemState itemState(store::Id itemId) const; // for the current reviewer
    bool itemConflict(store::Id itemId) const;
    bool itemUnanimous(store::Id itemId) const; // every trace agrees with the ensemble

    std::vector<store::Id> queue(const QueueFilter &filter) const;
    struct Progress {
        int reviewed = 0; // traces of these items with a verdict of the current reviewer
        int total = 0;
    };
    Progress progress(const std::vector<store::Id> &itemIds) const;

    // Actions: each is written at once (one transaction, one action id) and is one undo step of
    // the current reviewer.
    Result<void> record(const std::vector<store::Id> &traceIds, const VerdictInput &input);
    // Accepts, for the current reviewer, every trace of these items whose answer matches the
    // reference and that has no verdict of theirs yet. Returns how many were accepted.
    Result<int> acceptMatchingReference(const std::vector<store::Id> &itemIds);
    bool canUndo() const;
    bool canRedo() const;
    QString undoText() const;
    QString redoText() const;
    Result<void> undo();
    Result<void> redo();
    // The traces the next undo / redo would change (to show them first).
    std::vector<store::Id> undoTraces() const;
    std::vector<store::Id> redoTraces() const;

    // Approval.
    const ApprovalPolicy &policy() const { return m_policy; }
    Result<void> setPolicy(const ApprovalPolicy &policy); // and stores it in the workspace
    void usePolicy(const ApprovalPolicy &policy); // this session only
    bool isApproved(store::Id traceId) const;
    std::vector<store::Id> approvedTraces() const; // in item, column order
    int approvedCount() const { return m_approvedCount; }

    // Reject reasons offered by the review screen (workspace setting).
    const QStringList &reasonTags() const { return m_reasonTags; }
    Result<void> setReasonTags(const QStringList &tags);
    static QStringList defaultReasonTags();

    // Agreement between `reviewers` (at least two people; simulated reviewers are left out, they
    // are not raters): overall first, then per prompt name.
    std::vector<AgreementResult> agreement(const QStringList &reviewers) const;

private:
    explicit ReviewSession(store::Database &db) : m_db(db) {}
    struct Change {
        store::Id traceId = 0;
        store::Review before; // verdict "clear" when there was none
        store::Review after;
    };
    struct Action {
        QString label;
        std::vector<Change> changes;
    };
    struct History {
        std::vector<Action> undo;
        std::vector<Action> redo;
    };
    History &history() { return m_history[m_reviewer]; }
    const History *findHistory() const; // the current reviewer's; nullptr when they have none
    static std::vector<store::Id> traceIds(const Action &action);
    Result<void> apply(const Action &action, bool forward, store::ReviewOrigin origin);
    // Applies the last action of `from` (forward: as recorded; else reversed) and moves it to `to`.
    Result<void> replay(std::vector<Action> &from, std::vector<Action> &to, bool forward, store::ReviewOrigin origin);
    void readTraces(std::vector<store::ReviewableTrace> traces); // with their agreement with the reference
    void groupItems(); // items, their trace ranges and their prompt ensembles
    void setCurrent(const store::Review &review);    // and the approved count
    void updateCurrent(const store::Review &review); // the verdict map only
    int countApproved() const;
    int reviewerIndex(const QString &name) const;

    store::Database &m_db;
    QString m_reviewer;
    std::vector<TraceInfo> m_traces;                       // by item, column order
    std::unordered_map<store::Id, std::size_t> m_traceIndex; // trace id -> m_traces index
    std::vector<store::Id> m_items;
    std::unordered_map<store::Id, std::pair<std::size_t, std::size_t>> m_itemRange; // [first, end)
    std::unordered_map<store::Id, bool> m_itemUnanimous;
    // Current (non-clear) review per trace and reviewer.
    std::unordered_map<store::Id, std::vector<store::Review>> m_current;
    QStringList m_knownReviewers;
    std::map<QString, History> m_history; // by reviewer name
    ApprovalPolicy m_policy;
    int m_approvedCount = 0;
    QStringList m_reasonTags;
    std::map<QString, std::set<store::Id>> m_marks;
};

} // namespace sdrt::review
