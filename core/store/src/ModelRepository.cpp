#include "sdrt/store/ModelRepository.h"

#include "sdrt/store/Database.h"
#include "sdrt/store/Workspace.h"

#include "Rows.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <map>

#include <sys/stat.h>

namespace sdrt::store {
namespace {

constexpr const char *kModelColumns = "SELECT id, name, path, content_hash, config, role, files, base_model_id, distill_run_id FROM models";

ModelRecord readModel(const Statement &s)
{
    return {s.int64(0),   s.text(1),
            s.text(2),    s.text(3),
            s.text(4),    modelRoleFromString(s.text(5)).value_or(ModelRole::Base),
            s.text(6),    s.optInt64(7),
            s.optInt64(8)};
}


QStringList modelFiles(const QDir &dir)
{
    QStringList out;
    const QStringList names = dir.entryList(QDir::Files, QDir::Name);
    for (const QString &n : names) {
        if (n == QLatin1String("config.json") || n == QLatin1String("preprocessor_config.json") || n == QLatin1String("tokenizer.model")
            || n == QLatin1String("tokenizer.json") || n == QLatin1String("tokenizer_config.json") || n == QLatin1String("added_tokens.json")
            || n == QLatin1String("chat_template.jinja") || n == QLatin1String("chat_template.json")
            || n == QLatin1String("model.safetensors.index.json") || n.endsWith(QLatin1String(".safetensors")))
            out << n;
    }
    return out;
}

Result<Id> insertModel(Database &db, const ModelRecord &m)
{
    auto s = db.query("INSERT INTO models (name, path, content_hash, config, role, files, base_model_id, distill_run_id)"
                      " VALUES (?,?,?,?,?,?,?,?)",
                      m.name, m.path, m.contentHash, m.config, toString(m.role), m.files.isEmpty() ? QStringLiteral("[]") : m.files, m.baseModelId, m.distillRunId);
    if (!s)
        return fail(s.error());
    if (auto r = s->run(); !r)
        return fail(r.error());
    return db.lastInsertId();
}

} // namespace

QString toString(ModelRole role)
{
    return role == ModelRole::Student ? QStringLiteral("student") : QStringLiteral("base");
}

std::optional<ModelRole> modelRoleFromString(const QString &text)
{
    if (text == QLatin1String("base"))
        return ModelRole::Base;
    if (text == QLatin1String("student"))
        return ModelRole::Student;
    return std::nullopt;
}

QString modelFileStamps(const QString &dirPath)
{
    const QDir dir(dirPath);
    QJsonArray out;
    for (const QString &name : modelFiles(dir)) {
        // Size and modification time alone can be restored by hand (touch -d, utime); the change
        // time cannot, and a file replaced by another has another inode. Any difference in these
        // makes verifyFolder() hash the content again.
        struct stat st {};
        QJsonObject o{{QStringLiteral("name"), name}};
        if (::stat(QFile::encodeName(dir.filePath(name)).constData(), &st) == 0) {
            o.insert(QStringLiteral("size"), qint64(st.st_size));
            o.insert(QStringLiteral("mtime_ms"), qint64(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000);
            o.insert(QStringLiteral("mtime_ns"), QString::number(qint64(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec));
            o.insert(QStringLiteral("ctime_ns"), QString::number(qint64(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec));
            o.insert(QStringLiteral("inode"), QString::number(quint64(st.st_ino)));
            o.insert(QStringLiteral("device"), QString::number(quint64(st.st_dev)));
        }
        out.append(o);
    }
    return QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Compact));
}

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
                                                    ModelRole role, bool copyIntoWorkspace)
{
    return registerFolder(ws, dirPath, name, role, copyIntoWorkspace, {});
}

Result<ModelRecord> ModelRepository::registerStudent(const Workspace &ws, const QString &runDir, const QString &name, Id baseModelId,
                                                     Id distillRunId)
{
    // A run registers its student once (a second call, after a crash between the two writes,
    // finds it).
    auto s = m_db.query((QByteArray(kModelColumns) + " WHERE distill_run_id = ?").constData(), distillRunId);
    if (!s)
        return fail(s.error());
    auto existing = rows::readOne<ModelRecord>(*s, readModel);
    if (!existing)
        return fail(existing.error());
    if (*existing)
        return **existing;
    ModelRecord links;
    links.baseModelId = baseModelId;
    links.distillRunId = distillRunId;
    return registerFolder(ws, runDir, name, ModelRole::Student, false, links);
}

Result<ModelRecord> ModelRepository::registerFolder(const Workspace &ws, const QString &dirPath, const QString &name,
                                                    ModelRole role, bool copyIntoWorkspace, const ModelRecord &student)
{
    if (name.trimmed().isEmpty())
        return fail(QCoreApplication::translate("sdrt::store", "A model needs a name."));
    const QString dir = QFileInfo(dirPath).absoluteFilePath();
    const QString stamps = modelFileStamps(dir); // before hashing: a change while hashing shows at the next load
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

    // A base model is its bytes: the same content registered again is the same model, and it keeps
    // the one name it has. A student is also its run, so two identical adapters are two students.
    if (role == ModelRole::Base) {
        auto s = m_db.query((QByteArray(kModelColumns) + " WHERE content_hash = ? AND role = 'base'").constData(), *hash);
        if (!s)
            return fail(s.error());
        auto existing = rows::readOne<ModelRecord>(*s, readModel);
        if (!existing)
            return fail(existing.error());
        if (*existing) {
            if ((*existing)->name != name.trimmed())
                return fail(QCoreApplication::translate("sdrt::store", "%1 is already registered as model \"%2\" (id %3); a model has one name, "
                                                                       "so it was not registered again as \"%4\".")
                                .arg(QDir::toNativeSeparators(dir), (*existing)->name)
                                .arg((*existing)->id)
                                .arg(name.trimmed()));
            return **existing;
        }
    }
    if (auto taken = findByName(name.trimmed()); !taken) {
        return fail(taken.error());
    } else if (*taken) {
        return fail(QCoreApplication::translate("sdrt::store", "A model named \"%1\" already exists (id %2, a %3 model at %4); a name names one "
                                                               "model. Choose another name.")
                        .arg(name.trimmed())
                        .arg((*taken)->id)
                        .arg(toString((*taken)->role), QDir::toNativeSeparators((*taken)->path)));
    }

    ModelRecord m;
    m.name = name.trimmed();
    m.contentHash = *hash;
    m.config = QString::fromUtf8(config.toJson(QJsonDocument::Compact));
    m.role = role;
    m.files = stamps;
    m.baseModelId = student.baseModelId;
    m.distillRunId = student.distillRunId;
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
        m.files = modelFileStamps(target);
    }
    const QString rel = QDir(ws.root()).relativeFilePath(stored);
    m.path = rel.startsWith(QLatin1String("..")) || QDir::isAbsolutePath(rel) ? stored : rel;
    auto id = insertModel(m_db, m);
    if (!id)
        return fail(id.error());
    m.id = *id;
    return m;
}

