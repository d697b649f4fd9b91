#pragma once
// Loading a registered model for generation, students included: a base model as
// teacher::loadRegisteredModel does (folder checked against its registration); a student as its
// base model with the run's adapter attached (the student's folder checked the same way, the
// adapter checked against the base's content hash). The runtime keeps the student's modules.

#include "sdrt/common/Result.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/store/ModelRepository.h"

#include <memory>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::distill {

Result<std::unique_ptr<model::VlmRuntime>> loadRegisteredModel(store::Workspace &ws, const store::ModelRecord &record,
                                                               const model::RuntimeOptions &options = {});

} // namespace sdrt::distill
