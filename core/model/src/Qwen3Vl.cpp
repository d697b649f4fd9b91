#include "sdrt/model/Qwen3Vl.h"

#include "JsonFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace sdrt::model {
namespace {

using Json = nlohmann::json;

// Reads `key` when present and not null; a value of the wrong type throws with the key's path.
template <typename T>
void get(const Json &j, const char *key, T &out, const std::string &where)
{
    if (!j.contains(key) || j[key].is_null())
        return;
    try {
        out = j[key].get<T>();
    } catch (const std::exception &) {
        throw std::runtime_error(where + key + " has the wrong type (" + std::string(j[key].type_name()) + ")");
    }
}

} // namespace

int Qwen3VlVisionConfig::positionGridSide() const
{
    return int(std::lround(std::sqrt(double(numPositionEmbeddings))));
}

std::int64_t Qwen3VlConfig::parameterCount() const
{
    const std::int64_t Dv = vision.hiddenSize, Iv = vision.intermediateSize, Do = vision.outHiddenSize;
    const std::int64_t m2 = std::int64_t(vision.spatialMergeSize) * vision.spatialMergeSize;
    const std::int64_t patchIn = std::int64_t(vision.inChannels) * vision.temporalPatchSize * vision.patchSize * vision.patchSize;
    std::int64_t n = Dv * patchIn + Dv + std::int64_t(vision.numPositionEmbeddings) * Dv;
    const std::int64_t block = 4 * Dv + (3 * Dv * Dv + 3 * Dv) + (Dv * Dv + Dv) + (Iv * Dv + Iv) + (Dv * Iv + Dv);
    n += vision.depth * block;
    const std::int64_t merged = m2 * Dv;
    const std::int64_t mergerLinears = (merged * merged + merged) + (Do * merged + Do);
    n += 2 * Dv + mergerLinears;
    n += std::int64_t(vision.deepstackVisualIndexes.size()) * (2 * merged + mergerLinears);
    const std::int64_t D = text.hiddenSize, hd = text.headDim, I = text.intermediateSize;
    const std::int64_t q = std::int64_t(text.numHeads) * hd, kv = std::int64_t(text.numKvHeads) * hd;
    std::int64_t layer = 2 * D + q * D + 2 * kv * D + D * q + 2 * hd + 3 * I * D;
    if (text.attentionBias)
        layer += q + 2 * kv + D;
    n += std::int64_t(text.vocabSize) * D + text.numLayers * layer + D;
    if (!tied())
        n += std::int64_t(text.vocabSize) * D;
    return n;
}

std::int64_t qwen3VlWeightBytes(const Qwen3VlConfig &c, const std::string &dtype)
{
    return c.parameterCount() * (dtype == "fp32" ? 4 : 2);
}

