#include "sdrt/review/Export.h"

#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/OutputFile.h"
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
        {QStringLiteral("split"), store::toString(item.split)},
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

Result<ExportSummary> exportReviews(store::Workspace &ws, const ReviewSession &session, ExportFormat format, const QString &path,
                                    bool overwrite)
{
    // Written to a temporary file and renamed over the target at the end: a failure anywhere
    // leaves the old file as it was; devices, pipes and workspace files are refused.
    auto out = store::ExportFile::open(path, overwrite);
    if (!out)
        return fail(out.error());
    Lookup lookup(ws);
    ExportSummary summary;
    summary.path = path;
    auto write = [&](const QJsonObject &o) -> Result<void> {
        if (auto w = out->write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n'); !w)
            return fail(w.error());
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
    if (auto c = out->commit(); !c)
        return fail(c.error());
    return summary;
}

} // namespace sdrt::review
