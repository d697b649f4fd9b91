#include "sdrt/store/ReviewRepository.h"

#include "sdrt/store/Database.h"

#include "Rows.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace sdrt::store {
namespace {

constexpr const char *kColumns = "SELECT r.id, r.trace_id, r.reviewer, r.verdict, r.reason_tags, coalesce(r.first_wrong_step,''),"
                                 " coalesce(r.comment,''), r.action_id, r.origin, r.created_at FROM reviews r";

QString tagsJson(const QStringList &tags)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(tags)).toJson(QJsonDocument::Compact));
}

QStringList tagsFromJson(const QString &json)
{
    QStringList out;
    for (const auto &v : QJsonDocument::fromJson(json.toUtf8()).array())
        out << v.toString();
    return out;
}

// The schema's CHECK constraints allow only the names below, so a read never meets another.
Review readReview(const Statement &s)
{
    Review r;
    r.id = s.int64(0);
    r.traceId = s.int64(1);
    r.reviewer = s.text(2);
    r.verdict = verdictFromName(s.text(3)).value_or(Verdict::None);
    r.reasonTags = tagsFromJson(s.text(4));
    r.firstWrongStep = s.text(5);
    r.comment = s.text(6);
    r.actionId = s.optInt64(7);
    r.origin = reviewOriginFromName(s.text(8)).value_or(ReviewOrigin::Verdict);
    r.createdAt = s.text(9);
    return r;
}

std::optional<QString> nonEmpty(const QString &s)
{
    return s.isEmpty() ? std::nullopt : std::optional<QString>(s);
}

// Inserts the rows inside the caller's transaction; `actionId` overrides the rows' own.
Result<std::vector<Id>> insertRows(Database &db, const std::vector<Review> &reviews, std::optional<Id> actionId)
{
    auto st = db.prepare("INSERT INTO reviews (trace_id, reviewer, verdict, reason_tags, first_wrong_step, comment, action_id, origin)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!st)
        return fail(st.error());
    std::vector<Id> ids;
    ids.reserve(reviews.size());
    for (const Review &r : reviews) {
        st->reset();
        st->bind(1, r.traceId).bind(2, r.reviewer).bind(3, verdictName(r.verdict)).bind(4, tagsJson(r.reasonTags));
        st->bind(5, nonEmpty(r.firstWrongStep)).bind(6, nonEmpty(r.comment)).bind(7, actionId ? actionId : r.actionId).bind(8, reviewOriginName(r.origin));
        if (auto done = st->run(); !done)
            return fail(done.error());
        ids.push_back(db.lastInsertId());
    }
    return ids;
}

} // namespace

QString verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Accept: return QStringLiteral("accept");
    case Verdict::Reject: return QStringLiteral("reject");
    case Verdict::Skip: return QStringLiteral("skip");
    case Verdict::None: break;
    }
    return QStringLiteral("clear");
}

std::optional<Verdict> verdictFromName(const QString &s)
{
    for (Verdict v : {Verdict::None, Verdict::Accept, Verdict::Reject, Verdict::Skip})
        if (s == verdictName(v))
            return v;
    return std::nullopt;
}

QString reviewOriginName(ReviewOrigin origin)
{
    switch (origin) {
    case ReviewOrigin::Undo: return QStringLiteral("undo");
    case ReviewOrigin::Redo: return QStringLiteral("redo");
    case ReviewOrigin::Verdict: break;
    }
    return QStringLiteral("verdict");
}

std::optional<ReviewOrigin> reviewOriginFromName(const QString &s)
{
    for (ReviewOrigin o : {ReviewOrigin::Verdict, ReviewOrigin::Undo, ReviewOrigin::Redo})
        if (s == reviewOriginName(o))
            return o;
    return std::nullopt;
}

Result<std::vector<Id>> ReviewRepository::append(const std::vector<Review> &reviews)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto ids = insertRows(m_db, reviews, std::nullopt);
    if (!ids)
        return fail(ids.error());
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return ids;
}

Result<AppendedAction> ReviewRepository::appendAction(const std::vector<Review> &reviews)
{
    // BEGIN IMMEDIATE takes the write lock first: no other connection can append between
    // reading the largest action id and writing the rows that use the next one.
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    AppendedAction out;
    {
        auto st = m_db.prepare("SELECT coalesce(max(action_id), 0) + 1 FROM reviews");
        if (!st)
            return fail(st.error());
        auto next = rows::readOne<Id>(*st, [](const Statement &s) { return s.int64(0); });
        if (!next)
            return fail(next.error());
        out.actionId = next->value_or(1);
    }
    auto ids = insertRows(m_db, reviews, out.actionId);
    if (!ids)
        return fail(ids.error());
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    out.rowIds = std::move(*ids);
    return out;
}