Expected<Qwen3VlConfig, std::string> loadQwen3VlConfig(const std::string &path)
{
    auto j = readJsonObject(path);
    if (!j)
        return unexpected(j.error());
    Qwen3VlConfig c;
    try {
        std::string type;
        get(*j, "model_type", type, "");
        if (type == "qwen3_vl_moe")
            return unexpected(path + ": model_type \"qwen3_vl_moe\" (Qwen3-VL with mixture-of-experts layers) is not supported; "
                                     "the dense Qwen3-VL (qwen3_vl) is");
        if (type != "qwen3_vl")
            return unexpected(path + ": model_type \"" + type + "\" is not Qwen3-VL (qwen3_vl)");
        if (!j->contains("text_config") || !(*j)["text_config"].is_object() || !j->contains("vision_config")
            || !(*j)["vision_config"].is_object())
            return unexpected(path + ": a Qwen3-VL config needs text_config and vision_config objects");
        const Json &t = (*j)["text_config"];
        std::string textType = "qwen3_vl_text";
        get(t, "model_type", textType, "text_config.");
        if (textType != "qwen3_vl_text")
            return unexpected(path + ": text_config.model_type \"" + textType + "\" is not qwen3_vl_text");
        get(t, "vocab_size", c.text.vocabSize, "text_config.");
        get(t, "hidden_size", c.text.hiddenSize, "text_config.");
        get(t, "intermediate_size", c.text.intermediateSize, "text_config.");
        get(t, "num_hidden_layers", c.text.numLayers, "text_config.");
        get(t, "num_attention_heads", c.text.numHeads, "text_config.");
        c.text.numKvHeads = c.text.numHeads; // None means as many as the heads
        get(t, "num_key_value_heads", c.text.numKvHeads, "text_config.");
        get(t, "head_dim", c.text.headDim, "text_config.");
        get(t, "rms_norm_eps", c.text.rmsNormEps, "text_config.");
        get(t, "max_position_embeddings", c.text.maxPositionEmbeddings, "text_config.");
        get(t, "attention_bias", c.text.attentionBias, "text_config.");
        get(t, "tie_word_embeddings", c.text.tieWordEmbeddings, "text_config.");
        get(t, "hidden_act", c.text.hiddenAct, "text_config.");
        get(t, "rope_theta", c.text.ropeTheta, "text_config.");
        // transformers 4.57 writes rope_scaling; 5.x rope_parameters (with rope_theta inside).
        for (const char *key : {"rope_scaling", "rope_parameters"}) {
            if (!t.contains(key) || t[key].is_null())
                continue;
            const Json &r = t[key];
            const std::string where = std::string("text_config.") + key + ".";
            if (!r.is_object())
                return unexpected(path + ": " + where.substr(0, where.size() - 1) + " must be an object");
            std::string ropeType = "default";
            get(r, "rope_type", ropeType, where);
            get(r, "type", ropeType, where);
            if (ropeType != "default")
                return unexpected(path + ": " + where + "rope_type \"" + ropeType
                                  + "\" is not supported (the checkpoints use \"default\" with mrope_section)");
            get(r, "rope_theta", c.text.ropeTheta, where);
            if (r.contains("mrope_section")) {
                const Json &s = r["mrope_section"];
                if (!s.is_array() || s.size() != 3 || !std::all_of(s.begin(), s.end(), [](const Json &x) { return x.is_number_integer(); }))
                    return unexpected(path + ": " + where + "mrope_section must be three whole numbers (time, height, width)");
                c.text.mropeSection = {s[0].get<int>(), s[1].get<int>(), s[2].get<int>()};
            }
        }
        const Json &v = (*j)["vision_config"];
        get(v, "depth", c.vision.depth, "vision_config.");
        get(v, "hidden_size", c.vision.hiddenSize, "vision_config.");
        get(v, "intermediate_size", c.vision.intermediateSize, "vision_config.");
        get(v, "num_heads", c.vision.numHeads, "vision_config.");
        get(v, "in_channels", c.vision.inChannels, "vision_config.");
        get(v, "patch_size", c.vision.patchSize, "vision_config.");
        get(v, "spatial_merge_size", c.vision.spatialMergeSize, "vision_config.");
        get(v, "temporal_patch_size", c.vision.temporalPatchSize, "vision_config.");
        get(v, "out_hidden_size", c.vision.outHiddenSize, "vision_config.");
        get(v, "num_position_embeddings", c.vision.numPositionEmbeddings, "vision_config.");
        get(v, "deepstack_visual_indexes", c.vision.deepstackVisualIndexes, "vision_config.");
        get(v, "hidden_act", c.vision.hiddenAct, "vision_config.");
        get(*j, "image_token_id", c.imageTokenId, "");
        get(*j, "video_token_id", c.videoTokenId, "");
        get(*j, "vision_start_token_id", c.visionStartTokenId, "");
        get(*j, "vision_end_token_id", c.visionEndTokenId, "");
        get(*j, "tie_word_embeddings", c.tieWordEmbeddings, "");
    } catch (const std::exception &e) {
        return unexpected(path + ": " + e.what());
    }
    if (auto r = validate(c); !r)
        return unexpected(path + ": " + r.error());
    return c;
}

