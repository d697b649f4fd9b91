#include "sdrt/model/ModelConfig.h"

#include "sdrt/common/FileWriter.h"

#include "sdrt/model/ImageGrid.h"

#include "JsonFile.h"

#include <nlohmann/json.hpp>


namespace sdrt::model {
namespace {

template <typename T>
void get(const nlohmann::json &j, const char *key, T &out)
{
    if (j.contains(key) && !j[key].is_null())
        out = j[key].get<T>();
}

// A list of [height, width] pairs (image_grid_pinpoints).
std::vector<GridPinpoint> pinpointsFrom(const nlohmann::json &j)
{
    std::vector<GridPinpoint> out;
    if (!j.is_array())
        throw std::runtime_error("image_grid_pinpoints must be a list of [height, width] pairs");
    for (const auto &p : j) {
        if (!p.is_array() || p.size() != 2 || !p[0].is_number_integer() || !p[1].is_number_integer())
            throw std::runtime_error("image_grid_pinpoints must be a list of [height, width] pairs");
        out.push_back({p[0].get<int>(), p[1].get<int>()});
    }
    return out;
}

} // namespace

TextConfig textConfigDefaults(const std::string &modelType)
{
    TextConfig t; // LlamaConfig
    t.modelType = modelType;
    if (modelType == "mistral") {
        t.intermediateSize = 14336;
        t.numKvHeads = 8;
        t.maxPositionEmbeddings = 4096 * 32;
        t.slidingWindow = 4096;
    }
    return t;
}

int LlavaConfig::viewTokens() const
{
    return vision.numPatches() + (visionFeatureSelectStrategy == "full" ? 1 : 0);
}

int LlavaConfig::imageTokens(int height, int width) const
{
    if (!anyres())
        return viewTokens();
    return anyresLayout(*this, height, width).tokens();
}

std::int64_t LlavaConfig::parameterCount() const
{
    const std::int64_t vh = vision.hiddenSize, vi = vision.intermediateSize;
    const std::int64_t visionLayer = 4 * (vh * vh + vh) + 2 * (2 * vh) + (vh * vi + vi) + (vi * vh + vh);
    const std::int64_t visionEmbed = vh + std::int64_t(vision.numChannels) * vision.patchSize * vision.patchSize * vh
                                     + (vision.numPatches() + 1) * vh;
    const std::int64_t visionTotal = visionEmbed + 2 * vh /* pre_layrnorm */ + vision.numLayers * visionLayer + 2 * vh /* post_layernorm */;
    const std::int64_t th = text.hiddenSize, ti = text.intermediateSize;
    const std::int64_t q = std::int64_t(text.numHeads) * text.headDim(), kv = std::int64_t(text.numKvHeads) * text.headDim();
    const std::int64_t textLayer = th * q + 2 * th * kv + q * th + 3 * th * ti + 2 * th;
    const std::int64_t embed = std::int64_t(text.vocabSize) * th;
    const std::int64_t textTotal = embed * (text.tieWordEmbeddings ? 1 : 2) + text.numLayers * textLayer + th;
    const std::int64_t projector = (vh * th + (projectorBias ? th : 0)) + (th * th + (projectorBias ? th : 0));
    return visionTotal + projector + textTotal + (anyres() ? th : 0);
}

Expected<LlavaConfig, std::string> loadLlavaConfig(const std::string &path)
{
    auto j = readJsonObject(path);
    if (!j)
        return unexpected(j.error());
    LlavaConfig c;
    try {
        if (!j->contains("vision_config") || !j->contains("text_config"))
            return unexpected(path + ": not a LLaVA config (vision_config and text_config are required)");
        get(*j, "model_type", c.modelType);
        if (!j->contains("model_type") && j->contains("image_grid_pinpoints"))
            c.modelType = "llava_next";
        if (c.modelType != "llava" && c.modelType != "llava_next")
            return unexpected(path + ": model_type \"" + c.modelType
                              + "\" is not one this runtime runs (llava: LLaVA 1.5, llava_next: LLaVA-NeXT / 1.6)");
        const auto &v = (*j)["vision_config"];
        std::string visionType = "clip_vision_model";
        get(v, "model_type", visionType);
        if (visionType != "clip_vision_model")
            return unexpected(path + ": vision_config.model_type \"" + visionType + "\" is not supported (clip_vision_model)");
        c.vision = VisionConfig{768, 3072, 12, 12, 224, 32, 3, 1e-5, "quick_gelu"}; // CLIPVisionConfig's defaults
        get(v, "hidden_size", c.vision.hiddenSize);
        get(v, "intermediate_size", c.vision.intermediateSize);
        get(v, "num_hidden_layers", c.vision.numLayers);
        get(v, "num_attention_heads", c.vision.numHeads);
        get(v, "image_size", c.vision.imageSize);
        get(v, "patch_size", c.vision.patchSize);
        get(v, "num_channels", c.vision.numChannels);
        get(v, "layer_norm_eps", c.vision.layerNormEps);
        get(v, "hidden_act", c.vision.hiddenAct);
        const auto &t = (*j)["text_config"];
        std::string textType = "llama"; // Hugging Face's LlavaConfig assumes llama when absent
        get(t, "model_type", textType);
        c.text = textConfigDefaults(textType);
        get(t, "vocab_size", c.text.vocabSize);
        get(t, "hidden_size", c.text.hiddenSize);
        get(t, "intermediate_size", c.text.intermediateSize);
        get(t, "num_hidden_layers", c.text.numLayers);
        get(t, "num_attention_heads", c.text.numHeads);
        c.text.numKvHeads = textType == "mistral" ? c.text.numKvHeads : c.text.numHeads;
        get(t, "num_key_value_heads", c.text.numKvHeads);
        get(t, "head_dim", c.text.headDimension);
        if (t.contains("sliding_window"))
            c.text.slidingWindow = t["sliding_window"].is_null() ? 0 : t["sliding_window"].get<int>();
        if (t.contains("rope_scaling") && !t["rope_scaling"].is_null())
            return unexpected(path + ": text_config.rope_scaling is set; this runtime implements plain rotary embeddings only");
        get(t, "rms_norm_eps", c.text.rmsNormEps);
        get(t, "rope_theta", c.text.ropeTheta);
        get(t, "max_position_embeddings", c.text.maxPositionEmbeddings);
        get(t, "tie_word_embeddings", c.text.tieWordEmbeddings);
        get(t, "hidden_act", c.text.hiddenAct);
        if (j->contains("image_token_index"))
            get(*j, "image_token_index", c.imageTokenIndex);
        else
            get(*j, "image_token_id", c.imageTokenIndex);
        if (j->contains("vision_feature_layer") && (*j)["vision_feature_layer"].is_array())
            return unexpected(path + ": vision_feature_layer is a list; this runtime takes one vision layer");
        get(*j, "vision_feature_layer", c.visionFeatureLayer);
        get(*j, "multimodal_projector_bias", c.projectorBias);
        get(*j, "image_seq_length", c.declaredImageSeqLength);
        if (j->contains("image_grid_pinpoints") && !(*j)["image_grid_pinpoints"].is_null())
            c.imageGridPinpoints = pinpointsFrom((*j)["image_grid_pinpoints"]);
        else if (c.anyres())
            c.imageGridPinpoints = {{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}}; // LlavaNextConfig's default
        get(*j, "vision_feature_select_strategy", c.visionFeatureSelectStrategy);
        get(*j, "projector_hidden_act", c.projectorHiddenAct);
        get(*j, "pad_token_id", c.padTokenId);
        if (c.padTokenId < 0)
            get(t, "pad_token_id", c.padTokenId);
        if (j->contains("tie_word_embeddings"))
            get(*j, "tie_word_embeddings", c.text.tieWordEmbeddings);
    } catch (const std::exception &e) {
        return unexpected(path + ": a field has the wrong type: " + e.what());
    }
    if (auto r = validate(c); !r)
        return unexpected(path + ": " + r.error());
    return c;
}

Expected<void, std::string> validate(const LlavaConfig &c)
{
    const auto &v = c.vision;
    const auto &t = c.text;
    if (v.hiddenSize <= 0 || v.numHeads <= 0 || v.hiddenSize % v.numHeads != 0)
        return unexpected("vision hidden_size must be a positive multiple of num_attention_heads");
    if (v.patchSize <= 0 || v.imageSize % v.patchSize != 0)
        return unexpected("vision image_size must be a multiple of patch_size");
    if (v.numLayers <= 0)
        return unexpected("vision num_hidden_layers must be positive");
    const int layer = c.visionFeatureLayer < 0 ? v.numLayers + 1 + c.visionFeatureLayer : c.visionFeatureLayer;
    if (layer < 0 || layer > v.numLayers)
        return unexpected("vision_feature_layer " + std::to_string(c.visionFeatureLayer) + " is outside the "
                          + std::to_string(v.numLayers) + " vision layers");
    if (c.visionFeatureSelectStrategy != "default" && c.visionFeatureSelectStrategy != "full")
        return unexpected("vision_feature_select_strategy must be \"default\" or \"full\"");
    if (t.modelType != "llama" && t.modelType != "mistral")
        return unexpected("text_config.model_type \"" + t.modelType + "\" is not supported (llama or mistral)");
    if (t.hiddenSize <= 0 || t.numHeads <= 0 || (t.headDimension <= 0 && t.hiddenSize % t.numHeads != 0))
        return unexpected("text hidden_size must be a positive multiple of num_attention_heads");
    if (t.headDimension < 0 || t.slidingWindow < 0)
        return unexpected("text head_dim and sliding_window must not be negative");
    if (t.numKvHeads <= 0 || t.numHeads % t.numKvHeads != 0)
        return unexpected("text num_attention_heads must be a multiple of num_key_value_heads");
    if (t.headDim() % 2 != 0)
        return unexpected("text head dimension must be even for rotary embeddings");
    if (t.vocabSize <= 0 || t.numLayers <= 0)
        return unexpected("text vocab_size and num_hidden_layers must be positive");
    if (c.imageTokenIndex < 0 || c.imageTokenIndex >= t.vocabSize)
        return unexpected("image_token_index " + std::to_string(c.imageTokenIndex) + " is outside the vocabulary of "
                          + std::to_string(t.vocabSize));
    for (const std::string &act : {v.hiddenAct, c.projectorHiddenAct}) {
        if (act != "quick_gelu" && act != "gelu" && act != "gelu_pytorch_tanh" && act != "relu" && act != "silu")
            return unexpected("unsupported activation \"" + act + "\"");
    }
    if (t.hiddenAct != "silu")
        return unexpected("unsupported text hidden_act \"" + t.hiddenAct + "\" (Llama/Mistral use silu)");
    // Hugging Face writes the patch count of one view; with "full" the CLS token comes on top.
    if (c.declaredImageSeqLength > 0 && c.declaredImageSeqLength != v.numPatches() && c.declaredImageSeqLength != v.numPatches() + 1)
        return unexpected("image_seq_length " + std::to_string(c.declaredImageSeqLength) + " does not match the vision tower, whose "
                          + std::to_string(v.imageSize) + "-pixel views have " + std::to_string(v.numPatches()) + " patches");
    if (c.anyres()) {
        if (c.visionFeatureSelectStrategy != "default")
            return unexpected("llava_next needs vision_feature_select_strategy \"default\": its views are laid out as a grid of patch "
                              "features, without the CLS token");
        if (c.imageGridPinpoints.empty())
            return unexpected("image_grid_pinpoints is empty");
        for (const GridPinpoint &p : c.imageGridPinpoints) {
            if (p[0] <= 0 || p[1] <= 0 || p[0] % v.imageSize != 0 || p[1] % v.imageSize != 0 || p[0] > 16 * v.imageSize
                || p[1] > 16 * v.imageSize)
                return unexpected("image_grid_pinpoints entry [" + std::to_string(p[0]) + ", " + std::to_string(p[1])
                                  + "] must be positive multiples of the vision image_size " + std::to_string(v.imageSize)
                                  + " (at most 16 views a side)");
        }
    }
    return {};
}

Expected<PreprocessorConfig, std::string> loadPreprocessorConfig(const std::string &path)
{
    auto j = readJsonObject(path);
    if (!j)
        return unexpected(j.error());
    PreprocessorConfig p;
    try {
        const auto &size = (*j)["size"];
        if (size.is_number())
            p.shortestEdge = size.get<int>();
        else if (size.is_object() && size.contains("shortest_edge"))
            p.shortestEdge = size["shortest_edge"].get<int>();
        const auto &crop = (*j)["crop_size"];
        if (crop.is_number()) {
            p.cropHeight = p.cropWidth = crop.get<int>();
        } else if (crop.is_object()) {
            get(crop, "height", p.cropHeight);
            get(crop, "width", p.cropWidth);
        }
        get(*j, "image_processor_type", p.processorType);
        if (j->contains("image_grid_pinpoints") && !(*j)["image_grid_pinpoints"].is_null())
            p.imageGridPinpoints = pinpointsFrom((*j)["image_grid_pinpoints"]);
        get(*j, "do_resize", p.doResize);
        get(*j, "do_center_crop", p.doCenterCrop);
        get(*j, "do_rescale", p.doRescale);
        get(*j, "do_normalize", p.doNormalize);
        get(*j, "rescale_factor", p.rescaleFactor);
        if (j->contains("image_mean"))
            p.mean = (*j)["image_mean"].get<std::array<double, 3>>();
        if (j->contains("image_std"))
            p.std = (*j)["image_std"].get<std::array<double, 3>>();
    } catch (const std::exception &e) {
        return unexpected(path + ": a field has the wrong type: " + e.what());
    }
    if (p.shortestEdge <= 0 || p.cropHeight <= 0 || p.cropWidth <= 0)
        return unexpected(path + ": image sizes must be positive");
    return p;
}

Expected<void, std::string> writeTextFile(const std::string &path, const std::string &text)
{
    if (auto w = common::writeFileAtomically(path, text); !w)
        return unexpected(w.error().describe());
    return {};
}

std::string llavaConfigJson(const LlavaConfig &c)
{
    nlohmann::ordered_json j;
    j["architectures"] = {c.anyres() ? "LlavaNextForConditionalGeneration" : "LlavaForConditionalGeneration"};
    j["model_type"] = c.modelType;
    j["image_token_index"] = c.imageTokenIndex;
    if (c.anyres()) {
        nlohmann::ordered_json grid = nlohmann::ordered_json::array();
        for (const GridPinpoint &p : c.imageGridPinpoints)
            grid.push_back({p[0], p[1]});
        j["image_grid_pinpoints"] = grid;
    }
    if (!c.projectorBias)
        j["multimodal_projector_bias"] = false;
    j["vision_feature_layer"] = c.visionFeatureLayer;
    j["vision_feature_select_strategy"] = c.visionFeatureSelectStrategy;
    j["projector_hidden_act"] = c.projectorHiddenAct;
    j["pad_token_id"] = c.padTokenId;
    j["tie_word_embeddings"] = c.text.tieWordEmbeddings;
    j["vision_config"] = {{"model_type", "clip_vision_model"},
                          {"hidden_size", c.vision.hiddenSize},
                          {"intermediate_size", c.vision.intermediateSize},
                          {"num_hidden_layers", c.vision.numLayers},
                          {"num_attention_heads", c.vision.numHeads},
                          {"image_size", c.vision.imageSize},
                          {"patch_size", c.vision.patchSize},
                          {"num_channels", c.vision.numChannels},
                          {"layer_norm_eps", c.vision.layerNormEps},
                          {"hidden_act", c.vision.hiddenAct}};
    j["text_config"] = {{"model_type", c.text.modelType},
                        {"vocab_size", c.text.vocabSize},
                        {"hidden_size", c.text.hiddenSize},
                        {"intermediate_size", c.text.intermediateSize},
                        {"num_hidden_layers", c.text.numLayers},
                        {"num_attention_heads", c.text.numHeads},
                        {"num_key_value_heads", c.text.numKvHeads},
                        {"rms_norm_eps", c.text.rmsNormEps},
                        {"rope_theta", c.text.ropeTheta},
                        {"max_position_embeddings", c.text.maxPositionEmbeddings},
                        {"tie_word_embeddings", c.text.tieWordEmbeddings},
                        {"hidden_act", c.text.hiddenAct}};
    if (c.text.headDimension > 0)
        j["text_config"]["head_dim"] = c.text.headDimension;
    if (c.text.modelType == "mistral") {
        if (c.text.slidingWindow > 0)
            j["text_config"]["sliding_window"] = c.text.slidingWindow;
        else
            j["text_config"]["sliding_window"] = nullptr;
    }
    return j.dump(2) + "\n";
}

std::string preprocessorConfigJson(const PreprocessorConfig &p)
{
    nlohmann::ordered_json j;
    j["image_processor_type"] = p.processorType;
    if (!p.imageGridPinpoints.empty()) {
        nlohmann::ordered_json grid = nlohmann::ordered_json::array();
        for (const GridPinpoint &g : p.imageGridPinpoints)
            grid.push_back({g[0], g[1]});
        j["image_grid_pinpoints"] = grid;
    }
    j["do_resize"] = p.doResize;
    j["size"] = {{"shortest_edge", p.shortestEdge}};
    j["resample"] = 3;
    j["do_center_crop"] = p.doCenterCrop;
    j["crop_size"] = {{"height", p.cropHeight}, {"width", p.cropWidth}};
    j["do_rescale"] = p.doRescale;
    j["rescale_factor"] = p.rescaleFactor;
    j["do_normalize"] = p.doNormalize;
    j["image_mean"] = p.mean;
    j["image_std"] = p.std;
    return j.dump(2) + "\n";
}

PreprocessorConfig defaultPreprocessor(const LlavaConfig &c)
{
    PreprocessorConfig p;
    p.shortestEdge = c.vision.imageSize;
    p.cropHeight = p.cropWidth = c.vision.imageSize;
    if (c.anyres()) {
        p.processorType = "LlavaNextImageProcessor";
        p.imageGridPinpoints = c.imageGridPinpoints;
    }
    return p;
}

} // namespace sdrt::model
