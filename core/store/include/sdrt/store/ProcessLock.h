#pragma once
// How a live process is told from a dead one: an advisory lock (flock) on a small file under
// <workspace>/.locks/, held for as long as the process that took it lives. The kernel drops the
// lock when the process dies, however it dies (kill -9, a crash, power loss ends it too), so
// "the lock file exists but nobody holds its lock" means "the process is gone". No heartbeat,
// no clock: a process that is only slow is never taken for dead.
//
// Two uses:
// * Runs (generation now; distillation and evaluation later): the process that runs a run holds
//   `.locks/<kind>-run-<id>.lock` from the moment the run row is created (inside the creating
//   transaction) until it has written the run's final status. A `running` row whose lock is not
//   held is an interrupted run (TraceRepository::reconcileRuns).
// * Programs that have a workspace open for writing hold `.locks/process-<pid>-<n>.lock`, whose
//   content says which program it is, so a writer that finds the database locked can name the
//   program that holds it (holders()).
//
// The lock files carry JSON: {"pid", "host", "program", "started_at"}. flock locks are per open
// file description, so a check from the same process sees its own lock as held, as it should.
// Local file systems only (flock over NFS is not reliable); the workspace is a local folder.
//
// Thread rule: any thread; a ProcessLock is owned by one thread at a time (move-only).

#include "sdrt/common/Result.h"

#include <QJsonObject>
#include <QString>

#include <vector>

namespace sdrt::store {

struct LockHolder {
    qint64 pid = 0;
    QString host;
    QString program;   // e.g. "sdrt import WS DIR" or "sdrt-workbench"
    QString startedAt; // UTC ISO time
    QString describe() const; // "sdrt import … (pid 1234 on host, since 2026-…)"
};

class ProcessLock {
public:
    // Creates (or reuses) `file` and takes its lock without waiting. Fails when another process
    // holds it (the message names that holder) or when the file cannot be created.
    static Result<ProcessLock> acquire(const QString &file, const QJsonObject &extra = {});
    // Whether some process (this one included) holds the lock on `file`; false when the file
    // does not exist. On error (unreadable file) the answer is true: never call a run dead on doubt.
    static bool isHeld(const QString &file);
    // The holder written in `file` (whatever the lock's state).
    static LockHolder readHolder(const QString &file);

    // The lock folder of a workspace and the file of a run of `kind` ("generation", …).
    static QString lockDir(const QString &workspaceRoot);
    static QString runLockFile(const QString &workspaceRoot, const QString &kind, qint64 runId);
    // Live programs that have the workspace open for writing (other than this process unless
    // `includeSelf`), oldest first. Lock files left by dead processes are removed on the way.
    static std::vector<LockHolder> holders(const QString &workspaceRoot, bool includeSelf = false);
    // This process's own program description (its command line, shortened).
    static QString thisProgram();
    // Registers this process as having the workspace open: a new process-<pid>-<n>.lock.
    static Result<ProcessLock> registerProgram(const QString &workspaceRoot);

    // One process, named so that a reused pid or a reboot cannot pass for it: "<host> <boot id>
    // <pid> <start time in clock ticks>" (Linux /proc). Runs store it in their row, so a live run
    // is known even when its lock file was deleted by hand.
    static QString processIdentity();
    // The identity of process `pid` now (empty start time when it is gone).
    static QString processIdentity(qint64 pid);
    enum class Liveness { Alive, Dead, Unknown };
    // Alive: that very process runs on this machine now. Dead: it does not (or the machine was
    // restarted since). Unknown: another host, or an empty or unreadable identity.
    static Liveness identityLiveness(const QString &identity);
    // Asks the process `identity` names to stop (SIGTERM: a run records itself cancelled after
    // its current step), only while that very process lives: a reused pid is never signalled.
    static Result<void> requestStop(const QString &identity);

    ProcessLock() = default;
    ProcessLock(ProcessLock &&other) noexcept;
    ProcessLock &operator=(ProcessLock &&other) noexcept;
    ProcessLock(const ProcessLock &) = delete;
    ProcessLock &operator=(const ProcessLock &) = delete;
    ~ProcessLock(); // releases the lock and removes the file

    bool isLocked() const { return m_fd >= 0; }
    const QString &file() const { return m_file; }
    // Releases the lock; `removeFile` deletes the lock file too.
    void release(bool removeFile = true);

private:
    int m_fd = -1;
    QString m_file;
};

} // namespace sdrt::store
