// A checkpoint's safetensors weights into a network: the weight files of a model folder, the
// check of every tensor's name and shape against the module's parameters, and LLaVA's network
// built and filled (its two Hugging Face layouts).

#include "LlavaModel.h"
#include "SafetensorsTorch.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace sdrt::model {
namespace {

std::string shapeString(c10::IntArrayRef shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

// Hugging Face has written LLaVA tensors under two layouts; ours is the older one.
std::string canonicalName(const std::string &name)
{
    auto replacePrefix = [&name](const std::string &from, const std::string &to, std::string *out) {
        if (name.rfind(from, 0) == 0) {
            *out = to + name.substr(from.size());
            return true;
        }
        return false;
    };
    std::string out;
    if (replacePrefix("model.language_model.", "language_model.model.", &out)
        || replacePrefix("model.vision_tower.", "vision_tower.", &out)
        || replacePrefix("model.multi_modal_projector.", "multi_modal_projector.", &out)
        || replacePrefix("lm_head.", "language_model.lm_head.", &out))
        return out;
    if (name == "model.image_newline")
        return "image_newline";
    return name;
}

bool ignorable(const std::string &name, bool tied)
{
    auto endsWith = [&name](const std::string &s) {
        return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
    };
    return endsWith("position_ids") || endsWith("rotary_emb.inv_freq") || (tied && name == "language_model.lm_head.weight");
}

} // namespace

Expected<std::vector<std::string>, std::string> weightFilesOf(const std::string &dir)
{
    std::vector<std::string> files;
    const std::string index = dir + "/model.safetensors.index.json";
    if (fs::exists(index)) {
        std::ifstream in(index);
        try {
            auto j = nlohmann::json::parse(in);
            std::set<std::string> unique;
            for (auto it = j.at("weight_map").begin(); it != j.at("weight_map").end(); ++it)
                unique.insert(it->get<std::string>());
            for (const auto &f : unique) {
                if (f.find('/') != std::string::npos || f.find("..") != std::string::npos)
                    return unexpected(index + ": shard name \"" + f + "\" must be a plain file name");
                files.push_back(dir + "/" + f);
            }
        } catch (const std::exception &e) {
            return unexpected(index + ": invalid index: " + e.what());
        }
    } else if (fs::exists(dir + "/model.safetensors")) {
        files.push_back(dir + "/model.safetensors");
    } else {
        return unexpected(dir + ": no model.safetensors or model.safetensors.index.json (weights must be safetensors)");
    }
    return files;
}

Expected<void, std::string> fillFromSafetensors(torch::nn::Module &model, const std::string &dir, const WeightNames &names,
                                               torch::Device device, torch::ScalarType dtype, std::vector<std::string> *weightFiles)
{
    auto listed = weightFilesOf(dir);
    if (!listed)
        return unexpected(listed.error());
    const std::vector<std::string> files = *listed;
    if (weightFiles)
        *weightFiles = files;
    std::vector<SafetensorsFile> opened;
    std::map<std::string, std::pair<std::size_t, std::string>> byName; // canonical -> (file, stored name)
    for (const auto &f : files) {
        auto st = SafetensorsFile::open(f);
        if (!st)
            return unexpected(st.error());
        for (const auto &t : st->tensors()) {
            const std::string canon = names.canonical(t.name);
            if (byName.count(canon))
                return unexpected(f + ": tensor \"" + t.name + "\" appears twice in the checkpoint");
            byName[canon] = {opened.size(), t.name};
        }
        opened.push_back(std::move(*st));
    }
    try {
        std::vector<std::string> missing, misshaped, unexpectedNames;
        std::set<std::string> used;
        for (const auto &p : model.named_parameters(true)) {
            auto it = byName.find(p.key());
            if (it == byName.end()) {
                missing.push_back(p.key() + " " + shapeString(p.value().sizes()));
                continue;
            }
            used.insert(p.key());
            const TensorInfo *ti = opened[it->second.first].find(it->second.second);
            if (c10::IntArrayRef(ti->shape) != p.value().sizes())
                misshaped.push_back(p.key() + ": expected " + shapeString(p.value().sizes()) + ", found " + shapeString(ti->shape));
        }
        for (const auto &[canon, where] : byName) {
            if (!used.count(canon) && !names.ignorable(canon))
                unexpectedNames.push_back(where.second);
        }
        if (!missing.empty() || !misshaped.empty() || !unexpectedNames.empty()) {
            std::string msg = dir + ": the weights do not match config.json:";
            auto list = [&msg](const char *title, const std::vector<std::string> &v) {
                if (v.empty())
                    return;
                msg += std::string("\n  ") + title + " (" + std::to_string(v.size()) + "):";
                for (std::size_t i = 0; i < v.size() && i < 25; ++i)
                    msg += "\n    " + v[i];
                if (v.size() > 25)
                    msg += "\n    …";
            };
            list("missing tensors", missing);
            list("tensors with the wrong shape", misshaped);
            list("unexpected tensors", unexpectedNames);
            return unexpected(msg);
        }
        torch::NoGradGuard noGrad;
        model.to(device, dtype);
        for (auto &p : model.named_parameters(true)) {
            const auto &[file, stored] = byName.at(p.key());
            auto t = loadTensor(opened[file], stored);
            if (!t)
                return unexpected(t.error());
            p.value().copy_(*t);
        }
        // The runtime serves inference: parameters need gradients only inside train(), which
        // turns them on for what it trains and puts them back when it returns.
        for (auto &p : model.parameters(true))
            p.set_requires_grad(false);
    } catch (const c10::Error &e) {
        return unexpected(dir + ": cannot load the weights: " + e.what_without_backtrace());
    }
    return {};
}

Expected<LlavaModel, std::string> loadLlavaModel(const std::string &dir, const LlavaConfig &config, torch::Device device,
                                                 torch::ScalarType dtype, std::vector<std::string> *weightFiles)
{
    LlavaModel model{nullptr};
    try {
        const DefaultDtypeScope scope(dtype); // built in the runtime's dtype: a 7B model in bf16 never takes its fp32 size
        torch::NoGradGuard noGrad;
        model = LlavaModel(config);
    } catch (const c10::Error &e) {
        return unexpected(dir + ": cannot build the model: " + e.what_without_backtrace());
    }
    model->eval();
    const bool tied = config.text.tieWordEmbeddings;
    WeightNames names{canonicalName, [tied](const std::string &n) { return ignorable(n, tied); }};
    if (auto r = fillFromSafetensors(*model, dir, names, device, dtype, weightFiles); !r)
        return unexpected(r.error());
    return model;
}

} // namespace sdrt::model
