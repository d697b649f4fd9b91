// What the workbench promises about the user's data, tried as a hostile tester would, with the
// real `sdrt` binary as child processes, real workspaces and a real (tiny, random) model:
// exports never write over a workspace and detect write errors; a run killed with -9 reads as
// interrupted with the counts of the traces it stored, and a rerun says it resumes it; a second
// run on the same workspace is refused at once, naming the first; merges are one transaction and
// idempotent; a model folder changed after registration is refused; broken folders are not
// registered; bad numbers on the command line are errors; NaN logits make failed traces.

#include "sdrt/model/Safetensors.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/review/Export.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/ProcessLock.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <thread>

#include <sys/resource.h>
#include <utime.h>

#include "support/CliRun.h"
#include "support/StoreQuery.h"

using namespace sdrt;

namespace {

std::int64_t scalar(const QString &ws, const char *sql)
{
    return testing::sqlScalar(ws, sql);
}

using Run = testing::CliRun;
using testing::sdrtBinary;
using testing::sdrtRun;

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

int fileCount(const QString &dir)
{
    int n = 0;
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        ++n;
    }
    return n;
}

// Slow enough to be caught mid-run: 3 samples per prompt at batch 1.
// Long enough to be caught mid-run, committing every two traces.
const QStringList kSlowRun = {QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--step1-tokens"), QStringLiteral("96"),
                              QStringLiteral("--step2-tokens"), QStringLiteral("6"), QStringLiteral("--temperature"), QStringLiteral("0.8"),
                              QStringLiteral("--samples"), QStringLiteral("3"), QStringLiteral("--batch"), QStringLiteral("1"),
                              QStringLiteral("--seed"), QStringLiteral("5"), QStringLiteral("--quiet"), QStringLiteral("--commit-every"),
                              QStringLiteral("2")};

// Waits until the workspace holds at least `n` traces (or the child ended).
bool waitForTraces(QProcess &child, const QString &ws, std::int64_t n)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 120000 && child.state() == QProcess::Running) {
        if (scalar(ws, "SELECT count(*) FROM traces") >= n)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

} // namespace

