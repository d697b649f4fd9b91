#pragma once
// The SDRT student: the frozen base VLM plus trainable modules that run inside its decoder
// forward (VlmRuntime::setIntervention), each switchable for ablations. Our reading of the
// method (docs/DISTILLATION.md):
//  (a) intervention adapter, LoReFT-style, at each chosen layer l:
//        Φ(h) = h + Rᵀ(W h + b − R h),  R ∈ ℝ^{r×d} with orthonormal rows, W ∈ ℝ^{r×d}, b ∈ ℝ^r,
//      initialised with W = R, b = 0, so Φ is the identity until trained;
//  (b) vision-language skip connection: s = g · U V v, v the row's pooled projected visual
//      tokens, V ∈ ℝ^{q×d}, U ∈ ℝ^{d×q}, gate g initialised to 0; s is added to the adapter's
//      input (Φ(h + s); without the adapter, h + s);
//  (c) ensemble weights: softmax over the prompt versions of the data (plus, when conditioned,
//      a linear map of the pooled visual and question features, initialised to 0).
// Both edits act at the plain prompt's last `positions` positions and at every generated one.
//
// The adapter file (our format "sdrt-adapter-v1"): a safetensors file with the modules' tensors
// ("adapter.<l>.R|W|b", "skip.<l>.U|V|gate", "ensemble.logits", "ensemble.cond.weight|bias")
// and metadata: "format", "base_model_content_hash" (the store's hash of the base folder) and
// "settings" (JSON: layers, rank, positions, module switches, prompt versions, hidden size).
//
// Thread rule: one thread at a time, like the runtime it is attached to.

#include "sdrt/common/Expected.h"
#include "sdrt/model/Runtime.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sdrt::model {

struct StudentSettings {
    std::vector<int> layers;       // decoder layers whose input is edited
    int rank = 4;
    int positions = 4;
    bool adapter = true;
    bool skip = true;
    int skipRank = 4;
    bool ensemble = true;
    bool ensembleConditioned = false;
    std::vector<std::string> promptVersions; // "name vN"
    int hiddenSize = 0;
    std::uint64_t seed = 1;
    std::string toJson() const;
    static Expected<StudentSettings, std::string> fromJson(const std::string &json);
};

class Student {
public:
    // New modules for `base` (identity at initialisation).
    static Expected<std::unique_ptr<Student>, std::string> create(const VlmRuntime &base, const StudentSettings &settings);
    // Reads an adapter file; refused when it was made for another base (by content hash), is
    // truncated or corrupt, or does not fit the base's shapes.
    static Expected<std::unique_ptr<Student>, std::string> load(const std::string &adapterFile, const VlmRuntime &base,
                                                                const std::string &baseContentHash);
    Expected<void, std::string> save(const std::string &adapterFile, const std::string &baseContentHash) const;
    ~Student();

    // Every later generate()/score() of `rt` runs through the modules; detach() undoes it.
    void attach(VlmRuntime &rt);
    static void detach(VlmRuntime &rt);

    const StudentSettings &settings() const;
    std::int64_t trainableParameters() const;
    std::vector<double> ensembleWeights() const; // the unconditioned softmax, per prompt version

    struct Impl;

private:
    friend struct StudentAccess; // the runtime's training code (src/StudentModules.h)
    explicit Student(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace sdrt::model