Result<std::vector<Review>> ReviewRepository::history(std::optional<Id> traceId)
{
    auto st = m_db.prepare(traceId ? (QByteArray(kColumns) + " WHERE r.trace_id = ?1 ORDER BY r.id").constData()
                                   : (QByteArray(kColumns) + " ORDER BY r.id").constData());
    if (!st)
        return fail(st.error());
    if (traceId)
        st->bind(1, *traceId);
    return rows::readAll<Review>(*st, readReview);
}

Result<std::vector<Review>> ReviewRepository::current()
{
    // The newest row per (trace, reviewer): SQLite returns the row of max(id) with a bare max().
    auto st = m_db.prepare((QByteArray(kColumns)
                            + " JOIN (SELECT max(id) AS newest FROM reviews GROUP BY trace_id, reviewer) n ON n.newest = r.id"
                              " WHERE r.verdict <> 'clear' ORDER BY r.trace_id, r.reviewer")
                               .constData());
    if (!st)
        return fail(st.error());
    return rows::readAll<Review>(*st, readReview);
}

Result<QStringList> ReviewRepository::reviewers()
{
    return rows::texts(m_db, "SELECT DISTINCT reviewer FROM reviews ORDER BY reviewer");
}

Result<std::vector<ReviewableTrace>> ReviewRepository::reviewable()
{
    auto st = m_db.prepare("SELECT t.id, t.item_id, t.prompt_id, coalesce(t.model_id,0), t.sample_index, p.name, p.version,"
                           " coalesce(t.parsed_answer,''), coalesce(t.mean_logprob,0), i.task_family, i.answer_type, i.reference_answer"
                           " FROM traces t JOIN prompts p ON p.id = t.prompt_id JOIN items i ON i.id = t.item_id"
                           " WHERE t.status = 'ok' ORDER BY t.item_id, p.name, p.version, t.model_id, t.sample_index, t.id");
    if (!st)
        return fail(st.error());
    return rows::readAll<ReviewableTrace>(*st, [](const Statement &s) {
        ReviewableTrace t;
        t.traceId = s.int64(0);
        t.itemId = s.int64(1);
        t.promptId = s.int64(2);
        t.modelId = s.int64(3);
        t.sampleIndex = int(s.int64(4));
        t.promptName = s.text(5);
        t.promptVersion = int(s.int64(6));
        t.parsedAnswer = s.text(7);
        t.meanLogprob = s.real(8);
        t.taskFamily = s.text(9);
        t.answerType = s.text(10);
        t.referenceAnswer = s.optText(11);
        return t;
    });
}

Result<std::optional<QString>> ReviewRepository::setting(const QString &key)
{
    return rows::readOne<QString>(m_db.query("SELECT value FROM settings WHERE key = ?1", key), [](const Statement &s) { return s.text(0); });
}

Result<void> ReviewRepository::setSetting(const QString &key, const QString &jsonValue)
{
    return m_db.run("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, jsonValue);
}

} // namespace sdrt::store

namespace sdrt::store {

Result<int> ReviewRepository::addMarks(const std::vector<Id> &itemIds, const QString &source, std::optional<Id> evaluationId)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto s = m_db.prepare("INSERT OR IGNORE INTO review_marks (item_id, source, evaluation_id) VALUES (?1, ?2, ?3)");
    if (!s)
        return fail(s.error());
    int added = 0;
    for (Id id : itemIds) {
        s->reset();
        s->bind(1, id).bind(2, source).bind(3, evaluationId ? std::optional<std::int64_t>(*evaluationId) : std::nullopt);
        if (auto r = s->run(); !r)
            return fail(r.error());
        added += m_db.changes() > 0 ? 1 : 0;
    }
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return added;
}

Result<std::map<QString, std::set<Id>>> ReviewRepository::marks()
{
    std::map<QString, std::set<Id>> out;
    auto read = rows::forEach(m_db.prepare("SELECT source, item_id FROM review_marks ORDER BY source, item_id"),
                              [&](const Statement &s) { out[s.text(0)].insert(s.int64(1)); });
    if (!read)
        return fail(read.error());
    return out;
}

} // namespace sdrt::store
