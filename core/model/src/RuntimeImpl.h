#pragma once
// The runtime's private state, shared by Runtime.cpp and Training.cpp.

#include "LlavaModel.h"
#include "Preprocess.h"
#include "sdrt/model/Runtime.h"

#include <torch/torch.h>

namespace sdrt::model {

struct VlmRuntime::Impl {
    std::string sourceDir; // where tokenizer files come from when saving
    ModelInfo info;
    Tokenizer tokenizer;
    LlavaModel model{nullptr};
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32;
    int imageChunk = 16; // RuntimeOptions::imageChunk
    std::shared_ptr<DecoderIntervention> intervention; // set: every forward goes through it

    int padId() const { return tokenizer.padId() >= 0 ? tokenizer.padId() : 0; }

    Expected<std::vector<int>, std::string> promptIds(const GenerationRequest &r) const
    {
        const std::vector<int> raw = tokenizer.encode(r.prompt, true);
        const int image = int(info.config.imageTokenIndex);
        const int perImage = info.config.imageSeqLength();
        std::vector<int> ids;
        ids.reserve(raw.size() + r.images.size() * std::size_t(perImage));
        std::size_t images = 0;
        for (int id : raw) {
            if (id == image) {
                ++images;
                ids.insert(ids.end(), std::size_t(perImage), image);
            } else {
                ids.push_back(id);
            }
        }
        if (images != r.images.size())
            return unexpected("the prompt has " + std::to_string(images) + " <image> placeholder(s) but "
                              + std::to_string(r.images.size()) + " image(s) were given");
        return ids;
    }

    torch::Tensor pixels(const std::vector<const RgbImage *> &images)
    {
        std::vector<torch::Tensor> list;
        for (const RgbImage *img : images)
            list.push_back(preprocessClip(*img, info.preprocessor));
        if (list.empty())
            return {};
        return torch::stack(list).to(device, dtype);
    }

    // The intervention's inputs for a prompt forward: the last promptPositions() positions
    // before `promptEnd` that `mask` [B,T] keeps, and each row's pooled visual tokens.
    InterventionInput interventionInput(const torch::Tensor &mask, std::int64_t promptEnd, const torch::Tensor &features,
                                        const std::vector<int> &imagesPerRow) const
    {
        InterventionInput in;
        in.intervention = intervention.get();
        const auto T = mask.size(1);
        auto at = torch::arange(T, mask.options()).unsqueeze(0);
        const std::int64_t from = promptEnd - intervention->promptPositions();
        auto window = (at >= from) & (at < promptEnd);
        auto after = at >= promptEnd; // continuation positions (teacher forcing)
        in.edit = ((window | after) & (mask != 0)).to(dtype);
        in.visual = LlavaModelImpl::pooledPerRow(features, imagesPerRow, info.config.text.hiddenSize,
                                                 torch::TensorOptions().dtype(dtype).device(device));
        return in;
    }

    torch::Tensor features(const std::vector<const RgbImage *> &images)
    {
        if (images.empty())
            return {};
        std::vector<torch::Tensor> out;
        const std::size_t step = std::size_t(std::max(1, imageChunk));
        for (std::size_t i = 0; i < images.size(); i += step) {
            std::vector<const RgbImage *> chunk(images.begin() + long(i), images.begin() + long(std::min(images.size(), i + step)));
            out.push_back(model->imageFeatures(pixels(chunk)));
        }
        return torch::cat(out, 0);
    }
};

} // namespace sdrt::model
