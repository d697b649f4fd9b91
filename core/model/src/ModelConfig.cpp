#include "sdrt/model/ModelConfig.h"

#include "sdrt/common/FileWriter.h"

#include "sdrt/model/ImageGrid.h"

#include "ConfigFields.h"

#include <nlohmann/json.hpp>

namespace sdrt::model {
namespace {

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

nlohmann::ordered_json pinpointsJson(const std::vector<GridPinpoint> &pinpoints)
{
    nlohmann::ordered_json grid = nlohmann::ordered_json::array();
    for (const GridPinpoint &p : pinpoints)
        grid.push_back({p[0], p[1]});
    return grid;
}

// vision_config: CLIP's, CLIPVisionConfig's defaults where a key is absent.
Expected<VisionConfig, std::string> clipVisionFrom(const nlohmann::json &v)
{
    std::string visionType = "clip_vision_model";
    readField(v, "model_type", visionType, "vision_config.");
    if (visionType != "clip_vision_model")
        return unexpected("vision_config.model_type \"" + visionType + "\" is not supported (clip_vision_model)");
    VisionConfig vision{768, 3072, 12, 12, 224, 32, 3, 1e-5, "quick_gelu"}; // CLIPVisionConfig's defaults
    clipVisionFields(vision, FieldReader{v, "vision_config."});
    return vision;
}

// text_config: Llama's or Mistral's, with Hugging Face's defaults for its model_type.
Expected<TextConfig, std::string> llavaTextFrom(const nlohmann::json &t)
{
    std::string textType = "llama"; // Hugging Face's LlavaConfig assumes llama when absent
    readField(t, "model_type", textType, "text_config.");
    TextConfig text = textConfigDefaults(textType);
    decoderFields(text, FieldReader{t, "text_config."});
    if (!hasField(t, "num_key_value_heads") && textType != "mistral")
        text.numKvHeads = text.numHeads; // LlamaConfig: as many as the heads
    readField(t, "head_dim", text.headDimension, "text_config.");
    if (t.contains("sliding_window"))
        text.slidingWindow = t["sliding_window"].is_null() ? 0 : t["sliding_window"].get<int>();
    if (t.contains("rope_scaling") && !t["rope_scaling"].is_null())
        return unexpected(std::string("text_config.rope_scaling is set; this runtime implements plain rotary embeddings only"));
    return text;
}

// config.json's fields into `c`, then its checks (validate).
Expected<void, std::string> readLlavaConfig(nlohmann::json &j, LlavaConfig &c)
{
    if (!j.contains("vision_config") || !j.contains("text_config"))
        return unexpected(std::string("not a LLaVA config (vision_config and text_config are required)"));
    readField(j, "model_type", c.modelType, "");
    if (!j.contains("model_type") && j.contains("image_grid_pinpoints"))
        c.modelType = "llava_next";
    if (c.modelType != "llava" && c.modelType != "llava_next")
        return unexpected("model_type \"" + c.modelType + "\" is not one this runtime runs (llava: LLaVA 1.5, llava_next: LLaVA-NeXT / 1.6)");
    auto vision = clipVisionFrom(j["vision_config"]);
    if (!vision)
        return unexpected(vision.error());
    c.vision = *vision;
    const auto &t = j["text_config"];
    auto text = llavaTextFrom(t);
    if (!text)
        return unexpected(text.error());
    c.text = *text;
    readField(j, j.contains("image_token_index") ? "image_token_index" : "image_token_id", c.imageTokenIndex, "");
    if (j.contains("vision_feature_layer") && j["vision_feature_layer"].is_array())
        return unexpected(std::string("vision_feature_layer is a list; this runtime takes one vision layer"));
    llavaTopFields(c, FieldReader{j, ""});
    readField(j, "multimodal_projector_bias", c.projectorBias, "");
    readField(j, "image_seq_length", c.declaredImageSeqLength, "");
    if (hasField(j, "image_grid_pinpoints"))
        c.imageGridPinpoints = pinpointsFrom(j["image_grid_pinpoints"]);
    else if (c.anyres())
        c.imageGridPinpoints = {{336, 672}, {672, 336}, {672, 672}, {1008, 336}, {336, 1008}}; // LlavaNextConfig's default
    if (c.padTokenId < 0)
        readField(t, "pad_token_id", c.padTokenId, "text_config.");
    readField(j, "tie_word_embeddings", c.text.tieWordEmbeddings, "");
    return validate(c);
}

// preprocessor_config.json's fields into `p`; its sizes must be positive.
Expected<void, std::string> readPreprocessorConfig(nlohmann::json &j, PreprocessorConfig &p)
{
    const auto &size = j["size"];
    if (size.is_number())
        p.shortestEdge = size.get<int>();
    else if (size.is_object() && size.contains("shortest_edge"))
        p.shortestEdge = size["shortest_edge"].get<int>();
    const auto &crop = j["crop_size"];
    if (crop.is_number()) {
        p.cropHeight = p.cropWidth = crop.get<int>();
    } else if (crop.is_object()) {
        readField(crop, "height", p.cropHeight, "crop_size.");
        readField(crop, "width", p.cropWidth, "crop_size.");
    }
    readField(j, "image_processor_type", p.processorType, "");
    if (hasField(j, "image_grid_pinpoints"))
        p.imageGridPinpoints = pinpointsFrom(j["image_grid_pinpoints"]);
    clipProcessorFields(p, FieldReader{j, ""});
    if (p.shortestEdge <= 0 || p.cropHeight <= 0 || p.cropWidth <= 0)
        return unexpected(std::string("image sizes must be positive"));
    return {};
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
    return readConfigFile<LlavaConfig>(path, readLlavaConfig);
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
    return readConfigFile<PreprocessorConfig>(path, readPreprocessorConfig);
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
    if (c.anyres())
        j["image_grid_pinpoints"] = pinpointsJson(c.imageGridPinpoints);
    if (!c.projectorBias)
        j["multimodal_projector_bias"] = false;
    llavaTopFields(c, FieldWriter{j});
    j["tie_word_embeddings"] = c.text.tieWordEmbeddings;
    nlohmann::ordered_json vision;
    vision["model_type"] = "clip_vision_model";
    clipVisionFields(c.vision, FieldWriter{vision});
    j["vision_config"] = vision;
    nlohmann::ordered_json text;
    text["model_type"] = c.text.modelType;
    decoderFields(c.text, FieldWriter{text});
    if (c.text.headDimension > 0)
        text["head_dim"] = c.text.headDimension;
    if (c.text.modelType == "mistral") {
        if (c.text.slidingWindow > 0)
            text["sliding_window"] = c.text.slidingWindow;
        else
            text["sliding_window"] = nullptr;
    }
    j["text_config"] = text;
    return j.dump(2) + "\n";
}

std::string preprocessorConfigJson(const PreprocessorConfig &p)
{
    nlohmann::ordered_json j;
    j["image_processor_type"] = p.processorType;
    if (!p.imageGridPinpoints.empty())
        j["image_grid_pinpoints"] = pinpointsJson(p.imageGridPinpoints);
    j["size"] = {{"shortest_edge", p.shortestEdge}};
    j["crop_size"] = {{"height", p.cropHeight}, {"width", p.cropWidth}};
    j["resample"] = 3;
    clipProcessorFields(p, FieldWriter{j});
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
