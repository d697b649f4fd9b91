#pragma once
// Our own reader and writer for the safetensors format: 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
// then the tensor bytes. Files are memory-mapped; every header field is checked before any
// tensor is touched, so a corrupt file gives one clear error and no crash.
// No torch types here: tensors are loaded and written by core/model's own code
// (src/SafetensorsTorch.h).

#include "sdrt/common/Expected.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sdrt::model {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

std::string toString(DType d);
std::size_t elementSize(DType d);
Expected<DType, std::string> dtypeFromString(const std::string &s);

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0; // byte offsets into the data section
    std::uint64_t end = 0;
    std::int64_t numel() const;
};

class SafetensorsFile {
public:
    // Maps the file and validates its header (offsets in range, sizes matching shapes,
    // no overlaps, known dtypes).
    static Expected<SafetensorsFile, std::string> open(const std::string &path);

    const std::string &path() const { return m_path; }
    const std::vector<TensorInfo> &tensors() const { return m_tensors; }
    const std::map<std::string, std::string> &metadata() const { return m_metadata; }
    const TensorInfo *find(const std::string &name) const;
    // The tensor's bytes (info.end - info.begin of them, little-endian, not necessarily aligned
    // for the element type) in the mapped file; valid while this object or a copy of it lives.
    const char *data(const TensorInfo &info) const;

private:
    struct Mapping;
    std::string m_path;
    std::shared_ptr<Mapping> m_map;
    std::uint64_t m_dataStart = 0;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, std::size_t> m_index;
    std::map<std::string, std::string> m_metadata;
};

} // namespace sdrt::model
