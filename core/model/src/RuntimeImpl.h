#pragma once
// The runtime's private state, shared by its own .cpp files (loading, generation, scoring,
// training).

#include "Family.h"
#include "LlavaModel.h"
#include "Preprocess.h"
#include "sdrt/model/Runtime.h"

#include <torch/torch.h>

namespace sdrt::model {

// Captured states [positions, D] per layer → HiddenStates (float32 on the CPU).
inline HiddenStates packHidden(const std::vector<int> &layers, const std::vector<torch::Tensor> &perLayer)
{
    HiddenStates h;
    h.layers = layers;
    if (perLayer.empty())
        return h;
    auto stacked = torch::stack(perLayer).to(torch::kCPU, torch::kFloat32).contiguous(); // [L,P,D]
    h.positions = int(stacked.size(1));
    h.hiddenSize = int(stacked.size(2));
    h.values.assign(stacked.data_ptr<float>(), stacked.data_ptr<float>() + stacked.numel());
    return h;
}

// Keys and values of recent prompts, found by their longest shared beginning. A position's
// identity is its token id, or for an image position the image's content hash and the place in
// its block. Least recently used entries go first when the budget is reached. (GenerateCache.cpp.)
class PrefixCache {
public:
    struct Entry {
        std::vector<std::uint64_t> ids;
        std::vector<torch::Tensor> keys, values; // per layer [kvHeads, n, headDim]
        std::int64_t bytes = 0;
        std::uint64_t lastUse = 0;
    };
    explicit PrefixCache(std::int64_t budgetBytes = 0) : m_budget(budgetBytes) {}
    bool enabled() const { return m_budget > 0; }
    // The entry sharing the longest beginning with `ids`, and that length (0: none).
    std::pair<const Entry *, std::int64_t> find(const std::vector<std::uint64_t> &ids);
    // Keeps the prompt `ids` with its keys and values (per layer [kvHeads, n, headDim]) unless
    // an entry already begins with all of it.
    void insert(const std::vector<std::uint64_t> &ids, std::vector<torch::Tensor> keys, std::vector<torch::Tensor> values);
    void clear() { m_entries.clear(); m_bytes = 0; }

private:
    std::vector<Entry> m_entries;
    std::int64_t m_budget = 0, m_bytes = 0;
    std::uint64_t m_clock = 0;
};

struct VlmRuntime::Impl {
    std::string sourceDir; // where tokenizer files come from when saving
    ModelInfo info;
    Tokenizer tokenizer;
    std::unique_ptr<VlmFamily> family; // the network, whatever its family
    LlavaModel model{nullptr};         // LLaVA only: whole-model training (Training.cpp) and save()
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32;
    int imageChunk = 16; // RuntimeOptions::imageChunk
    std::shared_ptr<DecoderIntervention> intervention; // set: every forward goes through it
    PrefixCache prefixes;

    int padId() const { return tokenizer.padId() >= 0 ? tokenizer.padId() : 0; }

    // Image tokens `image` stands for in the decoder's input (by its size, for most families).
    Expected<std::int64_t, std::string> imageTokens(const RgbImage &image) const { return family->imageTokens(image); }

    // The family's parts, for the shared code below and in the engine (GenerateEngine.h) and the trainers.
    LlamaModel decoder() const { return family->decoder(); }
    torch::Tensor logits(const torch::Tensor &hidden) const { return family->logits(hidden); }
    VisualFeatures visual(const std::vector<const RgbImage *> &images) const { return family->visual(images, imageChunk); }
    torch::Tensor positions(const torch::Tensor &ids, const torch::Tensor &mask, const std::vector<const RgbImage *> &images,
                            std::vector<std::int64_t> *next = nullptr) const
    {
        return family->positions(ids, mask, images, next);
    }
    // Token embeddings with every image-token position replaced, in row-major order, by the
    // rows of `features` [Σ tokens, D]. Throws c10::Error when the counts differ.
    torch::Tensor embed(const torch::Tensor &ids, const torch::Tensor &features) const
    {
        auto embeds = decoder()->embed_tokens(ids);
        auto mask = ids == info.config.imageTokenIndex;
        const auto n = mask.sum().item<std::int64_t>();
        const std::int64_t have = features.defined() ? features.size(0) : 0;
        TORCH_CHECK(n == have, "the prompt has ", n, " image tokens but the images give ", have, " features");
        return n > 0 ? embeds.index_put({mask}, features.to(embeds.scalar_type())) : embeds;
    }
    // The DeepStack input of a prompt forward, when the family has one.
    std::optional<DeepstackInput> deepstack(const torch::Tensor &ids, const VisualFeatures &v) const
    {
        if (v.deepstack.empty())
            return std::nullopt;
        return DeepstackInput{ids == info.config.imageTokenIndex, v.deepstack};
    }

