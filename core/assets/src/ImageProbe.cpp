#include "sdrt/assets/ImageProbe.h"

#include <QCoreApplication>

namespace sdrt::assets {
namespace {

quint32 be32(const QByteArray &b, qsizetype at)
{
    const auto *p = reinterpret_cast<const unsigned char *>(b.constData() + at);
    return (quint32(p[0]) << 24) | (quint32(p[1]) << 16) | (quint32(p[2]) << 8) | quint32(p[3]);
}

quint16 be16(const QByteArray &b, qsizetype at)
{
    const auto *p = reinterpret_cast<const unsigned char *>(b.constData() + at);
    return quint16((p[0] << 8) | p[1]);
}

quint32 le32(const QByteArray &b, qsizetype at)
{
    const auto *p = reinterpret_cast<const unsigned char *>(b.constData() + at);
    return quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16) | (quint32(p[3]) << 24);
}

quint16 le16(const QByteArray &b, qsizetype at)
{
    const auto *p = reinterpret_cast<const unsigned char *>(b.constData() + at);
    return quint16(p[0] | (p[1] << 8));
}

quint32 le24(const QByteArray &b, qsizetype at)
{
    const auto *p = reinterpret_cast<const unsigned char *>(b.constData() + at);
    return quint32(p[0]) | (quint32(p[1]) << 8) | (quint32(p[2]) << 16);
}

Result<ImageHeader> truncated(const char *format)
{
    return fail(QCoreApplication::translate("sdrt::assets", "the %1 header is cut short (truncated file)").arg(QString::fromLatin1(format)));
}

Result<ImageHeader> probePng(const QByteArray &b)
{
    if (b.size() < 33)
        return truncated("PNG");
    if (b.mid(12, 4) != "IHDR")
        return fail(QCoreApplication::translate("sdrt::assets", "the PNG file has no IHDR header chunk (corrupt file)"));
    return ImageHeader{QStringLiteral("png"), QStringLiteral("image/png"), be32(b, 16), be32(b, 20)};
}

Result<ImageHeader> probeJpeg(const QByteArray &b)
{
    qsizetype i = 2;
    while (i + 4 <= b.size()) {
        if (uchar(b[i]) != 0xFF)
            return fail(QCoreApplication::translate("sdrt::assets", "the JPEG marker structure is corrupt at byte %1").arg(i));
        uchar marker = uchar(b[i + 1]);
        if (marker == 0xFF) { // fill byte
            ++i;
            continue;
        }
        if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
            i += 2;
            continue;
        }
        const quint16 len = be16(b, i + 2);
        const bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            if (i + 9 > b.size())
                return truncated("JPEG");
            return ImageHeader{QStringLiteral("jpeg"), QStringLiteral("image/jpeg"), be16(b, i + 7), be16(b, i + 5)};
        }
        if (marker == 0xD9 || marker == 0xDA)
            break;
        if (len < 2)
            return fail(QCoreApplication::translate("sdrt::assets", "the JPEG marker structure is corrupt at byte %1").arg(i));
        i += 2 + len;
    }
    return fail(QCoreApplication::translate("sdrt::assets", "the JPEG file has no frame header (truncated or corrupt file)"));
}

Result<ImageHeader> probeBmp(const QByteArray &b)
{
    if (b.size() < 26)
        return truncated("BMP");
    const quint32 dibSize = le32(b, 14);
    if (dibSize == 12)
        return ImageHeader{QStringLiteral("bmp"), QStringLiteral("image/bmp"), le16(b, 18), le16(b, 20)};
    const qint32 w = qint32(le32(b, 18));
    const qint32 h = qint32(le32(b, 22));
    return ImageHeader{QStringLiteral("bmp"), QStringLiteral("image/bmp"), qAbs(qint64(w)), qAbs(qint64(h))};
}

