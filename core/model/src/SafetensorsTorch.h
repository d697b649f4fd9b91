#pragma once
// The torch side of our safetensors reader and writer (sdrt/model/Safetensors.h): tensors in
// and out. Private to core/model and its white-box tests.

#include "sdrt/model/Safetensors.h"

#include <torch/types.h>

#include <optional>
#include <utility>

namespace sdrt::model {

torch::ScalarType toScalarType(DType d);
Expected<DType, std::string> dtypeFromScalarType(torch::ScalarType t);

// A copy of the tensor `name` of `file`, converted to `dtype` (or its stored type) on `device`.
Expected<torch::Tensor, std::string> loadTensor(const SafetensorsFile &file, const std::string &name,
                                                std::optional<torch::ScalarType> dtype = std::nullopt,
                                                torch::Device device = torch::kCPU);

// Writes tensors (any device; stored in their own dtype) atomically (temp file + rename).
Expected<void, std::string> writeSafetensors(const std::string &path,
                                             const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
                                             const std::map<std::string, std::string> &metadata = {});

} // namespace sdrt::model
