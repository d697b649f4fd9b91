#pragma once
// Hidden-state files for distillation (torch-free interface).
//
// Format (ours, version 1): a safetensors file holding one F16 tensor per trace, shape
// [layers, positions, hidden], named by the caller (the teacher uses "trace-<item>-<prompt>-<sample>").
// File metadata: "format" = "sdrt-hidden-v1", "layers" = the decoder layers in Hugging Face
// numbering as a JSON list ("[2,4]"), plus whatever the caller adds (model hash, positions).
// Positions are the step-2 answer tokens as inputs: position i holds the state from which the
// model predicts answer token i+1, teacher-forced after the step-2 prompt.

#include "sdrt/common/Expected.h"
#include "sdrt/model/Runtime.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sdrt::model {

struct NamedHiddenStates {
    std::string name;
    HiddenStates states; // float32 in memory; stored as fp16
};

// Writes atomically (temp file + rename). Returns the bytes of tensor data per entry, in order.
Expected<std::vector<std::uint64_t>, std::string> writeHiddenStateFile(const std::string &path,
                                                                      const std::vector<NamedHiddenStates> &entries,
                                                                      const std::map<std::string, std::string> &metadata = {});

// Reads one entry back as float32 (layers from the file's metadata).
Expected<HiddenStates, std::string> readHiddenStates(const std::string &path, const std::string &name);

} // namespace sdrt::model