Result<ImageHeader> probeTiff(const QByteArray &b)
{
    const bool little = b.startsWith("II");
    auto u16 = [&](qsizetype at) { return little ? le16(b, at) : be16(b, at); };
    auto u32 = [&](qsizetype at) { return little ? le32(b, at) : be32(b, at); };
    if (b.size() < 8)
        return truncated("TIFF");
    const quint32 ifd = u32(4);
    if (qsizetype(ifd) + 2 > b.size())
        return fail(QCoreApplication::translate("sdrt::assets", "the TIFF directory offset points past the end of the file (truncated file)"));
    const quint16 entries = u16(ifd);
    qint64 width = 0, height = 0;
    for (quint16 e = 0; e < entries; ++e) {
        const qsizetype at = qsizetype(ifd) + 2 + qsizetype(e) * 12;
        if (at + 12 > b.size())
            return truncated("TIFF");
        const quint16 tag = u16(at);
        const quint16 type = u16(at + 2);
        const quint32 value = type == 3 ? u16(at + 8) : u32(at + 8);
        if (tag == 256)
            width = value;
        else if (tag == 257)
            height = value;
    }
    if (width <= 0 || height <= 0)
        return fail(QCoreApplication::translate("sdrt::assets", "the TIFF file does not state its width and height (corrupt file)"));
    return ImageHeader{QStringLiteral("tiff"), QStringLiteral("image/tiff"), width, height};
}

Result<ImageHeader> probeWebp(const QByteArray &b)
{
    if (b.size() < 30)
        return truncated("WebP");
    const QByteArray chunk = b.mid(12, 4);
    ImageHeader h{QStringLiteral("webp"), QStringLiteral("image/webp"), 0, 0};
    if (chunk == "VP8X") {
        h.width = qint64(le24(b, 24)) + 1;
        h.height = qint64(le24(b, 27)) + 1;
    } else if (chunk == "VP8L") {
        const quint32 bits = le32(b, 21);
        h.width = qint64(bits & 0x3FFF) + 1;
        h.height = qint64((bits >> 14) & 0x3FFF) + 1;
    } else if (chunk == "VP8 ") {
        h.width = le16(b, 26) & 0x3FFF;
        h.height = le16(b, 28) & 0x3FFF;
    } else {
        return fail(QCoreApplication::translate("sdrt::assets", "unknown WebP chunk type (corrupt file)"));
    }
    return h;
}

} // namespace

Result<ImageHeader> probeImage(const QByteArray &b)
{
    if (b.isEmpty())
        return fail(QCoreApplication::translate("sdrt::assets", "the file is empty (0 bytes)"));
    Result<ImageHeader> r = fail(QString());
    if (b.startsWith("\x89PNG\r\n\x1a\n"))
        r = probePng(b);
    else if (b.startsWith("\xFF\xD8\xFF"))
        r = probeJpeg(b);
    else if (b.startsWith("BM"))
        r = probeBmp(b);
    else if (b.startsWith("II*\0") || b.startsWith(QByteArray("MM\0*", 4)))
        r = probeTiff(b);
    else if (b.startsWith("RIFF") && b.mid(8, 4) == "WEBP")
        r = probeWebp(b);
    else
        return fail(QCoreApplication::translate("sdrt::assets", "not a supported image (PNG, JPEG, TIFF, BMP or WebP expected)"));
    if (r && (r->width <= 0 || r->height <= 0))
        return fail(QCoreApplication::translate("sdrt::assets", "the image header states a size of %1×%2 (corrupt file)").arg(r->width).arg(r->height));
    return r;
}

bool looksComplete(const ImageHeader &h, const QByteArray &b)
{
    if (h.format == QLatin1String("jpeg")) {
        // The end-of-image marker, possibly followed by padding.
        qsizetype end = b.size();
        while (end > 2 && (uchar(b[end - 1]) == 0x00 || uchar(b[end - 1]) == 0xFF) && !(uchar(b[end - 2]) == 0xFF && uchar(b[end - 1]) == 0xD9))
            --end;
        return end >= 2 && uchar(b[end - 2]) == 0xFF && uchar(b[end - 1]) == 0xD9;
    }
    if (h.format == QLatin1String("png"))
        return b.size() >= 12 && b.mid(b.size() - 8, 4) == "IEND";
    if (h.format == QLatin1String("bmp"))
        return b.size() >= 6 && qint64(le32(b, 2)) <= b.size();
    if (h.format == QLatin1String("webp"))
        return b.size() >= 8 && qint64(le32(b, 4)) + 8 <= b.size();
    return true;
}

} // namespace sdrt::assets
