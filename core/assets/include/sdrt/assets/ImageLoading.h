#pragma once
// Decodes a stored image for display or for the model: every format the importer accepts
// (OpenCV decoders), 8-bit, RGB(A) or grey.

#include "sdrt/common/Result.h"

#include <QImage>
#include <QString>

namespace sdrt::assets {

Result<QImage> loadImage(const QString &path);

} // namespace sdrt::assets
