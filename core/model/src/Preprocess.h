#pragma once
// CLIP image processing as the Hugging Face CLIPImageProcessor does it: resize the shortest
// edge (bicubic, antialiased), centre crop, rescale, normalise; channels first.

#include "sdrt/model/ModelConfig.h"
#include "sdrt/model/Runtime.h"

#include <torch/types.h>

namespace sdrt::model {

// [3, cropHeight, cropWidth] float32. Throws c10::Error on an empty image.
torch::Tensor preprocessClip(const RgbImage &image, const PreprocessorConfig &config);
// Output size of the shortest-edge resize, (height, width).
std::pair<int, int> shortestEdgeSize(int height, int width, int shortestEdge);

} // namespace sdrt::model
