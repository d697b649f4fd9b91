#pragma once
// Reviews of traces, append-only. Every verdict, undo and redo is a new row; the current
// verdict of a (trace, reviewer) is its newest row, and a `clear` row means "no verdict".
// Rows written by one user action (one key press, one bulk accept) share an action id.
// Also the workspace settings (JSON values by key) that the review screen keeps.

#include "sdrt/common/Result.h"
#include "sdrt/store/Types.h"

#include <map>
#include <optional>
#include <set>
#include <vector>

namespace sdrt::store {

class Database;

// A reviewer's verdict on a trace. None is no verdict: its row (`clear`) withdraws the previous
// one. Stored (and exported) as accept | reject | skip | clear.
enum class Verdict { None, Accept, Reject, Skip };
QString verdictName(Verdict verdict);
std::optional<Verdict> verdictFromName(const QString &s);

// What wrote a row: a key press (or bulk action), an undo or a redo. Stored as verdict | undo | redo.
enum class ReviewOrigin { Verdict, Undo, Redo };
QString reviewOriginName(ReviewOrigin origin);
std::optional<ReviewOrigin> reviewOriginFromName(const QString &s);

struct Review {
    Id id = 0;
    Id traceId = 0;
    QString reviewer;
    Verdict verdict = Verdict::None;
    QStringList reasonTags;
    QString firstWrongStep; // the sentence the reviewer picked, empty when none
    QString comment;
    std::optional<Id> actionId;
    ReviewOrigin origin = ReviewOrigin::Verdict;
    QString createdAt;
};

// One completed trace as the review screen needs it (no texts: those are read per item).
struct ReviewableTrace {
    Id traceId = 0;
    Id itemId = 0;
    Id promptId = 0;
    Id modelId = 0;
    int sampleIndex = 0;
    QString promptName;
    int promptVersion = 0;
    QString parsedAnswer;
    double meanLogprob = 0;
    QString taskFamily;
    QString answerType;
    std::optional<QString> referenceAnswer;
};

struct AppendedAction {
    Id actionId = 0;
    std::vector<Id> rowIds; // in the order of the rows given
};

class ReviewRepository {
public:
    explicit ReviewRepository(Database &db) : m_db(db) {}

    // Appends rows as they are (their own action ids) in one transaction; returns their ids.
    Result<std::vector<Id>> append(const std::vector<Review> &reviews);
    // Appends the rows of one user action in one write transaction (BEGIN IMMEDIATE) and gives
    // them a fresh action id, one more than any stored, taken inside that transaction: two
    // connections (two processes) appending at once never share an action id. The rows'
    // own actionId is ignored.
    Result<AppendedAction> appendAction(const std::vector<Review> &reviews);

    // Every row, in id order (optionally of one trace).
    Result<std::vector<Review>> history(std::optional<Id> traceId = std::nullopt);
    // The newest row of every (trace, reviewer) that is not `clear`, ordered by trace then reviewer.
    Result<std::vector<Review>> current();
    Result<QStringList> reviewers();

    // Completed traces with their item's family, answer type and reference, by item then prompt.
    Result<std::vector<ReviewableTrace>> reviewable();

    // Workspace settings: JSON text by key.
    Result<std::optional<QString>> setting(const QString &key);

    // Review marks (schema 7): items put in the review queue's "from …" filter under `source`.
    // Marking an item twice under the same source is a no-op; returns how many were new.
    Result<int> addMarks(const std::vector<Id> &itemIds, const QString &source, std::optional<Id> evaluationId = std::nullopt);
    Result<std::map<QString, std::set<Id>>> marks(); // source → items
    Result<void> setSetting(const QString &key, const QString &jsonValue);

private:
    Database &m_db;
};

} // namespace sdrt::store
