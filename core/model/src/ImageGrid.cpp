#include "sdrt/model/ImageGrid.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sdrt::model {
namespace {

// Python's int(round(x, 7)) for the positive sizes unpad_image computes: rounding to seven
// decimals first keeps 23.999999999999996 (a product of two rounded doubles) from becoming 23.
int truncateAfterRounding(double x)
{
    return int(std::floor(std::round(x * 1e7) / 1e7));
}

} // namespace

PixelSize selectBestResolution(PixelSize image, const std::vector<GridPinpoint> &pinpoints)
{
    PixelSize best;
    long long maxEffective = 0;
    long long minWasted = std::numeric_limits<long long>::max();
    const long long original = static_cast<long long>(image.width) * image.height;
    for (const GridPinpoint &p : pinpoints) {
        const int height = p[0], width = p[1];
        const double scale = std::min(double(width) / image.width, double(height) / image.height);
        const long long downW = static_cast<long long>(image.width * scale);
        const long long downH = static_cast<long long>(image.height * scale);
        const long long effective = std::min(downW * downH, original);
        const long long wasted = static_cast<long long>(width) * height - effective;
        if (effective > maxEffective || (effective == maxEffective && wasted < minWasted)) {
            maxEffective = effective;
            minWasted = wasted;
            best = {height, width};
        }
    }
    return best;
}

PixelSize patchOutputSize(PixelSize image, PixelSize target)
{
    const double scaleW = double(target.width) / image.width;
    const double scaleH = double(target.height) / image.height;
    if (scaleW < scaleH)
        return {std::min(int(std::ceil(image.height * scaleW)), target.height), target.width};
    return {target.height, std::min(int(std::ceil(image.width * scaleH)), target.width)};
}

AnyresLayout anyresLayout(const LlavaConfig &c, int height, int width)
{
    AnyresLayout l;
    l.image = {height, width};
    l.best = selectBestResolution(l.image, c.imageGridPinpoints);
    l.resized = patchOutputSize(l.image, l.best);
    const int padH = l.best.height - l.resized.height, padW = l.best.width - l.resized.width;
    l.padTop = padH / 2;
    l.padBottom = padH - l.padTop;
    l.padLeft = padW / 2;
    l.padRight = padW - l.padLeft;
    const int side = c.vision.imageSize;
    const int patches = side / c.vision.patchSize; // feature rows (and columns) of one view
    l.rows = l.best.height / side;
    l.cols = l.best.width / side;
    l.featureHeight = l.rows * patches;
    l.featureWidth = l.cols * patches;
    l.unpaddedHeight = l.featureHeight;
    l.unpaddedWidth = l.featureWidth;
    const double originalAspect = double(width) / height;
    const double currentAspect = double(l.featureWidth) / l.featureHeight;
    if (originalAspect > currentAspect) {
        const double scale = double(l.featureWidth) / width;
        const int newHeight = truncateAfterRounding(height * scale);
        l.unpadTop = (l.featureHeight - newHeight) / 2;
        l.unpaddedHeight = l.featureHeight - 2 * l.unpadTop;
    } else {
        const double scale = double(l.featureHeight) / height;
        const int newWidth = truncateAfterRounding(width * scale);
        l.unpadLeft = (l.featureWidth - newWidth) / 2;
        l.unpaddedWidth = l.featureWidth - 2 * l.unpadLeft;
    }
    l.baseTokens = c.viewTokens();
    return l;
}

} // namespace sdrt::model
