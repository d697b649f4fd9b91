#pragma once
// Reads and checks one source file and prepares what the workspace stores for it: the original
// bytes (content-addressed by their sha256) and, for PDF pages and SVG drawings, a PNG
// rendering that viewers and the model use. Nothing here touches the workspace.
//
// Thread rule: safe to call from a worker thread; PDF and SVG rendering need a
// QGuiApplication to exist (for fonts), as in the GUI and in `sdrt`.

#include "sdrt/common/Result.h"
#include "sdrt/store/Types.h"

#include <QByteArray>
#include <QString>

#include <optional>
#include <vector>

namespace sdrt::assets {

struct DecodeLimits {
    qint64 maxPixels = 64'000'000;        // per image or rendered page (decompression bombs)
    qint64 maxFileBytes = 512LL << 20;    // per source file
    int pdfDpi = 150;                     // PDF pages are rendered at this resolution
    int svgDpi = 96;                      // SVG user units are taken as 1/96 inch
    int maxPdfPages = 200;
};

struct PreparedAsset {
    store::AssetKind kind = store::AssetKind::Photo;
    QString originalName;
    QString sha256;         // of the source file's bytes (hex)
    int page = 0;           // 1..n for PDF pages, else 0
    QString mime;           // of the stored (viewable) bytes
    QByteArray storedBytes; // what viewers show: the original, or a PNG rendering
    QString storedSuffix;   // ".png", ".jpg", ".txt", ".p2.png", ...
    QByteArray sourceBytes; // the original when storedBytes is a rendering, else empty
    QString sourceSuffix;   // ".pdf", ".svg"
    std::optional<int> width, height, dpi;
    QString text;           // notes: the decoded text
};

QString sha256Hex(const QByteArray &bytes);

// Reads a file, refusing empty files and files over the size limit.
Result<QByteArray> readSourceFile(const QString &path, const DecodeLimits &limits);

// `role` says how the file is used (photo, drawing or note); the format is taken from the
// bytes, not the name. A PDF gives one asset per page.
Result<std::vector<PreparedAsset>> prepareAsset(const QString &path, store::AssetKind role, const DecodeLimits &limits);
Result<std::vector<PreparedAsset>> prepareAssetBytes(const QByteArray &bytes, const QString &path,
                                                     store::AssetKind role, const DecodeLimits &limits);
// A note given as text in a manifest.
Result<PreparedAsset> prepareNoteText(const QString &text, const QString &label);

// Offset of the first byte that breaks UTF-8, or -1 when the bytes are valid UTF-8.
qsizetype firstInvalidUtf8(const QByteArray &bytes);

} // namespace sdrt::assets