Expected<void, std::string> validate(const Qwen3VlConfig &c)
{
    const auto &t = c.text;
    const auto &v = c.vision;
    auto positive = [](int x) { return x > 0; };
    if (!positive(t.vocabSize) || !positive(t.hiddenSize) || !positive(t.intermediateSize) || !positive(t.numLayers) || !positive(t.numHeads)
        || !positive(t.numKvHeads) || !positive(t.headDim))
        return unexpected(std::string("text_config: vocab_size, hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, "
                                      "num_key_value_heads and head_dim must be positive"));
    if (t.numHeads % t.numKvHeads != 0)
        return unexpected(std::string("text_config.num_attention_heads must be a multiple of num_key_value_heads"));
    if (t.headDim % 2 != 0)
        return unexpected(std::string("text_config.head_dim must be even for rotary embeddings"));
    if (t.mropeSection[0] < 0 || t.mropeSection[1] < 0 || t.mropeSection[2] < 0
        || t.mropeSection[0] + t.mropeSection[1] + t.mropeSection[2] != t.headDim / 2)
        return unexpected("text_config mrope_section [" + std::to_string(t.mropeSection[0]) + ", " + std::to_string(t.mropeSection[1]) + ", "
                          + std::to_string(t.mropeSection[2]) + "] must add up to head_dim / 2 = " + std::to_string(t.headDim / 2));
    // Height takes frequencies 1, 4, …, 3·section[1] - 2; width 2, 5, …, 3·section[2] - 1.
    if ((t.mropeSection[1] > 0 && 3 * t.mropeSection[1] - 2 >= t.headDim / 2) || (t.mropeSection[2] > 0 && 3 * t.mropeSection[2] - 1 >= t.headDim / 2))
        return unexpected(std::string("text_config mrope_section: the interleaved height and width frequencies do not fit in head_dim / 2"));
    if (t.hiddenAct != "silu")
        return unexpected("text_config.hidden_act \"" + t.hiddenAct + "\" is not supported (silu)");
    if (t.ropeTheta <= 0 || t.rmsNormEps <= 0 || t.maxPositionEmbeddings <= 0)
        return unexpected(std::string("text_config: rope_theta, rms_norm_eps and max_position_embeddings must be positive"));
    if (!positive(v.depth) || !positive(v.hiddenSize) || !positive(v.intermediateSize) || !positive(v.numHeads) || !positive(v.patchSize)
        || !positive(v.spatialMergeSize) || !positive(v.temporalPatchSize) || !positive(v.outHiddenSize) || !positive(v.numPositionEmbeddings))
        return unexpected(std::string("vision_config: depth, hidden_size, intermediate_size, num_heads, patch_size, spatial_merge_size, "
                                      "temporal_patch_size, out_hidden_size and num_position_embeddings must be positive"));
    if (v.inChannels != 3)
        return unexpected("vision_config.in_channels " + std::to_string(v.inChannels) + " is not supported (3: RGB)");
    if (v.hiddenSize % v.numHeads != 0 || v.headDim() % 4 != 0)
        return unexpected(std::string("vision_config.hidden_size / num_heads must be a multiple of 4 (two rotary axes of even size)"));
    const int side = v.positionGridSide();
    if (side * side != v.numPositionEmbeddings)
        return unexpected("vision_config.num_position_embeddings " + std::to_string(v.numPositionEmbeddings) + " is not a square (a grid of "
                          "learned positions)");
    if (v.outHiddenSize != t.hiddenSize)
        return unexpected("vision_config.out_hidden_size " + std::to_string(v.outHiddenSize) + " must equal text_config.hidden_size "
                          + std::to_string(t.hiddenSize));
    if (v.hiddenAct != "gelu_pytorch_tanh" && v.hiddenAct != "gelu" && v.hiddenAct != "silu" && v.hiddenAct != "quick_gelu")
        return unexpected("vision_config.hidden_act \"" + v.hiddenAct + "\" is not supported");
    for (std::size_t i = 0; i < v.deepstackVisualIndexes.size(); ++i) {
        const int k = v.deepstackVisualIndexes[i];
        if (k < 0 || k >= v.depth)
            return unexpected("vision_config.deepstack_visual_indexes: " + std::to_string(k) + " is not a vision block (0.."
                              + std::to_string(v.depth - 1) + ")");
        if (i > 0 && k <= v.deepstackVisualIndexes[i - 1])
            return unexpected(std::string("vision_config.deepstack_visual_indexes must be increasing"));
    }
    if (int(v.deepstackVisualIndexes.size()) > t.numLayers)
        return unexpected(std::string("vision_config.deepstack_visual_indexes has more entries than the decoder has layers"));
    for (const auto &[name, id] : {std::pair<const char *, std::int64_t>{"image_token_id", c.imageTokenId}, {"video_token_id", c.videoTokenId},
                                   {"vision_start_token_id", c.visionStartTokenId}, {"vision_end_token_id", c.visionEndTokenId}}) {
        if (id < 0 || id >= t.vocabSize)
            return unexpected(std::string(name) + " " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(t.vocabSize));
    }
    return {};
}

