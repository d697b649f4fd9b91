#include "SafetensorsTorch.h"

#include "sdrt/common/FileWriter.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sdrt::model {

namespace {
constexpr std::uint64_t kMaxHeader = 100ull << 20; // the format's own limit is 100 MB
}

// The file mapped read-only; the tensors' bytes point into it.
struct SafetensorsFile::Mapping {
    void *data = nullptr;
    std::size_t size = 0;
    // The file at `path` mapped (at least the 8 bytes of the header's length); the error leaves
    // the file's name to the caller.
    static Expected<std::shared_ptr<Mapping>, std::string> map(const std::string &path);
    std::uint64_t headerLength() const
    {
        const auto *bytes = static_cast<const unsigned char *>(data);
        std::uint64_t n = 0;
        for (int i = 7; i >= 0; --i)
            n = (n << 8) | bytes[i];
        return n;
    }
    // The JSON header, its length checked against the file and the format's limit.
    Expected<nlohmann::json, std::string> header() const;
    ~Mapping()
    {
        if (data && data != MAP_FAILED)
            munmap(data, size);
    }
};

std::string toString(DType d)
{
    switch (d) {
    case DType::F64: return "F64";
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::I16: return "I16";
    case DType::I8: return "I8";
    case DType::U8: return "U8";
    case DType::Bool: return "BOOL";
    }
    return "?";
}

std::size_t elementSize(DType d)
{
    switch (d) {
    case DType::F64:
    case DType::I64: return 8;
    case DType::F32:
    case DType::I32: return 4;
    case DType::F16:
    case DType::BF16:
    case DType::I16: return 2;
    case DType::I8:
    case DType::U8:
    case DType::Bool: return 1;
    }
    return 0;
}

torch::ScalarType toScalarType(DType d)
{
    switch (d) {
    case DType::F64: return torch::kFloat64;
    case DType::F32: return torch::kFloat32;
    case DType::F16: return torch::kFloat16;
    case DType::BF16: return torch::kBFloat16;
    case DType::I64: return torch::kInt64;
    case DType::I32: return torch::kInt32;
    case DType::I16: return torch::kInt16;
    case DType::I8: return torch::kInt8;
    case DType::U8: return torch::kUInt8;
    case DType::Bool: return torch::kBool;
    }
    return torch::kFloat32;
}

Expected<DType, std::string> dtypeFromString(const std::string &s)
{
    static const std::map<std::string, DType> names = {
        {"F64", DType::F64}, {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16}, {"I64", DType::I64},
        {"I32", DType::I32}, {"I16", DType::I16}, {"I8", DType::I8},   {"U8", DType::U8},     {"BOOL", DType::Bool}};
    auto it = names.find(s);
    if (it == names.end())
        return unexpected("unknown dtype \"" + s + "\"");
    return it->second;
}

Expected<DType, std::string> dtypeFromScalarType(torch::ScalarType t)
{
    for (DType d : {DType::F64, DType::F32, DType::F16, DType::BF16, DType::I64, DType::I32, DType::I16, DType::I8,
                    DType::U8, DType::Bool}) {
        if (toScalarType(d) == t)
            return d;
    }
    return unexpected(std::string("dtype ") + c10::toString(t) + " cannot be stored in safetensors");
}

std::int64_t TensorInfo::numel() const
{
    std::int64_t n = 1;
    for (auto s : shape)
        n *= s;
    return n;
}

