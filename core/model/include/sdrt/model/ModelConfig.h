#pragma once
// The LLaVA configuration as Hugging Face writes it (config.json with vision_config and
// text_config; preprocessor_config.json for CLIP image processing). Plain C++, no torch.

#include "sdrt/common/Expected.h"

#include <array>
#include <cstdint>
#include <string>

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

struct TextConfig {
    std::string modelType = "llama"; // llama | mistral
    int vocabSize = 32064;
    int hiddenSize = 4096;
    int intermediateSize = 11008;
    int numLayers = 32;
    int numHeads = 32;
    int numKvHeads = 32;
    int headDim() const { return hiddenSize / numHeads; }
    double rmsNormEps = 1e-5;
    double ropeTheta = 10000.0;
    int maxPositionEmbeddings = 4096;
    bool tieWordEmbeddings = false;
    std::string hiddenAct = "silu";
};

struct LlavaConfig {
    VisionConfig vision;
    TextConfig text;
    std::int64_t imageTokenIndex = 32000;
    int visionFeatureLayer = -2;
    std::string visionFeatureSelectStrategy = "default"; // default (drop CLS) | full
    std::string projectorHiddenAct = "gelu";
    std::int64_t padTokenId = -1;
    // Image tokens each <image> stands for in the decoder's input.
    int imageSeqLength() const;
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
};

Expected<LlavaConfig, std::string> loadLlavaConfig(const std::string &path);
Expected<PreprocessorConfig, std::string> loadPreprocessorConfig(const std::string &path);
std::string llavaConfigJson(const LlavaConfig &c);
std::string preprocessorConfigJson(const PreprocessorConfig &p);
// Writes a small text file (config, tokenizer config) whole; the error names the file.
Expected<void, std::string> writeTextFile(const std::string &path, const std::string &text);
// Consistency checks (heads divide hidden sizes, feature layer in range, ...).
Expected<void, std::string> validate(const LlavaConfig &c);

} // namespace sdrt::model