std::string qwen3VlConfigJson(const Qwen3VlConfig &c)
{
    nlohmann::ordered_json j;
    j["architectures"] = {"Qwen3VLForConditionalGeneration"};
    j["model_type"] = "qwen3_vl";
    j["image_token_id"] = c.imageTokenId;
    j["video_token_id"] = c.videoTokenId;
    j["vision_start_token_id"] = c.visionStartTokenId;
    j["vision_end_token_id"] = c.visionEndTokenId;
    j["tie_word_embeddings"] = c.tieWordEmbeddings;
    const auto &t = c.text;
    j["text_config"] = {{"model_type", "qwen3_vl_text"},
                        {"vocab_size", t.vocabSize},
                        {"hidden_size", t.hiddenSize},
                        {"intermediate_size", t.intermediateSize},
                        {"num_hidden_layers", t.numLayers},
                        {"num_attention_heads", t.numHeads},
                        {"num_key_value_heads", t.numKvHeads},
                        {"head_dim", t.headDim},
                        {"hidden_act", t.hiddenAct},
                        {"max_position_embeddings", t.maxPositionEmbeddings},
                        {"rms_norm_eps", t.rmsNormEps},
                        {"rope_theta", t.ropeTheta},
                        {"rope_scaling", {{"rope_type", "default"}, {"mrope_section", t.mropeSection}, {"mrope_interleaved", true}}},
                        {"attention_bias", t.attentionBias},
                        {"tie_word_embeddings", t.tieWordEmbeddings}};
    const auto &v = c.vision;
    j["vision_config"] = {{"model_type", "qwen3_vl"},
                          {"depth", v.depth},
                          {"hidden_size", v.hiddenSize},
                          {"intermediate_size", v.intermediateSize},
                          {"num_heads", v.numHeads},
                          {"in_channels", v.inChannels},
                          {"patch_size", v.patchSize},
                          {"spatial_merge_size", v.spatialMergeSize},
                          {"temporal_patch_size", v.temporalPatchSize},
                          {"out_hidden_size", v.outHiddenSize},
                          {"num_position_embeddings", v.numPositionEmbeddings},
                          {"deepstack_visual_indexes", v.deepstackVisualIndexes},
                          {"hidden_act", v.hiddenAct}};
    return j.dump(2) + "\n";
}

Expected<Qwen3VlProcessorConfig, std::string> loadQwen3VlProcessorConfig(const std::string &path)
{
    auto j = readJsonObject(path);
    if (!j)
        return unexpected(j.error());
    Qwen3VlProcessorConfig p;
    try {
        get(*j, "image_processor_type", p.processorType, "");
        if (p.processorType != "Qwen2VLImageProcessor" && p.processorType != "Qwen2VLImageProcessorFast")
            return unexpected(path + ": image_processor_type \"" + p.processorType
                              + "\" is not the Qwen2-VL image processor that Qwen3-VL uses (Qwen2VLImageProcessor)");
        get(*j, "patch_size", p.patchSize, "");
        get(*j, "temporal_patch_size", p.temporalPatchSize, "");
        get(*j, "merge_size", p.mergeSize, "");
        if (j->contains("size") && (*j)["size"].is_object()) {
            const Json &s = (*j)["size"];
            if (!s.contains("shortest_edge") || !s.contains("longest_edge"))
                return unexpected(path + ": size must have shortest_edge and longest_edge (the smallest and largest pixel counts)");
            get(s, "shortest_edge", p.minPixels, "size.");
            get(s, "longest_edge", p.maxPixels, "size.");
        }
        get(*j, "min_pixels", p.minPixels, "");
        get(*j, "max_pixels", p.maxPixels, "");
        get(*j, "do_resize", p.doResize, "");
        get(*j, "do_rescale", p.doRescale, "");
        get(*j, "do_normalize", p.doNormalize, "");
        get(*j, "rescale_factor", p.rescaleFactor, "");
        int resample = 3;
        get(*j, "resample", resample, "");
        if (resample != 3)
            return unexpected(path + ": resample " + std::to_string(resample) + " is not supported (3: bicubic, as the checkpoints set)");
        std::vector<double> mean(p.mean.begin(), p.mean.end()), std(p.std.begin(), p.std.end());
        get(*j, "image_mean", mean, "");
        get(*j, "image_std", std, "");
        if (mean.size() != 3 || std.size() != 3)
            return unexpected(path + ": image_mean and image_std must have three values (RGB)");
        std::copy(mean.begin(), mean.end(), p.mean.begin());
        std::copy(std.begin(), std.end(), p.std.begin());
        if (j->contains("do_convert_rgb") && (*j)["do_convert_rgb"].is_boolean() && !(*j)["do_convert_rgb"].get<bool>())
            return unexpected(path + ": do_convert_rgb false is not supported (images are read as RGB)");
    } catch (const std::exception &e) {
        return unexpected(path + ": " + e.what());
    }
    if (p.patchSize <= 0 || p.mergeSize <= 0 || p.temporalPatchSize <= 0)
        return unexpected(path + ": patch_size, merge_size and temporal_patch_size must be positive");
    if (p.minPixels <= 0 || p.maxPixels < p.minPixels)
        return unexpected(path + ": the pixel limits must satisfy 0 < min_pixels (size.shortest_edge) <= max_pixels (size.longest_edge)");
    if (std::any_of(p.std.begin(), p.std.end(), [](double s) { return s == 0; }))
        return unexpected(path + ": image_std must not be zero");
    return p;
}

