#include "sdrt/model/Qwen3Vl.h"

#include "ConfigFields.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace sdrt::model {
namespace {

using Json = nlohmann::json;

// text_config's rope_scaling (transformers 4.57) or rope_parameters (5.x, with rope_theta
// inside): the default rope type with the interleaved mrope_section.
Expected<void, std::string> readRope(const Json &t, Qwen3VlTextConfig &text)
{
    for (const char *key : {"rope_scaling", "rope_parameters"}) {
        if (!hasField(t, key))
            continue;
        const Json &r = t[key];
        const std::string where = std::string("text_config.") + key + ".";
        if (!r.is_object())
            return unexpected(where.substr(0, where.size() - 1) + " must be an object");
        std::string ropeType = "default";
        readField(r, "rope_type", ropeType, where);
        readField(r, "type", ropeType, where);
        if (ropeType != "default")
            return unexpected(where + "rope_type \"" + ropeType + "\" is not supported (the checkpoints use \"default\" with mrope_section)");
        readField(r, "rope_theta", text.ropeTheta, where);
        if (r.contains("mrope_section")) {
            const Json &s = r["mrope_section"];
            if (!s.is_array() || s.size() != 3 || !std::all_of(s.begin(), s.end(), [](const Json &x) { return x.is_number_integer(); }))
                return unexpected(where + "mrope_section must be three whole numbers (time, height, width)");
            text.mropeSection = {s[0].get<int>(), s[1].get<int>(), s[2].get<int>()};
        }
    }
    return {};
}

// text_config: its model_type checked, its fields, its rotary embedding.
Expected<Qwen3VlTextConfig, std::string> qwen3VlTextFrom(const Json &t)
{
    std::string textType = "qwen3_vl_text";
    readField(t, "model_type", textType, "text_config.");
    if (textType != "qwen3_vl_text")
        return unexpected("text_config.model_type \"" + textType + "\" is not qwen3_vl_text");
    Qwen3VlTextConfig text;
    qwen3VlTextFields(text, FieldReader{t, "text_config."});
    if (!hasField(t, "num_key_value_heads"))
        text.numKvHeads = text.numHeads; // None means as many as the heads
    if (auto r = readRope(t, text); !r)
        return unexpected(r.error());
    return text;
}

// config.json's fields into `c`, then its checks (validate).
Expected<void, std::string> readQwen3VlConfig(Json &j, Qwen3VlConfig &c)
{
    std::string type;
    readField(j, "model_type", type, "");
    if (type == "qwen3_vl_moe")
        return unexpected(std::string("model_type \"qwen3_vl_moe\" (Qwen3-VL with mixture-of-experts layers) is not supported; "
                                      "the dense Qwen3-VL (qwen3_vl) is"));
    if (type != "qwen3_vl")
        return unexpected("model_type \"" + type + "\" is not Qwen3-VL (qwen3_vl)");
    if (!j.contains("text_config") || !j["text_config"].is_object() || !j.contains("vision_config") || !j["vision_config"].is_object())
        return unexpected(std::string("a Qwen3-VL config needs text_config and vision_config objects"));
    auto text = qwen3VlTextFrom(j["text_config"]);
    if (!text)
        return unexpected(text.error());
    c.text = *text;
    qwen3VlVisionFields(c.vision, FieldReader{j["vision_config"], "vision_config."});
    qwen3VlTopFields(c, FieldReader{j, ""});
    return validate(c);
}

// preprocessor_config.json's fields into `p`: the Qwen2-VL image processor, its pixel limits
// (size or min_pixels/max_pixels), bicubic resampling and an RGB mean and std.
Expected<void, std::string> readQwen3VlProcessorConfig(Json &j, Qwen3VlProcessorConfig &p)
{
    readField(j, "image_processor_type", p.processorType, "");
    if (p.processorType != "Qwen2VLImageProcessor" && p.processorType != "Qwen2VLImageProcessorFast")
        return unexpected("image_processor_type \"" + p.processorType
                          + "\" is not the Qwen2-VL image processor that Qwen3-VL uses (Qwen2VLImageProcessor)");
    qwen2VlProcessorFields(p, FieldReader{j, ""});
    if (j.contains("size") && j["size"].is_object()) {
        const Json &s = j["size"];
        if (!s.contains("shortest_edge") || !s.contains("longest_edge"))
            return unexpected(std::string("size must have shortest_edge and longest_edge (the smallest and largest pixel counts)"));
        readField(s, "shortest_edge", p.minPixels, "size.");
        readField(s, "longest_edge", p.maxPixels, "size.");
    }
    readField(j, "min_pixels", p.minPixels, "");
    readField(j, "max_pixels", p.maxPixels, "");
    int resample = 3;
    readField(j, "resample", resample, "");
    if (resample != 3)
        return unexpected("resample " + std::to_string(resample) + " is not supported (3: bicubic, as the checkpoints set)");
    std::vector<double> mean(p.mean.begin(), p.mean.end()), std(p.std.begin(), p.std.end());
    readField(j, "image_mean", mean, "");
    readField(j, "image_std", std, "");
    if (mean.size() != 3 || std.size() != 3)
        return unexpected(std::string("image_mean and image_std must have three values (RGB)"));
    std::copy(mean.begin(), mean.end(), p.mean.begin());
    std::copy(std.begin(), std.end(), p.std.begin());
    if (j.contains("do_convert_rgb") && j["do_convert_rgb"].is_boolean() && !j["do_convert_rgb"].get<bool>())
        return unexpected(std::string("do_convert_rgb false is not supported (images are read as RGB)"));
    if (p.patchSize <= 0 || p.mergeSize <= 0 || p.temporalPatchSize <= 0)
        return unexpected(std::string("patch_size, merge_size and temporal_patch_size must be positive"));
    if (p.minPixels <= 0 || p.maxPixels < p.minPixels)
        return unexpected(std::string("the pixel limits must satisfy 0 < min_pixels (size.shortest_edge) <= max_pixels (size.longest_edge)"));
    if (std::any_of(p.std.begin(), p.std.end(), [](double s) { return s == 0; }))
        return unexpected(std::string("image_std must not be zero"));
    return {};
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
    return readConfigFile<Qwen3VlConfig>(path, readQwen3VlConfig);
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
    qwen3VlTopFields(c, FieldWriter{j});
    nlohmann::ordered_json text;
    text["model_type"] = "qwen3_vl_text";
    qwen3VlTextFields(c.text, FieldWriter{text});
    text["rope_scaling"] = {{"rope_type", "default"}, {"mrope_section", c.text.mropeSection}, {"mrope_interleaved", true}};
    j["text_config"] = text;
    nlohmann::ordered_json vision;
    vision["model_type"] = "qwen3_vl";
    qwen3VlVisionFields(c.vision, FieldWriter{vision});
    j["vision_config"] = vision;
    return j.dump(2) + "\n";
}

Expected<Qwen3VlProcessorConfig, std::string> loadQwen3VlProcessorConfig(const std::string &path)
{
    return readConfigFile<Qwen3VlProcessorConfig>(path, readQwen3VlProcessorConfig);
}

std::string qwen3VlProcessorConfigJson(const Qwen3VlProcessorConfig &p)
{
    nlohmann::ordered_json j;
    j["image_processor_type"] = p.processorType;
    j["processor_class"] = "Qwen3VLProcessor";
    qwen2VlProcessorFields(p, FieldWriter{j});
    j["size"] = {{"shortest_edge", p.minPixels}, {"longest_edge", p.maxPixels}};
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
