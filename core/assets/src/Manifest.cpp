#include "sdrt/assets/Manifest.h"

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

#include <map>

#include "sdrt/assets/AssetDecoder.h"

namespace sdrt::assets {
namespace {

const QStringList kRasterSuffixes = {QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"),
                                     QStringLiteral("tif"), QStringLiteral("tiff"), QStringLiteral("bmp"),
                                     QStringLiteral("webp")};

// Parses one manifest line into an item; the error is the reason only (the caller adds file:line).
Result<ItemSpec> parseManifestLine(const QByteArray &line, const QString &root)
{
    if (firstInvalidUtf8(line) >= 0)
        return fail(QCoreApplication::translate("sdrt::assets", "the line is not valid UTF-8"));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
    if (err.error != QJsonParseError::NoError)
        return fail(QCoreApplication::translate("sdrt::assets", "malformed JSON at column %1: %2").arg(err.offset + 1).arg(err.errorString()));
    if (!doc.isObject())
        return fail(QCoreApplication::translate("sdrt::assets", "expected a JSON object for the item"));
    const QJsonObject o = doc.object();
    static const QStringList known = {QStringLiteral("id"), QStringLiteral("question"), QStringLiteral("answer"),
                                      QStringLiteral("answer_type"), QStringLiteral("task_family"),
                                      QStringLiteral("split"), QStringLiteral("tags"), QStringLiteral("assets"),
                                      QStringLiteral("note")};
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!known.contains(it.key()))
            return fail(QCoreApplication::translate("sdrt::assets", "unknown field \"%1\"").arg(it.key()));
    }
    ItemSpec spec;
    if (o.contains(QLatin1String("id"))) {
        const QJsonValue v = o.value(QLatin1String("id"));
        if (v.isString())
            spec.externalId = v.toString();
        else if (v.isDouble())
            spec.externalId = QString::number(v.toDouble(), 'g', 15);
        else
            return fail(QCoreApplication::translate("sdrt::assets", "\"id\" must be a string or a number"));
    }
    const QJsonValue q = o.value(QLatin1String("question"));
    if (!q.isString() || q.toString().trimmed().isEmpty())
        return fail(QCoreApplication::translate("sdrt::assets", "\"question\" is missing or empty"));
    spec.question = q.toString();
    if (o.contains(QLatin1String("answer"))) {
        const QJsonValue a = o.value(QLatin1String("answer"));
        if (a.isString())
            spec.referenceAnswer = a.toString();
        else if (a.isDouble())
            spec.referenceAnswer = QString::number(a.toDouble(), 'g', 15);
        else if (a.isBool())
            spec.referenceAnswer = a.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
        else if (!a.isNull())
            return fail(QCoreApplication::translate("sdrt::assets", "\"answer\" must be a string, number or boolean"));
    }
    if (o.contains(QLatin1String("answer_type"))) {
        spec.answerType = o.value(QLatin1String("answer_type")).toString();
        if (!answerTypes().contains(spec.answerType))
            return fail(QCoreApplication::translate("sdrt::assets", "\"answer_type\" must be one of %1").arg(answerTypes().join(QLatin1String(", "))));
    }
    spec.taskFamily = o.value(QLatin1String("task_family")).toString();
    if (o.contains(QLatin1String("split"))) {
        spec.split = o.value(QLatin1String("split")).toString();
        if (spec.split != QLatin1String("train") && spec.split != QLatin1String("eval"))
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
