#include "cli/Commands.h"

#include "sdrt/common/FileWriter.h"

#include "sdrt/store/Workspace.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <cstdlib>
#include <csignal>

#include <cstdio>
#include <unistd.h>

namespace sdrt::cli {
namespace {

QString optionName(const QCommandLineOption &option)
{
    return QStringLiteral("--") + option.names().constLast();
}

} // namespace

void writeExitStatus(int code)
{
    const QByteArray path = qgetenv("SDRT_EXIT_STATUS_FILE");
    if (!path.isEmpty())
        (void)common::writeFileAtomically(path.toStdString(), std::to_string(code) + "\n");
}

void processArgs(QCommandLineParser &p, const QStringList &args)
{
    if (!p.parse(args)) {
        err(p.errorText());
        err(QCoreApplication::translate("sdrt::cli", "%1 --help lists the options.").arg(args.value(0)));
        writeExitStatus(2);
        std::exit(2);
    }
    // optionNames() holds the options given; "help" is there only for commands that offer it.
    const QStringList given = p.optionNames();
    if (given.contains(QLatin1String("help")) || given.contains(QLatin1String("h")) || given.contains(QLatin1String("help-all")))
        p.showHelp(0);
}

void workspaceCommand(QCommandLineParser &p, const QString &description)
{
    p.setApplicationDescription(description);
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("WS"), QCoreApplication::translate("sdrt::cli", "Workspace folder."));
}

bool parseArgs(QCommandLineParser &p, const QString &command, const QStringList &args, int positionals)
{
    processArgs(p, QStringList{command} + args);
    if (p.positionalArguments().size() == positionals)
        return true;
    err(p.helpText());
    return false;
}

bool outputFolderAllowed(const QString &dir, bool force, const QString &command)
{
    const QFileInfo info(dir);
    if (store::Workspace::looksLikeWorkspace(dir))
        return errorFalse(QCoreApplication::translate("sdrt::cli", "%1 is a workspace; %2 never writes into a workspace's root. Give a new folder.")
                .arg(QDir::toNativeSeparators(dir), command));
    if (info.exists() && !info.isDir())
        return errorFalse(QCoreApplication::translate("sdrt::cli", "%1 is a file, not a folder.").arg(QDir::toNativeSeparators(dir)));
    if (info.isDir() && !QDir(dir).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System) && !force)
        return errorFalse(QCoreApplication::translate("sdrt::cli", "%1 is not empty; %2 writes only into a new or empty folder (--force writes there anyway, "
                                                     "replacing the files it makes).")
                .arg(QDir::toNativeSeparators(dir), command));
    return true;
}

std::optional<int> intOption(const QCommandLineParser &p, const QCommandLineOption &option, int min, int max)
{
    const QString text = p.value(option).trimmed();
    bool ok = false;
    const qlonglong v = text.toLongLong(&ok);
    if (!ok)
        return errorNothing(QCoreApplication::translate("sdrt::cli", "%1: \"%2\" is not a whole number.").arg(optionName(option), text));
    if (v < min || v > max) {
        if (v < min)
            err(QCoreApplication::translate("sdrt::cli", "%1: %2 is too small (at least %3).").arg(optionName(option), text).arg(min));
        else if (max == std::numeric_limits<int>::max())
            err(QCoreApplication::translate("sdrt::cli", "%1: %2 is too large (at most %3).").arg(optionName(option), text).arg(max));
        else
            err(QCoreApplication::translate("sdrt::cli", "%1: %2 is out of range (%3 to %4).").arg(optionName(option), text).arg(min).arg(max));
        return std::nullopt;
    }
    return int(v);
}

std::optional<double> realOption(const QCommandLineParser &p, const QCommandLineOption &option, double min, double max, bool minInclusive)
{
    const QString text = p.value(option).trimmed();
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return errorNothing(QCoreApplication::translate("sdrt::cli", "%1: \"%2\" is not a number.").arg(optionName(option), text));
    if (v > max || v < min || (!minInclusive && v == min)) {
        if (minInclusive)
            err(QCoreApplication::translate("sdrt::cli", "%1: %2 is out of range (%3 to %4).").arg(optionName(option), text).arg(min).arg(max));
        else
            err(QCoreApplication::translate("sdrt::cli", "%1: %2 is out of range (above %3, at most %4).").arg(optionName(option), text).arg(min).arg(max));
        return std::nullopt;
    }
    return v;
}

std::optional<std::uint64_t> seedOption(const QCommandLineParser &p, const QCommandLineOption &option)
{
    const QString text = p.value(option).trimmed();
    bool ok = false;
    const qulonglong v = text.toULongLong(&ok);
    if (!ok || text.startsWith(QLatin1Char('-')))
        return errorNothing(QCoreApplication::translate("sdrt::cli", "%1: \"%2\" is not a whole number of 0 or more.").arg(optionName(option), text));
    return std::uint64_t(v);
}

std::optional<std::vector<int>> intListOption(const QCommandLineParser &p, const QCommandLineOption &option, int min, int max)
{
    std::vector<int> out;
    const QStringList parts = p.value(option).split(QLatin1Char(','));
    for (const QString &raw : parts) {
        const QString part = raw.trimmed();
        bool ok = false;
        const qlonglong v = part.toLongLong(&ok);
        if (!ok)
            return errorNothing(QCoreApplication::translate("sdrt::cli", "%1: \"%2\" is not a whole number.").arg(optionName(option), part));
        if (v < min || v > max)
            return errorNothing(QCoreApplication::translate("sdrt::cli", "%1: %2 is out of range (%3 to %4).").arg(optionName(option), part).arg(min).arg(max));
        out.push_back(int(v));
    }
    return out;
}

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

int errorExit(const QString &text)
{
    err(text);
    return 2;
}

bool errorFalse(const QString &text)
{
    err(text);
    return false;
}

std::nullopt_t errorNothing(const QString &text)
{
    err(text);
    return std::nullopt;
}

std::optional<store::Workspace> openWorkspace(const QString &dir)
{
    auto ws = store::Workspace::open(dir);
    if (!ws)
        return errorNothing(ws.error());
    return std::move(*ws);
}

void jsonLine(const QJsonObject &object)
{
    const QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, std::size_t(line.size()), stdout);
    std::fflush(stdout);
}

namespace {
std::atomic_bool g_cancelRequested{false};
void onCancelSignal(int)
{
    g_cancelRequested = true;
}
} // namespace

const std::atomic_bool *cancelOnSignals()
{
    std::signal(SIGINT, onCancelSignal);
    std::signal(SIGTERM, onCancelSignal);
    return &g_cancelRequested;
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
    // No rate before the first unit is done: a dash, not "0.0/s ETA 0s".
    const QString rateText = done > 0 && rate > 0 ? QString::number(rate, 'f', 1) : QStringLiteral("–");
    QString etaText = QStringLiteral("–");
    if (done >= total && total > 0)
        etaText = QStringLiteral("0:00");
    else if (done > 0 && rate > 0)
        etaText = QStringLiteral("%1:%2").arg(qint64(eta) / 60).arg(qint64(eta) % 60, 2, 10, QLatin1Char('0'));
    const QString line = QStringLiteral("%1 [%2] %3/%4  %5/s  ETA %6 %7").arg(m_label, bar).arg(done).arg(total).arg(rateText, etaText, extra);
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