namespace {

// A header entry {dtype, shape, data_offsets} as a tensor of `dataSize` bytes of data, checked:
// a known dtype, a shape of non-negative sizes, offsets in range and as many bytes as the shape
// needs. The error leaves the file's name to the caller.
Expected<TensorInfo, std::string> tensorEntry(const std::string &name, const nlohmann::json &v, std::uint64_t dataSize)
{
    auto error = [&](const std::string &what) { return unexpected("tensor \"" + name + "\"" + what); };
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
        return error(" lacks dtype, shape or data_offsets");
    if (!v["dtype"].is_string())
        return error(": dtype is not a string");
    auto dtype = dtypeFromString(v["dtype"].get<std::string>());
    if (!dtype)
        return error(": " + dtype.error());
    TensorInfo info;
    info.name = name;
    info.dtype = *dtype;
    if (!v["shape"].is_array())
        return error(": shape is not a list");
    for (const auto &d : v["shape"]) {
        if (!d.is_number_integer() || d.get<std::int64_t>() < 0)
            return error(": shape holds a value that is not a non-negative integer");
        info.shape.push_back(d.get<std::int64_t>());
    }
    const auto &off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
        return error(": data_offsets must be two non-negative integers");
    info.begin = off[0].get<std::uint64_t>();
    info.end = off[1].get<std::uint64_t>();
    if (info.end < info.begin || info.end > dataSize)
        return error(": data offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end) + ") are out of range (data section is "
                     + std::to_string(dataSize) + " bytes; truncated file?)");
    const std::uint64_t expected = std::uint64_t(info.numel()) * elementSize(info.dtype);
    if (info.end - info.begin != expected)
        return error(": " + std::to_string(info.end - info.begin) + " bytes of data but shape and " + toString(info.dtype) + " need "
                     + std::to_string(expected));
    return info;
}

// The header's __metadata__: an object of strings.
Expected<std::map<std::string, std::string>, std::string> metadataEntry(const nlohmann::json &v)
{
    if (!v.is_object())
        return unexpected(std::string("__metadata__ is not an object"));
    std::map<std::string, std::string> out;
    for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m->is_string())
            return unexpected("__metadata__ value \"" + m.key() + "\" is not a string");
        out[m.key()] = m->get<std::string>();
    }
    return out;
}

// Two tensors whose bytes overlap, named; empty when none do.
std::string overlapping(const std::vector<TensorInfo> &tensors)
{
    std::vector<const TensorInfo *> sorted;
    for (const auto &t : tensors)
        sorted.push_back(&t);
    std::sort(sorted.begin(), sorted.end(), [](auto *a, auto *b) { return a->begin < b->begin; });
    for (std::size_t i = 1; i < sorted.size(); ++i) {
        if (sorted[i]->begin < sorted[i - 1]->end)
            return "tensors \"" + sorted[i - 1]->name + "\" and \"" + sorted[i]->name + "\" overlap in the data section";
    }
    return {};
}

} // namespace

Expected<std::shared_ptr<SafetensorsFile::Mapping>, std::string> SafetensorsFile::Mapping::map(const std::string &path)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return unexpected(std::string("cannot open: ") + std::strerror(errno));
    struct stat st {};
    if (fstat(fd, &st) != 0) {
        ::close(fd);
        return unexpected(std::string("cannot stat: ") + std::strerror(errno));
    }
    const auto size = std::uint64_t(st.st_size);
    if (size < 8) {
        ::close(fd);
        return unexpected("the file is " + std::to_string(size) + " bytes, too short for a safetensors header (truncated file)");
    }
    auto map = std::make_shared<Mapping>();
    map->size = std::size_t(size);
    map->data = mmap(nullptr, map->size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (map->data == MAP_FAILED) {
        map->data = nullptr;
        return unexpected(std::string("cannot map the file: ") + std::strerror(errno));
    }
    return map;
}

Expected<nlohmann::json, std::string> SafetensorsFile::Mapping::header() const
{
    const auto *bytes = static_cast<const unsigned char *>(data);
    const std::uint64_t headerLen = headerLength();
    if (headerLen > size - 8)
        return unexpected("the header length (" + std::to_string(headerLen) + " bytes) is beyond the end of the file (" + std::to_string(size)
                          + " bytes; truncated or not a safetensors file)");
    if (headerLen > kMaxHeader)
        return unexpected("the header length " + std::to_string(headerLen) + " is over the 100 MB limit");
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(bytes + 8, bytes + 8 + headerLen);
    } catch (const std::exception &e) {
        return unexpected(std::string("the header is not valid JSON: ") + e.what());
    }
    if (!header.is_object())
        return unexpected(std::string("the header is not a JSON object"));
    return header;
}

