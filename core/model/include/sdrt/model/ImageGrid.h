#pragma once
// LLaVA-NeXT's "anyres" image geometry, as Hugging Face transformers computes it (the image
// processor's select_best_resolution, get_patch_output_size and _get_padding_size; the model's
// get_anyres_image_grid_shape and unpad_image; the processor's _get_number_of_features). Plain
// integer and double arithmetic in the same order as the reference, so sizes agree to the pixel
// and token counts to the token. docs/LLAVA_NEXT.md walks through one image.

#include "sdrt/model/ModelConfig.h"

#include <vector>

namespace sdrt::model {

struct PixelSize {
    int height = 0;
    int width = 0;
    bool operator==(const PixelSize &o) const { return height == o.height && width == o.width; }
};

// The pinpoint an image of `image` size is fitted to: the one keeping the most of its pixels
// after an aspect-preserving downscale (effective resolution), ties to the least padding.
PixelSize selectBestResolution(PixelSize image, const std::vector<GridPinpoint> &pinpoints);
// The aspect-preserving resize of `image` that fits inside `target` (one side equal to it).
PixelSize patchOutputSize(PixelSize image, PixelSize target);

struct AnyresLayout {
    PixelSize image;   // the original image
    PixelSize best;    // the chosen pinpoint
    PixelSize resized; // the image resized into it
    int padTop = 0, padBottom = 0, padLeft = 0, padRight = 0; // zeros around it, up to `best`
    int rows = 0, cols = 0;                // grid of vision-tower views (best / image_size)
    int featureHeight = 0, featureWidth = 0; // feature grid of the views side by side (rows x side patches, ...)
    int unpadTop = 0, unpadLeft = 0;         // feature rows / columns dropped at each side (the padding)
    int unpaddedHeight = 0, unpaddedWidth = 0;
    int baseTokens = 0; // the downscaled whole image (one view)
    int views() const { return 1 + rows * cols; }
    // base view + unpadded grid + one image_newline per grid row.
    int tokens() const { return baseTokens + unpaddedHeight * (unpaddedWidth + 1); }
};

// The whole layout for an image of `height` x `width` under a llava_next config.
AnyresLayout anyresLayout(const LlavaConfig &config, int height, int width);

} // namespace sdrt::model
