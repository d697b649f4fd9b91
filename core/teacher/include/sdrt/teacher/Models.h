#pragma once
// Registered models as the jobs use them: registration checks that the folder can be loaded
// (the runtime's own checks and messages) before it is recorded; loading checks that the folder
// still holds the registered content (store::ModelRepository::verifyFolder) before the runtime
// reads it, so no trace is ever stored under the hash of weights that did not make it.

#include "sdrt/common/Result.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/store/ModelRepository.h"

#include <memory>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::teacher {

// Checks `dir` with model::VlmRuntime::inspect (config, preprocessor, tokenizer, every
// safetensors header) and registers it (store::ModelRepository::registerFolder).
Result<store::ModelRecord> registerModel(store::Workspace &ws, const QString &dir, const QString &name,
                                         store::ModelRole role = store::ModelRole::Base, bool copyIntoWorkspace = false);

// Verifies the registered folder, then loads it.
Result<std::unique_ptr<model::VlmRuntime>> loadRegisteredModel(store::Workspace &ws, const store::ModelRecord &record,
                                                               const model::RuntimeOptions &options = {});

} // namespace sdrt::teacher
