#include "Preprocess.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

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

namespace {

// PIL's bicubic kernel (a = -0.5).
double bicubicKernel(double x)
{
    constexpr double a = -0.5;
    x = std::abs(x);
    if (x < 1.0)
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0)
        return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}

constexpr int kPrecisionBits = 22; // fixed-point weights, as PIL keeps them for 8-bit images

// For each output index along one axis: the first input index, how many follow, and their
// fixed-point weights. The kernel widens by the scale when shrinking (antialiasing); each
// output's weights are normalised to sum to one before rounding to fixed point.
struct AxisTaps {
    int width = 0; // weights stored per output
    std::vector<int> first, count;
    std::vector<std::int64_t> weights;
};

AxisTaps axisTaps(int in, int out)
{
    const double scale = double(in) / out;
    const double filterScale = std::max(scale, 1.0);
    const double support = 2.0 * filterScale;
    AxisTaps t;
    t.width = int(std::ceil(support)) * 2 + 1;
    t.first.resize(std::size_t(out));
    t.count.resize(std::size_t(out));
    t.weights.assign(std::size_t(out) * std::size_t(t.width), 0);
    std::vector<double> k(std::size_t(t.width));
    for (int o = 0; o < out; ++o) {
        const double center = (o + 0.5) * scale;
        const int lo = std::max(0, int(center - support + 0.5));
        const int n = std::min(in, int(center + support + 0.5)) - lo;
        double sum = 0;
        for (int i = 0; i < n; ++i) {
            k[std::size_t(i)] = bicubicKernel((i + lo - center + 0.5) / filterScale);
            sum += k[std::size_t(i)];
        }
        for (int i = 0; i < n; ++i) {
            const double w = sum != 0.0 ? k[std::size_t(i)] / sum : 0.0;
            t.weights[std::size_t(o) * std::size_t(t.width) + std::size_t(i)] =
                std::int64_t(w * double(1 << kPrecisionBits) + (w < 0 ? -0.5 : 0.5));
        }
        t.first[std::size_t(o)] = lo;
        t.count[std::size_t(o)] = n;
    }
    return t;
}

std::uint8_t toByte(std::int64_t acc)
{
    const std::int64_t v = acc >> kPrecisionBits; // floor; the accumulator starts at one half: round half up
    return std::uint8_t(std::clamp<std::int64_t>(v, 0, 255));
}

// One pass of the separable resize over interleaved 8-bit RGB rows: along the width when
// `horizontal`, else along the height.
std::vector<std::uint8_t> resamplePass(const std::vector<std::uint8_t> &in, int h, int w, int outH, int outW, bool horizontal)
{
    const AxisTaps t = horizontal ? axisTaps(w, outW) : axisTaps(h, outH);
    std::vector<std::uint8_t> out(std::size_t(outH) * std::size_t(outW) * 3);
    for (int y = 0; y < outH; ++y) {
        for (int x = 0; x < outW; ++x) {
            const int o = horizontal ? x : y;
            const std::int64_t *wt = &t.weights[std::size_t(o) * std::size_t(t.width)];
            for (int c = 0; c < 3; ++c) {
                std::int64_t acc = std::int64_t(1) << (kPrecisionBits - 1);
                for (int i = 0; i < t.count[std::size_t(o)]; ++i) {
                    const int sy = horizontal ? y : t.first[std::size_t(o)] + i;
                    const int sx = horizontal ? t.first[std::size_t(o)] + i : x;
                    acc += std::int64_t(in[(std::size_t(sy) * std::size_t(w) + std::size_t(sx)) * 3 + std::size_t(c)]) * wt[i];
                }
                out[(std::size_t(y) * std::size_t(outW) + std::size_t(x)) * 3 + std::size_t(c)] = toByte(acc);
            }
        }
    }
    return out;
}

} // namespace

torch::Tensor resizeBicubic(const torch::Tensor &x, int height, int width)
{
    // The reference resizes the 8-bit image with PIL's bicubic filter: the width pass, then the
    // height pass, each with fixed-point weights and written back to 8 bits (so a bicubic
    // overshoot at an edge is clipped before the second pass). We do the same arithmetic.
    // Measured against PIL (tests/model/parity/pil_bicubic.safetensors): equal on every value;
    // LibTorch's antialiased bicubic in one floating-point pass was up to 23 levels off at
    // sharp edges.
    const int h = int(x.size(2)), w = int(x.size(3));
    if (height == h && width == w)
        return x;
    TORCH_CHECK(height > 0 && width > 0, "cannot resize to ", width, "x", height);
    auto hwc = x[0].permute({1, 2, 0}).round().clamp(0, 255).to(torch::kUInt8).contiguous();
    std::vector<std::uint8_t> img(hwc.data_ptr<std::uint8_t>(), hwc.data_ptr<std::uint8_t>() + hwc.numel());
    int curW = w;
    if (width != w) {
        img = resamplePass(img, h, w, h, width, true);
        curW = width;
    }
    if (height != h)
        img = resamplePass(img, h, curW, height, curW, false);
    auto out = torch::from_blob(img.data(), {height, width, 3}, torch::kUInt8).permute({2, 0, 1}).to(torch::kFloat32);
    return out.unsqueeze(0).contiguous();
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

torch::Tensor llavaViews(const RgbImage &image, const LlavaConfig &config, const PreprocessorConfig &preprocessor)
{
    return config.anyres() ? preprocessAnyres(image, config, preprocessor) : preprocessClip(image, preprocessor).unsqueeze(0);
}

torch::Tensor preprocessQwen2Vl(const RgbImage &image, const Qwen3VlProcessorConfig &p, ImageGridThw &grid)
{
    checkImage(image);
    auto g = imageGrid(p, image.height, image.width);
    TORCH_CHECK(g, g ? std::string() : g.error());
    grid = *g;
    const int P = p.patchSize, m = p.mergeSize, Tp = p.temporalPatchSize;
    auto x = resizeBicubic(imageTensor(image), g->h * P, g->w * P)[0]; // [3, H, W], 0..255
    if (p.doRescale) // in double, then float, as numpy does it
        x = (x.to(torch::kFloat64) * p.rescaleFactor).to(torch::kFloat32);
    if (p.doNormalize) {
        auto mean = torch::tensor({p.mean[0], p.mean[1], p.mean[2]}, torch::kFloat64).to(torch::kFloat32).view({3, 1, 1});
        auto std = torch::tensor({p.std[0], p.std[1], p.std[2]}, torch::kFloat64).to(torch::kFloat32).view({3, 1, 1});
        x = (x - mean) / std;
    }
    // One frame, repeated to a whole temporal patch.
    auto frames = x.unsqueeze(0).expand({Tp, 3, x.size(1), x.size(2)});
    // (t, Tp, C, h/m, m, P, w/m, m, P) → (t, h/m, w/m, m, m, C, Tp, P, P)
    auto patches = frames.reshape({1, Tp, 3, g->h / m, m, P, g->w / m, m, P}).permute({0, 3, 6, 4, 7, 2, 1, 5, 8});
    return patches.reshape({g->patches(), std::int64_t(3) * Tp * P * P}).contiguous();
}

} // namespace sdrt::model
