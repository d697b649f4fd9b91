#include "Preprocess.h"

#include <torch/torch.h>

namespace sdrt::model {
namespace {

void checkImage(const RgbImage &image)
{
    TORCH_CHECK(image.width > 0 && image.height > 0, "empty image");
    TORCH_CHECK(image.pixels.size() == std::size_t(image.width) * image.height * 3, "image buffer is ", image.pixels.size(),
                " bytes, expected ", std::size_t(image.width) * image.height * 3);
}

// CLIPImageProcessor's steps on x [1, 3, H, W] (0..255) → [3, cropHeight, cropWidth].
torch::Tensor clipSteps(torch::Tensor x, const PreprocessorConfig &c)
{
    if (c.doResize) {
        auto [h, w] = shortestEdgeSize(int(x.size(2)), int(x.size(3)), c.shortestEdge);
        x = resizeBicubic(x, h, w);
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

} // namespace

std::pair<int, int> shortestEdgeSize(int height, int width, int shortestEdge)
{
    if (height <= width)
        return {shortestEdge, int(double(shortestEdge) * width / height)};
    return {int(double(shortestEdge) * height / width), shortestEdge};
}

torch::Tensor imageTensor(const RgbImage &image)
{
    checkImage(image);
    return torch::from_blob(const_cast<std::uint8_t *>(image.pixels.data()), {image.height, image.width, 3}, torch::kUInt8)
        .permute({2, 0, 1})
        .to(torch::kFloat32)
        .unsqueeze(0);
}

torch::Tensor resizeBicubic(const torch::Tensor &x, int height, int width)
{
    if (height == x.size(2) && width == x.size(3))
        return x;
    namespace F = torch::nn::functional;
    auto y = F::interpolate(x, F::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>{height, width})
                                   .mode(torch::kBicubic)
                                   .align_corners(false)
                                   .antialias(true));
    return y.round().clamp(0, 255); // the reference resizes 8-bit images
}

torch::Tensor preprocessClip(const RgbImage &image, const PreprocessorConfig &c)
{
    return clipSteps(imageTensor(image), c);
}

torch::Tensor anyresCanvas(const RgbImage &image, const AnyresLayout &l)
{
    auto x = resizeBicubic(imageTensor(image), l.resized.height, l.resized.width);
    return torch::constant_pad_nd(x, {l.padLeft, l.padRight, l.padTop, l.padBottom}, 0);
}

torch::Tensor preprocessAnyres(const RgbImage &image, const LlavaConfig &config, const PreprocessorConfig &pre)
{
    checkImage(image);
    const AnyresLayout l = anyresLayout(config, image.height, image.width);
    const int side = config.vision.imageSize;
    // The whole image, resized (not cropped) to the view size; the processor's `size` is the
    // shortest edge taken as both sides.
    std::vector<torch::Tensor> views{clipSteps(resizeBicubic(imageTensor(image), pre.shortestEdge, pre.shortestEdge), pre)};
    const auto canvas = anyresCanvas(image, l);
    for (int r = 0; r < l.rows; ++r) {
        for (int col = 0; col < l.cols; ++col)
            views.push_back(clipSteps(canvas.slice(2, r * side, (r + 1) * side).slice(3, col * side, (col + 1) * side), pre));
    }
    return torch::stack(views);
}

} // namespace sdrt::model
