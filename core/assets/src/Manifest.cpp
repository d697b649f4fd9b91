#include "sdrt/assets/Manifest.h"

#include "sdrt/common/JsonKeys.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>

#include <algorithm>
#include <map>
#include <optional>

#include "sdrt/assets/AssetDecoder.h"

namespace sdrt::assets {
namespace {

const QStringList kRasterSuffixes = {QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"),
                                     QStringLiteral("tif"), QStringLiteral("tiff"), QStringLiteral("bmp"),
                                     QStringLiteral("webp")};

// Index of the first UTF-16 code unit of `text` that is half of a surrogate pair without its
// other half, or -1.
qsizetype firstLoneSurrogate(const QString &text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            ++i;
        else if (c.isSurrogate())
            return i;
    }
    return -1;
}

// JSON lets a string escape half a surrogate pair ("\ud800"); Qt's parser keeps it, and it would
// be stored as '?'. Returns the reason naming the first field that holds one, walking names and
// values: "question", "tags[2]", "assets[1].path".
std::optional<QString> loneSurrogateIn(const QJsonValue &value, const QString &field)
{
    auto reason = [&field](QChar c) {
        const QString code = QStringLiteral("\\u") + QString::number(c.unicode(), 16).toUpper();
        return QCoreApplication::translate("sdrt::assets", "\"%1\" holds a lone surrogate %2 (half of a UTF-16 pair)").arg(field, code);
    };
    if (value.isString()) {
        const QString text = value.toString();
        if (const qsizetype i = firstLoneSurrogate(text); i >= 0)
            return reason(text.at(i));
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (auto r = loneSurrogateIn(array.at(i), QStringLiteral("%1[%2]").arg(field).arg(i + 1)))
                return r;
        }
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString name = field.isEmpty() ? it.key() : field + QLatin1Char('.') + it.key();
            if (const qsizetype i = firstLoneSurrogate(it.key()); i >= 0) {
                const QString code = QStringLiteral("\\u") + QString::number(it.key().at(i).unicode(), 16).toUpper();
                return field.isEmpty()
                           ? QCoreApplication::translate("sdrt::assets", "a field name holds a lone surrogate %1 (half of a UTF-16 pair)").arg(code)
                           : QCoreApplication::translate("sdrt::assets", "a field name in \"%1\" holds a lone surrogate %2 (half of a UTF-16 pair)").arg(field, code);
            }
            if (auto r = loneSurrogateIn(it.value(), name))
                return r;
        }
    }
    return std::nullopt;
}

// The fields in which two items differ, by their manifest names; empty when they are the same.
QStringList differingFields(const ItemSpec &a, const ItemSpec &b)
{
    QStringList fields;
    auto differs = [&fields](bool different, const char *name) {
        if (different)
            fields << QString::fromLatin1(name);
    };
    auto sameAssets = [](const std::vector<AssetSpec> &x, const std::vector<AssetSpec> &y) {
        return std::equal(x.begin(), x.end(), y.begin(), y.end(),
                          [](const AssetSpec &p, const AssetSpec &q) { return p.path == q.path && p.role == q.role; });
    };
    const auto notePath = [](const ItemSpec &s) { return s.noteFile ? std::optional<QString>(s.noteFile->path) : std::nullopt; };
    differs(a.question != b.question, "question");
    differs(a.referenceAnswer != b.referenceAnswer, "answer");
    differs(a.answerType != b.answerType, "answer_type");
    differs(a.taskFamily != b.taskFamily, "task_family");
    differs(a.split != b.split, "split");
    differs(a.tags != b.tags, "tags");
    differs(!sameAssets(a.assets, b.assets), "assets");
    differs(a.noteText != b.noteText || notePath(a) != notePath(b), "note");
    return fields;
}

