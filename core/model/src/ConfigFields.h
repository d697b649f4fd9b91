#pragma once
// Reading and writing config.json and preprocessor_config.json. The keys that map one to one
// onto a field are listed once per section for both directions: a `...Fields(section, visit)`
// function calls visit(key, field) for each, loading visits with a FieldReader and writing with a
// FieldWriter. What is not one to one (defaults that depend on other keys, nested objects,
// checks) stays with the loaders (ModelConfig.cpp, Qwen3Vl.cpp), which readConfigFile runs.
// Private to core/model.

#include "JsonFile.h"
#include "sdrt/model/ModelConfig.h"
#include "sdrt/model/Qwen3Vl.h"

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace sdrt::model {

// A field whose value has the wrong type; what() names it by its path ("text_config.hidden_size").
struct FieldTypeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Reads `key` of `j` into `out` when present and not null; a value of the wrong type throws
// FieldTypeError naming `where` + key.
template <typename T>
void readField(const nlohmann::json &j, const char *key, T &out, const std::string &where)
{
    if (!j.contains(key) || j[key].is_null())
        return;
    try {
        out = j[key].get<T>();
    } catch (const std::exception &) {
        throw FieldTypeError(where + key + " has the wrong type (" + std::string(j[key].type_name()) + ")");
    }
}

// Whether `key` is present and not null (a field left at a default that depends on others).
inline bool hasField(const nlohmann::json &j, const char *key)
{
    return j.contains(key) && !j[key].is_null();
}

// The config file at `path` read into a Config by `fill` (an Expected<void, std::string> of
// (nlohmann::json &, Config &)), which may also throw FieldTypeError or nlohmann's exceptions for
// a field of the wrong type. Every error starts with the path.
template <typename Config, typename Fill>
Expected<Config, std::string> readConfigFile(const std::string &path, Fill &&fill)
{
    auto j = readJsonObject(path);
    if (!j)
        return unexpected(j.error());
    Config c;
    try {
        if (auto r = fill(*j, c); !r)
            return unexpected(path + ": " + r.error());
    } catch (const FieldTypeError &e) {
        return unexpected(path + ": " + e.what());
    } catch (const std::exception &e) {
        return unexpected(path + ": a field has the wrong type: " + e.what());
    }
    return c;
}

// Visits fields as readField of section `j`, whose path is `where` ("vision_config.").
struct FieldReader {
    const nlohmann::json &j;
    std::string where;
    template <typename T>
    void operator()(const char *key, T &out) const
    {
        readField(j, key, out, where);
    }
};

// Visits fields as keys written into `j`, in the order visited.
struct FieldWriter {
    nlohmann::ordered_json &j;
    template <typename T>
    void operator()(const char *key, const T &value) const
    {
        j[key] = value;
    }
};

// The decoder fields LLaVA's text_config (Llama, Mistral) and Qwen3-VL's share.
template <typename Text, typename Visit>
void decoderFields(Text &t, Visit &&visit)
{
    visit("vocab_size", t.vocabSize);
    visit("hidden_size", t.hiddenSize);
    visit("intermediate_size", t.intermediateSize);
    visit("num_hidden_layers", t.numLayers);
    visit("num_attention_heads", t.numHeads);
    visit("num_key_value_heads", t.numKvHeads);
    visit("rms_norm_eps", t.rmsNormEps);
    visit("rope_theta", t.ropeTheta);
    visit("max_position_embeddings", t.maxPositionEmbeddings);
    visit("tie_word_embeddings", t.tieWordEmbeddings);
    visit("hidden_act", t.hiddenAct);
}

// LLaVA's top level (the keys read and written by hand aside).
template <typename Config, typename Visit>
void llavaTopFields(Config &c, Visit &&visit)
{
    visit("vision_feature_layer", c.visionFeatureLayer);
    visit("vision_feature_select_strategy", c.visionFeatureSelectStrategy);
    visit("projector_hidden_act", c.projectorHiddenAct);
    visit("pad_token_id", c.padTokenId);
}

// LLaVA's vision_config (CLIPVisionConfig).
template <typename Vision, typename Visit>
void clipVisionFields(Vision &v, Visit &&visit)
{
    visit("hidden_size", v.hiddenSize);
    visit("intermediate_size", v.intermediateSize);
    visit("num_hidden_layers", v.numLayers);
    visit("num_attention_heads", v.numHeads);
    visit("image_size", v.imageSize);
    visit("patch_size", v.patchSize);
    visit("num_channels", v.numChannels);
    visit("layer_norm_eps", v.layerNormEps);
    visit("hidden_act", v.hiddenAct);
}

// LLaVA's image processor (CLIPImageProcessor, LlavaNextImageProcessor), besides its sizes.
template <typename Processor, typename Visit>
void clipProcessorFields(Processor &p, Visit &&visit)
{
    visit("do_resize", p.doResize);
    visit("do_center_crop", p.doCenterCrop);
    visit("do_rescale", p.doRescale);
    visit("rescale_factor", p.rescaleFactor);
    visit("do_normalize", p.doNormalize);
    visit("image_mean", p.mean);
    visit("image_std", p.std);
}

// Qwen3-VL's text_config beyond the shared decoder fields (its rope_scaling is nested).
template <typename Text, typename Visit>
void qwen3VlTextFields(Text &t, Visit &&visit)
{
    decoderFields(t, visit);
    visit("head_dim", t.headDim);
    visit("attention_bias", t.attentionBias);
}

// Qwen3-VL's vision_config.
template <typename Vision, typename Visit>
void qwen3VlVisionFields(Vision &v, Visit &&visit)
{
    visit("depth", v.depth);
    visit("hidden_size", v.hiddenSize);
    visit("intermediate_size", v.intermediateSize);
    visit("num_heads", v.numHeads);
    visit("in_channels", v.inChannels);
    visit("patch_size", v.patchSize);
    visit("spatial_merge_size", v.spatialMergeSize);
    visit("temporal_patch_size", v.temporalPatchSize);
    visit("out_hidden_size", v.outHiddenSize);
    visit("num_position_embeddings", v.numPositionEmbeddings);
    visit("deepstack_visual_indexes", v.deepstackVisualIndexes);
    visit("hidden_act", v.hiddenAct);
}

// Qwen3-VL's top level: its special tokens and the tied head.
template <typename Config, typename Visit>
void qwen3VlTopFields(Config &c, Visit &&visit)
{
    visit("image_token_id", c.imageTokenId);
    visit("video_token_id", c.videoTokenId);
    visit("vision_start_token_id", c.visionStartTokenId);
    visit("vision_end_token_id", c.visionEndTokenId);
    visit("tie_word_embeddings", c.tieWordEmbeddings);
}

// The Qwen2-VL image processor's fields besides its pixel limits, resample and mean/std.
template <typename Processor, typename Visit>
void qwen2VlProcessorFields(Processor &p, Visit &&visit)
{
    visit("patch_size", p.patchSize);
    visit("temporal_patch_size", p.temporalPatchSize);
    visit("merge_size", p.mergeSize);
    visit("do_resize", p.doResize);
    visit("do_rescale", p.doRescale);
    visit("rescale_factor", p.rescaleFactor);
    visit("do_normalize", p.doNormalize);
}

} // namespace sdrt::model