std::string qwen3VlProcessorConfigJson(const Qwen3VlProcessorConfig &p)
{
    nlohmann::ordered_json j;
    j["image_processor_type"] = p.processorType;
    j["processor_class"] = "Qwen3VLProcessor";
    j["patch_size"] = p.patchSize;
    j["temporal_patch_size"] = p.temporalPatchSize;
    j["merge_size"] = p.mergeSize;
    j["size"] = {{"shortest_edge", p.minPixels}, {"longest_edge", p.maxPixels}};
    j["do_resize"] = p.doResize;
    j["do_rescale"] = p.doRescale;
    j["rescale_factor"] = p.rescaleFactor;
    j["do_normalize"] = p.doNormalize;
    j["image_mean"] = p.mean;
    j["image_std"] = p.std;
    j["resample"] = 3;
    j["do_convert_rgb"] = true;
    return j.dump(2) + "\n";
}

Qwen3VlProcessorConfig defaultQwen3VlProcessor(const Qwen3VlConfig &c)
{
    Qwen3VlProcessorConfig p;
    p.patchSize = c.vision.patchSize;
    p.temporalPatchSize = c.vision.temporalPatchSize;
    p.mergeSize = c.vision.spatialMergeSize;
    p.minPixels = 65536;
    p.maxPixels = 16777216;
    p.mean = {0.5, 0.5, 0.5};
    p.std = {0.5, 0.5, 0.5};
    return p;
}

Expected<void, std::string> checkProcessorFits(const Qwen3VlProcessorConfig &p, const Qwen3VlConfig &c)
{
    if (p.patchSize != c.vision.patchSize || p.temporalPatchSize != c.vision.temporalPatchSize || p.mergeSize != c.vision.spatialMergeSize)
        return unexpected("the image processor cuts " + std::to_string(p.patchSize) + "-pixel patches, " + std::to_string(p.temporalPatchSize)
                          + " frames, merged " + std::to_string(p.mergeSize) + "x" + std::to_string(p.mergeSize) + ", but the vision tower takes "
                          + std::to_string(c.vision.patchSize) + ", " + std::to_string(c.vision.temporalPatchSize) + " and "
                          + std::to_string(c.vision.spatialMergeSize));
    return {};
}

