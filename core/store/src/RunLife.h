#pragma once
// The run life cycle shared by the run tables that came after generation_runs (distill_runs,
// evaluations): liveness by lock file, reconcile, the owner text (private to the store).

#include "sdrt/store/Database.h"
#include "sdrt/store/ProcessLock.h"

#include <QCoreApplication>
#include <QFileInfo>

namespace sdrt::store::runlife {

inline QString owner()
{
    LockHolder h;
    h.pid = QCoreApplication::applicationPid();
    h.program = ProcessLock::thisProgram();
    return h.describe();
}

inline QString root(const Database &db)
{
    return QFileInfo(db.fileName()).absolutePath();
}

inline bool isLive(const Database &db, const char *kind, Id id)
{
    return ProcessLock::isHeld(ProcessLock::runLockFile(root(db), QString::fromLatin1(kind), id));
}

inline Result<ProcessLock> lock(const Database &db, const char *kind, Id id)
{
    return ProcessLock::acquire(ProcessLock::runLockFile(root(db), QString::fromLatin1(kind), id), QJsonObject{{QStringLiteral("run_id"), qint64(id)}});
}

// A run this process takes over (resume): running again, no error, owned by this process.
inline Result<void> markRunning(Database &db, const char *table, Id id)
{
    auto s = db.prepare((QByteArray("UPDATE ") + table + " SET status = 'running', error = NULL, finished_at = NULL, owner = ?2 WHERE id = ?1").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, id).bind(2, owner());
    return s->run();
}

// `running` rows of `table` whose lock nobody holds become `interrupted`; returns how many.
inline Result<int> reconcile(Database &db, const char *table, const char *kind)
{
    auto s = db.prepare((QByteArray("SELECT id FROM ") + table + " WHERE status = 'running'").constData());
    if (!s)
        return fail(s.error());
    std::vector<Id> dead;
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        if (!isLive(db, kind, s->int64(0)))
            dead.push_back(s->int64(0));
    }
    for (const Id id : dead) {
        auto u = db.prepare((QByteArray("UPDATE ") + table + " SET status = 'interrupted' WHERE id = ? AND status = 'running'").constData());
        if (!u)
            return fail(u.error());
        u->bind(1, id);
        if (auto r = u->run(); !r)
            return fail(r.error());
    }
    return int(dead.size());
}

} // namespace sdrt::store::runlife