    // The text the model reads: the chat turn through the checkpoint's template, or the raw prompt.
    Expected<std::string, std::string> promptText(const GenerationRequest &r) const
    {
        if (!r.chat)
            return r.prompt;
        return info.chatTemplate.render(*r.chat);
    }

    // The tokens of the prompt with each image token expanded to its image's tokens, as the
    // Hugging Face processor expands it. BOS is added unless the template wrote it.
    Expected<std::vector<int>, std::string> promptIds(const GenerationRequest &r) const
    {
        auto text = promptText(r);
        if (!text)
            return unexpected(text.error());
        // A template that writes bos_token itself (Llama 3, Gemma 3, …) gets it once, as the BOS id.
        const std::string bos = tokenizer.bosId() >= 0 ? tokenizer.piece(tokenizer.bosId()) : std::string();
        if (!bos.empty() && text->compare(0, bos.size(), bos) == 0)
            text->erase(0, bos.size());
        const std::vector<int> raw = tokenizer.encode(*text, true);
        const int image = int(info.config.imageTokenIndex);
        std::vector<int> ids;
        ids.reserve(raw.size());
        std::size_t images = 0;
        for (int id : raw) {
            if (info.qwen3vl && id == info.qwen3vl->videoTokenId)
                return unexpected(std::string("the prompt has a video placeholder (<|video_pad|>); video inputs are not supported"));
            if (id == image) {
                if (images < r.images.size()) {
                    auto n = imageTokens(r.images[images]);
                    if (!n)
                        return unexpected("image " + std::to_string(images + 1) + ": " + n.error());
                    ids.insert(ids.end(), std::size_t(*n), image);
                }
                ++images;
            } else {
                ids.push_back(id);
            }
        }
        if (images != r.images.size())
            return unexpected("the prompt has " + std::to_string(images) + " image placeholder(s) but "
                              + std::to_string(r.images.size()) + " image(s) were given");
        return ids;
    }

    // LLaVA's vision tower input for `images` (whole-model training): one view each (LLaVA
    // 1.5), or each image's views in order (LLaVA-NeXT) → [views, 3, S, S].
    torch::Tensor pixels(const std::vector<const RgbImage *> &images)
    {
        std::vector<torch::Tensor> list;
        for (const RgbImage *img : images)
            list.push_back(llavaViews(*img, info.config, info.preprocessor));
        if (list.empty())
            return {};
        return torch::cat(list, 0).to(device, dtype);
    }

    // Image-token rows per request row, from the images of each row in order.
    std::vector<std::int64_t> tokensPerRow(const std::vector<const RgbImage *> &images, const std::vector<int> &imagesPerRow) const
    {
        std::vector<std::int64_t> out;
        std::size_t next = 0;
        for (const int n : imagesPerRow) {
            std::int64_t tokens = 0;
            for (int i = 0; i < n && next < images.size(); ++i) {
                auto t = imageTokens(*images[next++]); // checked when the prompt's ids were made
                tokens += t ? *t : 0;
            }
            out.push_back(tokens);
        }
        return out;
    }

    // The intervention's inputs for a prompt forward: the last promptPositions() positions
    // before `promptEnd` that `mask` [B,T] keeps, and each row's pooled visual tokens.
    InterventionInput interventionInput(const torch::Tensor &mask, std::int64_t promptEnd, const torch::Tensor &features,
                                        const std::vector<std::int64_t> &tokensPerRow) const
    {
        InterventionInput in;
        in.intervention = intervention.get();
        const auto T = mask.size(1);
        auto at = torch::arange(T, mask.options()).unsqueeze(0);
        const std::int64_t from = promptEnd - intervention->promptPositions();
        auto window = (at >= from) & (at < promptEnd);
        auto after = at >= promptEnd; // continuation positions (teacher forcing)
        in.edit = ((window | after) & (mask != 0)).to(dtype);
        in.visual = LlavaModelImpl::pooledPerRow(features, tokensPerRow, info.config.text.hiddenSize,
                                                 torch::TensorOptions().dtype(dtype).device(device));
        return in;
    }

    // The projected features of `images`, one row per image token in order: [Σ image tokens, D].
    torch::Tensor features(const std::vector<const RgbImage *> &images) const { return visual(images).features; }
};

// How the model library's own training code (Training.cpp, StudentTrainer.cpp) and its
// white-box tests reach a runtime's internals: VlmRuntime::impl is private.
struct RuntimeAccess {
    static VlmRuntime::Impl &impl(VlmRuntime &runtime) { return *runtime.d; }
};

} // namespace sdrt::model
