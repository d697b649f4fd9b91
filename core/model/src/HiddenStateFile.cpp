#include "sdrt/model/HiddenStateFile.h"

#include "SafetensorsTorch.h"

#include <nlohmann/json.hpp>

#include <torch/torch.h>

namespace sdrt::model {

Expected<std::vector<std::uint64_t>, std::string> writeHiddenStateFile(const std::string &path,
                                                                      const std::vector<NamedHiddenStates> &entries,
                                                                      const std::map<std::string, std::string> &metadata)
{
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    std::vector<std::uint64_t> bytes;
    std::vector<int> layers;
    for (const auto &e : entries) {
        const HiddenStates &h = e.states;
        if (layers.empty())
            layers = h.layers;
        else if (h.layers != layers)
            return unexpected("hidden states for " + e.name + " have other layers than the rest of " + path);
        const auto L = std::int64_t(h.layers.size());
        if (std::int64_t(h.values.size()) != L * h.positions * h.hiddenSize)
            return unexpected("hidden states for " + e.name + " have " + std::to_string(h.values.size()) + " values, expected "
                              + std::to_string(L * h.positions * h.hiddenSize));
        auto t = torch::from_blob(const_cast<float *>(h.values.data()), {L, h.positions, h.hiddenSize}, torch::kFloat32)
                     .to(torch::kFloat16)
                     .contiguous();
        bytes.push_back(std::uint64_t(t.numel()) * 2);
        tensors.emplace_back(e.name, std::move(t));
    }
    std::map<std::string, std::string> meta = metadata;
    meta["format"] = "sdrt-hidden-v1";
    meta["layers"] = nlohmann::json(layers).dump();
    if (auto r = writeSafetensors(path, tensors, meta); !r)
        return unexpected(r.error());
    return bytes;
}

Expected<HiddenStates, std::string> readHiddenStates(const std::string &path, const std::string &name)
{
    auto file = SafetensorsFile::open(path);
    if (!file)
        return unexpected(file.error());
    const auto format = file->metadata().find("format");
    if (format == file->metadata().end() || format->second != "sdrt-hidden-v1")
        return unexpected(path + " is not a hidden-state file (format sdrt-hidden-v1)");
    auto t = loadTensor(*file, name, torch::kFloat32);
    if (!t)
        return unexpected(t.error());
    if (t->dim() != 3)
        return unexpected("hidden states " + name + " in " + path + " are not [layers, positions, hidden]");
    HiddenStates h;
    try {
        h.layers = nlohmann::json::parse(file->metadata().at("layers")).get<std::vector<int>>();
    } catch (const std::exception &e) {
        return unexpected("bad layers metadata in " + path + ": " + e.what());
    }
    if (std::int64_t(h.layers.size()) != t->size(0))
        return unexpected("hidden states " + name + " in " + path + " have " + std::to_string(t->size(0)) + " layers, metadata lists "
                          + std::to_string(h.layers.size()));
    h.positions = int(t->size(1));
    h.hiddenSize = int(t->size(2));
    auto c = t->contiguous();
    h.values.assign(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
    return h;
}

} // namespace sdrt::model