// A manifest line as a JSON object of known fields whose texts are all valid; the reason otherwise.
Result<QJsonObject> itemObject(const QByteArray &line)
{
    if (firstInvalidUtf8(line) >= 0)
        return fail(QCoreApplication::translate("sdrt::assets", "the line is not valid UTF-8"));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
    if (err.error != QJsonParseError::NoError)
        return fail(QCoreApplication::translate("sdrt::assets", "malformed JSON at column %1: %2").arg(err.offset + 1).arg(err.errorString()));
    if (!doc.isObject())
        return fail(QCoreApplication::translate("sdrt::assets", "expected a JSON object for the item"));
    // A field given twice would be read as its last value, unlike what its author may see.
    if (auto dup = common::findDuplicateKey(std::string_view(line.constData(), std::size_t(line.size()))))
        return fail(QCoreApplication::translate("sdrt::assets", "the field \"%1\" is given twice%2")
                        .arg(QString::fromStdString(dup->key),
                             dup->path.empty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromStdString(dup->path))));
    const QJsonObject o = doc.object();
    if (auto reason = loneSurrogateIn(o, QString()))
        return fail(*reason);
    static const QStringList known = {QStringLiteral("id"), QStringLiteral("question"), QStringLiteral("answer"),
                                      QStringLiteral("answer_type"), QStringLiteral("task_family"),
                                      QStringLiteral("split"), QStringLiteral("tags"), QStringLiteral("assets"),
                                      QStringLiteral("note")};
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!known.contains(it.key()))
            return fail(QCoreApplication::translate("sdrt::assets", "unknown field \"%1\"").arg(it.key()));
    }
    return o;
}

// A string as it is, a number as written (up to 15 significant digits); nullopt for other values.
std::optional<QString> scalarText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 15);
    return std::nullopt;
}

// "id", "question" and "answer".
Result<void> readQuestion(const QJsonObject &o, ItemSpec &spec)
{
    if (o.contains(QLatin1String("id"))) {
        const std::optional<QString> id = scalarText(o.value(QLatin1String("id")));
        if (!id)
            return fail(QCoreApplication::translate("sdrt::assets", "\"id\" must be a string or a number"));
        spec.externalId = *id;
    }
    const QJsonValue q = o.value(QLatin1String("question"));
    if (!q.isString() || q.toString().trimmed().isEmpty())
        return fail(QCoreApplication::translate("sdrt::assets", "\"question\" is missing or empty"));
    spec.question = q.toString();
    if (o.contains(QLatin1String("answer"))) {
        const QJsonValue a = o.value(QLatin1String("answer"));
        if (std::optional<QString> text = scalarText(a))
            spec.referenceAnswer = *text;
        else if (a.isBool())
            spec.referenceAnswer = a.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
        else if (!a.isNull())
            return fail(QCoreApplication::translate("sdrt::assets", "\"answer\" must be a string, number or boolean"));
    }
    return {};
}

// "answer_type", "task_family", "split" and "tags".
Result<void> readLabels(const QJsonObject &o, ItemSpec &spec)
{
    if (o.contains(QLatin1String("answer_type"))) {
        spec.answerType = o.value(QLatin1String("answer_type")).toString();
        if (!answerTypes().contains(spec.answerType))
            return fail(QCoreApplication::translate("sdrt::assets", "\"answer_type\" must be one of %1").arg(answerTypes().join(QLatin1String(", "))));
    }
    spec.taskFamily = o.value(QLatin1String("task_family")).toString();
    if (o.contains(QLatin1String("split"))) {
        const auto split = store::splitFromString(o.value(QLatin1String("split")).toString());
        if (split)
            spec.split = *split;
        else
            return fail(QCoreApplication::translate("sdrt::assets", "\"split\" must be \"train\" or \"eval\""));
    }
    if (o.contains(QLatin1String("tags"))) {
        const QJsonValue t = o.value(QLatin1String("tags"));
        if (!t.isArray())
            return fail(QCoreApplication::translate("sdrt::assets", "\"tags\" must be a list of strings"));
        for (const QJsonValue &v : t.toArray()) {
            if (!v.isString())
                return fail(QCoreApplication::translate("sdrt::assets", "\"tags\" must be a list of strings"));
            spec.tags << v.toString();
        }
    }
    return {};
}

// "assets": photos and drawings, each a path inside the import folder.
Result<void> readAssets(const QJsonObject &o, const QString &root, ItemSpec &spec)
{
    const QJsonValue assets = o.value(QLatin1String("assets"));
    if (!assets.isUndefined() && !assets.isArray())
        return fail(QCoreApplication::translate("sdrt::assets", "\"assets\" must be a list"));
    const QJsonArray list = assets.toArray();
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject a = list.at(i).toObject();
        const QString path = a.value(QLatin1String("path")).toString();
        if (path.isEmpty())
            return fail(QCoreApplication::translate("sdrt::assets", "asset %1 has no \"path\"").arg(i + 1));
        const QString roleName = a.value(QLatin1String("role")).toString(QStringLiteral("photo"));
        const auto role = store::assetKindFromString(roleName);
        if (!role || *role == store::AssetKind::Note)
            return fail(QCoreApplication::translate("sdrt::assets", "asset %1 (%2): \"role\" must be \"photo\" or \"drawing\"").arg(i + 1).arg(path));
        auto resolved = resolveInside(root, path);
        if (!resolved)
            return fail(QCoreApplication::translate("sdrt::assets", "asset %1 (%2): %3").arg(i + 1).arg(path, resolved.error()));
        spec.assets.push_back({*resolved, path, *role});
    }
    return {};
}

