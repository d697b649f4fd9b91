#include "sdrt/review/Export.h"

#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/ReviewRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <map>

namespace sdrt::review {
namespace {

class Lookup {
public:
    explicit Lookup(store::Workspace &ws) : m_ws(ws) {}

    Result<const store::Item *> item(store::Id id)
    {
        auto it = m_items.find(id);
        if (it == m_items.end()) {
            auto item = store::ItemRepository(m_ws.db()).get(id);
            if (!item)
                return fail(item.error());
            it = m_items.emplace(id, std::move(*item)).first;
        }
        return &it->second;
    }

    Result<store::Trace> trace(store::Id id)
    {
        auto t = store::TraceRepository(m_ws.db()).get(id);
        if (!t)
            return fail(t.error());
        if (!*t)
            return fail(QCoreApplication::translate("sdrt::review", "Trace %1 is missing from the workspace.").arg(id));
        return std::move(**t);
    }

    QString modelName(store::Id id)
    {
        auto it = m_models.find(id);
        if (it == m_models.end()) {
            auto m = store::ModelRepository(m_ws.db()).find(id);
            QString name = m && *m ? (**m).name + QLatin1Char('@') + (**m).contentHash.left(12) : QString();
            it = m_models.emplace(id, name).first;
        }
        return it->second;
    }

private:
    store::Workspace &m_ws;
    std::map<store::Id, store::Item> m_items;
    std::map<store::Id, QString> m_models;
};

QJsonObject provenance(const store::Trace &t, const store::Item &item, const QString &model)
{
    return QJsonObject{
        {QStringLiteral("trace_id"), qint64(t.id)},
        {QStringLiteral("item_id"), qint64(item.id)},
        {QStringLiteral("item_external_id"), item.externalId.value_or(QString())},
        {QStringLiteral("task_family"), item.taskFamily},
        {QStringLiteral("split"), item.split},
        {QStringLiteral("prompt"), t.promptName},
        {QStringLiteral("prompt_version"), t.promptVersion},
        {QStringLiteral("model"), model},
        {QStringLiteral("run_id"), qint64(t.runId)},
        {QStringLiteral("sample_index"), t.sampleIndex},
        {QStringLiteral("seed"), QString::number(t.seed)},
        {QStringLiteral("parsed_answer"), t.parsedAnswer},
        {QStringLiteral("reference_answer"), item.referenceAnswer ? QJsonValue(*item.referenceAnswer) : QJsonValue()},
        {QStringLiteral("mean_logprob"), t.meanLogprob},
    };
}

QJsonObject llavaLine(const store::Trace &t, const store::Item &item, const QString &model, const QStringList &acceptedBy)
{
    QJsonArray images;
    QString human;
    for (const store::ItemAsset &a : item.assets) {
        if (a.role == store::AssetKind::Note)
            continue;
        images.append(a.asset.storedPath);
        human += QStringLiteral("<image>\n");
    }
    if (!item.noteText.trimmed().isEmpty())
        human += QStringLiteral("Note: ") + item.noteText.trimmed() + QLatin1Char('\n');
    human += item.question;
    const QString gpt = t.step1Text.trimmed() + QStringLiteral("\nAnswer: ") + t.step2Text.trimmed();
    QJsonObject o;
    o.insert(QStringLiteral("id"), QStringLiteral("%1/%2-v%3/s%4/t%5")
                                       .arg(item.externalId.value_or(QString::number(item.id)), t.promptName)
                                       .arg(t.promptVersion)
                                       .arg(t.sampleIndex)
                                       .arg(t.id));
    if (images.size() == 1)
        o.insert(QStringLiteral("image"), images.first());
    else if (!images.isEmpty())
        o.insert(QStringLiteral("images"), images);
    o.insert(QStringLiteral("conversations"),
             QJsonArray{QJsonObject{{QStringLiteral("from"), QStringLiteral("human")}, {QStringLiteral("value"), human}},
                        QJsonObject{{QStringLiteral("from"), QStringLiteral("gpt")}, {QStringLiteral("value"), gpt}}});
    QJsonObject p = provenance(t, item, model);
    p.insert(QStringLiteral("accepted_by"), QJsonArray::fromStringList(acceptedBy));
    o.insert(QStringLiteral("sdrt"), p);
    return o;
}

} // namespace

QString defaultExportPath(const store::Workspace &ws, ExportFormat format)
{
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString base = (format == ExportFormat::Llava ? QStringLiteral("approved-llava-") : QStringLiteral("reviews-flat-")) + stamp;
    QString path = QDir(ws.exportsDir()).filePath(base + QStringLiteral(".jsonl"));
    for (int n = 2; QFileInfo::exists(path); ++n) // two exports in one second: never replace the first
        path = QDir(ws.exportsDir()).filePath(base + QStringLiteral("-%1.jsonl").arg(n));
    return path;
}

QString checkExportTarget(const QString &path, bool overwrite)
{
    auto tr = [](const char *text) { return QCoreApplication::translate("sdrt::review", text); };
    const QFileInfo given(path);
    if (path.isEmpty())
        return tr("No export file given.");
    // Where the bytes would really go: through symbolic links, and for a new file its folder.
    QString target;
    if (given.exists()) {
        if (given.isDir())
            return tr("%1 is a folder; give a file name.").arg(QDir::toNativeSeparators(path));
        target = given.canonicalFilePath();
    } else {
        const QFileInfo parent(given.absolutePath());
        if (!parent.isDir())
            return tr("Cannot write %1: the folder %2 does not exist.").arg(QDir::toNativeSeparators(path), QDir::toNativeSeparators(given.absolutePath()));
        target = QDir(parent.canonicalFilePath()).filePath(given.fileName());
    }
    // Any workspace above the target (this one or another) keeps its own files.
    static const QStringList kProtectedDirs = {QStringLiteral("assets"), QStringLiteral("hidden"), QStringLiteral("models"),
                                               QStringLiteral("runs"), QStringLiteral(".locks")};
    QDir dir = QFileInfo(target).dir();
    QString rel = QFileInfo(target).fileName();
    for (;;) {
        if (store::Workspace::looksLikeWorkspace(dir.path())) {
            const QString first = rel.section(QLatin1Char('/'), 0, 0);
            const bool isDatabase = !rel.contains(QLatin1Char('/')) && rel.startsWith(QString::fromLatin1(store::Workspace::kDatabaseFile));
            if (isDatabase || (rel.contains(QLatin1Char('/')) && kProtectedDirs.contains(first)))
                return tr("%1 is part of the workspace %2 (%3); an export never writes there. Choose a file under %4 or outside "
                          "the workspace.")
                    .arg(QDir::toNativeSeparators(path), QDir::toNativeSeparators(dir.path()), isDatabase ? tr("its database") : first + QLatin1Char('/'),
                         QDir::toNativeSeparators(dir.filePath(QStringLiteral("exports"))));
        }
        if (dir.isRoot())
            break;
        rel = dir.dirName() + QLatin1Char('/') + rel;
        if (!dir.cdUp())
            break;
    }
    if (given.exists() && !overwrite)
        return tr("%1 already exists; it is replaced only when asked (sdrt export --force, or confirm in the workbench).")
            .arg(QDir::toNativeSeparators(path));
    return {};
}

Result<ExportSummary> exportReviews(store::Workspace &ws, const ReviewSession &session, ExportFormat format, const QString &path,
                                    bool overwrite)
{
    if (const QString refused = checkExportTarget(path, overwrite); !refused.isEmpty())
        return fail(refused);
    // A regular file is written to a temporary file and renamed over the target at the end; a
    // device or pipe cannot be, and is written directly and unbuffered, so no error hides.
    const QFileInfo info(path);
    const bool direct = info.exists() && !info.isFile();
    QSaveFile saved(path);
    saved.setDirectWriteFallback(false);
    QFile plain(path);
    QFileDevice &out = direct ? static_cast<QFileDevice &>(plain) : static_cast<QFileDevice &>(saved);
    if (!(direct ? plain.open(QIODevice::WriteOnly | QIODevice::Unbuffered) : saved.open(QIODevice::WriteOnly)))
        return fail(QCoreApplication::translate("sdrt::review", "Cannot write %1: %2").arg(path, out.errorString()));
    Lookup lookup(ws);
    ExportSummary summary;
    summary.path = path;
    auto write = [&](const QJsonObject &o) -> Result<void> {
        const QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
        if (out.write(line) != line.size())
            return fail(QCoreApplication::translate("sdrt::review", "Cannot write %1: %2").arg(path, out.errorString()));
        ++summary.lines;
        return {};
    };
    if (format == ExportFormat::Llava) {
        for (store::Id id : session.approvedTraces()) {
            auto t = lookup.trace(id);
            if (!t)
                return fail(t.error());
            auto item = lookup.item(t->itemId);
            if (!item)
                return fail(item.error());
            QStringList acceptedBy;
            for (const auto &[who, v] : session.verdicts(id))
                if (v == Verdict::Accept)
                    acceptedBy << who;
            if (auto r = write(llavaLine(*t, **item, lookup.modelName(t->modelId), acceptedBy)); !r)
                return fail(r.error());
        }
    } else {
        auto history = store::ReviewRepository(ws.db()).history();
        if (!history)
            return fail(history.error());
        std::map<store::Id, QJsonObject> traceInfo;
        for (const store::Review &r : *history) {
            auto it = traceInfo.find(r.traceId);
            if (it == traceInfo.end()) {
                auto t = lookup.trace(r.traceId);
                if (!t)
                    return fail(t.error());
                auto item = lookup.item(t->itemId);
                if (!item)
                    return fail(item.error());
                it = traceInfo.emplace(r.traceId, provenance(*t, **item, lookup.modelName(t->modelId))).first;
            }
            QJsonObject o{
                {QStringLiteral("review_id"), qint64(r.id)},
                {QStringLiteral("created_at"), r.createdAt},
                {QStringLiteral("reviewer"), r.reviewer},
                {QStringLiteral("verdict"), store::verdictName(r.verdict)}, // the stored names
                {QStringLiteral("reason_tags"), QJsonArray::fromStringList(r.reasonTags)},
                {QStringLiteral("first_wrong_step"), r.firstWrongStep},
                {QStringLiteral("comment"), r.comment},
                {QStringLiteral("origin"), store::reviewOriginName(r.origin)},
                {QStringLiteral("action_id"), r.actionId ? QJsonValue(qint64(*r.actionId)) : QJsonValue()},
                {QStringLiteral("approved_now"), session.isApproved(r.traceId)},
            };
            for (auto p = it->second.begin(); p != it->second.end(); ++p)
                o.insert(p.key(), p.value());
            if (auto w = write(o); !w)
                return fail(w.error());
        }
    }
    if (direct) {
        if (!plain.flush() || plain.error() != QFileDevice::NoError)
            return fail(QCoreApplication::translate("sdrt::review", "Cannot write %1: %2").arg(path, plain.errorString()));
        plain.close();
    } else if (!saved.commit()) { // the temporary file is removed; the target is untouched
        return fail(QCoreApplication::translate("sdrt::review", "Cannot write %1: %2").arg(path, saved.errorString()));
    }
    return summary;
}

} // namespace sdrt::review
