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
    QStringList out;
    if (auto r = forEach(db.prepare(sql), [&](const Statement &s) { out << s.text(0); }); !r)
        return fail(r.error());
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
    return rows::readOne<Asset>(m_db.query(QByteArray("SELECT ").append(rows::kAssetColumns).append(" FROM assets a WHERE sha256 = ? AND page = ?").constData(),
                        sha256, page),
                                [](const Statement &s) { return rows::readAsset(s, 0); });
}

Result<Id> AssetRepository::insert(const Asset &a)
{
    auto s = m_db.query("INSERT INTO assets (kind, original_name, sha256, page, stored_path, source_path, mime,"
                        " size_bytes, width, height, dpi) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        toString(a.kind), a.originalName, a.sha256, a.page, a.storedPath, a.sourcePath, a.mime, a.sizeBytes, optInt(a.width), optInt(a.height), optInt(a.dpi));
    if (!s)
        return fail(s.error());
    if (auto r = s->run(); !r)
        return fail(r.error());
    return m_db.lastInsertId();
}

Result<Asset> AssetRepository::get(Id id)
{
    return rows::readRequired<Asset>(m_db.query(QByteArray("SELECT ").append(rows::kAssetColumns).append(" FROM assets a WHERE id = ?").constData(), id), [](const Statement &s) { return rows::readAsset(s, 0); },
                                     QCoreApplication::translate("sdrt::store", "There is no asset with id %1.").arg(id));
}

Result<std::int64_t> AssetRepository::count()
{
    return rows::integer(m_db.prepare("SELECT count(*) FROM assets"));
}

Result<QStringList> AssetRepository::storedPaths()
{
    return rows::texts(m_db, "SELECT stored_path FROM assets UNION SELECT source_path FROM assets WHERE source_path IS NOT NULL");
}

} // namespace sdrt::store
