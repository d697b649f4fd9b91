#pragma once
// The data-parallel side of a distillation job, torch-free: the local ranks rank 0 starts, the
// rendezvous with a deadline of its own and the check that every rank trains the same run. The
// all-reduce itself is core/model's model::Communicator (StudentTraining.h; c10d/Gloo).

#include "sdrt/common/Result.h"
#include "sdrt/distill/Dataset.h"
#include "sdrt/distill/DistillJob.h"
#include "sdrt/model/StudentTraining.h"

#include <QByteArray>
#include <QProcess>

#include <memory>
#include <vector>

namespace sdrt::distill {

// A port the kernel says is free on loopback now (rank 0 binds it moments later); 29500 when it
// cannot say.
int freeLoopbackPort();

// Ranks 1..N−1 of a local run, each `program arguments(rank)` with stdout discarded and stderr
// passed through. Destroying it kills the ranks that still run.
class LocalRanks {
public:
    static Result<std::unique_ptr<LocalRanks>> start(const QString &program, const std::function<QStringList(const LocalRank &)> &arguments,
                                                     LocalRank spec, int localRanks);
    ~LocalRanks();
    void kill();
    void wait();

private:
    std::vector<std::unique_ptr<QProcess>> m_processes;
};

// model::joinProcessGroup() with a deadline of its own: it fails by itself within `seconds`, but a
// network library stuck on a peer that accepts and never answers is not left to hang the run
// (rendezvousThreadStuck() then says so).
Result<std::unique_ptr<model::Communicator>> joinWithDeadline(const DistillPlace &place, int seconds);

// The ranks compare what they are about to train: config, base model and the traces in order.
Result<void> sameRunOnEveryRank(model::Communicator &comm, const QByteArray &configJson, const QString &baseHash, const Dataset &data);

} // namespace sdrt::distill