Expected<SafetensorsFile, std::string> SafetensorsFile::open(const std::string &path)
{
    auto error = [&](const std::string &what) { return unexpected(path + ": " + what); };
    auto map = Mapping::map(path);
    if (!map)
        return error(map.error());
    auto header = (*map)->header();
    if (!header)
        return error(header.error());
    SafetensorsFile f;
    f.m_path = path;
    f.m_map = *map;
    f.m_dataStart = 8 + (*map)->headerLength();
    const std::uint64_t dataSize = (*map)->size - f.m_dataStart;
    for (auto it = header->begin(); it != header->end(); ++it) {
        if (it.key() == "__metadata__") {
            auto metadata = metadataEntry(*it);
            if (!metadata)
                return error(metadata.error());
            f.m_metadata = std::move(*metadata);
            continue;
        }
        auto info = tensorEntry(it.key(), *it, dataSize);
        if (!info)
            return error(info.error());
        f.m_index[it.key()] = f.m_tensors.size();
        f.m_tensors.push_back(std::move(*info));
    }
    if (std::string overlap = overlapping(f.m_tensors); !overlap.empty())
        return error(overlap);
    return f;
}

const TensorInfo *SafetensorsFile::find(const std::string &name) const
{
    auto it = m_index.find(name);
    return it == m_index.end() ? nullptr : &m_tensors[it->second];
}

const char *SafetensorsFile::data(const TensorInfo &info) const
{
    return static_cast<const char *>(m_map->data) + m_dataStart + info.begin;
}

Expected<torch::Tensor, std::string> loadTensor(const SafetensorsFile &file, const std::string &name,
                                                std::optional<torch::ScalarType> dtype, torch::Device device)
{
    const TensorInfo *info = file.find(name);
    if (!info)
        return unexpected(file.path() + ": no tensor named \"" + name + "\"");
    // Copy out of the mapping: offsets need not be aligned for the element type.
    torch::Tensor t = torch::empty(info->shape, torch::TensorOptions().dtype(toScalarType(info->dtype)));
    if (info->end > info->begin)
        std::memcpy(t.data_ptr(), file.data(*info), std::size_t(info->end - info->begin));
    if (dtype && *dtype != t.scalar_type())
        t = t.to(*dtype);
    if (device != t.device())
        t = t.to(device);
    return t;
}

Expected<void, std::string> writeSafetensors(const std::string &path,
                                             const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
                                             const std::map<std::string, std::string> &metadata)
{
    nlohmann::ordered_json header;
    if (!metadata.empty())
        header["__metadata__"] = metadata;
    std::vector<torch::Tensor> contiguous;
    std::uint64_t offset = 0;
    for (const auto &[name, tensor] : tensors) {
        auto dtype = dtypeFromScalarType(tensor.scalar_type());
        if (!dtype)
            return unexpected(path + ": tensor \"" + name + "\": " + dtype.error());
        torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
        const std::uint64_t bytes = std::uint64_t(t.numel()) * elementSize(*dtype);
        header[name] = {{"dtype", toString(*dtype)}, {"shape", t.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        contiguous.push_back(t);
    }
    std::string json = header.dump();
    while ((json.size() + 8) % 8 != 0)
        json.push_back(' '); // keep the data section 8-byte aligned
    auto f = common::AtomicFile::open(path);
    if (!f)
        return unexpected(f.error().describe());
    unsigned char len[8];
    std::uint64_t n = json.size();
    for (int i = 0; i < 8; ++i)
        len[i] = static_cast<unsigned char>((n >> (8 * i)) & 0xff);
    auto ok = f->write(len, 8);
    if (ok)
        ok = f->write(json);
    for (const auto &t : contiguous) {
        const std::size_t bytes = std::size_t(t.numel()) * t.element_size();
        if (ok && bytes > 0)
            ok = f->write(t.data_ptr(), bytes);
    }
    if (ok)
        ok = f->commit(); // the old file stays when anything failed
    if (!ok)
        return unexpected(ok.error().describe());
    return {};
}

} // namespace sdrt::model
