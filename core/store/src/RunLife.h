#pragma once
// The run life cycle shared by the run tables that came after generation_runs (distill_runs,
// evaluations): liveness by lock file, reconcile, the owner text (private to the store).

#include "Rows.h"
#include "sdrt/store/Database.h"
#include "sdrt/store/ProcessLock.h"
#include "sdrt/store/TraceRepository.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <vector>

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

// The process recorded as running the row (owner_process), if the row is running and that
// process still lives. A lock file can be deleted by hand while its holder runs; the recorded
// identity cannot. A row that ended has no owner, even when the process that ran it lives on
// (the workbench, or a caller that resumes the run in the same process).
inline bool ownerAlive(const Database &db, const char *table, Id id)
{
    auto s = const_cast<Database &>(db).prepare(
        (QByteArray("SELECT coalesce(owner_process,'') FROM ") + table + " WHERE id = ? AND status = 'running'").constData());
    if (!s)
        return false;
    s->bind(1, id);
    auto row = s->step();
    if (!row || !*row)
        return false;
    return ProcessLock::identityLiveness(s->text(0)) == ProcessLock::Liveness::Alive;
}

// Asks the process recorded as running the row to stop (ProcessLock::requestStop).
inline Result<void> requestStop(const Database &db, const char *table, Id id)
{
    auto s = const_cast<Database &>(db).prepare(
        (QByteArray("SELECT coalesce(owner_process,'') FROM ") + table + " WHERE id = ? AND status = 'running'").constData());
    if (!s)
        return fail(s.error());
    s->bind(1, id);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    if (!*row || s->text(0).isEmpty())
        return fail(QCoreApplication::translate("sdrt::store", "Run %1 is not running.").arg(id));
    return ProcessLock::requestStop(s->text(0));
}

inline bool isLive(const Database &db, const char *table, const char *kind, Id id)
{
    return ProcessLock::isHeld(ProcessLock::runLockFile(root(db), QString::fromLatin1(kind), id)) || ownerAlive(db, table, id);
}

// Takes a run's lock: its lock file, and only when the process recorded in its row is gone
// (the file may have been deleted under a live run).
inline Result<ProcessLock> lock(const Database &db, const char *table, const char *kind, Id id)
{
    auto lock = ProcessLock::acquire(ProcessLock::runLockFile(root(db), QString::fromLatin1(kind), id), QJsonObject{{QStringLiteral("run_id"), qint64(id)}});
    if (!lock)
        return lock;
    if (ownerAlive(db, table, id)) {
        auto s = const_cast<Database &>(db).prepare((QByteArray("SELECT coalesce(owner,'') FROM ") + table + " WHERE id = ?").constData());
        QString who;
        if (s) {
            s->bind(1, id);
            if (auto row = s->step(); row && *row)
                who = s->text(0);
        }
        return fail(QCoreApplication::translate("sdrt::store", "its process still runs (%1), although its lock file %2 was removed.")
                        .arg(who, QDir::toNativeSeparators(lock->file())));
    }
    return lock;
}

// Records this process as the one running the row.
inline Result<void> setOwnerProcess(Database &db, const char *table, Id id)
{
    return db.run((QByteArray("UPDATE ") + table + " SET owner_process = ?2 WHERE id = ?1").constData(), id, ProcessLock::processIdentity());
}

// A run this process takes over (resume): running again, no error, owned by this process.
inline Result<void> markRunning(Database &db, const char *table, Id id)
{
    return db.run((QByteArray("UPDATE ") + table
                  + " SET status = 'running', error = NULL, finished_at = NULL, owner = ?2, owner_process = ?3 WHERE id = ?1")
                  .constData(), id, owner(), ProcessLock::processIdentity());
}

// `running` rows of `table` whose lock nobody holds (and whose process is gone) become
// `interrupted`; returns their ids.
inline Result<std::vector<Id>> reconcile(Database &db, const char *table, const char *kind)
{
    std::vector<Id> dead;
    auto read = rows::forEach(db.prepare((QByteArray("SELECT id FROM ") + table + " WHERE status = 'running'").constData()),
                              [&](const Statement &s) {
                                  if (!isLive(db, table, kind, s.int64(0)))
                                      dead.push_back(s.int64(0));
                              });
    if (!read)
        return fail(read.error());
    const QByteArray mark = QByteArray("UPDATE ") + table + " SET status = 'interrupted' WHERE id = ? AND status = 'running'";
    for (const Id id : dead)
        if (auto r = db.run(mark.constData(), id); !r)
            return fail(r.error());
    return dead;
}

// Starts a run in one transaction: `check()` (Result<void>) may refuse it, `insert()` (Result<Id>)
// writes its row, and the run's lock is taken before COMMIT, so whoever sees the row sees it
// locked.
template <typename Check, typename Insert>
Result<StartedRun> start(Database &db, const char *table, const char *kind, Check check, Insert insert)
{
    Transaction tx(db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    if (auto r = check(); !r)
        return fail(r.error());
    auto id = insert();
    if (!id)
        return fail(id.error());
    auto taken = lock(db, table, kind, *id);
    if (!taken)
        return fail(taken.error());
    if (auto r = setOwnerProcess(db, table, *id); !r)
        return fail(r.error());
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return StartedRun{*id, std::move(*taken)};
}

// What resume() says, translated by the table's repository: `missing` takes the id, `done` the
// run's name, `running` its name and why its lock could not be taken.
struct ResumeTexts {
    QString missing, done, running;
};

// Takes over a run that is not live (its lock is the liveness check) and marks it running again.
// `find(id)` returns Result<std::optional<Row>> of a row with `name` and `status`.
template <typename Find>
Result<StartedRun> resume(Database &db, const char *table, const char *kind, Id id, Find find, const ResumeTexts &texts)
{
    Transaction tx(db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto run = find(id);
    if (!run)
        return fail(run.error());
    if (!*run)
        return fail(texts.missing.arg(id));
    if ((*run)->status == RunStatus::Done)
        return fail(texts.done.arg((*run)->name));
    auto taken = lock(db, table, kind, id);
    if (!taken)
        return fail(texts.running.arg((*run)->name, taken.error()));
    if (auto r = markRunning(db, table, id); !r)
        return fail(r.error());
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return StartedRun{id, std::move(*taken)};
}

} // namespace sdrt::store::runlife
