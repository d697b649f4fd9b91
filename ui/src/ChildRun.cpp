#include "sdrt/ui/ChildRun.h"

#include "sdrt/store/OutputFile.h"
#include "sdrt/store/ProcessLock.h"
#include "sdrt/store/RunProtocol.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QThread>
#include <QTimer>

#include <csignal>
#include <sys/types.h>
#include <unistd.h>

namespace sdrt::ui {

QString sdrtProgram()
{
    const QString env = qEnvironmentVariable("SDRT_CLI");
    if (!env.isEmpty())
        return env;
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("sdrt"));
}

ChildRun::ChildRun(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setInterval(200);
    connect(m_timer, &QTimer::timeout, this, &ChildRun::poll);
}

ChildRun::~ChildRun() = default;

bool ChildRun::start(const QStringList &args, const QString &stdoutPath, const QString &stderrPath)
{
    if (isRunning()) {
        m_error = tr("A run is still going.");
        return false;
    }
    for (const QString &path : {stdoutPath, stderrPath}) {
        QDir().mkpath(QFileInfo(path).absolutePath());
        if (auto w = store::writeWorkspaceFile(path, {}); !w) { // a new, empty regular file
            m_error = w.error();
            return false;
        }
    }
    const QString statusFile = stdoutPath + QStringLiteral(".status");
    QFile::remove(statusFile);
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SDRT_EXIT_STATUS_FILE"), statusFile);
    process.setProcessEnvironment(env);
    process.setProgram(sdrtProgram());
    process.setArguments(args);
    process.setStandardOutputFile(stdoutPath, QIODevice::Append);
    process.setStandardErrorFile(stderrPath, QIODevice::Append);
    process.setStandardInputFile(QProcess::nullDevice());
    qint64 pid = 0;
    if (!process.startDetached(&pid) || pid <= 0) {
        m_error = tr("Cannot start %1: %2").arg(QDir::toNativeSeparators(sdrtProgram()), process.errorString());
        return false;
    }
    m_pid = pid;
    // Taken right away: a process that has already ended has no start time, and is then gone.
    m_identity = store::ProcessLock::processIdentity(pid);
    m_statusFile = statusFile;
    m_exitCode = -1;
    m_out = stdoutPath;
    m_err = stderrPath;
    m_outOffset = m_errOffset = 0;
    m_outPartial.clear();
    m_errPartial.clear();
    m_last = {};
    m_lastErr.clear();
    m_error.clear();
    m_timer->start();
    return true;
}

bool ChildRun::stillOurs() const
{
    return m_pid > 0 && store::ProcessLock::identityLiveness(m_identity) == store::ProcessLock::Liveness::Alive;
}

void ChildRun::cancel()
{
    if (stillOurs())
        ::kill(pid_t(m_pid), SIGTERM);
}

bool ChildRun::waitForFinished(int ms)
{
    QDeadlineTimer deadline(ms);
    while (isRunning() && !deadline.hasExpired()) {
        poll();
        if (isRunning())
            QThread::msleep(50);
    }
    return !isRunning();
}

void ChildRun::readNew(const QString &path, qint64 &offset, QByteArray &partial, bool json, bool flush)
{
    QFile f(path);
    if (f.open(QIODevice::ReadOnly) && f.size() > offset) {
        f.seek(offset);
        const QByteArray bytes = f.readAll();
        offset += bytes.size();
        partial += bytes;
    }
    qsizetype nl;
    while ((nl = partial.indexOf('\n')) >= 0 || (flush && !partial.isEmpty())) {
        const QByteArray line = nl >= 0 ? partial.left(nl) : partial;
        partial.remove(0, nl >= 0 ? nl + 1 : partial.size());
        if (line.trimmed().isEmpty())
            continue;
        if (!json) {
            m_lastErr = QString::fromUtf8(line);
            Q_EMIT stderrLine(m_lastErr);
            continue;
        }
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (!doc.isObject())
            continue;
        const QJsonObject o = doc.object();
        if (store::protocol::isFinal(store::protocol::eventOf(o)))
            m_last = o;
        Q_EMIT jsonLine(o);
    }
}

void ChildRun::poll()
{
    if (m_pid <= 0)
        return;
    // The process is detached (its parent is init, which reaps it): gone once no process with
    // its pid and start time exists.
    const bool alive = stillOurs();
    readNew(m_err, m_errOffset, m_errPartial, false, !alive);
    readNew(m_out, m_outOffset, m_outPartial, true, !alive);
    if (alive)
        return;
    QFile status(m_statusFile);
    bool ok = false;
    const int code = status.open(QIODevice::ReadOnly) ? status.readAll().trimmed().toInt(&ok) : -1;
    m_exitCode = ok ? code : -1;
    m_pid = 0;
    m_timer->stop();
    Q_EMIT finished();
}

} // namespace sdrt::ui
