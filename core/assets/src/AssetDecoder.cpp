#include "sdrt/assets/AssetDecoder.h"

#include "sdrt/assets/ImageProbe.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QPdfDocument>
#include <QSvgRenderer>
#include <QTemporaryFile>

#include <opencv2/imgcodecs.hpp>

namespace sdrt::assets {
namespace {

QString megapixels(qint64 pixels)
{
    return QString::number(double(pixels) / 1e6, 'f', 1);
}

Result<void> checkPixels(qint64 w, qint64 h, const DecodeLimits &limits)
{
    if (w <= 0 || h <= 0 || w > (1 << 20) || h > (1 << 20) || w * h > limits.maxPixels)
        return fail(QCoreApplication::translate("sdrt::assets", "the image is %1×%2 pixels (%3 MP), over the limit of %4 MP (possible decompression bomb)")
                        .arg(w)
                        .arg(h)
                        .arg(megapixels(w * h), megapixels(limits.maxPixels)));
    return {};
}

QString suffixFor(const QString &format)
{
    if (format == QLatin1String("jpeg"))
        return QStringLiteral(".jpg");
    if (format == QLatin1String("tiff"))
        return QStringLiteral(".tif");
    return QLatin1Char('.') + format;
}

QByteArray encodePng(const QImage &image)
{
    QByteArray out;
    QBuffer buffer(&out);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return out;
}

Result<std::vector<PreparedAsset>> preparePhoto(const QByteArray &bytes, const QString &name, store::AssetKind role,
                                                const DecodeLimits &limits)
{
    auto header = probeImage(bytes);
    if (!header)
        return fail(header.error());
    if (auto r = checkPixels(header->width, header->height, limits); !r)
        return fail(r.error());
    if (!looksComplete(*header, bytes))
        return fail(QCoreApplication::translate("sdrt::assets", "the %1 file is truncated (its end is missing)").arg(header->format.toUpper()));
    cv::Mat decoded;
    try {
        const cv::Mat raw(1, int(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData()));
        decoded = cv::imdecode(raw, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception &e) {
        return fail(QCoreApplication::translate("sdrt::assets", "the image cannot be decoded: %1").arg(QString::fromStdString(e.what())));
    }
    if (decoded.empty())
        return fail(QCoreApplication::translate("sdrt::assets", "the %1 image cannot be decoded (corrupt or truncated file)").arg(header->format.toUpper()));
    if (decoded.cols != header->width || decoded.rows != header->height)
        return fail(QCoreApplication::translate("sdrt::assets", "the decoded image is %1×%2 but its header says %3×%4 (corrupt file)")
                        .arg(decoded.cols)
                        .arg(decoded.rows)
                        .arg(header->width)
                        .arg(header->height));
    PreparedAsset a;
    a.kind = role;
    a.originalName = name;
    a.sha256 = sha256Hex(bytes);
    a.mime = header->mime;
    a.storedBytes = bytes;
    a.storedSuffix = suffixFor(header->format);
    a.width = int(header->width);
    a.height = int(header->height);
    return std::vector<PreparedAsset>{std::move(a)};
}

Result<std::vector<PreparedAsset>> preparePdf(const QByteArray &bytes, const QString &path, store::AssetKind role,
                                              const DecodeLimits &limits)
{
    if (!bytes.right(1024).contains("%%EOF"))
        return fail(QCoreApplication::translate("sdrt::assets", "the PDF file is truncated (no %%EOF end marker)"));
    // Qt PDF loads synchronously from a file; use a private copy of the bytes we checked.
    QTemporaryFile tmp;
    if (!tmp.open() || tmp.write(bytes) != bytes.size() || !tmp.flush())
        return fail(QCoreApplication::translate("sdrt::assets", "cannot write a temporary copy of the PDF: %1").arg(tmp.errorString()));
    QPdfDocument doc;
    const QPdfDocument::Error err = doc.load(tmp.fileName());
    if (err != QPdfDocument::Error::None) {
        QString reason;
        switch (err) {
        case QPdfDocument::Error::IncorrectPassword: reason = QCoreApplication::translate("sdrt::assets", "the PDF is password-protected"); break;
        case QPdfDocument::Error::UnsupportedSecurityScheme: reason = QCoreApplication::translate("sdrt::assets", "the PDF uses an unsupported security scheme"); break;
        default: reason = QCoreApplication::translate("sdrt::assets", "the PDF is corrupt and cannot be opened"); break;
        }
        return fail(reason);
    }
    const int pages = doc.pageCount();
    if (pages <= 0)
        return fail(QCoreApplication::translate("sdrt::assets", "the PDF has no pages"));
    if (pages > limits.maxPdfPages)
        return fail(QCoreApplication::translate("sdrt::assets", "the PDF has %1 pages, over the limit of %2").arg(pages).arg(limits.maxPdfPages));
    const QString sha = sha256Hex(bytes);
    std::vector<PreparedAsset> out;
    for (int p = 0; p < pages; ++p) {
        const QSizeF points = doc.pagePointSize(p);
        const qint64 w = qint64(points.width() / 72.0 * limits.pdfDpi + 0.5);
        const qint64 h = qint64(points.height() / 72.0 * limits.pdfDpi + 0.5);
        if (auto r = checkPixels(w, h, limits); !r)
            return fail(QCoreApplication::translate("sdrt::assets", "page %1: %2").arg(p + 1).arg(r.error()));
        QImage page = doc.render(p, QSize(int(w), int(h)));
        if (page.isNull())
            return fail(QCoreApplication::translate("sdrt::assets", "page %1 of the PDF cannot be rendered").arg(p + 1));
        QImage flat(page.size(), QImage::Format_RGB888);
        flat.fill(Qt::white);
        {
            QPainter painter(&flat);
            painter.drawImage(0, 0, page);
        }
        PreparedAsset a;
        a.kind = role;
        a.originalName = QFileInfo(path).fileName();
        a.sha256 = sha;
        a.page = p + 1;
        a.mime = QStringLiteral("image/png");
        a.storedBytes = encodePng(flat);
        a.storedSuffix = QStringLiteral(".p%1.png").arg(p + 1);
        a.sourceBytes = bytes;
        a.sourceSuffix = QStringLiteral(".pdf");
        a.width = int(w);
        a.height = int(h);
        a.dpi = limits.pdfDpi;
        out.push_back(std::move(a));
    }
    return out;
}

Result<std::vector<PreparedAsset>> prepareSvg(const QByteArray &bytes, const QString &path, store::AssetKind role,
                                              const DecodeLimits &limits)
{
    QSvgRenderer renderer(bytes);
    if (!renderer.isValid())
        return fail(QCoreApplication::translate("sdrt::assets", "the SVG file is not valid SVG (corrupt or truncated file)"));
    QSizeF size = renderer.defaultSize();
    if (size.isEmpty())
        size = renderer.viewBoxF().size();
    const double scale = limits.svgDpi / 96.0;
    const qint64 w = qint64(size.width() * scale + 0.5);
    const qint64 h = qint64(size.height() * scale + 0.5);
    if (auto r = checkPixels(w, h, limits); !r)
        return fail(r.error());
    QImage image(int(w), int(h), QImage::Format_RGB888);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        renderer.render(&painter);
    }
    PreparedAsset a;
    a.kind = role;
    a.originalName = QFileInfo(path).fileName();
    a.sha256 = sha256Hex(bytes);
    a.mime = QStringLiteral("image/png");
    a.storedBytes = encodePng(image);
    a.storedSuffix = QStringLiteral(".png");
    a.sourceBytes = bytes;
    a.sourceSuffix = QStringLiteral(".svg");
    a.width = int(w);
    a.height = int(h);
    a.dpi = limits.svgDpi;
    return std::vector<PreparedAsset>{std::move(a)};
}

bool looksLikeSvg(const QByteArray &bytes)
{
    const QByteArray head = bytes.left(4096);
    return head.contains("<svg");
}

} // namespace

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

qsizetype firstInvalidUtf8(const QByteArray &bytes)
{
    const auto *s = reinterpret_cast<const unsigned char *>(bytes.constData());
    const qsizetype n = bytes.size();
    qsizetype i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        int len = 0;
        quint32 cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (i + len > n)
            return i;
        for (int k = 1; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF
            || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        i += len;
    }
    return -1;
}

Result<QByteArray> readSourceFile(const QString &path, const DecodeLimits &limits)
{
    QFileInfo info(path);
    if (!info.exists())
        return fail(QCoreApplication::translate("sdrt::assets", "the file does not exist"));
    if (!info.isFile())
        return fail(QCoreApplication::translate("sdrt::assets", "not a regular file"));
    if (info.size() == 0)
        return fail(QCoreApplication::translate("sdrt::assets", "the file is empty (0 bytes)"));
    if (info.size() > limits.maxFileBytes)
        return fail(QCoreApplication::translate("sdrt::assets", "the file is %1 MB, over the limit of %2 MB")
                        .arg(info.size() >> 20)
                        .arg(limits.maxFileBytes >> 20));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(QCoreApplication::translate("sdrt::assets", "cannot read the file: %1").arg(f.errorString()));
    QByteArray bytes = f.readAll();
    if (bytes.size() != info.size())
        return fail(QCoreApplication::translate("sdrt::assets", "the file changed size while it was read"));
    return bytes;
}

Result<std::vector<PreparedAsset>> prepareAsset(const QString &path, store::AssetKind role, const DecodeLimits &limits)
{
    auto bytes = readSourceFile(path, limits);
    if (!bytes)
        return fail(bytes.error());
    return prepareAssetBytes(*bytes, path, role, limits);
}

Result<std::vector<PreparedAsset>> prepareAssetBytes(const QByteArray &bytes, const QString &path,
                                                     store::AssetKind role, const DecodeLimits &limits)
{
    if (bytes.isEmpty())
        return fail(QCoreApplication::translate("sdrt::assets", "the file is empty (0 bytes)"));
    const QString name = QFileInfo(path).fileName();
    if (role == store::AssetKind::Note) {
        QByteArray text = bytes;
        if (text.startsWith("\xEF\xBB\xBF"))
            text.remove(0, 3);
        if (text.contains('\0'))
            return fail(QCoreApplication::translate("sdrt::assets", "the note is not a text file (it contains NUL bytes)"));
        const qsizetype bad = firstInvalidUtf8(text);
        if (bad >= 0)
            return fail(QCoreApplication::translate("sdrt::assets", "the note is not valid UTF-8 (first bad byte at offset %1)").arg(bad + (bytes.size() - text.size())));
        PreparedAsset a;
        a.kind = store::AssetKind::Note;
        a.originalName = name;
        a.sha256 = sha256Hex(bytes);
        a.mime = name.endsWith(QLatin1String(".md"), Qt::CaseInsensitive) ? QStringLiteral("text/markdown")
                                                                           : QStringLiteral("text/plain");
        a.storedBytes = bytes;
        a.storedSuffix = name.endsWith(QLatin1String(".md"), Qt::CaseInsensitive) ? QStringLiteral(".md")
                                                                                  : QStringLiteral(".txt");
        a.text = QString::fromUtf8(text);
        return std::vector<PreparedAsset>{std::move(a)};
    }
    try {
        if (bytes.startsWith("%PDF-"))
            return preparePdf(bytes, path, role, limits);
        if (looksLikeSvg(bytes))
            return prepareSvg(bytes, path, role, limits);
        return preparePhoto(bytes, name, role, limits);
    } catch (const std::exception &e) {
        return fail(QCoreApplication::translate("sdrt::assets", "unexpected error while reading the file: %1").arg(QString::fromLocal8Bit(e.what())));
    }
}

Result<PreparedAsset> prepareNoteText(const QString &text, const QString &label)
{
    PreparedAsset a;
    a.kind = store::AssetKind::Note;
    a.originalName = label;
    a.storedBytes = text.toUtf8();
    a.sha256 = sha256Hex(a.storedBytes);
    a.mime = QStringLiteral("text/plain");
    a.storedSuffix = QStringLiteral(".txt");
    a.text = text;
    return a;
}

} // namespace sdrt::assets
