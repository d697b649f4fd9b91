#pragma once
// What the store keeps of a distillation run, written by rank 0 only: the run row with its lock
// (taken in the transaction that creates or resumes it), the run folder and its config.json, a
// new run's lineage (a resumed run keeps the one it started with), the finish and the student's
// registration. Every write is checked; a finish that cannot be recorded is part of the error.

#include "DistillPlan.h"

#include "sdrt/common/Result.h"
#include "sdrt/store/DistillRepository.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::distill {

class DistillRecorder {
public:
    static Result<std::unique_ptr<DistillRecorder>> start(store::Workspace &ws, const DistillPlan &plan, const Dataset &data,
                                                          const QByteArray &configJson, int worldSize);

    store::Id runId() const { return m_started.id; }
    const QString &runFolder() const { return m_runFolder; }

    // Marks the run failed; returns `why`, with the store's own error when that mark failed too.
    QString failed(const QString &why, int stepsDone = 0, const QString &lossesJson = {});
    Result<void> cancelled(int stepsDone, const QString &lossesJson);
    // Registers the student (a model of role student pointing at its base and this run) and
    // marks the run done. The student's id, or 0 with `warning` set when it could not be
    // registered (the adapter is kept; the run is still done).
    Result<store::Id> done(int stepsDone, const QString &lossesJson, QString &warning);

private:
    DistillRecorder(store::Workspace &ws, const DistillPlan &plan, store::StartedRun started, QString runFolder);

    store::Workspace &m_ws;
    store::DistillRepository m_runs;
    QString m_runName;
    store::Id m_baseModelId;
    store::StartedRun m_started;
    QString m_runFolder;
};

} // namespace sdrt::distill
