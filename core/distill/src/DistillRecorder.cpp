#include "DistillRecorder.h"

#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/OutputFile.h"
#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QDir>

namespace sdrt::distill {
DistillRecorder::DistillRecorder(store::Workspace &ws, const DistillPlan &plan, store::StartedRun started, QString runFolder)
    : m_ws(ws), m_runs(ws.db()), m_runName(plan.runName), m_baseModelId(plan.base.id), m_started(std::move(started)),
      m_runFolder(std::move(runFolder))
{
}

Result<std::unique_ptr<DistillRecorder>> DistillRecorder::start(store::Workspace &ws, const DistillPlan &plan, const Dataset &data,
                                                                const QByteArray &configJson, int worldSize)
{
    const QString folder = store::DistillRunFiles::folder(ws.root(), plan.runName);
    if (!QDir().mkpath(folder))
        return fail(QCoreApplication::translate("sdrt::distill", "Cannot create the folder %1.").arg(folder));
    store::DistillRepository runs(ws.db());
    store::DistillRun row;
    row.name = plan.runName;
    row.baseModelId = plan.base.id;
    row.config = QString::fromUtf8(configJson);
    row.policy = data.policy.toJson();
    row.worldSize = worldSize;
    auto started = plan.existing ? runs.resume(plan.existing->id) : runs.start(row);
    if (!started)
        return fail(started.error());
    std::unique_ptr<DistillRecorder> recorder(new DistillRecorder(ws, plan, std::move(*started), folder));
    if (auto w = store::writeWorkspaceFile(store::DistillRunFiles::config(folder), configJson); !w)
        return fail(recorder->failed(w.error()));
    if (!plan.existing) { // a resumed run keeps the lineage it started with
        std::vector<store::RunTrace> lineage;
        for (std::size_t i = 0; i < data.training.examples.size(); ++i)
            lineage.push_back({data.training.examples[i].traceId, data.sources[i].promptId, data.sources[i].reviewers});
        if (auto r = recorder->m_runs.setTraces(recorder->runId(), lineage); !r)
            return fail(recorder->failed(r.error()));
    }
    return recorder;
}

QString DistillRecorder::failed(const QString &why, int stepsDone, const QString &lossesJson)
{
    if (auto r = m_runs.finish(runId(), store::RunStatus::Failed, why, stepsDone, lossesJson); !r)
        return QCoreApplication::translate("sdrt::distill", "%1 (and the run could not be marked failed: %2)").arg(why, r.error());
    return why;
}

Result<void> DistillRecorder::cancelled(int stepsDone, const QString &lossesJson)
{
    return m_runs.finish(runId(), store::RunStatus::Cancelled, QString(), stepsDone, lossesJson);
}

Result<store::Id> DistillRecorder::done(int stepsDone, const QString &lossesJson, QString &warning)
{
    store::Id studentId = 0;
    auto student = store::ModelRepository(m_ws.db()).registerStudent(m_ws, m_runFolder, m_runName, m_baseModelId, runId());
    if (student)
        studentId = student->id;
    else
        warning = QCoreApplication::translate("sdrt::distill", "the student could not be registered: %1").arg(student.error());
    if (auto r = m_runs.finish(runId(), store::RunStatus::Done, QString(), stepsDone, lossesJson); !r)
        return fail(QCoreApplication::translate("sdrt::distill", "The student of run \"%1\" is saved, but the run could not be marked done: %2").arg(m_runName, r.error()));
    return studentId;
}

} // namespace sdrt::distill
