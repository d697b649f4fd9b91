#pragma once
// Reads an image's format and size from its header alone, without decoding pixels, so that
// decompression bombs are refused before any large allocation.

#include "sdrt/common/Result.h"

#include <QByteArray>
#include <QString>

namespace sdrt::assets {

struct ImageHeader {
    QString format;   // "png", "jpeg", "bmp", "tiff", "webp"
    QString mime;
    qint64 width = 0;
    qint64 height = 0;
};

// Fails for unknown formats and for headers that are cut short or inconsistent.
Result<ImageHeader> probeImage(const QByteArray &bytes);

// Structural end-of-file checks that decoders forgive (a JPEG without its end marker, a PNG
// without IEND, a BMP shorter than its header says): true when the file is complete.
bool looksComplete(const ImageHeader &header, const QByteArray &bytes);

} // namespace sdrt::assets
