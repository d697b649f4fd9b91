#include "sdrt/model/ModelConfig.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace sdrt::model {
namespace {

Expected<nlohmann::json, std::string> readJson(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return unexpected(path + ": cannot read (missing file?)");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        auto j = nlohmann::json::parse(ss.str());
        if (!j.is_object())
            return unexpected(path + ": not a JSON object");
        return j;
    } catch (const std::exception &e) {
        return unexpected(path + ": invalid JSON: " + e.what());
    }
}

template <typename T>
void get(const nlohmann::json &j, const char *key, T &out)
{
    if (j.contains(key) && !j[key].is_null())
        out = j[key].get<T>();
}

} // namespace

int LlavaConfig::imageSeqLength() const
{
    return vision.numPatches() + (visionFeatureSelectStrategy == "full" ? 1 : 0);
}

Expected<LlavaConfig, std::string> loadLlavaConfig(const std::string &path)
{
    auto j = readJson(path);
    if (!j)
        return unexpected(j.error());
    LlavaConfig c;
    try {
        if (!j->contains("vision_config") || !j->contains("text_config"))
            return unexpected(path + ": not a LLaVA config (vision_config and text_config are required)");
        const auto &v = (*j)["vision_config"];
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
        get(t, "model_type", c.text.modelType);
        get(t, "vocab_size", c.text.vocabSize);
        get(t, "hidden_size", c.text.hiddenSize);
        get(t, "intermediate_size", c.text.intermediateSize);
        get(t, "num_hidden_layers", c.text.numLayers);
        get(t, "num_attention_heads", c.text.numHeads);
        c.text.numKvHeads = c.text.numHeads;
        get(t, "num_key_value_heads", c.text.numKvHeads);
        get(t, "rms_norm_eps", c.text.rmsNormEps);
        get(t, "rope_theta", c.text.ropeTheta);
        get(t, "max_position_embeddings", c.text.maxPositionEmbeddings);
        get(t, "tie_word_embeddings", c.text.tieWordEmbeddings);
        get(t, "hidden_act", c.text.hiddenAct);
        if (j->contains("image_token_index"))
            get(*j, "image_token_index", c.imageTokenIndex);
        else
            get(*j, "image_token_id", c.imageTokenIndex);
        get(*j, "vision_feature_layer", c.visionFeatureLayer);
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
    if (t.hiddenSize <= 0 || t.numHeads <= 0 || t.hiddenSize % t.numHeads != 0)
        return unexpected("text hidden_size must be a positive multiple of num_attention_heads");
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
    return {};
}

Expected<PreprocessorConfig, std::string> loadPreprocessorConfig(const std::string &path)
{
    auto j = readJson(path);
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
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        return unexpected(path + ": cannot write");
    return {};
}

std::string llavaConfigJson(const LlavaConfig &c)
{
    nlohmann::ordered_json j;
    j["architectures"] = {"LlavaForConditionalGeneration"};
    j["model_type"] = "llava";
    j["image_token_index"] = c.imageTokenIndex;
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
    return j.dump(2) + "\n";
}

std::string preprocessorConfigJson(const PreprocessorConfig &p)
{
    nlohmann::ordered_json j;
    j["image_processor_type"] = "CLIPImageProcessor";
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

} // namespace sdrt::model
