#pragma once
// Training of a Student on approved traces (SDRT self-distillation; our choices,
// docs/DISTILLATION.md). The distillation job (core/distill) reads the traces from a workspace
// and maps its config onto these settings; this is the part with tensors.
// Loss per step, over the global batch of B traces (each rank computes its shard):
//   L = (1/B) Σ_i w_i · (CE_i + λ · H_i)  −  ε · (1/B) Σ_i entropy_i
// CE_i: mean cross-entropy of trace i's answer y_k (and end-of-text when the teacher ended
// there) under the PLAIN direct prompt; H_i: MSE (or 1 − cosine) between the student's and the
// teacher's hidden states at the aligned answer positions, averaged over the chosen layers;
// w_i: the ensemble weight of the trace's prompt version (1 with the ensemble off); entropy_i:
// of the ensemble softmax (ε = ensemble_entropy). Each term is logged on its own.
//
// AdamW on the student's tensors only (the base is frozen: requires_grad off for the whole
// run, restored after); R is re-orthonormalised after every step. Checkpoints (modules, AdamW
// moments, step) every `checkpointEvery` steps in StudentTrainingFiles::checkpoint; the trace
// order depends only on (seed, step), so a resumed run continues exactly as the uninterrupted
// one would. StudentTrainingFiles::log gets one JSON line per step; on resume, lines after the
// checkpoint are dropped first.
//
// Data parallel: with a Communicator of world size W, rank r takes its share of each global
// batch, the gradients and logged sums are all-reduced (summed), and only rank 0 writes files.
//
// Thread rule: the calling thread; progress is called there; cancel is polled per step.

#include "sdrt/common/Expected.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/model/Student.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sdrt::model {

// One approved trace as the student learns it.
struct StudentExample {
    std::int64_t traceId = 0;      // names the trace in errors
    int promptIndex = 0;           // into StudentSettings::promptVersions
    GenerationRequest direct;      // the plain direct question (images included)
    std::string answer;            // y_k: the step-2 answer text, as generated
    bool appendEos = true;         // the teacher ended y_k with end-of-text
    std::string hiddenFile;        // absolute path of the teacher's hidden states over y_k
    std::string hiddenName;        // tensor in it
    std::vector<int> hiddenLayers; // the layers it stores
};

struct StudentData {
    std::vector<StudentExample> examples;
    std::vector<int> storedLayers; // layers every example stores
};

enum class HiddenLoss { Mse, Cosine };

// The optimisation and loss settings of a run (DistillConfig's meaning, without its JSON).
struct StudentTrainingSettings {
    int steps = 300;
    int batch = 8; // the global batch, over all processes
    double learningRate = 4e-3;
    int warmupSteps = 10;
    double weightDecay = 0.0;
    double gradClip = 1.0;
    int checkpointEvery = 50;
    std::uint64_t seed = 1;
    bool crossEntropy = true;
    double lambdaHidden = 0.5;
    HiddenLoss hiddenLoss = HiddenLoss::Mse;
    std::vector<int> hiddenLayers; // empty: every stored layer
    double ensembleEntropy = 0.05;
};

// Where a run keeps its training state (rank 0 writes them).
struct StudentTrainingFiles {
    std::string checkpoint; // safetensors: modules, AdamW moments, step, identity
    std::string log;        // JSON lines, one per step
};

struct DistillProgress {
    int step = 0; // steps done
    int steps = 0;
    double loss = 0, ce = 0, hidden = 0, entropy = 0; // of the last step (global batch)
    double lr = 0;
    double samplesPerSecond = 0;
    double tokensPerSecond = 0;
    double etaSeconds = 0;
    std::vector<double> ensembleWeights;
};

struct DistillReport {
    int startStep = 0;
    int stepsDone = 0;
    bool cancelled = false;
    double seconds = 0;
    double samplesPerSecond = 0;
    double tokensPerSecond = 0;
    DistillProgress last;
    std::vector<double> losses; // per step of this run
    std::string warning;        // set when the loss ended far above where it started (diverged)
};

// Sums float vectors over the ranks of a data-parallel run (PyTorch's c10d underneath).
class Communicator {
public:
    virtual ~Communicator() = default;
    virtual int rank() const = 0;
    virtual int worldSize() const = 0;
    virtual Expected<void, std::string> allreduceSum(std::vector<float> &values) = 0;
    // Every rank's `value`, by rank (each rank calls it the same number of times).
    virtual Expected<std::vector<std::string>, std::string> allGather(const std::string &value) = 0;
};

// Joins a c10d process group: Gloo on CPU (NCCL is not used for these small vectors). Rank 0
// hosts the TCP store at addr:port. Every rank waits at most `timeoutSeconds` for all of them to
// arrive, then fails with a message that says what it waited for (the rank, the address, how
// many had arrived). A rank that cannot reach rank 0 fails within the same time.
Expected<std::unique_ptr<Communicator>, std::string> joinProcessGroup(int rank, int worldSize, const std::string &addr, int port,
                                                                      int timeoutSeconds = 120);

struct DistillCallbacks {
    std::function<void(const DistillProgress &)> progress;
    const std::atomic_bool *cancel = nullptr;
};

// Who a run's checkpoint belongs to: written into its metadata, and a checkpoint that names
// another run, config or base is refused on resume. Empty fields are not checked (tests).
struct RunIdentity {
    std::string run;
    std::string configHash; // sha256 of the run's config JSON as stored
    std::string baseHash;   // the base model's content hash
};

// What trainStudent() would refuse before its first step, checked without training: no data,
// a batch smaller than the world, hidden layers outside the decoder or not stored by the teacher.
Expected<void, std::string> checkTrainingSetup(VlmRuntime &base, const StudentData &data, const StudentTrainingSettings &settings,
                                               int worldSize);

Expected<DistillReport, std::string> trainStudent(VlmRuntime &base, Student &student, const StudentData &data,
                                                  const StudentTrainingSettings &settings, const StudentTrainingFiles &files,
                                                  const DistillCallbacks &callbacks = {}, Communicator *comm = nullptr,
                                                  const RunIdentity &identity = {});

} // namespace sdrt::model
