#include "Preprocess.h"

#include <torch/torch.h>

namespace sdrt::model {

std::pair<int, int> shortestEdgeSize(int height, int width, int shortestEdge)
{
    if (height <= width)
        return {shortestEdge, int(double(shortestEdge) * width / height)};
    return {int(double(shortestEdge) * height / width), shortestEdge};
}

torch::Tensor preprocessClip(const RgbImage &image, const PreprocessorConfig &c)
{
    TORCH_CHECK(image.width > 0 && image.height > 0, "empty image");
    TORCH_CHECK(image.pixels.size() == std::size_t(image.width) * image.height * 3, "image buffer is ",
                image.pixels.size(), " bytes, expected ", std::size_t(image.width) * image.height * 3);
    auto x = torch::from_blob(const_cast<std::uint8_t *>(image.pixels.data()), {image.height, image.width, 3}, torch::kUInt8)
                 .permute({2, 0, 1})
                 .to(torch::kFloat32)
                 .unsqueeze(0);
    if (c.doResize) {
        auto [h, w] = shortestEdgeSize(image.height, image.width, c.shortestEdge);
        if (h != image.height || w != image.width) {
            namespace F = torch::nn::functional;
            x = F::interpolate(x, F::InterpolateFuncOptions()
                                      .size(std::vector<int64_t>{h, w})
                                      .mode(torch::kBicubic)
                                      .align_corners(false)
                                      .antialias(true));
            x = x.round().clamp(0, 255); // the reference resizes 8-bit images
        }
    }
    if (c.doCenterCrop) {
        const auto H = x.size(2), W = x.size(3);
        if (H < c.cropHeight || W < c.cropWidth) {
            // Pad with zeros to the crop size, as the reference does for small images.
            const auto padH = std::max<std::int64_t>(0, c.cropHeight - H), padW = std::max<std::int64_t>(0, c.cropWidth - W);
            x = torch::constant_pad_nd(x, {padW / 2, padW - padW / 2, padH / 2, padH - padH / 2}, 0);
        }
        const auto top = (x.size(2) - c.cropHeight) / 2;
        const auto left = (x.size(3) - c.cropWidth) / 2;
        x = x.slice(2, top, top + c.cropHeight).slice(3, left, left + c.cropWidth);
    }
    if (c.doRescale)
        x = x * c.rescaleFactor;
    if (c.doNormalize) {
        auto mean = torch::tensor({c.mean[0], c.mean[1], c.mean[2]}, torch::kFloat64).to(torch::kFloat32).view({1, 3, 1, 1});
        auto std = torch::tensor({c.std[0], c.std[1], c.std[2]}, torch::kFloat64).to(torch::kFloat32).view({1, 3, 1, 1});
        x = (x - mean) / std;
    }
    return x.squeeze(0).contiguous();
}

} // namespace sdrt::model