class TestGuarantees : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_model;
    QString m_data;
    int m_counter = 0;

    QString makeWorkspace(bool withModel = true)
    {
        const QString ws = m_tmp.filePath(QStringLiteral("ws-%1").arg(++m_counter));
        testing::sdrtMakeWorkspace(ws, m_data, withModel ? m_model : QString());
        return ws;
    }

    QString copyModel(const QString &name)
    {
        const QString dir = m_tmp.filePath(name);
        QDir().mkpath(dir);
        for (const QString &f : QDir(m_model).entryList(QDir::Files))
            QFile::copy(QDir(m_model).filePath(f), QDir(dir).filePath(f));
        return dir;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_model = m_tmp.filePath(QStringLiteral("model"));
        auto made = model::makeTinyModel(m_model.toStdString(), {});
        QVERIFY2(made, made ? "" : made.error().c_str());
        m_data = m_tmp.filePath(QStringLiteral("data"));
        Run r = sdrtRun({QStringLiteral("demo"), QStringLiteral("make-data"), m_data, QStringLiteral("--items"), QStringLiteral("3"),
                         QStringLiteral("--seed"), QStringLiteral("3")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    // 1. Exports.
    void exportNeverWritesOverAWorkspace_data()
    {
        QTest::addColumn<QString>("target"); // relative to the workspace; "../other/…" is another workspace
        QTest::newRow("database") << QStringLiteral("workspace.sqlite");
        QTest::newRow("wal") << QStringLiteral("workspace.sqlite-wal");
        QTest::newRow("shm") << QStringLiteral("workspace.sqlite-shm");
        QTest::newRow("asset") << QStringLiteral("assets/x.jsonl");
        QTest::newRow("hidden") << QStringLiteral("hidden/x.jsonl");
        QTest::newRow("models") << QStringLiteral("models/x.jsonl");
        QTest::newRow("runs") << QStringLiteral("runs/x.jsonl");
        QTest::newRow("through a symlink") << QStringLiteral("link-to-db");
        QTest::newRow("dot-dot path") << QStringLiteral("exports/../workspace.sqlite");
        QTest::newRow("another workspace") << QStringLiteral("../other-ws/workspace.sqlite");
    }

    void exportNeverWritesOverAWorkspace()
    {
        QFETCH(QString, target);
        const QString ws = makeWorkspace(false);
        QVERIFY(QDir().mkpath(ws + QStringLiteral("/hidden")));
        QVERIFY(QFile::link(ws + QStringLiteral("/workspace.sqlite"), ws + QStringLiteral("/link-to-db")));
        const QString other = m_tmp.filePath(QStringLiteral("other-ws"));
        if (!QFileInfo::exists(other))
            QCOMPARE(sdrtRun({QStringLiteral("init"), other}).code, 0);
        const QString path = QDir(ws).filePath(target);
        const bool existed = QFileInfo::exists(path);
        const QByteArray before = fileHash(path);
        for (const QString &format : {QStringLiteral("flat"), QStringLiteral("llava")}) {
            for (const bool force : {false, true}) {
                QStringList args{QStringLiteral("export"), ws, QStringLiteral("--format"), format, QStringLiteral("--out"), path};
                if (force)
                    args << QStringLiteral("--force");
                const Run r = sdrtRun(args);
                QCOMPARE(r.code, 2);
                QVERIFY2(r.err.contains(QStringLiteral("part of the workspace")), qPrintable(r.err));
                QCOMPARE(QFileInfo::exists(path), existed);
                QCOMPARE(fileHash(path), before);
            }
        }
        auto w = store::Workspace::open(ws);
        QVERIFY2(w, w ? "" : qPrintable(w.error()));
        auto check = w->db().prepare("PRAGMA integrity_check");
        QVERIFY(check && *check->step());
        QCOMPARE(check->text(0), QStringLiteral("ok"));
    }

    void exportReplacesAFileOnlyWithForce()
    {
        const QString ws = makeWorkspace(false);
        const QString path = m_tmp.filePath(QStringLiteral("existing.jsonl"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("keep me\n");
        f.close();
        Run r = sdrtRun({QStringLiteral("export"), ws, QStringLiteral("--format"), QStringLiteral("flat"), QStringLiteral("--out"), path});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("already exists")), qPrintable(r.err));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("keep me\n"));
        f.close();
        r = sdrtRun({QStringLiteral("export"), ws, QStringLiteral("--format"), QStringLiteral("flat"), QStringLiteral("--out"), path,
                     QStringLiteral("--force")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(QFileInfo(path).size(), 0); // no review rows yet: an empty, replaced file
        // Two default exports in the same second get two files.
        r = sdrtRun({QStringLiteral("export"), ws});
        const Run r2 = sdrtRun({QStringLiteral("export"), ws});
        QCOMPARE(r.code, 0);
        QCOMPARE(r2.code, 0);
        QCOMPARE(QDir(ws + QStringLiteral("/exports")).entryList(QDir::Files).size(), qsizetype(2));
    }

    void exportDetectsWriteErrors()
    {
        // A workspace with review rows, so that an export has lines to write.
        const QString ws = makeWorkspace();
        Run r = sdrtRun(QStringList{QStringLiteral("generate"), ws} + kSlowRun.mid(0, 8) + QStringList{QStringLiteral("--quiet")});
        QVERIFY2(r.code == 0 || r.code == 1, qPrintable(r.err));
        {
            auto w = store::Workspace::open(ws);
            for (int i = 0; i < 400; ++i)
                QVERIFY(w->db().exec("INSERT INTO reviews (trace_id, reviewer, verdict, comment) SELECT min(id), 'tester', 'accept', "
                                     "'一つ目のコメントはかなり長いので、エクスポートは数キロバイトを超えます。' FROM traces"));
        }
        // A device: refused, with or without --force (only regular files are written; the device
        // node is never replaced).
        if (QFileInfo::exists(QStringLiteral("/dev/full"))) {
            r = sdrtRun({QStringLiteral("export"), ws, QStringLiteral("--format"), QStringLiteral("flat"), QStringLiteral("--out"),
                         QStringLiteral("/dev/full"), QStringLiteral("--force")});
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(QStringLiteral("/dev/full is not a regular file")), qPrintable(r.err));
            QVERIFY(!QFileInfo(QStringLiteral("/dev/full")).isFile());
        }
        // A regular file on a disk that fills up (a file size limit stands in for the full disk):
        // an error, and neither the target nor a temporary file is left behind.
        auto w = store::Workspace::open(ws);
        QVERIFY(w);
        auto session = review::ReviewSession::load(w->db());
        QVERIFY(session);
        const QString dir = m_tmp.filePath(QStringLiteral("full-disk"));
        QVERIFY(QDir().mkpath(dir));
        const QString path = QDir(dir).filePath(QStringLiteral("reviews.jsonl"));
        struct rlimit old {};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        auto oldSignal = std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit small = old;
        small.rlim_cur = 16 * 1024;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        auto result = review::exportReviews(*w, **session, review::ExportFormat::Flat, path);
        setrlimit(RLIMIT_FSIZE, &old);
        std::signal(SIGXFSZ, oldSignal);
        QVERIFY2(!result, "the export claimed success on a full disk");
        QVERIFY2(result.error().contains(path), qPrintable(result.error()));
        QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden).size(), qsizetype(0));
        // With room, the same export succeeds.
        auto ok = review::exportReviews(*w, **session, review::ExportFormat::Flat, path);
        QVERIFY2(ok, ok ? "" : qPrintable(ok.error()));
        QCOMPARE(ok->lines, 400);
        QVERIFY(QFileInfo(path).size() > 16 * 1024);
    }

    // 2 and 3. Runs.
    void killedRunIsInterruptedAndResumed()
    {
        const QString ws = makeWorkspace();
        QProcess child;
        child.start(sdrtBinary(), QStringList{QStringLiteral("generate"), ws} + kSlowRun);
        QVERIFY(child.waitForStarted());
        QVERIFY2(waitForTraces(child, ws, 4), "the run finished before it could be killed");
        // While it runs: the store says running, and the program is named as the workspace's user.
        {
            auto w = store::Workspace::open(ws);
            auto runs = store::TraceRepository(w->db()).runs();
            QCOMPARE(runs->size(), std::size_t(1));
            QCOMPARE(runs->front().status, store::RunStatus::Running);
            bool named = false;
            for (const store::LockHolder &h : store::ProcessLock::holders(ws))
                named |= h.pid == child.processId() && h.program.contains(QStringLiteral("generate"));
            QVERIFY(named);
        }
        child.kill(); // SIGKILL
        child.waitForFinished();
        const std::int64_t stored = scalar(ws, "SELECT count(*) FROM traces WHERE status = 'ok'");
        const std::int64_t storedFailed = scalar(ws, "SELECT count(*) FROM traces WHERE status = 'failed'");
        QVERIFY(stored >= 4);
        // The CLI, the repository and the stored row all say interrupted, with the stored counts.
        Run r = sdrtRun({QStringLiteral("runs"), ws});
        QCOMPARE(r.code, 0);
        const QStringList row = r.out.split(QLatin1Char('\n')).at(1).split(QLatin1Char('\t'));
        QCOMPARE(row.at(0), QStringLiteral("1"));
        QCOMPARE(row.at(1), QStringLiteral("interrupted"));
        QCOMPARE(row.at(3).toLongLong(), stored);
        QCOMPARE(row.at(4).toLongLong(), storedFailed);
        QCOMPARE(scalar(ws, "SELECT count(*) FROM generation_runs WHERE id = 1 AND status = 'interrupted' AND finished_at IS NOT NULL"),
                 std::int64_t(1));
        QCOMPARE(scalar(ws, "SELECT traces_ok FROM generation_runs WHERE id = 1"), stored);
        QVERIFY(store::ProcessLock::holders(ws).empty());
        // The rerun says what it resumes, and finishes the work without duplicates.
        r = sdrtRun(QStringList{QStringLiteral("generate"), ws} + kSlowRun);
        QVERIFY2(r.code == 0 || r.code == 1, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("run 2 resumes interrupted run 1 (%1 ok").arg(stored)), qPrintable(r.out));
        QCOMPARE(scalar(ws, "SELECT resumes_run_id FROM generation_runs WHERE id = 2"), std::int64_t(1));
        QCOMPARE(scalar(ws, "SELECT count(*) FROM (SELECT 1 FROM traces WHERE status='ok' GROUP BY item_id, prompt_id, model_id, "
                            "sample_index HAVING count(*) > 1)"),
                 std::int64_t(0));
        // Stored counts are what the traces table holds, for every run.
        QCOMPARE(scalar(ws, "SELECT count(*) FROM generation_runs r WHERE traces_ok != (SELECT count(*) FROM traces t WHERE t.run_id = r.id "
                            "AND t.status = 'ok') OR traces_failed != (SELECT count(*) FROM traces t WHERE t.run_id = r.id AND t.status = 'failed')"),
                 std::int64_t(0));
    }

    void secondRunOnTheWorkspaceIsRefused()
    {
        const QString ws = makeWorkspace();
        QProcess first;
        first.start(sdrtBinary(), QStringList{QStringLiteral("generate"), ws} + kSlowRun);
        QVERIFY(first.waitForStarted());
        QVERIFY2(waitForTraces(first, ws, 1), "the first run ended too early");
        const Run second = sdrtRun(QStringList{QStringLiteral("generate"), ws} + kSlowRun);
        QCOMPARE(second.code, 2);
        QVERIFY2(second.err.contains(QStringLiteral("Generation run 1 ")), qPrintable(second.err));
        QVERIFY2(second.err.contains(QStringLiteral("pid %1").arg(first.processId())), qPrintable(second.err));
        QCOMPARE(scalar(ws, "SELECT count(*) FROM generation_runs"), std::int64_t(1)); // the refused one left no row
        first.kill();
        first.waitForFinished();
        // Its process gone, the workspace is free again.
        const Run third = sdrtRun(QStringList{QStringLiteral("generate"), ws} + kSlowRun);
        QVERIFY2(third.code == 0 || third.code == 1, qPrintable(third.err));
        QVERIFY2(third.out.contains(QStringLiteral("resumes interrupted run 1")), qPrintable(third.out));
    }

    void mergeIsOneTransactionAndIdempotent()
    {
        const QString ws = makeWorkspace();
        const QString shard = m_tmp.filePath(QStringLiteral("shard"));
        Run r = sdrtRun(QStringList{QStringLiteral("generate"), ws, QStringLiteral("--shard"), QStringLiteral("0/1"), QStringLiteral("--out"), shard}
                        + kSlowRun.mid(0, 8) + QStringList{QStringLiteral("--quiet")});
        QVERIFY2(r.code == 0 || r.code == 1, qPrintable(r.err));
        // A shard with a hidden-state file gone: the merge fails and changes nothing.
        const QString broken = m_tmp.filePath(QStringLiteral("shard-broken"));
        QVERIFY(QDir().mkpath(broken));
        QCOMPARE(QProcess::execute(QStringLiteral("cp"), {QStringLiteral("-a"), shard + QStringLiteral("/."), broken}), 0);
        QDirIterator hidden(broken + QStringLiteral("/hidden"), {QStringLiteral("*.safetensors")}, QDir::Files, QDirIterator::Subdirectories);
        QStringList hiddenFiles;
        while (hidden.hasNext())
            hiddenFiles << hidden.next();
        QVERIFY(hiddenFiles.size() >= 1);
        std::sort(hiddenFiles.begin(), hiddenFiles.end());
        QVERIFY(QFile::remove(hiddenFiles.last()));
        const std::int64_t runsBefore = scalar(ws, "SELECT count(*) FROM generation_runs");
        const int filesBefore = fileCount(ws + QStringLiteral("/hidden"));
        r = sdrtRun({QStringLiteral("merge"), ws, broken});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("Cannot copy")), qPrintable(r.err));
        QCOMPARE(scalar(ws, "SELECT count(*) FROM generation_runs"), runsBefore);
        QCOMPARE(scalar(ws, "SELECT count(*) FROM traces"), std::int64_t(0));
        QCOMPARE(fileCount(ws + QStringLiteral("/hidden")), filesBefore);
        // The good shard merges once; again, it adds neither traces nor a run row.
        r = sdrtRun({QStringLiteral("merge"), ws, shard});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const std::int64_t traces = scalar(ws, "SELECT count(*) FROM traces");
        const std::int64_t runs = scalar(ws, "SELECT count(*) FROM generation_runs");
        QVERIFY(traces > 0);
        QCOMPARE(runs, std::int64_t(1));
        QCOMPARE(scalar(ws, "SELECT traces_ok + traces_failed FROM generation_runs"), traces);
        r = sdrtRun({QStringLiteral("merge"), ws, shard});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("merged: 0 traces added")), qPrintable(r.out));
        QCOMPARE(scalar(ws, "SELECT count(*) FROM generation_runs"), runs);
        QCOMPARE(scalar(ws, "SELECT count(*) FROM traces"), traces);
    }

    void fullDiskFailsTheRunAndKeepsTheStore()
    {
        // A file size limit stands in for a full disk: the workspace's files cannot grow past it.
        const QString ws = makeWorkspace();
        const qint64 size = QFileInfo(ws + QStringLiteral("/workspace.sqlite")).size();
        const QString limitKiB = QString::number(size / 1024 + 120);
        QProcess p;
        p.start(QStringLiteral("bash"), QStringList{QStringLiteral("-c"), QStringLiteral("trap '' XFSZ; ulimit -f %1; exec \"$0\" \"$@\"").arg(limitKiB), sdrtBinary(),
                                         QStringLiteral("generate"), ws, QStringLiteral("--batch"), QStringLiteral("2"), QStringLiteral("--commit-every"), QStringLiteral("2")} + kSlowRun.mid(0, 10)
                                            + QStringList{QStringLiteral("--quiet")});
        QVERIFY(p.waitForFinished(300000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(QString::fromUtf8(p.readAllStandardError()).contains(QStringLiteral("disk I/O error")), "no write error reported");
        const std::int64_t stored = scalar(ws, "SELECT count(*) FROM traces");
        QVERIFY(stored > 0);
        // The store is whole, the run says failed (or, when even that could not be written,
        // interrupted once `sdrt runs` has looked at its lock), never running, and its counts
        // are the traces it stored. (Which of the two depends on where the size limit falls.)
        Run r = sdrtRun({QStringLiteral("runs"), ws});
        QVERIFY2(!r.out.contains(QStringLiteral("\trunning\t")), qPrintable(r.out));
        QCOMPARE(scalar(ws, "SELECT count(*) FROM generation_runs WHERE status IN ('failed','interrupted')"), std::int64_t(1));
        auto w = store::Workspace::open(ws);
        auto check = w->db().prepare("PRAGMA integrity_check");
        QVERIFY(check && *check->step());
        QCOMPARE(check->text(0), QStringLiteral("ok"));
        auto runs = store::TraceRepository(w->db()).runs();
        QCOMPARE(std::int64_t(runs->front().tracesOk + runs->front().tracesFailed), stored);
        // With room again, a rerun does the rest.
        r = sdrtRun(QStringList{QStringLiteral("generate"), ws, QStringLiteral("--batch"), QStringLiteral("2")} + kSlowRun.mid(0, 10)
                    + QStringList{QStringLiteral("--quiet")});
        QVERIFY2(r.code == 0 || r.code == 1, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("(%1 already done)").arg(scalar(ws, "SELECT count(*) FROM traces WHERE status='ok' AND run_id = 1"))),
                 qPrintable(r.out));
    }

    // 5. Import commits in batches: a kill keeps what was committed, a rerun goes on, and other
    // writers get their turn meanwhile.
    void killedImportKeepsItsCommittedBatches()
    {
        const QString data = m_tmp.filePath(QStringLiteral("data-large"));
        Run r = sdrtRun({QStringLiteral("demo"), QStringLiteral("make-data"), data, QStringLiteral("--items"), QStringLiteral("600"),
                         QStringLiteral("--seed"), QStringLiteral("4")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString ws = m_tmp.filePath(QStringLiteral("ws-import-kill"));
        QCOMPARE(sdrtRun({QStringLiteral("init"), ws}).code, 0);
        QProcess child;
        child.start(sdrtBinary(), {QStringLiteral("import"), ws, data});
        QVERIFY(child.waitForStarted());
        QElapsedTimer timer;
        timer.start();
        std::int64_t seen = 0;
        while (timer.elapsed() < 120000 && child.state() == QProcess::Running && (seen = scalar(ws, "SELECT count(*) FROM items")) < 1)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        QVERIFY2(child.state() == QProcess::Running, "the import finished before it could be killed");
        const bool stillRunning = child.state() == QProcess::Running;
        child.kill();
        child.waitForFinished();
        const std::int64_t kept = scalar(ws, "SELECT count(*) FROM items");
        QVERIFY(kept >= seen && kept >= 1);
        if (stillRunning)
            QVERIFY(kept < 600);
        QCOMPARE(scalar(ws, "SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM item_assets a WHERE a.item_id = i.id)"),
                 std::int64_t(0));
        r = sdrtRun({QStringLiteral("import"), ws, data});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("duplicates %1").arg(kept)), qPrintable(r.out));
        QCOMPARE(scalar(ws, "SELECT count(*) FROM items"), std::int64_t(600));

        // Another writer while an import runs waits for a commit instead of failing.
        const QString ws2 = m_tmp.filePath(QStringLiteral("ws-import-busy"));
        QCOMPARE(sdrtRun({QStringLiteral("init"), ws2}).code, 0);
        QProcess importer;
        importer.start(sdrtBinary(), {QStringLiteral("import"), ws2, data});
        QVERIFY(importer.waitForStarted());
        timer.restart();
        while (timer.elapsed() < 120000 && importer.state() == QProcess::Running && scalar(ws2, "SELECT count(*) FROM items") < 1)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const Run other = sdrtRun({QStringLiteral("prompts"), QStringLiteral("register"), ws2});
        QVERIFY2(other.code == 0, qPrintable(other.err));
        QVERIFY(importer.waitForFinished(120000));
        QCOMPARE(importer.exitCode(), 0);
        QVERIFY(scalar(ws2, "SELECT count(*) FROM prompts") > 0);
        QCOMPARE(scalar(ws2, "SELECT count(*) FROM items"), std::int64_t(600));
    }

    // 4. Provenance.
    void changedModelFolderIsRefused()
    {
        const QString dir = copyModel(QStringLiteral("model-changes"));
        const QString ws = makeWorkspace(false);
        Run r = sdrtRun({QStringLiteral("model"), QStringLiteral("register"), ws, dir, QStringLiteral("--name"), QStringLiteral("tiny")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString weights = dir + QStringLiteral("/model.safetensors");
        // Touched, same bytes: still the registered model.
        QVERIFY(utime(QFile::encodeName(weights).constData(), nullptr) == 0);
        struct utimbuf past {1000000000, 1000000000};
        QVERIFY(utime(QFile::encodeName(weights).constData(), &past) == 0);
        r = sdrtRun(QStringList{QStringLiteral("generate"), ws, QStringLiteral("--limit"), QStringLiteral("1"), QStringLiteral("--prompts"),
                                QStringLiteral("decompose")} + kSlowRun.mid(0, 6) + QStringList{QStringLiteral("--quiet")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        // Same size, other bytes, and the time put back: the sizes and times match, so only a
        // changed time would be seen cheaply; change the time too, as any write does.
        QFile f(weights);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(f.size() - 4);
        f.write("\x01\x02\x03\x04", 4);
        f.close();
        r = sdrtRun(QStringList{QStringLiteral("generate"), ws} + kSlowRun);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("not the model that was registered")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("model.safetensors")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("sdrt model register")), qPrintable(r.err));
        QCOMPARE(scalar(ws, "SELECT count(*) FROM generation_runs"), std::int64_t(1));
        // Registered again, the changed folder is a new model with its own hash.
        r = sdrtRun({QStringLiteral("model"), QStringLiteral("register"), ws, dir, QStringLiteral("--name"), QStringLiteral("tiny-2")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QCOMPARE(scalar(ws, "SELECT count(DISTINCT content_hash) FROM models"), std::int64_t(2));
    }

    void brokenModelFoldersAreNotRegistered_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::newRow("truncated safetensors") << QStringLiteral("truncate");
        QTest::newRow("random tokenizer.model") << QStringLiteral("tokenizer");
        QTest::newRow("2^40 header length") << QStringLiteral("header");
    }

    void brokenModelFoldersAreNotRegistered()
    {
        QFETCH(QString, damage);
        const QString dir = copyModel(QStringLiteral("model-broken-") + damage);
        const QString weights = dir + QStringLiteral("/model.safetensors");
        if (damage == QLatin1String("truncate")) {
            QFile f(weights);
            QVERIFY(f.resize(f.size() / 2));
        } else if (damage == QLatin1String("tokenizer")) {
            QFile f(dir + QStringLiteral("/tokenizer.model"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            QByteArray junk(4096, '\0');
            for (int i = 0; i < junk.size(); ++i)
                junk[i] = char((i * 7919) % 251);
            f.write(junk);
        } else {
            QFile f(weights);
            QVERIFY(f.open(QIODevice::ReadWrite));
            const quint64 len = quint64(1) << 40;
            f.write(reinterpret_cast<const char *>(&len), 8);
        }
        const QString ws = makeWorkspace(false);
        const Run reg = sdrtRun({QStringLiteral("model"), QStringLiteral("register"), ws, dir});
        QCOMPARE(reg.code, 2);
        QCOMPARE(scalar(ws, "SELECT count(*) FROM models"), std::int64_t(0));
        // The message is the one `model generate` gives for the same folder.
        const Run gen = sdrtRun({QStringLiteral("model"), QStringLiteral("generate"), dir, QStringLiteral("--prompt"), QStringLiteral("hi")});
        QCOMPARE(gen.code, 2);
        const QString message = gen.err.trimmed().split(QLatin1Char('\n')).constLast();
        QVERIFY(!message.isEmpty());
        QVERIFY2(reg.err.contains(message), qPrintable(reg.err + QStringLiteral(" | ") + gen.err));
    }

    // 6. Numbers and ranges on the command line.
    void badNumbersAreErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("option");
        const QStringList gen{QStringLiteral("generate"), QStringLiteral("WS"), QStringLiteral("--model"), QStringLiteral("tiny")};
        QTest::newRow("limit abc") << (gen + QStringList{QStringLiteral("--limit"), QStringLiteral("abc")}) << QStringLiteral("--limit");
        QTest::newRow("layers abc") << (gen + QStringList{QStringLiteral("--layers"), QStringLiteral("abc")}) << QStringLiteral("--layers");
        QTest::newRow("temperature abc") << (gen + QStringList{QStringLiteral("--temperature"), QStringLiteral("abc")}) << QStringLiteral("--temperature");
        QTest::newRow("temperature -1") << (gen + QStringList{QStringLiteral("--temperature"), QStringLiteral("-1")}) << QStringLiteral("--temperature");
        QTest::newRow("top-p 2") << (gen + QStringList{QStringLiteral("--top-p"), QStringLiteral("2")}) << QStringLiteral("--top-p");
        QTest::newRow("top-k -5") << (gen + QStringList{QStringLiteral("--top-k"), QStringLiteral("-5")}) << QStringLiteral("--top-k");
        QTest::newRow("step1 0") << (gen + QStringList{QStringLiteral("--step1-tokens"), QStringLiteral("0")}) << QStringLiteral("--step1-tokens");
        QTest::newRow("split test") << (gen + QStringList{QStringLiteral("--split"), QStringLiteral("test")}) << QStringLiteral("--split");
        QTest::newRow("batch 0") << (gen + QStringList{QStringLiteral("--batch"), QStringLiteral("0")}) << QStringLiteral("--batch");
        QTest::newRow("seed -1") << (gen + QStringList{QStringLiteral("--seed"), QStringLiteral("-1")}) << QStringLiteral("--seed");
        const QStringList mg{QStringLiteral("model"), QStringLiteral("generate"), QStringLiteral("MODEL"), QStringLiteral("--prompt"), QStringLiteral("hi")};
        QTest::newRow("max-new 0") << (mg + QStringList{QStringLiteral("--max-new"), QStringLiteral("0")}) << QStringLiteral("--max-new");
        QTest::newRow("max-new -3") << (mg + QStringList{QStringLiteral("--max-new"), QStringLiteral("-3")}) << QStringLiteral("--max-new");
        QTest::newRow("model temperature -1") << (mg + QStringList{QStringLiteral("--temperature"), QStringLiteral("-1")}) << QStringLiteral("--temperature");
        QTest::newRow("model top-p 2") << (mg + QStringList{QStringLiteral("--top-p"), QStringLiteral("2")}) << QStringLiteral("--top-p");
    }

    void badNumbersAreErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, option);
        static QString ws;
        if (ws.isEmpty())
            ws = makeWorkspace();
        args.replaceInStrings(QStringLiteral("WS"), ws);
        args.replaceInStrings(QStringLiteral("MODEL"), m_model);
        const Run r = sdrtRun(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QLatin1Char('\n') + option + QLatin1Char(':')) || r.err.startsWith(option + QLatin1Char(':')), qPrintable(r.err));
        QCOMPARE(scalar(ws, "SELECT count(*) FROM generation_runs"), std::int64_t(0));
    }

    void fp16OnTheCpuIsOurMessage()
    {
        const Run r = sdrtRun({QStringLiteral("model"), QStringLiteral("generate"), m_model, QStringLiteral("--prompt"), QStringLiteral("hi"),
                               QStringLiteral("--device"), QStringLiteral("cpu"), QStringLiteral("--dtype"), QStringLiteral("fp16")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("fp16 runs on CUDA only")), qPrintable(r.err));
    }

    void nanLogitsMakeFailedTraces()
    {
        // The final norm's weights set to NaN: every logit is NaN.
        const QString dir = copyModel(QStringLiteral("model-nan"));
        const QString weights = dir + QStringLiteral("/model.safetensors");
        std::uint64_t dataStart = 0, begin = 0, end = 0;
        {
            auto st = model::SafetensorsFile::open(weights.toStdString());
            QVERIFY(st);
            const model::TensorInfo *norm = nullptr;
            for (const auto &t : st->tensors()) {
                if (t.name.find("model.norm.weight") != std::string::npos && t.name.find("language") != std::string::npos)
                    norm = &t;
            }
            QVERIFY(norm);
            QCOMPARE(int(norm->dtype), int(model::DType::F32));
            begin = norm->begin;
            end = norm->end;
            QFile f(weights);
            QVERIFY(f.open(QIODevice::ReadOnly));
            std::uint64_t headerLength = 0;
            f.read(reinterpret_cast<char *>(&headerLength), 8);
            dataStart = 8 + headerLength;
        }
        QFile f(weights);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.seek(qint64(dataStart + begin)));
        const float nan = std::numeric_limits<float>::quiet_NaN();
        for (std::uint64_t at = begin; at < end; at += 4)
            f.write(reinterpret_cast<const char *>(&nan), 4);
        f.close();
        const QString ws = makeWorkspace(false);
        Run r = sdrtRun({QStringLiteral("model"), QStringLiteral("register"), ws, dir, QStringLiteral("--name"), QStringLiteral("tiny")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        r = sdrtRun(QStringList{QStringLiteral("generate"), ws, QStringLiteral("--prompts"), QStringLiteral("decompose")} + kSlowRun.mid(0, 6)
                    + QStringList{QStringLiteral("--quiet")});
        QCOMPARE(r.code, 1);
        QCOMPARE(scalar(ws, "SELECT count(*) FROM traces WHERE status = 'ok'"), std::int64_t(0));
        QCOMPARE(scalar(ws, "SELECT count(*) FROM traces WHERE status = 'failed' AND error LIKE '%non-finite%'"), std::int64_t(3));
    }
};

QTEST_GUILESS_MAIN(TestGuarantees)
#include "tst_guarantees.moc"
