#include "sdrt/distill/Dataset.h"

#include "sdrt/model/Safetensors.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/TwoStepRunner.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <map>

namespace sdrt::distill {
QString DatasetReport::describe() const
{
    QString s = QCoreApplication::translate("sdrt::distill", "%1 approved traces, %2 used").arg(approved).arg(used);
    auto add = [&](int n, const char *what) {
        if (n > 0)
            s += QStringLiteral("; ") + QCoreApplication::translate("sdrt::distill", what).arg(n);
    };
    add(notTrainSplit, QT_TRANSLATE_NOOP("sdrt::distill", "%1 not in the train split"));
    add(otherModel, QT_TRANSLATE_NOOP("sdrt::distill", "%1 made by another model"));
    add(missingHidden, QT_TRANSLATE_NOOP("sdrt::distill", "%1 without stored hidden states"));
    add(hiddenOtherModel, QT_TRANSLATE_NOOP("sdrt::distill", "%1 whose hidden states were made by other weights"));
    add(unreadable, QT_TRANSLATE_NOOP("sdrt::distill", "%1 unreadable"));
    add(cappedOut, QT_TRANSLATE_NOOP("sdrt::distill", "%1 left out by max_traces"));
    return s;
}

Result<Dataset> buildDataset(store::Workspace &ws, const store::ModelRecord &base, const std::optional<review::ApprovalPolicy> &policy, int maxTraces, const std::vector<store::Id> *traceIds)
{
    auto session = review::ReviewSession::load(ws.db());
    if (!session)
        return fail(session.error());
    if (policy)
        (*session)->usePolicy(*policy);
    Dataset ds;
    ds.policy = (*session)->policy();
    store::TraceRepository traces(ws.db());
    teacher::ItemInputCache items(ws, 8);
    std::map<store::Id, int> promptIndex;
    std::map<std::string, std::string> fileHash; // hidden file -> its model_content_hash ("" unreadable)
    std::map<std::string, std::vector<int>> fileLayers;
    bool firstFile = true;
    auto problem = [&](const QString &p) {
        if (ds.report.problems.size() < 10)
            ds.report.problems << p;
    };
    std::vector<store::Id> approved = traceIds ? *traceIds : (*session)->approvedTraces();
    std::sort(approved.begin(), approved.end());
    ds.report.approved = int(approved.size());
    for (const store::Id id : approved) {
        const review::TraceInfo *info = (*session)->trace(id);
        auto t = traces.get(id);
        if (!t)
            return fail(t.error());
        if (!info || !*t)
            continue;
        if (t->value().modelId != base.id) {
            ++ds.report.otherModel;
            continue;
        }
        const teacher::ItemInput &item = items.get(t->value().itemId);
        if (!item.error.isEmpty()) {
            ++ds.report.unreadable;
            problem(QCoreApplication::translate("sdrt::distill", "trace %1: item %2: %3").arg(id).arg(t->value().itemId).arg(item.error));
            continue;
        }
        if (item.item.split != store::Split::Train) {
            ++ds.report.notTrainSplit;
            continue;
        }
        const QString ref = t->value().hiddenRef;
        const QString rel = ref.section(QLatin1Char('#'), 0, 0);
        const QString name = ref.section(QLatin1Char('#'), 1);
        const QString file = ws.absolutePath(rel);
        if (ref.isEmpty() || name.isEmpty() || !QFileInfo::exists(file)) {
            ++ds.report.missingHidden;
            problem(ref.isEmpty() ? QCoreApplication::translate("sdrt::distill", "trace %1: no hidden states were stored").arg(id)
                                  : QCoreApplication::translate("sdrt::distill", "trace %1: %2 is missing").arg(id).arg(file));
            continue;
        }
        const std::string path = file.toStdString();
        if (!fileHash.count(path)) {
            auto f = model::SafetensorsFile::open(path);
            std::string hash;
            if (f) {
                auto it = f->metadata().find("model_content_hash");
                hash = it == f->metadata().end() ? std::string("?") : it->second;
                auto layers = f->metadata().find("layers");
                if (layers != f->metadata().end()) {
                    for (const auto &v : QJsonDocument::fromJson(QByteArray::fromStdString(layers->second)).array())
                        fileLayers[path].push_back(v.toInt());
                }
            } else {
                problem(QCoreApplication::translate("sdrt::distill", "trace %1: %2").arg(id).arg(QString::fromStdString(f.error())));
            }
            fileHash[path] = hash;
        }
        if (fileHash[path].empty()) {
            ++ds.report.unreadable;
            continue;
        }
        if (fileHash[path] != base.contentHash.toStdString()) {
            ++ds.report.hiddenOtherModel;
            problem(QCoreApplication::translate("sdrt::distill", "trace %1: its hidden states in %2 were made by model %3, not by %4 (%5)")
                        .arg(id)
                        .arg(file, QString::fromStdString(fileHash[path]).left(12), base.name, base.contentHash.left(12)));
            continue;
        }
        if (maxTraces > 0 && int(ds.training.examples.size()) >= maxTraces) {
            ++ds.report.cappedOut;
            continue;
        }
        model::StudentExample e;
        TraceSource source;
        e.traceId = id;
        source.itemId = t->value().itemId;
        source.promptId = t->value().promptId;
        source.teacherRunId = t->value().runId;
        if (!promptIndex.count(source.promptId)) {
            promptIndex[source.promptId] = int(ds.promptVersions.size());
            ds.promptVersions.push_back(QStringLiteral("%1 v%2").arg(info->promptName).arg(info->promptVersion));
            ds.promptIds.push_back(source.promptId);
        }
        e.promptIndex = promptIndex[source.promptId];
        for (const auto &[reviewer, verdict] : (*session)->verdicts(id))
            if (verdict == review::Verdict::Accept)
                source.reviewers << reviewer;
        e.direct = teacher::directRequest(item);
        e.answer = t->value().step2Text.toStdString();
        e.appendEos = t->value().finishReason == store::FinishReason::Eos;
        e.hiddenFile = path;
        e.hiddenName = name.toStdString();
        e.hiddenLayers = fileLayers[path];
        if (firstFile) {
            ds.training.storedLayers = e.hiddenLayers;
            firstFile = false;
        } else {
            std::vector<int> common;
            for (int l : ds.training.storedLayers)
                if (std::find(e.hiddenLayers.begin(), e.hiddenLayers.end(), l) != e.hiddenLayers.end())
                    common.push_back(l);
            ds.training.storedLayers = common;
        }
        ds.training.examples.push_back(std::move(e));
        ds.sources.push_back(std::move(source));
    }
    ds.report.used = int(ds.training.examples.size());
    return ds;
}

} // namespace sdrt::distill
