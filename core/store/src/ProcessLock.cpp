#include "sdrt/store/ProcessLock.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSysInfo>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>

#include <csignal>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace sdrt::store {
namespace {


std::atomic<int> g_processLockCounter{0};

} // namespace

QString LockHolder::describe() const
{
    QString who = program.isEmpty() ? QCoreApplication::translate("sdrt::store", "a program") : program;
    QString text = QCoreApplication::translate("sdrt::store", "%1 (pid %2").arg(who).arg(pid);
    if (!host.isEmpty())
        text += QCoreApplication::translate("sdrt::store", " on %1").arg(host);
    if (!startedAt.isEmpty())
        text += QCoreApplication::translate("sdrt::store", ", since %1").arg(startedAt);
    return text + QLatin1Char(')');
}

QString ProcessLock::thisProgram()
{
    QStringList args = QCoreApplication::instance() ? QCoreApplication::arguments() : QStringList();
    if (args.isEmpty())
        return QStringLiteral("?");
    args[0] = QFileInfo(args[0]).fileName();
    QString text = args.mid(0, 4).join(QLatin1Char(' '));
    if (args.size() > 4)
        text += QStringLiteral(" …");
    return text;
}

namespace {

QByteArray bootId()
{
    QFile f(QStringLiteral("/proc/sys/kernel/random/boot_id"));
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray();
}

// Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. The
// command name (field 2) is in parentheses and may hold spaces, so fields count from its ')'.
QByteArray startTicks(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray stat = f.readAll();
    const int close = stat.lastIndexOf(')');
    if (close < 0)
        return {};
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    return fields.size() > 19 ? fields.at(19) : QByteArray(); // field 3 is fields[0]
}

} // namespace

QString ProcessLock::processIdentity()
{
    return processIdentity(qint64(::getpid()));
}

QString ProcessLock::processIdentity(qint64 pid)
{
    return QStringLiteral("%1 %2 %3 %4")
        .arg(QSysInfo::machineHostName(), QString::fromLatin1(bootId()))
        .arg(pid)
        .arg(QString::fromLatin1(startTicks(pid)));
}

ProcessLock::Liveness ProcessLock::identityLiveness(const QString &identity)
{
    const QStringList parts = identity.split(QLatin1Char(' '));
    if (parts.size() != 4 || parts[0] != QSysInfo::machineHostName() || parts[1].isEmpty() || parts[3].isEmpty())
        return Liveness::Unknown;
    if (parts[1].toLatin1() != bootId())
        return Liveness::Dead;
    bool ok = false;
    const qint64 pid = parts[2].toLongLong(&ok);
    if (!ok || pid <= 0)
        return Liveness::Unknown;
    return startTicks(pid) == parts[3].toLatin1() ? Liveness::Alive : Liveness::Dead;
}

Result<void> ProcessLock::requestStop(const QString &identity)
{
    if (identityLiveness(identity) != Liveness::Alive)
        return fail(QCoreApplication::translate("sdrt::store", "The process (%1) is not running on this machine.").arg(identity));
    const qint64 pid = identity.split(QLatin1Char(' ')).value(2).toLongLong();
    if (::kill(pid_t(pid), SIGTERM) != 0)
        return fail(QCoreApplication::translate("sdrt::store", "Cannot signal process %1: %2").arg(pid).arg(QString::fromLocal8Bit(std::strerror(errno))));
    return {};
}

QString ProcessLock::lockDir(const QString &workspaceRoot)
{
    return QDir(workspaceRoot).filePath(QStringLiteral(".locks"));
}

QString ProcessLock::runLockFile(const QString &workspaceRoot, const QString &kind, qint64 runId)
{
    return QDir(lockDir(workspaceRoot)).filePath(QStringLiteral("%1-run-%2.lock").arg(kind).arg(runId));
}