// "note": the text itself, or {"path": …} of a file inside the import folder.
Result<void> readNote(const QJsonObject &o, const QString &root, ItemSpec &spec)
{
    const QJsonValue note = o.value(QLatin1String("note"));
    if (note.isString()) {
        spec.noteText = note.toString();
    } else if (note.isObject()) {
        const QString path = note.toObject().value(QLatin1String("path")).toString();
        if (path.isEmpty())
            return fail(QCoreApplication::translate("sdrt::assets", "\"note\" must be text or {\"path\": \"...\"}"));
        auto resolved = resolveInside(root, path);
        if (!resolved)
            return fail(QCoreApplication::translate("sdrt::assets", "note (%1): %2").arg(path, resolved.error()));
        spec.noteFile = AssetSpec{*resolved, path, store::AssetKind::Note};
    } else if (!note.isUndefined() && !note.isNull()) {
        return fail(QCoreApplication::translate("sdrt::assets", "\"note\" must be text or {\"path\": \"...\"}"));
    }
    return {};
}

// Parses one manifest line into an item; the error is the reason only (the caller adds file:line).
Result<ItemSpec> parseManifestLine(const QByteArray &line, const QString &root)
{
    auto o = itemObject(line);
    if (!o)
        return fail(o.error());
    ItemSpec spec;
    if (auto r = readQuestion(*o, spec); !r)
        return fail(r.error());
    if (auto r = readLabels(*o, spec); !r)
        return fail(r.error());
    if (auto r = readAssets(*o, root, spec); !r)
        return fail(r.error());
    if (auto r = readNote(*o, root, spec); !r)
        return fail(r.error());
    if (spec.assets.empty() && !spec.noteText && !spec.noteFile)
        return fail(QCoreApplication::translate("sdrt::assets", "the item has neither assets nor a note"));
    return spec;
}

} // namespace

const QStringList &answerTypes()
{
    static const QStringList types = {QStringLiteral("text"), QStringLiteral("number"), QStringLiteral("yesno"),
                                      QStringLiteral("choice"), QStringLiteral("region")};
    return types;
}

Result<QString> resolveInside(const QString &root, const QString &relative)
{
    if (relative.isEmpty())
        return fail(QCoreApplication::translate("sdrt::assets", "the path is empty"));
    if (QDir::isAbsolutePath(relative) || relative.startsWith(QLatin1Char('/')) || relative.startsWith(QLatin1Char('\\'))
        || relative.contains(QLatin1Char(':')))
        return fail(QCoreApplication::translate("sdrt::assets", "absolute paths are not allowed; give the path relative to the import folder"));
    const QStringList parts = relative.split(QRegularExpression(QStringLiteral("[/\\\\]")));
    if (parts.contains(QLatin1String("..")))
        return fail(QCoreApplication::translate("sdrt::assets", "the path leaves the import folder ('..' is not allowed)"));
    const QString rootCanon = QFileInfo(root).canonicalFilePath();
    const QString full = QDir(root).filePath(relative);
    const QFileInfo info(full);
    if (info.isSymLink() && !info.exists())
        return fail(QCoreApplication::translate("sdrt::assets", "the file is a broken symbolic link"));
    if (!info.exists())
        return fail(QCoreApplication::translate("sdrt::assets", "the file does not exist"));
    const QString canon = info.canonicalFilePath();
    if (rootCanon.isEmpty() || !canon.startsWith(rootCanon + QLatin1Char('/')))
        return fail(QCoreApplication::translate("sdrt::assets", "the path leads outside the import folder (through a symbolic link to %1)").arg(canon));
    return canon;
}

