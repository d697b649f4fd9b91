#include "cli/Commands.h"

#include <QDateTime>

#include <cstdio>
#include <unistd.h>

namespace sdrt::cli {

void out(const QString &text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

void err(const QString &text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stderr);
    std::fputc('\n', stderr);
}

void ProgressBar::update(qint64 done, qint64 total, const QString &extra)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_startMs < 0)
        m_startMs = now;
    const bool tty = isatty(fileno(stderr));
    if (done != total && m_lastMs >= 0 && now - m_lastMs < (tty ? 100 : 2000))
        return;
    m_lastMs = now;
    const double elapsed = (now - m_startMs) / 1000.0;
    const double rate = elapsed > 0 ? done / elapsed : 0;
    const double eta = rate > 0 ? (total - done) / rate : 0;
    const int width = 30;
    const int filled = total > 0 ? int(width * done / total) : 0;
    const QString bar = QString(filled, QLatin1Char('#')) + QString(width - filled, QLatin1Char('.'));
    const QString line = QStringLiteral("%1 [%2] %3/%4  %5/s  ETA %6s %7")
                             .arg(m_label, bar)
                             .arg(done)
                             .arg(total)
                             .arg(rate, 0, 'f', 1)
                             .arg(eta, 0, 'f', 0)
                             .arg(extra);
    const QByteArray b = line.toUtf8();
    if (tty)
        std::fprintf(stderr, "\r%s\x1b[K", b.constData());
    else
        std::fprintf(stderr, "%s\n", b.constData());
}

void ProgressBar::finish()
{
    if (isatty(fileno(stderr)))
        std::fputc('\n', stderr);
}

} // namespace sdrt::cli
