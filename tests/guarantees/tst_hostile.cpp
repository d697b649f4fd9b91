// The cases a hostile pass found, tried again with the real `sdrt` binary as a child process on
// real workspaces and a tiny random model (the distillation cases, which train, are in
// tst_distill): comparisons and exports never write over devices or lose the old file on a full
// disk; make-tiny never writes over a folder with files; a model whose weights changed under the
// same size and modification time is refused; bad numbers, names, flags and workspace files get
// a clear error with exit status 2; interrupted evaluations are named when compared.

#include "sdrt/common/FileWriter.h"
#include "sdrt/common/TrainingLog.h"
#include "sdrt/common/JsonKeys.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/store/Workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/CliRun.h"
#include "support/StoreQuery.h"

using namespace sdrt;
using testing::CliRun;
using testing::sdrtBinary;
using testing::sdrtRun;

namespace {

std::int64_t scalar(const QString &ws, const char *sql)
{
    return testing::sqlScalar(ws, sql);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

// A shell script run in its own user and mount namespace (unshare), where `dir` is a fresh
// tmpfs of `kib` KiB: a disk that fills up, for real, without touching the machine's disks.
CliRun onSmallDisk(const QString &dir, int kib, const QString &script)
{
    QProcess p;
    p.start(QStringLiteral("unshare"), {QStringLiteral("-Urm"), QStringLiteral("sh"), QStringLiteral("-c"),
                                        QStringLiteral("mount -t tmpfs -o size=%1k none '%2' || exit 99\n%3").arg(kib).arg(dir, script)});
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestHostile : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_tiny, m_data, m_ws;

private Q_SLOTS:
    void initTestCase()
    {
        m_tiny = m_tmp.filePath(QStringLiteral("tiny"));
        QVERIFY(model::makeTinyModel(m_tiny.toStdString(), {}));
        m_data = m_tmp.filePath(QStringLiteral("data"));
        QCOMPARE(sdrtRun({QStringLiteral("demo"), QStringLiteral("make-data"), m_data, QStringLiteral("--items"), QStringLiteral("24")}).code, 0);
        m_ws = m_tmp.filePath(QStringLiteral("ws"));
        testing::sdrtMakeWorkspace(m_ws, m_data, m_tiny);
        for (const char *name : {"a", "b"}) {
            auto r = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--limit"),
                              QStringLiteral("3"), QStringLiteral("--name"), QString::fromLatin1(name)});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
    }

    // 1. The one writer: devices, pipes, full disks, the same file twice.
    void compareNeverWritesOverDevices_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addColumn<QString>("target");
        for (const char *option : {"--html", "--csv"}) {
            QTest::newRow(qPrintable(QStringLiteral("%1 /dev/full").arg(QLatin1String(option)))) << QString::fromLatin1(option) << QStringLiteral("/dev/full");
            QTest::newRow(qPrintable(QStringLiteral("%1 /dev/null").arg(QLatin1String(option)))) << QString::fromLatin1(option) << QStringLiteral("/dev/null");
            QTest::newRow(qPrintable(QStringLiteral("%1 fifo").arg(QLatin1String(option)))) << QString::fromLatin1(option) << QStringLiteral("fifo");
        }
    }

