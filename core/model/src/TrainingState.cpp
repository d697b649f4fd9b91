#include "TrainingState.h"

#include "RuntimeImpl.h"
#include "SafetensorsTorch.h"
#include "sdrt/model/Safetensors.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace sdrt::model {

AdamW::AdamW(NamedTensors trainable) : m_trainable(std::move(trainable))
{
    for (auto &[name, t] : m_trainable) {
        m_m[name] = torch::zeros_like(t);
        m_v[name] = torch::zeros_like(t);
    }
}

void AdamW::zeroGrad()
{
    for (auto &[name, t] : m_trainable)
        t.mutable_grad() = torch::Tensor();
}

void AdamW::step(double lr, int step, double weightDecay, double gradClip)
{
    torch::NoGradGuard guard;
    if (gradClip > 0) {
        std::vector<torch::Tensor> grads;
        for (auto &[name, t] : m_trainable)
            if (t.grad().defined())
                grads.push_back(t.grad());
        torch::nn::utils::clip_grad_norm_(grads, gradClip);
    }
    for (auto &[name, t] : m_trainable)
        if (t.grad().defined())
            adamwStep(t, t.grad(), m_m.at(name), m_v.at(name), lr, step, weightDecay);
}

NamedTensors AdamW::state() const
{
    NamedTensors out;
    for (const auto &[name, t] : m_trainable) {
        out.emplace_back("adam_m." + name, m_m.at(name));
        out.emplace_back("adam_v." + name, m_v.at(name));
    }
    return out;
}

Expected<TargetRow, std::string> targetRow(VlmRuntime::Impl &d, const GenerationRequest &prompt, const std::string &answer, bool appendEos)
{
    auto ids = d.promptIds(prompt);
    if (!ids)
        return unexpected(ids.error());
    std::vector<int> target = d.tokenizer.encode(answer, false);
    const auto answerLength = std::int64_t(target.size());
    if (appendEos)
        target.push_back(d.tokenizer.eosId());
    if (target.empty())
        return unexpected(std::string("nothing to learn (an empty answer and no end-of-text)"));
    TargetRow row;
    row.ids.assign(ids->begin(), ids->end());
    row.labels.assign(row.ids.size(), -100);
    row.ids.insert(row.ids.end(), target.begin(), target.end());
    row.labels.insert(row.labels.end(), target.begin(), target.end());
    row.promptLength = std::int64_t(ids->size());
    row.answerLength = answerLength;
    if (int(row.ids.size()) > d.info.config.text.maxPositionEmbeddings)
        return unexpected(std::to_string(row.ids.size()) + " tokens, over the context of "
                          + std::to_string(d.info.config.text.maxPositionEmbeddings));
    return row;
}

PaddedRows padRows(const std::vector<std::vector<std::int64_t>> &ids, const std::vector<std::vector<std::int64_t>> &labels,
                   std::int64_t padId)
{
    std::size_t T = 0;
    for (const auto &r : ids)
        T = std::max(T, r.size());
    const auto B = std::int64_t(ids.size());
    PaddedRows out;
    out.ids = torch::full({B, std::int64_t(T)}, padId, torch::kInt64);
    out.mask = torch::zeros({B, std::int64_t(T)}, torch::kInt64);
    out.labels = torch::full({B, std::int64_t(T)}, -100, torch::kInt64);
    for (std::int64_t i = 0; i < B; ++i) {
        const auto n = std::int64_t(ids[std::size_t(i)].size());
        out.ids[i].slice(0, 0, n).copy_(torch::tensor(ids[std::size_t(i)], torch::kInt64));
        out.labels[i].slice(0, 0, n).copy_(torch::tensor(labels[std::size_t(i)], torch::kInt64));
        out.mask[i].slice(0, 0, n).fill_(1);
    }
    return out;
}

Expected<void, std::string> writeCheckpoint(const std::string &file, int step, const CheckpointContents &contents, const AdamW &optimizer,
                                            std::map<std::string, std::string> metadata)
{
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(file).parent_path(), ec);
    NamedTensors tensors;
    for (const auto &group : contents.groups)
        for (const auto &[name, t] : group.tensors)
            tensors.emplace_back(group.prefix + name, t.detach());
    for (auto &entry : optimizer.state())
        tensors.push_back(std::move(entry));
    metadata["step"] = std::to_string(step);
    return writeSafetensors(file, tensors, metadata);
}

Expected<int, std::string> readCheckpoint(
    const std::string &file, const CheckpointContents &contents, AdamW &optimizer,
    const std::function<Expected<void, std::string>(const std::map<std::string, std::string> &)> &check)
{
    auto f = SafetensorsFile::open(file);
    if (!f)
        return unexpected(f.error());
    auto step = f->metadata().find("step");
    if (step == f->metadata().end())
        return unexpected(file + ": no step in the checkpoint's metadata");
    if (check)
        if (auto ok = check(f->metadata()); !ok)
            return unexpected(ok.error());
    torch::NoGradGuard guard;
    auto fill = [&](const std::string &stored, const torch::Tensor &into, const std::string &whenMissing) -> Expected<void, std::string> {
        if (!f->find(stored))
            return unexpected(file + ": " + stored + " is missing" + whenMissing);
        auto t = loadTensor(*f, stored);
        if (!t)
            return unexpected(t.error());
        if (t->sizes() != into.sizes())
            return unexpected(file + ": " + stored + " has another shape than this run gives it (was the run's configuration changed?)");
        into.copy_(*t);
        return {};
    };
    for (const auto &group : contents.groups)
        for (const auto &[name, t] : group.tensors)
            if (auto r = fill(group.prefix + name, t, group.whenMissing); !r)
                return unexpected(r.error());
    for (const auto &[name, t] : optimizer.state())
        if (auto r = fill(name, t, " (the optimizer's state)"); !r)
            return unexpected(r.error());
    try {
        return std::stoi(step->second);
    } catch (const std::exception &) {
        return unexpected(file + ": the step \"" + step->second + "\" in its metadata is not a number");
    }
}

// A loss that ends far above where it started usually means a learning rate too high for the
// data: the run finishes, but says so (log and done line). Empty when the loss did not diverge.
std::string divergenceWarning(const std::vector<double> &losses, double learningRate)
{
    if (losses.size() < 8)
        return {};
    const std::size_t k = std::max<std::size_t>(2, losses.size() / 10);
    double first = 0, last = 0;
    for (std::size_t i = 0; i < k; ++i) {
        first += losses[i] / double(k);
        last += losses[losses.size() - 1 - i] / double(k);
    }
    if (!(last > 2.0 * first && last - first > 0.5))
        return {};
    char text[256];
    std::snprintf(text, sizeof text,
                  "the loss rose from %.3f (mean of the first %zu steps) to %.3f (the last %zu): the learning rate %g is "
                  "probably too high for this data",
                  first, k, last, k, learningRate);
    return text;
}

} // namespace sdrt::model
