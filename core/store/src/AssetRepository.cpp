#include "sdrt/store/AssetRepository.h"

#include "sdrt/store/Database.h"
#include "Rows.h"

#include <QCoreApplication>

namespace sdrt::store {

QString toString(Split split)
{
    return split == Split::Eval ? QStringLiteral("eval") : QStringLiteral("train");
}

std::optional<Split> splitFromString(const QString &s)
{
    if (s == QLatin1String("train"))
        return Split::Train;
    if (s == QLatin1String("eval"))
        return Split::Eval;
    return std::nullopt;
}

QString toString(AssetKind kind)
{
    switch (kind) {
    case AssetKind::Photo: return QStringLiteral("photo");
    case AssetKind::Drawing: return QStringLiteral("drawing");
    case AssetKind::Note: return QStringLiteral("note");
    }
    return {};
}

std::optional<AssetKind> assetKindFromString(const QString &s)
{
    if (s == QLatin1String("photo"))
        return AssetKind::Photo;
    if (s == QLatin1String("drawing"))
        return AssetKind::Drawing;
    if (s == QLatin1String("note"))
        return AssetKind::Note;
    return std::nullopt;
}

namespace rows {

Asset readAsset(const Statement &s, int first)
{
    Asset a;
    a.id = s.int64(first + 0);
    a.kind = assetKindFromString(s.text(first + 1)).value_or(AssetKind::Photo);
    a.originalName = s.text(first + 2);
    a.sha256 = s.text(first + 3);
    a.page = int(s.int64(first + 4));
    a.storedPath = s.text(first + 5);
    a.sourcePath = s.optText(first + 6);
    a.mime = s.text(first + 7);
    a.sizeBytes = s.int64(first + 8);
    if (auto v = s.optInt64(first + 9))
        a.width = int(*v);
    if (auto v = s.optInt64(first + 10))
        a.height = int(*v);
    if (auto v = s.optInt64(first + 11))
        a.dpi = int(*v);
    return a;
}

Result<QStringList> texts(Database &db, const char *sql)
{
    auto s = db.prepare(sql);
    if (!s)
        return fail(s.error());
    QStringList out;
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out << s->text(0);
    }
    return out;
}

} // namespace rows

namespace {

std::optional<std::int64_t> optInt(const std::optional<int> &v)
{
    return v ? std::optional<std::int64_t>(*v) : std::nullopt;
}

} // namespace

Result<std::optional<Asset>> AssetRepository::findBySha(const QString &sha256, int page)
{
    auto s = m_db.prepare(QByteArray("SELECT ").append(rows::kAssetColumns).append(" FROM assets a WHERE sha256 = ? AND page = ?").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, sha256).bind(2, page);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    if (!*row)
        return std::optional<Asset>();
    return std::optional<Asset>(rows::readAsset(*s, 0));
}

Result<Id> AssetRepository::insert(const Asset &a)
{
    auto s = m_db.prepare("INSERT INTO assets (kind, original_name, sha256, page, stored_path, source_path, mime,"
                          " size_bytes, width, height, dpi) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    if (!s)
        return fail(s.error());
    s->bind(1, toString(a.kind))
        .bind(2, a.originalName)
        .bind(3, a.sha256)
        .bind(4, a.page)
        .bind(5, a.storedPath)
        .bind(6, a.sourcePath)
        .bind(7, a.mime)
        .bind(8, a.sizeBytes)
        .bind(9, optInt(a.width))
        .bind(10, optInt(a.height))
        .bind(11, optInt(a.dpi));
    if (auto r = s->run(); !r)
        return fail(r.error());
    return m_db.lastInsertId();
}

Result<Asset> AssetRepository::get(Id id)
{
    auto s = m_db.prepare(QByteArray("SELECT ").append(rows::kAssetColumns).append(" FROM assets a WHERE id = ?").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, id);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    if (!*row)
        return fail(QCoreApplication::translate("sdrt::store", "There is no asset with id %1.").arg(id));
    return rows::readAsset(*s, 0);
}

Result<std::int64_t> AssetRepository::count()
{
    auto s = m_db.prepare("SELECT count(*) FROM assets");
    if (!s)
        return fail(s.error());
    auto row = s->step();
    if (!row)
        return fail(row.error());
    return s->int64(0);
}

Result<QStringList> AssetRepository::storedPaths()
{
    return rows::texts(m_db, "SELECT stored_path FROM assets UNION SELECT source_path FROM assets WHERE source_path IS NOT NULL");
}

} // namespace sdrt::store
