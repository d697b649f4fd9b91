#include "sdrt/store/ItemRepository.h"

#include "sdrt/store/Database.h"
#include "Rows.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

namespace sdrt::store {
namespace {

QString tagsToJson(const QStringList &tags)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(tags)).toJson(QJsonDocument::Compact));
}

QStringList tagsFromJson(const QString &json)
{
    QStringList out;
    const QJsonArray a = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const auto &v : a)
        out << v.toString();
    return out;
}

QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

// WHERE clause shared by count() and list(); parameters are bound by bindFilter in the same order.
QByteArray whereClause(const ItemFilter &f)
{
    QByteArray w = " WHERE 1";
    if (f.split)
        w += " AND split = ?";
    if (!f.taskFamily.isEmpty())
        w += " AND task_family = ?";
    if (!f.text.isEmpty())
        w += " AND (question LIKE ? ESCAPE '\\' OR coalesce(reference_answer,'') LIKE ? ESCAPE '\\'"
             " OR note_text LIKE ? ESCAPE '\\' OR coalesce(external_id,'') LIKE ? ESCAPE '\\')";
    return w;
}

int bindFilter(Statement &s, const ItemFilter &f)
{
    int i = 1;
    if (f.split)
        s.bind(i++, toString(*f.split));
    if (!f.taskFamily.isEmpty())
        s.bind(i++, f.taskFamily);
    if (!f.text.isEmpty()) {
        const QString p = likePattern(f.text);
        for (int k = 0; k < 4; ++k)
            s.bind(i++, p);
    }
    return i;
}

} // namespace

Result<std::optional<Id>> ItemRepository::findByFingerprint(const QString &fingerprint)
{
    return rows::readOne<Id>(m_db.query("SELECT id FROM items WHERE fingerprint = ?", fingerprint),
                             [](const Statement &s) { return s.int64(0); });
}

Result<Id> ItemRepository::insert(const Item &item, std::optional<Id> importBatch)
{
    auto s = m_db.query("INSERT INTO items (external_id, question, reference_answer, answer_type, task_family,"
                        " split, tags, note_text, fingerprint, import_batch_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        item.externalId, item.question, item.referenceAnswer, item.answerType, item.taskFamily, toString(item.split), tagsToJson(item.tags), item.noteText, item.fingerprint, importBatch);
    if (!s)
        return fail(s.error());
    if (auto r = s->run(); !r)
        return fail(r.error());
    const Id id = m_db.lastInsertId();

    auto link = m_db.prepare("INSERT INTO item_assets (item_id, asset_id, role, ord) VALUES (?,?,?,?)");
    if (!link)
        return fail(link.error());
    for (const ItemAsset &ia : item.assets) {
        link->reset();
        link->bind(1, id).bind(2, ia.asset.id).bind(3, toString(ia.role)).bind(4, ia.order);
        if (auto r = link->run(); !r)
            return fail(r.error());
    }
    return id;
}

Result<Item> ItemRepository::get(Id id)
{
    auto s = m_db.query("SELECT id, external_id, question, reference_answer, answer_type, task_family, split, tags,"
                        " note_text, fingerprint FROM items WHERE id = ?", id);
    if (!s)
        return fail(s.error());
    auto row = s->step();
    if (!row)
        return fail(row.error());
    if (!*row)
        return fail(QCoreApplication::translate("sdrt::store", "There is no item with id %1.").arg(id));
    Item item;
    item.id = s->int64(0);
    item.externalId = s->optText(1);
    item.question = s->text(2);
    item.referenceAnswer = s->optText(3);
    item.answerType = s->text(4);
    item.taskFamily = s->text(5);
    item.split = splitFromString(s->text(6)).value_or(Split::Train);
    item.tags = tagsFromJson(s->text(7));
    item.noteText = s->text(8);
    item.fingerprint = s->text(9);

    const QByteArray sql = QByteArray("SELECT ia.role, ia.ord, ") + rows::kAssetColumns
                           + " FROM item_assets ia JOIN assets a ON a.id = ia.asset_id WHERE ia.item_id = ? ORDER BY ia.ord";
    auto a = m_db.query(sql.constData(), id);
    auto read = rows::forEach(std::move(a), [&](const Statement &s) {
        ItemAsset ia;
        ia.role = assetKindFromString(s.text(0)).value_or(AssetKind::Photo);
        ia.order = int(s.int64(1));
        ia.asset = rows::readAsset(s, 2);
        item.assets.push_back(std::move(ia));
    });
    if (!read)
        return fail(read.error());
    return item;
}

Result<std::int64_t> ItemRepository::count(const ItemFilter &filter)
{
    const QByteArray sql = QByteArray("SELECT count(*) FROM items") + whereClause(filter);
    auto s = m_db.prepare(sql.constData());
    if (!s)
        return fail(s.error());
    bindFilter(*s, filter);
    return rows::integer(std::move(s));
}

Result<std::vector<ItemSummary>> ItemRepository::list(const ItemFilter &filter, std::int64_t offset, std::int64_t limit)
{
    const QByteArray sql = "SELECT id, question, task_family, split, answer_type,"
                           " (SELECT count(*) FROM item_assets ia WHERE ia.item_id = items.id) FROM items"
                           + whereClause(filter) + " ORDER BY id LIMIT ? OFFSET ?";
    auto s = m_db.prepare(sql.constData());
    if (!s)
        return fail(s.error());
    int next = bindFilter(*s, filter);
    s->bind(next, limit).bind(next + 1, offset);
    return rows::readAll<ItemSummary>(*s, [](const Statement &st) {
        ItemSummary r;
        r.id = st.int64(0);
        r.question = st.text(1);
        r.taskFamily = st.text(2);
        r.split = splitFromString(st.text(3)).value_or(Split::Train);
        r.answerType = st.text(4);
        r.assetCount = int(st.int64(5));
        return r;
    });
}

Result<QStringList> ItemRepository::taskFamilies()
{
    return rows::texts(m_db, "SELECT DISTINCT task_family FROM items WHERE task_family <> '' ORDER BY task_family");
}

Result<Id> ItemRepository::beginImportBatch(const QString &source)
{
    auto s = m_db.query("INSERT INTO import_batches (source) VALUES (?)", source);
    if (!s)
        return fail(s.error());
    if (auto r = s->run(); !r)
        return fail(r.error());
    return m_db.lastInsertId();
}

Result<void> ItemRepository::finishImportBatch(Id batch, int imported, int duplicates, int failed)
{
    return m_db.run("UPDATE import_batches SET imported = ?, duplicates = ?, failed = ? WHERE id = ?", imported, duplicates, failed, batch);
}

} // namespace sdrt::store
