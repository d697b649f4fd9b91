#include "Family.h"

#include "Preprocess.h"

#include <torch/torch.h>

namespace sdrt::model {
namespace {

// Each row's position after its last real token, from the mask [B,T].
std::vector<std::int64_t> rowLengths(const torch::Tensor &mask)
{
    auto n = mask.sum(1).to(torch::kCPU, torch::kInt64).contiguous();
    return {n.data_ptr<std::int64_t>(), n.data_ptr<std::int64_t>() + n.numel()};
}

class Llava final : public VlmFamily {
public:
    Llava(LlavaModel model, const LlavaConfig &config, const PreprocessorConfig &preprocessor)
        : m_model(std::move(model)), m_config(config), m_preprocessor(preprocessor)
    {
    }

    torch::nn::Module &network() override { return *m_model; }
    LlamaModel decoder() override { return m_model->language_model->model; }
    torch::Tensor logits(const torch::Tensor &hidden) override { return m_model->language_model->logits(hidden); }

    Expected<std::int64_t, std::string> imageTokens(const RgbImage &image) const override
    {
        return std::int64_t(m_config.imageTokens(image.height, image.width));
    }

    Expected<std::array<int, 3>, std::string> imageGrid(const RgbImage &image) const override
    {
        if (!m_config.anyres()) {
            const int side = m_config.vision.imageSize / m_config.vision.patchSize;
            return std::array<int, 3>{1, side, side};
        }
        const AnyresLayout l = anyresLayout(m_config, image.height, image.width);
        return std::array<int, 3>{l.views(), l.featureHeight, l.featureWidth};
    }

    VisualFeatures visual(const std::vector<const RgbImage *> &images, int chunk) override
    {
        VisualFeatures out;
        if (images.empty())
            return out;
        const torch::Device device = m_model->language_model->model->embed_tokens->weight.device();
        const auto dtype = m_model->language_model->model->embed_tokens->weight.scalar_type();
        std::vector<torch::Tensor> parts;
        const int chunkViews = std::max(1, chunk);
        std::size_t i = 0;
        while (i < images.size()) { // an image's views stay together in one pass
            std::vector<torch::Tensor> views;
            std::vector<PixelSize> sizes;
            int count = 0;
            while (i < images.size()) {
                const int v = m_config.anyres() ? anyresLayout(m_config, images[i]->height, images[i]->width).views() : 1;
                if (!sizes.empty() && count + v > chunkViews)
                    break;
                sizes.push_back({images[i]->height, images[i]->width});
                views.push_back(llavaViews(*images[i], m_config, m_preprocessor));
                count += v;
                ++i;
            }
            const auto perView = m_model->imageFeatures(torch::cat(views, 0).to(device, dtype)); // [views, P, D]
            parts.push_back(m_config.anyres() ? m_model->packImages(perView, sizes) : perView.reshape({-1, perView.size(-1)}));
        }
        out.features = torch::cat(parts, 0);
        return out;
    }

    torch::Tensor positions(const torch::Tensor &, const torch::Tensor &mask, const std::vector<const RgbImage *> &,
                            std::vector<std::int64_t> *next) override
    {
        if (next)
            *next = rowLengths(mask);
        return positionsFromMask(mask);
    }

private:
    LlavaModel m_model;
    LlavaConfig m_config;
    PreprocessorConfig m_preprocessor;
};

class Qwen3Vl final : public VlmFamily {
public:
    Qwen3Vl(Qwen3VlNetwork network, const Qwen3VlConfig &config, const Qwen3VlProcessorConfig &processor)
        : m_net(std::move(network)), m_config(config), m_processor(processor)
    {
    }

    torch::nn::Module &network() override { return *m_net; }
    LlamaModel decoder() override { return m_net->model->language_model; }
    torch::Tensor logits(const torch::Tensor &hidden) override { return m_net->logits(hidden); }

    Expected<std::int64_t, std::string> imageTokens(const RgbImage &image) const override
    {
        auto g = model::imageGrid(m_processor, image.height, image.width);
        if (!g)
            return unexpected(g.error());
        return model::imageTokens(*g, m_processor.mergeSize);
    }

    Expected<std::array<int, 3>, std::string> imageGrid(const RgbImage &image) const override
    {
        auto g = model::imageGrid(m_processor, image.height, image.width);
        if (!g)
            return unexpected(g.error());
        return std::array<int, 3>{g->t, g->h, g->w};
    }

    VisualFeatures visual(const std::vector<const RgbImage *> &images, int chunk) override
    {
        VisualFeatures out;
        if (images.empty())
            return out;
        const torch::Device device = m_net->model->language_model->embed_tokens->weight.device();
        std::vector<torch::Tensor> features;
        std::vector<std::vector<torch::Tensor>> taps(m_config.vision.deepstackVisualIndexes.size());
        const std::size_t perPass = std::size_t(std::max(1, chunk));
        for (std::size_t i = 0; i < images.size(); i += perPass) {
            std::vector<torch::Tensor> rows;
            std::vector<ImageGridThw> grids;
            for (std::size_t k = i; k < std::min(images.size(), i + perPass); ++k) {
                ImageGridThw g;
                rows.push_back(preprocessQwen2Vl(*images[k], m_processor, g));
                grids.push_back(g);
            }
            auto v = m_net->model->visual(torch::cat(rows, 0).to(device), grids);
            features.push_back(v.features);
            for (std::size_t t = 0; t < taps.size(); ++t)
                taps[t].push_back(v.deepstack[t]);
        }
        out.features = torch::cat(features, 0);
        for (auto &t : taps)
            out.deepstack.push_back(torch::cat(t, 0));
        return out;
    }

    torch::Tensor positions(const torch::Tensor &ids, const torch::Tensor &mask, const std::vector<const RgbImage *> &images,
                            std::vector<std::int64_t> *next) override
    {
        std::vector<ImageGridThw> grids;
        for (const RgbImage *img : images) {
            auto g = model::imageGrid(m_processor, img->height, img->width);
            TORCH_CHECK(g, g ? std::string() : g.error());
            grids.push_back(*g);
        }
        return qwen3VlPositions(ids, mask, grids, m_config, next).to(ids.device());
    }

private:
    Qwen3VlNetwork m_net;
    Qwen3VlConfig m_config;
    Qwen3VlProcessorConfig m_processor;
};

} // namespace

std::unique_ptr<VlmFamily> llavaFamily(LlavaModel model, const LlavaConfig &config, const PreprocessorConfig &preprocessor)
{
    return std::make_unique<Llava>(std::move(model), config, preprocessor);
}

std::unique_ptr<VlmFamily> qwen3VlFamily(Qwen3VlNetwork network, const Qwen3VlConfig &config, const Qwen3VlProcessorConfig &processor)
{
    return std::make_unique<Qwen3Vl>(std::move(network), config, processor);
}

} // namespace sdrt::model
