#pragma once
// The Qwen3-VL family (dense; Hugging Face model_type "qwen3_vl"): its configuration as the Hub's
// checkpoints write it (config.json with text_config and vision_config, preprocessor_config.json
// of the Qwen2-VL image processor), and its geometry: how an image is resized (smart_resize),
// how many tokens it becomes, and the 3-D positions (time, height, width) the decoder's
// multimodal rotary embedding reads (get_rope_index). Plain C++, no torch; the network is in
// src/Qwen3VlModel.h. docs/MODELS.md says how the pieces fit.
//
// Defaults are those of Hugging Face's Qwen3VLConfig, Qwen3VLTextConfig and
// Qwen3VLVisionConfig, taken when a key is absent.

#include "sdrt/common/Expected.h"
#include "sdrt/model/ImageGrid.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace sdrt::model {

struct Qwen3VlVisionConfig {
    int depth = 27;
    int hiddenSize = 1152;
    int intermediateSize = 4304;
    int numHeads = 16;
    int inChannels = 3;
    int patchSize = 16;
    int spatialMergeSize = 2;
    int temporalPatchSize = 2;
    int outHiddenSize = 3584;
    int numPositionEmbeddings = 2304; // a square grid of learned positions (48 x 48)
    std::vector<int> deepstackVisualIndexes = {8, 16, 24};
    std::string hiddenAct = "gelu_pytorch_tanh";
    int headDim() const { return hiddenSize / numHeads; }
    int positionGridSide() const; // sqrt(numPositionEmbeddings)
};

struct Qwen3VlTextConfig {
    int vocabSize = 151936;
    int hiddenSize = 4096;
    int intermediateSize = 22016;
    int numLayers = 32;
    int numHeads = 32;
    int numKvHeads = 32;
    int headDim = 128; // explicit: not hidden_size / heads
    double rmsNormEps = 1e-6;
    double ropeTheta = 5000000.0;
    std::array<int, 3> mropeSection = {24, 20, 20}; // frequencies for time, height, width; sums to headDim / 2
    int maxPositionEmbeddings = 128000;
    bool attentionBias = false;
    bool tieWordEmbeddings = false;
    std::string hiddenAct = "silu";
};

struct Qwen3VlConfig {
    Qwen3VlTextConfig text;
    Qwen3VlVisionConfig vision;
    std::int64_t imageTokenId = 151655;       // <|image_pad|>
    std::int64_t videoTokenId = 151656;       // <|video_pad|> (video is refused)
    std::int64_t visionStartTokenId = 151652; // <|vision_start|>
    std::int64_t visionEndTokenId = 151653;   // <|vision_end|>
    bool tieWordEmbeddings = false;           // top level or text_config: either ties
    bool tied() const { return tieWordEmbeddings || text.tieWordEmbeddings; }
    std::int64_t parameterCount() const;
};

// config.json of a "qwen3_vl" checkpoint. "qwen3_vl_moe" and other types are refused by name;
// every inconsistency (head sizes, mrope_section, deepstack indexes, out_hidden_size against the
// text's hidden size) is an error naming the field.
Expected<Qwen3VlConfig, std::string> loadQwen3VlConfig(const std::string &path);
Expected<void, std::string> validate(const Qwen3VlConfig &c);
std::string qwen3VlConfigJson(const Qwen3VlConfig &c);

// The Qwen2-VL image processor that Qwen3-VL uses (preprocessor_config.json). Class defaults
// when a key is absent (patch 14, CLIP mean/std, 3,136 to 1,003,520 pixels); the Hub's
// Qwen3-VL files set patch 16, merge 2, mean/std 0.5 and 65,536 to 16,777,216 pixels.
struct Qwen3VlProcessorConfig {
    int patchSize = 14;
    int temporalPatchSize = 2;
    int mergeSize = 2;
    std::int64_t minPixels = 56 * 56;
    std::int64_t maxPixels = 28 * 28 * 1280;
    bool doResize = true;
    bool doRescale = true;
    bool doNormalize = true;
    double rescaleFactor = 1.0 / 255.0;
    std::array<double, 3> mean = {0.48145466, 0.4578275, 0.40821073};
    std::array<double, 3> std = {0.26862954, 0.26130258, 0.27577711};
    std::string processorType = "Qwen2VLImageProcessor";
    int factor() const { return patchSize * mergeSize; }
};
Expected<Qwen3VlProcessorConfig, std::string> loadQwen3VlProcessorConfig(const std::string &path);
std::string qwen3VlProcessorConfigJson(const Qwen3VlProcessorConfig &p);
// The processor the checkpoints ship, for a config (patch and merge sizes from the vision tower).
Qwen3VlProcessorConfig defaultQwen3VlProcessor(const Qwen3VlConfig &c);
// The processor and the vision tower must agree on patch, temporal patch and merge sizes.
Expected<void, std::string> checkProcessorFits(const Qwen3VlProcessorConfig &p, const Qwen3VlConfig &c);

// smart_resize: both sides rounded to multiples of `factor` (Python's round, ties to even), the
// area then brought within [minPixels, maxPixels] keeping the aspect ratio (floor when
// shrinking, ceil when growing). Refused: an empty image, or an aspect ratio over 200.
Expected<PixelSize, std::string> smartResize(int height, int width, int factor, std::int64_t minPixels, std::int64_t maxPixels);

// One image's grid in patches: t (frames / temporal_patch_size: 1 for a still image), h, w.
struct ImageGridThw {
    int t = 1, h = 0, w = 0;
    bool operator==(const ImageGridThw &o) const { return t == o.t && h == o.h && w == o.w; }
    std::int64_t patches() const { return std::int64_t(t) * h * w; }
};
// The grid of an image of this size after smart_resize, and its token count in the decoder's
// input (patches / merge²).
Expected<ImageGridThw, std::string> imageGrid(const Qwen3VlProcessorConfig &p, int height, int width);
std::int64_t imageTokens(const ImageGridThw &g, int mergeSize);

// get_rope_index for one row of a prompt without padding: 3-D positions (time, height, width)
// per token. Text tokens have the same value on the three axes, one more than the largest
// position so far; the tokens of image k (a run of `imageTokenId`, as the processor expands
// it) start at s (the next text position) with (s, s + row, s + column) over its merged grid.
// `next` is the position the first generated token gets (the largest position + 1); decode
// continues from there, one per token, equal on all axes.
struct MropePositions {
    std::array<std::vector<std::int64_t>, 3> axes; // [time, height, width], one entry per token
    std::int64_t next = 0;
};
Expected<MropePositions, std::string> ropeIndex(const std::vector<int> &ids, const std::vector<ImageGridThw> &grids, std::int64_t imageTokenId,
                                                int mergeSize);

// Interleaved multimodal rotary embedding: which axis (0 time, 1 height, 2 width) rotary
// frequency i (0..headDim/2-1) takes its position from. Height takes i % 3 == 1 below
// 3·section[1], width i % 3 == 2 below 3·section[2], time the rest.
std::vector<int> mropeAxes(int headDim, const std::array<int, 3> &section);

// Memory the weights take in `dtype` ("fp32", "bf16", "fp16"), bytes.
std::int64_t qwen3VlWeightBytes(const Qwen3VlConfig &c, const std::string &dtype);

} // namespace sdrt::model
