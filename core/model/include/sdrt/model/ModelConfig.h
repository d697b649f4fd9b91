#pragma once
// The LLaVA configuration as Hugging Face writes it (config.json with vision_config and
// text_config; preprocessor_config.json for the image processor). Two architectures: LLaVA 1.5
// (model_type "llava": one view per image, a fixed number of image tokens) and LLaVA-NeXT
// (model_type "llava_next", LLaVA 1.6: "anyres" views on a grid chosen per image, so the image
// token count follows the image's size; see ImageGrid.h). Plain C++, no torch.

#include "sdrt/common/Expected.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sdrt::model {

struct VisionConfig {
    int hiddenSize = 1024;
    int intermediateSize = 4096;
    int numLayers = 24;
    int numHeads = 16;
    int imageSize = 336;
    int patchSize = 14;
    int numChannels = 3;
    double layerNormEps = 1e-5;
    std::string hiddenAct = "quick_gelu";
    int numPatches() const { return (imageSize / patchSize) * (imageSize / patchSize); }
};

// Defaults are Hugging Face's LlamaConfig; textConfigDefaults() gives MistralConfig's for
// "mistral".
struct TextConfig {
    std::string modelType = "llama"; // llama | mistral
    int vocabSize = 32000;
    int hiddenSize = 4096;
    int intermediateSize = 11008;
    int numLayers = 32;
    int numHeads = 32;
    int numKvHeads = 32;
    int headDimension = 0; // head_dim; 0: hidden_size / num_attention_heads
    int headDim() const { return headDimension > 0 ? headDimension : hiddenSize / numHeads; }
    double rmsNormEps = 1e-6;
    double ropeTheta = 10000.0;
    int maxPositionEmbeddings = 2048;
    // Mistral's sliding_window: a query sees the keys less than this many positions back;
    // 0: no window (null in config.json).
    int slidingWindow = 0;
    bool tieWordEmbeddings = false;
    std::string hiddenAct = "silu";
    // Decoder variants (Qwen3, Qwen3-VL's language model): a per-head RMSNorm on queries and
    // keys before the rotary embedding; biases on the attention projections; and the
    // interleaved multimodal rotary embedding, whose positions are (time, height, width) — the
    // rotary frequencies each axis takes (all zero: one position per token).
    bool qkNorm = false;
    bool attentionBias = false;
    std::array<int, 3> mropeSection = {0, 0, 0};
    bool multimodalRope() const { return mropeSection[0] + mropeSection[1] + mropeSection[2] > 0; }
};

// Hugging Face's defaults for a text_config of this model_type (llama or mistral; others get
// llama's, and validate() refuses them).
TextConfig textConfigDefaults(const std::string &modelType);

// (height, width) in pixels.
using GridPinpoint = std::array<int, 2>;

struct LlavaConfig {
    std::string modelType = "llava"; // llava (1.5) | llava_next (1.6)
    VisionConfig vision;
    TextConfig text;
    std::int64_t imageTokenIndex = 32000;
    int visionFeatureLayer = -2;
    std::string visionFeatureSelectStrategy = "default"; // default (drop CLS) | full
    std::string projectorHiddenAct = "gelu";
    bool projectorBias = true; // multimodal_projector_bias
    std::int64_t padTokenId = -1;
    // llava_next: the grid resolutions an image may be fitted to, (height, width), multiples
    // of the vision tower's image_size.
    std::vector<GridPinpoint> imageGridPinpoints;
    // config.json's image_seq_length when present (checked against viewTokens()); 0: absent.
    int declaredImageSeqLength = 0;

    bool anyres() const { return modelType == "llava_next"; }
    // Image tokens one view through the vision tower gives (patches, + CLS with "full").
    int viewTokens() const;
    // Image tokens an <image> of this size stands for in the decoder's input, exactly as the
    // Hugging Face processor expands it: viewTokens() for LLaVA 1.5; for LLaVA-NeXT the base
    // view, the unpadded grid and one image_newline per grid row (ImageGrid.h).
    int imageTokens(int height, int width) const;
    // Parameters of the network this config describes (what loading allocates).
    std::int64_t parameterCount() const;
};

struct PreprocessorConfig {
    int shortestEdge = 336;
    int cropHeight = 336;
    int cropWidth = 336;
    bool doResize = true;
    bool doCenterCrop = true;
    bool doRescale = true;
    bool doNormalize = true;
    double rescaleFactor = 1.0 / 255.0;
    std::array<double, 3> mean = {0.48145466, 0.4578275, 0.40821073};
    std::array<double, 3> std = {0.26862954, 0.26130258, 0.27577711};
    std::string processorType = "CLIPImageProcessor"; // image_processor_type
    std::vector<GridPinpoint> imageGridPinpoints;   // LlavaNextImageProcessor's, when given
};

Expected<LlavaConfig, std::string> loadLlavaConfig(const std::string &path);
Expected<PreprocessorConfig, std::string> loadPreprocessorConfig(const std::string &path);
std::string llavaConfigJson(const LlavaConfig &c);
std::string preprocessorConfigJson(const PreprocessorConfig &p);
// The image processor for this model: CLIPImageProcessor for LLaVA 1.5, LlavaNextImageProcessor
// with the config's grid for LLaVA-NeXT.
PreprocessorConfig defaultPreprocessor(const LlavaConfig &c);
// Writes a small text file (config, tokenizer config) whole; the error names the file.
Expected<void, std::string> writeTextFile(const std::string &path, const std::string &text);
// Consistency checks (heads divide hidden sizes, feature layer in range, ...).
Expected<void, std::string> validate(const LlavaConfig &c);

} // namespace sdrt::model