    void compareNeverWritesOverDevices()
    {
        QFETCH(QString, option);
        QFETCH(QString, target);
        if (target == QLatin1String("fifo")) {
            target = m_tmp.filePath(QStringLiteral("a-fifo"));
            QFile::remove(target);
            QCOMPARE(::mkfifo(QFile::encodeName(target).constData(), 0600), 0);
        }
        struct stat before {};
        QCOMPARE(::stat(QFile::encodeName(target).constData(), &before), 0);
        for (bool force : {false, true}) {
            QStringList args{QStringLiteral("compare"), m_ws, QStringLiteral("a"), QStringLiteral("b"), option, target};
            if (force)
                args << QStringLiteral("--force");
            const CliRun r = sdrtRun(args);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(QStringLiteral("not a regular file")) && r.err.contains(target), qPrintable(r.err));
            QVERIFY2(!r.out.contains(QStringLiteral("wrote")), qPrintable(r.out));
        }
        struct stat after {};
        QCOMPARE(::stat(QFile::encodeName(target).constData(), &after), 0);
        QCOMPARE(after.st_ino, before.st_ino); // still the same node, not a regular file put in its place
        QCOMPARE(after.st_mode & S_IFMT, before.st_mode & S_IFMT);
        // The review export refuses them too (it wrote to devices directly before).
        const CliRun e = sdrtRun({QStringLiteral("export"), m_ws, QStringLiteral("--out"), target, QStringLiteral("--force")});
        QCOMPARE(e.code, 2);
        QVERIFY2(e.err.contains(QStringLiteral("not a regular file")), qPrintable(e.err));
    }

    void compareRefusesOneFileForCsvAndHtml()
    {
        const QString path = m_tmp.filePath(QStringLiteral("both.out"));
        const CliRun r = sdrtRun({QStringLiteral("compare"), m_ws, QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("--csv"), path,
                                  QStringLiteral("--html"), QDir(m_tmp.path()).filePath(QStringLiteral("./both.out"))});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("same file")), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(path));
    }

    void compareOnAFullDiskKeepsTheOldFile()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("small-disk"));
        QVERIFY(QDir().mkpath(dir));
        // keep.html holds "old"; the disk is then filled to its last 4 KiB, less than the report.
        const QString script = QStringLiteral("printf old > '%1/keep.html'; head -c 1000000 /dev/zero > '%1/fill' 2>/dev/null\n"
                                              "'%2' compare '%3' a b --html '%1/keep.html' --force; echo \"rc=$?\"\n"
                                              "'%2' compare '%3' a b --csv '%1/new.csv'; echo \"rc=$?\"\n"
                                              "echo \"keep=$(cat '%1/keep.html')\"; ls -A '%1'")
                                   .arg(dir, sdrtBinary(), m_ws);
        const CliRun r = onSmallDisk(dir, 256, script);
        QVERIFY2(r.code != 99, qPrintable(QStringLiteral("cannot mount a tmpfs in a namespace: ") + r.err));
        QVERIFY2(r.out.count(QStringLiteral("rc=2")) == 2, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("keep=old")), qPrintable(r.out));
        QVERIFY2(!r.out.contains(QStringLiteral("wrote")), qPrintable(r.out));
        QVERIFY2(!r.out.contains(QStringLiteral("new.csv")) && !r.out.contains(QStringLiteral(".tmp-")), qPrintable(r.out)); // nothing left behind
        QVERIFY2(r.err.contains(QStringLiteral("No space left")), qPrintable(r.err));
    }

    void writerUnit()
    {
        // The writer itself: a failed write leaves the old file and no temporary file.
        const QString dir = m_tmp.filePath(QStringLiteral("writer"));
        QVERIFY(QDir().mkpath(dir));
        const std::string path = QFile::encodeName(QDir(dir).filePath(QStringLiteral("f.txt"))).toStdString();
        QVERIFY(common::writeFileAtomically(path, "one"));
        QVERIFY(!common::writeFileAtomically(path, "two", common::Replace::Never));
        QCOMPARE(readAll(QString::fromStdString(path)), QByteArray("one"));
        {
            auto f = common::AtomicFile::open(path);
            QVERIFY(f);
            QVERIFY(f->write("half-written"));
        } // destroyed without commit
        QCOMPARE(readAll(QString::fromStdString(path)), QByteArray("one"));
        QCOMPARE(QDir(dir).entryList(QDir::Files | QDir::Hidden).size(), qsizetype(1));
        auto folder = common::writeFileAtomically(QFile::encodeName(dir).toStdString(), "x");
        QVERIFY(!folder);
        QCOMPARE(int(folder.error().kind), int(common::WriteError::Kind::Folder));
        auto missing = common::writeFileAtomically(path + "/no/such", "x");
        QVERIFY(!missing);
        // A link to a regular file replaces the file it points to and stays a link.
        const std::string link = QFile::encodeName(QDir(dir).filePath(QStringLiteral("link.txt"))).toStdString();
        QCOMPARE(::symlink(path.c_str(), link.c_str()), 0);
        QVERIFY(common::writeFileAtomically(link, "three"));
        QCOMPARE(readAll(QString::fromStdString(path)), QByteArray("three"));
        QVERIFY(QFileInfo(QString::fromStdString(link)).isSymLink());
        // Appending refuses devices as well.
        QVERIFY(!common::AppendFile::open("/dev/null"));
    }

    // Issue 32, 2: the one training log of both training loops. A run that resumes after its
    // checkpoint drops the lines its dead process wrote after it, and a line cut by the kill.
    void trainingLogContinuesAfterItsCheckpoint()
    {
        const std::string path = QFile::encodeName(m_tmp.filePath(QStringLiteral("training_log.jsonl"))).toStdString();
        {
            auto log = common::TrainingLog::continueAfter(path, 0);
            QVERIFY(log);
            for (int step = 1; step <= 5; ++step)
                QVERIFY(log->append("{\"step\":" + std::to_string(step) + ",\"loss\":1.5}"));
            QVERIFY(common::AppendFile::open(path)->append("{\"step\":6,\"lo"));
        }
        auto resumed = common::TrainingLog::continueAfter(path, 4);
        QVERIFY(resumed);
        QVERIFY(resumed->append("{\"step\":5,\"loss\":1.25}"));
        QCOMPARE(readAll(QString::fromStdString(path)),
                 QByteArray("{\"step\":1,\"loss\":1.5}\n{\"step\":2,\"loss\":1.5}\n{\"step\":3,\"loss\":1.5}\n"
                            "{\"step\":4,\"loss\":1.5}\n{\"step\":5,\"loss\":1.25}\n"));
        QVERIFY(!common::TrainingLog::continueAfter("/dev/null", 0));
    }

    // 9. CSV injection and the byte-order mark.
    void csvCellsAreNeutralised()
    {
        // The file as written by the command (the neutralised cells are tested on comparisonCsv in
        // tst_metrics).
        const QString csv = m_tmp.filePath(QStringLiteral("c.csv"));
        const CliRun r = sdrtRun({QStringLiteral("compare"), m_ws, QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("--csv"), csv});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QByteArray bytes = readAll(csv);
        QVERIFY(bytes.startsWith("\xEF\xBB\xBF"));
    }

    // 3. make-tiny never writes over a folder with files.
    void makersRefuseFoldersWithFiles()
    {
        const QByteArray before = readAll(QDir(m_tiny).filePath(QStringLiteral("model.safetensors")));
        CliRun r = sdrtRun({QStringLiteral("model"), QStringLiteral("make-tiny"), m_tiny, QStringLiteral("--seed"), QStringLiteral("9")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("not empty")) && r.err.contains(QStringLiteral("--force")), qPrintable(r.err));
        QCOMPARE(readAll(QDir(m_tiny).filePath(QStringLiteral("model.safetensors"))), before);
        // A workspace root, even with --force.
        r = sdrtRun({QStringLiteral("model"), QStringLiteral("make-tiny"), m_ws, QStringLiteral("--force")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("workspace")), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(QDir(m_ws).filePath(QStringLiteral("model.safetensors"))));
        // A new folder, an empty one, and a full one with --force are written.
        const QString fresh = m_tmp.filePath(QStringLiteral("fresh"));
        QCOMPARE(sdrtRun({QStringLiteral("model"), QStringLiteral("make-tiny"), fresh}).code, 0);
        QCOMPARE(sdrtRun({QStringLiteral("model"), QStringLiteral("make-tiny"), fresh, QStringLiteral("--force"), QStringLiteral("--seed"), QStringLiteral("3")}).code, 0);
        QVERIFY(readAll(QDir(fresh).filePath(QStringLiteral("model.safetensors"))) != before);
        // make-data: the same rule (the data folder of the workspace has files).
        r = sdrtRun({QStringLiteral("demo"), QStringLiteral("make-data"), m_data, QStringLiteral("--items"), QStringLiteral("2")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("not empty")), qPrintable(r.err));
        r = sdrtRun({QStringLiteral("demo"), QStringLiteral("make-data"), m_ws, QStringLiteral("--items"), QStringLiteral("2"), QStringLiteral("--force")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("workspace")), qPrintable(r.err));
    }

    // 4. Verification by content, not by size and modification time.
    void sameSizeAndRestoredTimeIsStillACheck()
    {
        const QString model = m_tmp.filePath(QStringLiteral("tiny-verify"));
        QVERIFY(model::makeTinyModel(model.toStdString(), {}));
        const QString ws = m_tmp.filePath(QStringLiteral("ws-verify"));
        testing::sdrtMakeWorkspace(ws, m_data, model);
        QCOMPARE(scalar(ws, "SELECT count(*) FROM models"), std::int64_t(1));
        const QString weights = QDir(model).filePath(QStringLiteral("model.safetensors"));
        struct stat st {};
        QCOMPARE(::stat(QFile::encodeName(weights).constData(), &st), 0);
        // Flip one byte near the end (inside a tensor), keep the size, put the old times back.
        {
            QFile f(weights);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.seek(f.size() - 3));
            char c = 0;
            QVERIFY(f.getChar(&c));
            QVERIFY(f.seek(f.size() - 3));
            QVERIFY(f.putChar(char(c ^ 0x5a)));
        }
        const struct timespec times[2] = {st.st_atim, st.st_mtim};
        QCOMPARE(::utimensat(AT_FDCWD, QFile::encodeName(weights).constData(), times, 0), 0);
        struct stat now {};
        QCOMPARE(::stat(QFile::encodeName(weights).constData(), &now), 0);
        QCOMPARE(now.st_size, st.st_size);
        QCOMPARE(now.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
        const CliRun r = sdrtRun({QStringLiteral("generate"), ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--limit"),
                                  QStringLiteral("1"), QStringLiteral("--step1-tokens"), QStringLiteral("2"), QStringLiteral("--step2-tokens"),
                                  QStringLiteral("2"), QStringLiteral("--quiet")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("not the model that was registered")), qPrintable(r.err));
        QCOMPARE(scalar(ws, "SELECT count(*) FROM traces"), std::int64_t(0));
    }

    // 8. Model names.
    void aNameNamesOneModel()
    {
        const QString other = m_tmp.filePath(QStringLiteral("tiny-other"));
        model::TinyModelParams p;
        p.seed = 7;
        QVERIFY(model::makeTinyModel(other.toStdString(), p));
        CliRun r = sdrtRun({QStringLiteral("model"), QStringLiteral("register"), m_ws, other, QStringLiteral("--name"), QStringLiteral("tiny")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("already exists")), qPrintable(r.err));
        // The registered folder under another name: said, not silently kept under the old one.
        r = sdrtRun({QStringLiteral("model"), QStringLiteral("register"), m_ws, m_tiny, QStringLiteral("--name"), QStringLiteral("teacher")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("already registered as model \"tiny\"")), qPrintable(r.err));
        QCOMPARE(scalar(m_ws, "SELECT count(*) FROM models WHERE name = 'teacher'"), std::int64_t(0));
        // The same name again: the same model, no error.
        r = sdrtRun({QStringLiteral("model"), QStringLiteral("register"), m_ws, m_tiny, QStringLiteral("--name"), QStringLiteral("tiny")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    // 8. Numbers and flags: each a clear error with status 2.
    void badNumbersAndFlags_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("says");
        const QString ws = QStringLiteral("WS");
        QTest::newRow("limit 0") << QStringList{QStringLiteral("eval"), ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--limit"), QStringLiteral("0")}
                                 << QStringLiteral("--limit: 0 is too small (at least 1)");
        QTest::newRow("limit 1e12") << QStringList{QStringLiteral("eval"), ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--limit"), QStringLiteral("1e12")}
                                    << QStringLiteral("\"1e12\" is not a whole number");
        QTest::newRow("limit huge") << QStringList{QStringLiteral("eval"), ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--limit"), QStringLiteral("1000000000000")}
                                    << QStringLiteral("is too large");
        QTest::newRow("items abc") << QStringList{QStringLiteral("demo"), QStringLiteral("make-data"), QStringLiteral("NEWDIR"), QStringLiteral("--items"), QStringLiteral("abc")}
                                   << QStringLiteral("--items: \"abc\" is not a whole number");
        QTest::newRow("seed too large") << QStringList{QStringLiteral("demo"), QStringLiteral("make-data"), QStringLiteral("NEWDIR"), QStringLiteral("--seed"), QStringLiteral("99999999999")}
                                        << QStringLiteral("--seed: 99999999999 is too large");
        QTest::newRow("port abc") << QStringList{QStringLiteral("distill"), ws, QStringLiteral("--base"), QStringLiteral("tiny"), QStringLiteral("--world-size"),
                                                QStringLiteral("2"), QStringLiteral("--rank"), QStringLiteral("1"), QStringLiteral("--master-port"), QStringLiteral("abc")}
                                  << QStringLiteral("\"abc\" is not a port number");
        QTest::newRow("rank alone") << QStringList{QStringLiteral("distill"), ws, QStringLiteral("--base"), QStringLiteral("tiny"), QStringLiteral("--rank"), QStringLiteral("1")}
                                    << QStringLiteral("--rank (or RANK) needs --world-size");
        QTest::newRow("resume and config") << QStringList{QStringLiteral("distill"), ws, QStringLiteral("--resume"), QStringLiteral("r"), QStringLiteral("--config"), QStringLiteral("c.json")}
                                           << QStringLiteral("--config and --name apply to a new run only");
        QTest::newRow("resume and name") << QStringList{QStringLiteral("distill"), ws, QStringLiteral("--resume"), QStringLiteral("r"), QStringLiteral("--name"), QStringLiteral("x")}
                                         << QStringLiteral("--config and --name apply to a new run only");
        QTest::newRow("unknown option") << QStringList{QStringLiteral("compare"), ws, QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("--colour")}
                                        << QStringLiteral("Unknown option 'colour'");
        QTest::newRow("empty reviewer") << QStringList{QStringLiteral("review"), QStringLiteral("accept-matching"), ws, QStringLiteral("--reviewer"), QString()}
                                        << QStringLiteral("a reviewer name cannot be empty");
        QTest::newRow("person as simulated") << QStringList{QStringLiteral("review"), QStringLiteral("accept-matching"), ws, QStringLiteral("--reviewer"), QStringLiteral("ana")}
                                             << QStringLiteral("is not a simulated reviewer's name");
        QTest::newRow("regressions vs itself") << QStringList{QStringLiteral("eval"), QStringLiteral("enqueue"), ws, QStringLiteral("a"), QStringLiteral("--regressions-vs"), QStringLiteral("a")}
                                               << QStringLiteral("itself");
    }

    void badNumbersAndFlags()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, says);
        args.replaceInStrings(QRegularExpression(QStringLiteral("^WS$")), m_ws);
        args.replaceInStrings(QRegularExpression(QStringLiteral("^NEWDIR$")), m_tmp.filePath(QStringLiteral("never-made")));
        const qint64 evaluations = scalar(m_ws, "SELECT count(*) FROM evaluations");
        const CliRun r = sdrtRun(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(says), qPrintable(r.err));
        QCOMPARE(scalar(m_ws, "SELECT count(*) FROM evaluations"), evaluations);
        QVERIFY(!QFileInfo::exists(m_tmp.filePath(QStringLiteral("never-made"))));
    }

    void helpOfEveryListingCommand()
    {
        for (const QStringList &args : {QStringList{QStringLiteral("distill-runs"), QStringLiteral("--help")},
                                        QStringList{QStringLiteral("model"), QStringLiteral("list"), QStringLiteral("--help")}}) {
            const CliRun r = sdrtRun(args);
            QCOMPARE(r.code, 0);
            QVERIFY2(r.out.contains(QStringLiteral("WS")) && !r.err.contains(QStringLiteral("not a workspace")), qPrintable(r.out + r.err));
        }
    }

    // 8. Workspace files that are not what they should be.
    void brokenWorkspaceFilesAreNamed()
    {
        const QString empty = m_tmp.filePath(QStringLiteral("ws-empty"));
        QVERIFY(QDir().mkpath(empty));
        QVERIFY(writeFile(QDir(empty).filePath(QStringLiteral("workspace.sqlite")), {}));
        CliRun r = sdrtRun({QStringLiteral("distill-runs"), empty});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("is empty (0 bytes)")), qPrintable(r.err));
        QCOMPARE(QFileInfo(QDir(empty).filePath(QStringLiteral("workspace.sqlite"))).size(), 0); // not made into a workspace
        const QString folder = m_tmp.filePath(QStringLiteral("ws-folder"));
        QVERIFY(QDir().mkpath(QDir(folder).filePath(QStringLiteral("workspace.sqlite"))));
        r = sdrtRun({QStringLiteral("model"), QStringLiteral("list"), folder});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("a folder")) && !r.err.contains(QStringLiteral("missing")), qPrintable(r.err));
    }

    void aFullDiskIsCalledFull()
    {
        // A workspace on a disk with no room left: the store says the disk is full.
        const QString dir = m_tmp.filePath(QStringLiteral("full-ws"));
        QVERIFY(QDir().mkpath(dir));
        const QString script = QStringLiteral("'%1' init '%2/ws' >/dev/null || exit 3\n"
                                              "head -c 4000000 /dev/zero > '%2/fill' 2>/dev/null\n"
                                              "'%1' import '%2/ws' '%3'; echo \"rc=$?\"")
                                   .arg(sdrtBinary(), dir, m_data);
        const CliRun r = onSmallDisk(dir, 2048, script);
        QVERIFY2(r.code != 99 && r.code != 3, qPrintable(r.err));
        QVERIFY2(!r.out.contains(QStringLiteral("rc=0")), qPrintable(r.out + r.err));
        QVERIFY2(r.err.contains(QStringLiteral("is full")), qPrintable(r.err));
        QVERIFY2(!r.err.contains(QStringLiteral("disk I/O error")) || r.err.contains(QStringLiteral("is full")), qPrintable(r.err));
    }

    // 8. Interrupted evaluations are named when compared or marked for review.
    void interruptedEvaluationsAreNamed()
    {
        {
            auto w = store::Workspace::open(m_ws);
            QVERIFY(w);
            QVERIFY(w->db().exec("UPDATE evaluations SET status = 'interrupted' WHERE name = 'b'"));
        }
        CliRun r = sdrtRun({QStringLiteral("compare"), m_ws, QStringLiteral("a"), QStringLiteral("b")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("\"b\" is interrupted, not done")), qPrintable(r.err));
        r = sdrtRun({QStringLiteral("eval"), QStringLiteral("enqueue"), m_ws, QStringLiteral("b")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.contains(QStringLiteral("\"b\" is interrupted, not done")), qPrintable(r.err));
        auto w = store::Workspace::open(m_ws);
        QVERIFY(w->db().exec("UPDATE evaluations SET status = 'done' WHERE name = 'b'"));
    }

    void duplicateJsonKeysAreFound()
    {
        QVERIFY(!common::findDuplicateKey(R"({"a": 1, "b": {"a": 2}})"));
        auto top = common::findDuplicateKey(R"({"steps": 1, "batch": 2, "steps": 3})");
        QVERIFY(top);
        QCOMPARE(top->key, std::string("steps"));
        QCOMPARE(top->path, std::string());
        auto nested = common::findDuplicateKey(R"({"x": [1, {"k": 1, "k": 2}]})");
        QVERIFY(nested);
        QCOMPARE(nested->path, std::string("/x/1"));
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
