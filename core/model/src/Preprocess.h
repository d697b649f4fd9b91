#pragma once
// Image processing as the Hugging Face processors do it. CLIPImageProcessor (LLaVA 1.5): resize
// the shortest edge (bicubic, antialiased), centre crop, rescale, normalise; channels first.
// LlavaNextImageProcessor (LLaVA-NeXT): the image resized into its grid pinpoint and padded with
// zeros, cut into views at the vision tower's size, after a view of the whole image resized to
// that size (ImageGrid.h for the geometry); each view then goes through the CLIP steps.

#include "sdrt/model/ImageGrid.h"
#include "sdrt/model/ModelConfig.h"
#include "sdrt/model/Qwen3Vl.h"
#include "sdrt/model/Runtime.h"

#include <torch/types.h>

namespace sdrt::model {

// [3, cropHeight, cropWidth] float32. Throws c10::Error on an empty image.
torch::Tensor preprocessClip(const RgbImage &image, const PreprocessorConfig &config);
// Output size of the shortest-edge resize, (height, width).
std::pair<int, int> shortestEdgeSize(int height, int width, int shortestEdge);

// The image as [1, 3, H, W] float32 with 0..255 values.
torch::Tensor imageTensor(const RgbImage &image);
// Bicubic, antialiased resize of x [1, 3, H, W] (0..255) to (height, width), rounded to whole
// values as the reference resizes 8-bit images. A no-op at the same size.
torch::Tensor resizeBicubic(const torch::Tensor &x, int height, int width);
// The image resized into `layout.best` and padded with zeros ([1, 3, best.height, best.width]).
torch::Tensor anyresCanvas(const RgbImage &image, const AnyresLayout &layout);
// LLaVA-NeXT's views of one image: [1 + rows*cols, 3, S, S] float32 (S: the vision tower's
// image_size), the whole image first, then the grid row by row.
torch::Tensor preprocessAnyres(const RgbImage &image, const LlavaConfig &config, const PreprocessorConfig &preprocessor);

// The vision tower's input for one image of a LLaVA: [1, 3, S, S] (LLaVA 1.5) or its views
// [1 + rows*cols, 3, S, S] (LLaVA-NeXT).
torch::Tensor llavaViews(const RgbImage &image, const LlavaConfig &config, const PreprocessorConfig &preprocessor);

// Qwen2-VL's image processor (Qwen3-VL), the slow PIL-based one: smart_resize (PIL bicubic),
// rescale in double and normalise in float, the still image repeated to temporal_patch_size
// frames, then cut into patches in the processor's order (merge windows of merge x merge
// patches together, row by row) → [t·h·w, 3·temporal·patch·patch] float32, channel first
// within a row, then frame, then the patch's rows and columns. `grid` gets (t, h, w) in patches.
// Throws c10::Error (with the reason) on an empty image or one smart_resize refuses.
torch::Tensor preprocessQwen2Vl(const RgbImage &image, const Qwen3VlProcessorConfig &config, ImageGridThw &grid);

} // namespace sdrt::model