Result<void> ModelRepository::verifyFolder(const ModelRecord &m, const QString &absoluteDir, const std::atomic_bool *cancel)
{
    const QString now = modelFileStamps(absoluteDir);
    if (now == m.files)
        return {};
    // Sizes or times differ (or were never recorded): the content decides.
    auto hash = modelContentHash(absoluteDir, cancel);
    if (!hash)
        return fail(QCoreApplication::translate("sdrt::store", "Model \"%1\" cannot be checked against its registration: %2").arg(m.name, hash.error()));
    if (*hash == m.contentHash) { // touched or copied, same bytes: remember the new times
        return m_db.run("UPDATE models SET files = ? WHERE id = ?", now, m.id);
    }
    // Say what changed, file by file.
    auto byName = [](const QString &json) {
        std::map<QString, QJsonObject> out;
        for (const QJsonValue &v : QJsonDocument::fromJson(json.toUtf8()).array())
            out[v.toObject().value(QStringLiteral("name")).toString()] = v.toObject();
        return out;
    };
    const auto before = byName(m.files), after = byName(now);
    QStringList changes;
    auto when = [](const QJsonObject &o) {
        return QDateTime::fromMSecsSinceEpoch(o.value(QStringLiteral("mtime_ms")).toInteger(), Qt::UTC).toString(Qt::ISODate);
    };
    for (const auto &[name, o] : after) {
        auto it = before.find(name);
        if (it == before.end()) {
            if (!before.empty())
                changes << QCoreApplication::translate("sdrt::store", "%1 added").arg(name);
        } else if (it->second != o) {
            changes << QCoreApplication::translate("sdrt::store", "%1: %2 bytes, modified %3 (registered: %4 bytes, modified %5)")
                           .arg(name)
                           .arg(o.value(QStringLiteral("size")).toInteger())
                           .arg(when(o))
                           .arg(it->second.value(QStringLiteral("size")).toInteger())
                           .arg(when(it->second));
        }
    }
    for (const auto &[name, o] : before) {
        if (!after.count(name))
            changes << QCoreApplication::translate("sdrt::store", "%1 removed").arg(name);
    }
    return fail(QCoreApplication::translate("sdrt::store", "Model \"%1\" at %2 is not the model that was registered: its files changed (content hash %3 now, %4 when "
                   "registered)%5. Traces must name the weights that made them, so it is not used. To use the folder as it is now, "
                   "register it as a new model: sdrt model register WS %2 --name %1-2")
                    .arg(m.name, QDir::toNativeSeparators(absoluteDir), hash->left(12), m.contentHash.left(12),
                         changes.isEmpty() ? QString() : QStringLiteral(": ") + changes.join(QStringLiteral("; "))));
}

Result<Id> ModelRepository::ensure(const ModelRecord &record)
{
    // A base model by its bytes; a student (which carries no run of this store) by bytes and name.
    auto s = m_db.query(record.role == ModelRole::Base ? "SELECT id FROM models WHERE content_hash = ?1 AND role = 'base'"
                        : "SELECT id FROM models WHERE content_hash = ?1 AND role = ?2 AND name = ?3", record.contentHash);
    if (!s)
        return fail(s.error());
    if (record.role != ModelRole::Base)
        s->bind(2, toString(record.role)).bind(3, record.name);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    if (*row)
        return s->int64(0);
    ModelRecord copy = record; // ids of another store mean nothing here
    copy.baseModelId.reset();
    copy.distillRunId.reset();
    // The name may be another model's here: the copy gets a free one.
    for (int n = 2;; ++n) {
        auto taken = findByName(copy.name);
        if (!taken)
            return fail(taken.error());
        if (!*taken)
            break;
        copy.name = QStringLiteral("%1 (%2)").arg(record.name).arg(n);
    }
    return insertModel(m_db, copy);
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
    return rows::readOne<ModelRecord>(m_db.query((QByteArray(kModelColumns) + " WHERE id = ?").constData(), id), readModel);
}

Result<std::optional<ModelRecord>> ModelRepository::findByName(const QString &name)
{
    return rows::readOne<ModelRecord>(m_db.query((QByteArray(kModelColumns) + " WHERE name = ?").constData(), name), readModel);
}

} // namespace sdrt::store