Result<ProcessLock> ProcessLock::acquire(const QString &file, const QJsonObject &extra)
{
    if (!QDir().mkpath(QFileInfo(file).absolutePath()))
        return fail(QCoreApplication::translate("sdrt::store", "Cannot create the folder %1.").arg(QDir::toNativeSeparators(QFileInfo(file).absolutePath())));
    const QByteArray path = QFile::encodeName(file);
    const int fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(QCoreApplication::translate("sdrt::store", "Cannot create the lock file %1: %2").arg(QDir::toNativeSeparators(file), QString::fromLocal8Bit(strerror(errno))));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int e = errno;
        ::close(fd);
        if (e == EWOULDBLOCK)
            return fail(QCoreApplication::translate("sdrt::store", "%1 is held by %2.").arg(QDir::toNativeSeparators(file), readHolder(file).describe()));
        return fail(QCoreApplication::translate("sdrt::store", "Cannot lock %1: %2").arg(QDir::toNativeSeparators(file), QString::fromLocal8Bit(strerror(e))));
    }
    QJsonObject o = extra;
    o.insert(QStringLiteral("pid"), qint64(::getpid()));
    o.insert(QStringLiteral("host"), QSysInfo::machineHostName());
    o.insert(QStringLiteral("program"), thisProgram());
    o.insert(QStringLiteral("started_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    const QByteArray body = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    // Best effort: the lock is what matters, the text only names the holder.
    if (::ftruncate(fd, 0) == 0) {
        const ssize_t written = ::pwrite(fd, body.constData(), std::size_t(body.size()), 0);
        (void)written;
    }
    ProcessLock lock;
    lock.m_fd = fd;
    lock.m_file = file;
    return lock;
}

bool ProcessLock::isHeld(const QString &file)
{
    const QByteArray path = QFile::encodeName(file);
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno != ENOENT; // no file: nobody ever held it or its holder finished
    bool held = true;
    if (::flock(fd, LOCK_SH | LOCK_NB) == 0) {
        held = false;
        ::flock(fd, LOCK_UN);
    } else {
        held = errno == EWOULDBLOCK || errno == EINTR;
    }
    ::close(fd);
    return held;
}

LockHolder ProcessLock::readHolder(const QString &file)
{
    LockHolder h;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return h;
    const QJsonObject o = QJsonDocument::fromJson(f.read(4096)).object();
    h.pid = o.value(QStringLiteral("pid")).toInteger();
    h.host = o.value(QStringLiteral("host")).toString();
    h.program = o.value(QStringLiteral("program")).toString();
    h.startedAt = o.value(QStringLiteral("started_at")).toString();
    return h;
}

std::vector<LockHolder> ProcessLock::holders(const QString &workspaceRoot, bool includeSelf)
{
    std::vector<LockHolder> out;
    const QDir dir(lockDir(workspaceRoot));
    const QStringList names = dir.entryList({QStringLiteral("process-*.lock")}, QDir::Files, QDir::Name);
    for (const QString &n : names) {
        const QString file = dir.filePath(n);
        if (!isHeld(file)) {
            QFile::remove(file); // left by a process that died
            continue;
        }
        LockHolder h = readHolder(file);
        if (!includeSelf && h.pid == qint64(::getpid()) && h.host == QSysInfo::machineHostName())
            continue;
        out.push_back(std::move(h));
    }
    std::sort(out.begin(), out.end(), [](const LockHolder &a, const LockHolder &b) { return a.startedAt < b.startedAt; });
    return out;
}

ProcessLock::ProcessLock(ProcessLock &&other) noexcept : m_fd(other.m_fd), m_file(std::move(other.m_file))
{
    other.m_fd = -1;
}

ProcessLock &ProcessLock::operator=(ProcessLock &&other) noexcept
{
    if (this != &other) {
        release();
        m_fd = other.m_fd;
        m_file = std::move(other.m_file);
        other.m_fd = -1;
    }
    return *this;
}

ProcessLock::~ProcessLock()
{
    release();
}

void ProcessLock::release(bool removeFile)
{
    if (m_fd < 0)
        return;
    // Remove first, while still holding the lock: a checker that opened the file before sees
    // it held until the close below; one that opens it after finds no file (not held either).
    if (removeFile)
        ::unlink(QFile::encodeName(m_file).constData());
    ::close(m_fd);
    m_fd = -1;
}

Result<ProcessLock> ProcessLock::registerProgram(const QString &workspaceRoot)
{
    return acquire(QDir(lockDir(workspaceRoot))
                       .filePath(QStringLiteral("process-%1-%2.lock").arg(qint64(::getpid())).arg(g_processLockCounter.fetch_add(1))));
}

} // namespace sdrt::store
