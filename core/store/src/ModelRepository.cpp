#include "sdrt/store/ModelRepository.h"

#include "sdrt/store/Database.h"
#include "sdrt/store/Workspace.h"

#include "Rows.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

namespace sdrt::store {
namespace {

constexpr const char *kModelColumns = "SELECT id, name, path, content_hash, config, role FROM models";

ModelRecord readModel(const Statement &s)
{
    return {s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)};
}

QStringList modelFiles(const QDir &dir)
{
    QStringList out;
    const QStringList names = dir.entryList(QDir::Files, QDir::Name);
    for (const QString &n : names) {
        if (n == QLatin1String("config.json") || n == QLatin1String("preprocessor_config.json") || n == QLatin1String("tokenizer.model")
            || n == QLatin1String("tokenizer_config.json") || n == QLatin1String("model.safetensors.index.json")
            || n.endsWith(QLatin1String(".safetensors")))
            out << n;
    }
    return out;
}

Result<Id> insertModel(Database &db, const ModelRecord &m)
{
    auto s = db.prepare("INSERT INTO models (name, path, content_hash, config, role) VALUES (?,?,?,?,?)");
    if (!s)
        return fail(s.error());
    s->bind(1, m.name).bind(2, m.path).bind(3, m.contentHash).bind(4, m.config).bind(5, m.role);
    if (auto r = s->run(); !r)
        return fail(r.error());
    return db.lastInsertId();
}

} // namespace

Result<QString> modelContentHash(const QString &dirPath, const std::atomic_bool *cancel)
{
    const QDir dir(dirPath);
    const QStringList files = modelFiles(dir);
    if (!files.contains(QLatin1String("config.json")))
        return fail(QCoreApplication::translate("sdrt::store", "%1 is not a model folder: it has no config.json.").arg(QDir::toNativeSeparators(dirPath)));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const QString &name : files) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            return fail(QCoreApplication::translate("sdrt::store", "Cannot read %1: %2").arg(QDir::toNativeSeparators(f.fileName()), f.errorString()));
        hash.addData(name.toUtf8());
        hash.addData(QByteArray(1, '\0'));
        hash.addData(QByteArray::number(f.size()));
        hash.addData(QByteArray(1, '\0'));
        while (!f.atEnd()) {
            if (cancel && cancel->load())
                return fail(QCoreApplication::translate("sdrt::store", "Cancelled."));
            const QByteArray chunk = f.read(1 << 20);
            if (chunk.isEmpty() && f.error() != QFileDevice::NoError)
                return fail(QCoreApplication::translate("sdrt::store", "Cannot read %1: %2").arg(QDir::toNativeSeparators(f.fileName()), f.errorString()));
            hash.addData(chunk);
        }
    }
    return QString::fromLatin1(hash.result().toHex());
}

Result<ModelRecord> ModelRepository::registerFolder(const Workspace &ws, const QString &dirPath, const QString &name,
                                                    const QString &role, bool copyIntoWorkspace)
{
    if (role != QLatin1String("base") && role != QLatin1String("student"))
        return fail(QCoreApplication::translate("sdrt::store", "Unknown model role \"%1\" (base or student).").arg(role));
    if (name.trimmed().isEmpty())
        return fail(QCoreApplication::translate("sdrt::store", "A model needs a name."));
    const QString dir = QFileInfo(dirPath).absoluteFilePath();
    auto hash = modelContentHash(dir);
    if (!hash)
        return fail(hash.error());
    QFile configFile(QDir(dir).filePath(QStringLiteral("config.json")));
    if (!configFile.open(QIODevice::ReadOnly))
        return fail(QCoreApplication::translate("sdrt::store", "Cannot read %1: %2").arg(QDir::toNativeSeparators(configFile.fileName()), configFile.errorString()));
    QJsonParseError pe;
    const QJsonDocument config = QJsonDocument::fromJson(configFile.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !config.isObject())
        return fail(QCoreApplication::translate("sdrt::store", "%1 is not valid JSON: %2").arg(QDir::toNativeSeparators(configFile.fileName()), pe.errorString()));

    auto s = m_db.prepare((QByteArray(kModelColumns) + " WHERE content_hash = ?").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, *hash);
    auto existing = rows::readOne<ModelRecord>(*s, readModel);
    if (!existing)
        return fail(existing.error());
    if (*existing)
        return **existing;

    ModelRecord m;
    m.name = name.trimmed();
    m.contentHash = *hash;
    m.config = QString::fromUtf8(config.toJson(QJsonDocument::Compact));
    m.role = role;
    QString stored = dir;
    if (copyIntoWorkspace) {
        const QString target = QDir(ws.modelsDir()).filePath(m.name + QLatin1Char('-') + hash->left(12));
        if (!QDir().mkpath(target))
            return fail(QCoreApplication::translate("sdrt::store", "Cannot create the folder %1.").arg(QDir::toNativeSeparators(target)));
        for (const QString &f : modelFiles(QDir(dir))) {
            const QString to = QDir(target).filePath(f);
            QFile::remove(to);
            if (!QFile::copy(QDir(dir).filePath(f), to))
                return fail(QCoreApplication::translate("sdrt::store", "Cannot copy %1 to %2.").arg(QDir::toNativeSeparators(QDir(dir).filePath(f)), QDir::toNativeSeparators(to)));
        }
        stored = target;
    }
    const QString rel = QDir(ws.root()).relativeFilePath(stored);
    m.path = rel.startsWith(QLatin1String("..")) || QDir::isAbsolutePath(rel) ? stored : rel;
    auto id = insertModel(m_db, m);
    if (!id)
        return fail(id.error());
    m.id = *id;
    return m;
}

Result<Id> ModelRepository::ensure(const ModelRecord &record)
{
    auto s = m_db.prepare("SELECT id FROM models WHERE content_hash = ?");
    if (!s)
        return fail(s.error());
    s->bind(1, record.contentHash);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    if (*row)
        return s->int64(0);
    return insertModel(m_db, record);
}

Result<std::vector<ModelRecord>> ModelRepository::list()
{
    auto s = m_db.prepare((QByteArray(kModelColumns) + " ORDER BY id").constData());
    if (!s)
        return fail(s.error());
    return rows::readAll<ModelRecord>(*s, readModel);
}

Result<std::optional<ModelRecord>> ModelRepository::find(Id id)
{
    auto s = m_db.prepare((QByteArray(kModelColumns) + " WHERE id = ?").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, id);
    return rows::readOne<ModelRecord>(*s, readModel);
}

Result<std::optional<ModelRecord>> ModelRepository::findByName(const QString &name)
{
    auto s = m_db.prepare((QByteArray(kModelColumns) + " WHERE name = ? ORDER BY id DESC LIMIT 1").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, name);
    return rows::readOne<ModelRecord>(*s, readModel);
}

} // namespace sdrt::store