Expected<PixelSize, std::string> smartResize(int height, int width, int factor, std::int64_t minPixels, std::int64_t maxPixels)
{
    if (height <= 0 || width <= 0)
        return unexpected("an image of " + std::to_string(width) + "x" + std::to_string(height) + " pixels has nothing to resize");
    if (double(std::max(height, width)) / double(std::min(height, width)) > 200.0)
        return unexpected("an image of " + std::to_string(width) + "x" + std::to_string(height)
                          + " pixels is refused: its aspect ratio is over 200 (the image processor's limit)");
    // Python's round() rounds halves to even, as nearbyint does in the default rounding mode.
    std::int64_t h = std::int64_t(std::nearbyint(double(height) / factor)) * factor;
    std::int64_t w = std::int64_t(std::nearbyint(double(width) / factor)) * factor;
    const double area = double(height) * double(width);
    if (h * w > maxPixels) {
        const double beta = std::sqrt(area / double(maxPixels));
        h = std::max<std::int64_t>(factor, std::int64_t(std::floor(double(height) / beta / factor)) * factor);
        w = std::max<std::int64_t>(factor, std::int64_t(std::floor(double(width) / beta / factor)) * factor);
    } else if (h * w < minPixels) {
        const double beta = std::sqrt(double(minPixels) / area);
        h = std::int64_t(std::ceil(double(height) * beta / factor)) * factor;
        w = std::int64_t(std::ceil(double(width) * beta / factor)) * factor;
    }
    return PixelSize{int(h), int(w)};
}

Expected<ImageGridThw, std::string> imageGrid(const Qwen3VlProcessorConfig &p, int height, int width)
{
    PixelSize size{height, width};
    if (p.doResize) {
        auto r = smartResize(height, width, p.factor(), p.minPixels, p.maxPixels);
        if (!r)
            return unexpected(r.error());
        size = *r;
    } else if (height % p.factor() != 0 || width % p.factor() != 0) {
        return unexpected("with do_resize false, an image's sides must be multiples of " + std::to_string(p.factor()) + " pixels");
    }
    return ImageGridThw{1, size.height / p.patchSize, size.width / p.patchSize};
}

std::int64_t imageTokens(const ImageGridThw &g, int mergeSize)
{
    return g.patches() / (std::int64_t(mergeSize) * mergeSize);
}

Expected<MropePositions, std::string> ropeIndex(const std::vector<int> &ids, const std::vector<ImageGridThw> &grids, std::int64_t imageTokenId,
                                                int mergeSize)
{
    MropePositions out;
    for (auto &a : out.axes)
        a.reserve(ids.size());
    std::size_t image = 0;
    std::int64_t next = 0;
    for (std::size_t i = 0; i < ids.size();) {
        if (ids[i] != imageTokenId) {
            for (auto &a : out.axes)
                a.push_back(next);
            ++next;
            ++i;
            continue;
        }
        if (image >= grids.size())
            return unexpected("the prompt has more image blocks than the " + std::to_string(grids.size()) + " image(s) given");
        const ImageGridThw &g = grids[image];
        const std::int64_t gh = g.h / mergeSize, gw = g.w / mergeSize;
        const std::int64_t tokens = std::int64_t(g.t) * gh * gw;
        std::size_t run = 0;
        while (i + run < ids.size() && ids[i + run] == imageTokenId && std::int64_t(run) < tokens)
            ++run;
        if (std::int64_t(run) != tokens)
            return unexpected("image " + std::to_string(image + 1) + " has " + std::to_string(run) + " image tokens in the prompt but its grid ("
                              + std::to_string(g.t) + " x " + std::to_string(g.h) + " x " + std::to_string(g.w) + " patches) needs "
                              + std::to_string(tokens));
        const std::int64_t s = next;
        for (std::int64_t t = 0; t < g.t; ++t)
            for (std::int64_t r = 0; r < gh; ++r)
                for (std::int64_t col = 0; col < gw; ++col) {
                    out.axes[0].push_back(s + t);
                    out.axes[1].push_back(s + r);
                    out.axes[2].push_back(s + col);
                }
        next = s + std::max<std::int64_t>({g.t, gh, gw}); // the block's largest position + 1
        i += run;
        ++image;
    }
    if (image != grids.size())
        return unexpected("the prompt has " + std::to_string(image) + " image block(s) but " + std::to_string(grids.size())
                          + " image(s) were given");
    out.next = next;
    return out;
}

std::vector<int> mropeAxes(int headDim, const std::array<int, 3> &section)
{
    std::vector<int> axes(std::size_t(headDim / 2), 0);
    for (int i = 0; i < headDim / 2; ++i) {
        if (i < 3 * section[1] && i % 3 == 1)
            axes[std::size_t(i)] = 1;
        else if (i < 3 * section[2] && i % 3 == 2)
            axes[std::size_t(i)] = 2;
    }
    return axes;
}

} // namespace sdrt::model
