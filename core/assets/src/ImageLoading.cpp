#include "sdrt/assets/ImageLoading.h"

#include <QCoreApplication>
#include <QFile>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace sdrt::assets {

Result<QImage> loadImage(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(QCoreApplication::translate("sdrt::assets", "Cannot read %1: %2").arg(path, f.errorString()));
    const QByteArray bytes = f.readAll();
    cv::Mat m;
    try {
        const cv::Mat raw(1, int(bytes.size()), CV_8UC1, const_cast<char *>(bytes.constData()));
        m = cv::imdecode(raw, cv::IMREAD_UNCHANGED);
        if (!m.empty() && m.depth() != CV_8U) {
            cv::Mat eight;
            m.convertTo(eight, CV_8U, m.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
            m = eight;
        }
        if (m.channels() == 3)
            cv::cvtColor(m, m, cv::COLOR_BGR2RGB);
        else if (m.channels() == 4)
            cv::cvtColor(m, m, cv::COLOR_BGRA2RGBA);
    } catch (const cv::Exception &e) {
        return fail(QCoreApplication::translate("sdrt::assets", "Cannot decode %1: %2").arg(path, QString::fromStdString(e.what())));
    }
    if (m.empty())
        return fail(QCoreApplication::translate("sdrt::assets", "Cannot decode %1: corrupt or unsupported image.").arg(path));
    QImage::Format format = QImage::Format_Grayscale8;
    if (m.channels() == 3)
        format = QImage::Format_RGB888;
    else if (m.channels() == 4)
        format = QImage::Format_RGBA8888;
    return QImage(m.data, m.cols, m.rows, int(m.step), format).copy();
}

} // namespace sdrt::assets