Result<ImportPlan> planFromManifest(const QString &manifestPath)
{
    QFile f(manifestPath);
    if (!f.open(QIODevice::ReadOnly))
        return fail(QCoreApplication::translate("sdrt::assets", "Cannot read the manifest %1: %2").arg(manifestPath, f.errorString()));
    ImportPlan plan;
    plan.root = QFileInfo(manifestPath).absolutePath();
    const QString name = QFileInfo(manifestPath).fileName();
    std::map<QString, std::size_t> itemById; // external id -> its first item in plan.items
    int lineNo = 0;
    while (!f.atEnd()) {
        QByteArray line = f.readLine();
        ++lineNo;
        if (line.endsWith('\n'))
            line.chop(1);
        if (line.endsWith('\r'))
            line.chop(1);
        if (lineNo == 1 && line.startsWith("\xEF\xBB\xBF"))
            line.remove(0, 3);
        if (line.trimmed().isEmpty() || line.trimmed().startsWith("//"))
            continue;
        auto spec = parseManifestLine(line, plan.root);
        if (!spec) {
            plan.problems.push_back({name, lineNo, spec.error()});
            continue;
        }
        spec->line = lineNo;
        spec->label = QStringLiteral("%1:%2").arg(name).arg(lineNo);
        if (spec->externalId) {
            // The same id with the same content is a duplicate, counted as such at import; with
            // other content one of the two is wrong, and the later line is refused.
            const auto [it, first] = itemById.emplace(*spec->externalId, plan.items.size());
            if (!first) {
                const ItemSpec &earlier = plan.items.at(it->second);
                if (const QStringList fields = differingFields(earlier, *spec); !fields.isEmpty()) {
                    plan.problems.push_back({name, lineNo,
                                             QCoreApplication::translate("sdrt::assets", "\"id\" \"%1\" is also on line %2, with different content (%3)")
                                                 .arg(*spec->externalId)
                                                 .arg(earlier.line)
                                                 .arg(fields.join(QLatin1String(", ")))});
                    continue;
                }
            }
        }
        plan.items.push_back(std::move(*spec));
    }
    return plan;
}

Result<ImportPlan> planFromFolder(const QString &folder)
{
    QFileInfo rootInfo(folder);
    if (!rootInfo.isDir())
        return fail(QCoreApplication::translate("sdrt::assets", "%1 is not a folder.").arg(folder));
    ImportPlan plan;
    plan.root = rootInfo.canonicalFilePath();
    QDir root(plan.root);
    // Group files by folder + name stem: part01.jpg, part01.pdf and part01.txt make one item.
    std::map<QString, ItemSpec> groups;
    QDirIterator it(plan.root, QDir::Files | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext())
        files << it.next();
    files.sort();
    for (const QString &file : std::as_const(files)) {
        const QString relative = root.relativeFilePath(file);
        const QFileInfo info(file);
        if (info.fileName().startsWith(QLatin1Char('.')))
            continue;
        const QString suffix = info.suffix().toLower();
        std::optional<store::AssetKind> role;
        if (kRasterSuffixes.contains(suffix))
            role = relative.split(QLatin1Char('/')).contains(QLatin1String("drawings"), Qt::CaseInsensitive)
                       ? store::AssetKind::Drawing
                       : store::AssetKind::Photo;
        else if (suffix == QLatin1String("pdf") || suffix == QLatin1String("svg"))
            role = store::AssetKind::Drawing;
        else if (suffix == QLatin1String("txt") || suffix == QLatin1String("md"))
            role = store::AssetKind::Note;
        if (!role) {
            plan.problems.push_back({relative, 0, QCoreApplication::translate("sdrt::assets", "unsupported file type \".%1\"").arg(suffix)});
            continue;
        }
        auto resolved = resolveInside(plan.root, relative);
        if (!resolved) {
            plan.problems.push_back({relative, 0, resolved.error()});
            continue;
        }
        const QString key = QFileInfo(relative).path() + QLatin1Char('/') + info.baseName();
        ItemSpec &spec = groups[key];
        if (spec.label.isEmpty())
            spec.label = (QFileInfo(relative).path() == QLatin1String(".") ? QString() : QFileInfo(relative).path() + QLatin1Char('/')) + info.baseName();
        if (*role == store::AssetKind::Note) {
            if (spec.noteFile) {
                plan.problems.push_back({relative, 0, QCoreApplication::translate("sdrt::assets", "a second note for the same item (%1 is used)").arg(spec.noteFile->relative)});
                continue;
            }
            spec.noteFile = AssetSpec{*resolved, relative, *role};
        } else {
            spec.assets.push_back({*resolved, relative, *role});
        }
    }
    for (auto &[key, spec] : groups)
        plan.items.push_back(std::move(spec));
    return plan;
}

Result<ImportPlan> planImport(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return fail(QCoreApplication::translate("sdrt::assets", "%1 does not exist.").arg(path));
    if (info.isDir()) {
        const QString manifest = QDir(path).filePath(QStringLiteral("manifest.jsonl"));
        if (QFileInfo(manifest).isFile())
            return planFromManifest(manifest);
        return planFromFolder(path);
    }
    return planFromManifest(path);
}

} // namespace sdrt::assets
