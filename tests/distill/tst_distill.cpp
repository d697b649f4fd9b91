// sdrt distill as a user runs it, in child processes, on a workspace with the tiny random model:
// every bad input gets a clear message and exit status 2; a run killed with -9 is listed as
// interrupted and, resumed, continues from its checkpoint with the loss curve of the
// uninterrupted run; two data-parallel processes (c10d/Gloo over loopback) match one process
// with the same global batch and seed; the student is registered and answers through the CLI.

#include "../support/CliRun.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/Workspace.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace sdrt;
using testing::sdrtRun;

namespace {

std::vector<double> losses(const QString &logFile)
{
    std::vector<double> out;
    QFile f(logFile);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (!line.isEmpty())
            out.push_back(QJsonDocument::fromJson(line).object().value(QStringLiteral("loss")).toDouble());
    return out;
}

} // namespace

class TestDistill : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_ws, m_tiny, m_cfg;

    QString writeConfig(const QString &name, const QByteArray &json)
    {
        const QString path = m_tmp.filePath(name);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(json);
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_tiny = m_tmp.filePath(QStringLiteral("tiny"));
        QVERIFY(model::makeTinyModel(m_tiny.toStdString(), {}));
        const QString data = m_tmp.filePath(QStringLiteral("data"));
        QCOMPARE(sdrtRun({QStringLiteral("demo"), QStringLiteral("make-data"), data, QStringLiteral("--items"), QStringLiteral("16")}).code, 0);
        m_ws = m_tmp.filePath(QStringLiteral("ws"));
        testing::sdrtMakeWorkspace(m_ws, data, m_tiny);
        m_cfg = writeConfig(QStringLiteral("cfg.json"), R"({"steps": 24, "batch": 4, "checkpoint_every": 4, "learning_rate": 0.01})");
    }

    void refusedBeforeAnyApproval()
    {
        auto r = sdrtRun({QStringLiteral("distill"), m_ws, QStringLiteral("--base"), QStringLiteral("tiny"), QStringLiteral("--config"), m_cfg});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("nothing to distil")), qPrintable(r.err));
        // Traces with hidden states, then every one accepted by a reviewer.
        auto g = sdrtRun({QStringLiteral("generate"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--split"),
                          QStringLiteral("train"), QStringLiteral("--step1-tokens"), QStringLiteral("6"), QStringLiteral("--step2-tokens"),
                          QStringLiteral("4"), QStringLiteral("--quiet")});
        QVERIFY2(g.code == 0 || g.code == 1, qPrintable(g.err));
        auto ws = store::Workspace::open(m_ws);
        QVERIFY(ws);
        auto session = review::ReviewSession::load(ws->db());
        QVERIFY(session);
        (*session)->setReviewer(QStringLiteral("ana"));
        std::vector<store::Id> all;
        for (store::Id item : (*session)->items())
            for (const auto *t : (*session)->traces(item))
                all.push_back(t->traceId);
        QVERIFY(all.size() >= 8);
        QVERIFY((*session)->record(all, {}));
    }

    void badInputIsRefusedByName()
    {
        auto unknownKey = sdrtRun({QStringLiteral("distill"), m_ws, QStringLiteral("--base"), QStringLiteral("tiny"), QStringLiteral("--config"),
                                   writeConfig(QStringLiteral("bad.json"), R"({"stepz": 3})")});
        QCOMPARE(unknownKey.code, 2);
        QVERIFY2(unknownKey.err.contains(QStringLiteral("stepz")), qPrintable(unknownKey.err));
        auto noBase = sdrtRun({QStringLiteral("distill"), m_ws, QStringLiteral("--base"), QStringLiteral("nobody"), QStringLiteral("--config"), m_cfg});
        QCOMPARE(noBase.code, 2);
        QVERIFY2(noBase.err.contains(QStringLiteral("nobody")), qPrintable(noBase.err));
        auto noRun = sdrtRun({QStringLiteral("distill"), m_ws, QStringLiteral("--resume"), QStringLiteral("never")});
        QCOMPARE(noRun.code, 2);
        QVERIFY2(noRun.err.contains(QStringLiteral("never")), qPrintable(noRun.err));
    }

    void twoProcessesMatchOne()
    {
        // Uninterrupted reference.
        auto ref = sdrtRun({QStringLiteral("distill"), m_ws, QStringLiteral("--base"), QStringLiteral("tiny"), QStringLiteral("--config"), m_cfg,
                            QStringLiteral("--name"), QStringLiteral("ref")});
        QVERIFY2(ref.code == 0, qPrintable(ref.err));
        QVERIFY(ref.out.contains(QStringLiteral("\"event\":\"done\"")));
        auto two = sdrtRun({QStringLiteral("distill"), m_ws, QStringLiteral("--base"), QStringLiteral("tiny"), QStringLiteral("--config"), m_cfg,
                            QStringLiteral("--name"), QStringLiteral("dp2"), QStringLiteral("--nproc"), QStringLiteral("2")});
        QVERIFY2(two.code == 0, qPrintable(two.err));
        QVERIFY(two.out.contains(QStringLiteral("\"world_size\":2")));
        const auto a = losses(QDir(m_ws).filePath(QStringLiteral("runs/ref/training_log.jsonl")));
        const auto b = losses(QDir(m_ws).filePath(QStringLiteral("runs/dp2/training_log.jsonl")));
        QCOMPARE(b.size(), a.size());
        // Stated tolerance: 1e-4 on each step's loss (float sums in another order).
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY2(std::abs(a[i] - b[i]) < 1e-4, qPrintable(QStringLiteral("step %1: %2 vs %3").arg(i + 1).arg(a[i]).arg(b[i])));
    }

    void tracesWithoutHiddenStatesAreCountedNotUsed()
    {
        // A copy of the workspace with one hidden-state file gone.
        const QString copy = m_tmp.filePath(QStringLiteral("ws-copy"));
        QCOMPARE(QProcess::execute(QStringLiteral("cp"), {QStringLiteral("-a"), m_ws, copy}), 0);
        QDirIterator it(copy + QStringLiteral("/hidden"), {QStringLiteral("*.safetensors")}, QDir::Files, QDirIterator::Subdirectories);
        QVERIFY(it.hasNext());
        QVERIFY(QFile::remove(it.next()));
        auto r = sdrtRun({QStringLiteral("distill"), copy, QStringLiteral("--base"), QStringLiteral("tiny"), QStringLiteral("--config"),
                          writeConfig(QStringLiteral("one.json"), R"({"steps": 1, "batch": 2})"), QStringLiteral("--name"), QStringLiteral("x")});
        QVERIFY2(r.err.contains(QStringLiteral("without stored hidden states")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("is missing")), qPrintable(r.err));
    }

    void killedRunResumesOnTheSameCurve()
    {
        // Killed with -9 after a checkpoint.
        QProcess p;
        p.start(testing::sdrtBinary(), {QStringLiteral("distill"), m_ws, QStringLiteral("--base"), QStringLiteral("tiny"), QStringLiteral("--config"),
                                        m_cfg, QStringLiteral("--name"), QStringLiteral("killed")});
        QVERIFY(p.waitForStarted());
        QByteArray seen;
        while (!seen.contains("\"step\":10,") && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            seen += p.readAllStandardOutput();
        }
        QVERIFY2(seen.contains("\"step\":10,"), seen.constData());
        ::kill(pid_t(p.processId()), SIGKILL);
        p.waitForFinished();
        auto listed = sdrtRun({QStringLiteral("distill-runs"), m_ws});
        QVERIFY2(listed.out.contains(QStringLiteral("killed\tinterrupted")), qPrintable(listed.out));
        // Reviews change meanwhile (a reviewer rejects some traces): the resumed run keeps the
        // traces it started with (its lineage), so its curve does not change.
        {
            auto ws = store::Workspace::open(m_ws);
            QVERIFY(ws);
            auto session = review::ReviewSession::load(ws->db());
            QVERIFY(session);
            (*session)->setReviewer(QStringLiteral("bob"));
            review::VerdictInput reject;
            reject.verdict = review::Verdict::Reject;
            auto approved = (*session)->approvedTraces();
            QVERIFY(approved.size() > 3);
            QVERIFY((*session)->record({approved[0], approved[1], approved[2]}, reject));
        }
        auto resumed = sdrtRun({QStringLiteral("distill"), m_ws, QStringLiteral("--resume"), QStringLiteral("killed")});
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        QVERIFY(resumed.out.contains(QStringLiteral("\"resumed_from\":")));
        const auto a = losses(QDir(m_ws).filePath(QStringLiteral("runs/ref/training_log.jsonl")));
        const auto b = losses(QDir(m_ws).filePath(QStringLiteral("runs/killed/training_log.jsonl")));
        QCOMPARE(int(a.size()), 24);
        QCOMPARE(int(b.size()), 24);
        for (std::size_t i = 0; i < a.size(); ++i)
            QVERIFY2(std::abs(a[i] - b[i]) < 1e-5, qPrintable(QStringLiteral("step %1: %2 vs %3").arg(i + 1).arg(a[i]).arg(b[i])));
        listed = sdrtRun({QStringLiteral("distill-runs"), m_ws});
        QVERIFY2(listed.out.contains(QStringLiteral("killed\tdone")), qPrintable(listed.out));
        // The student is a registered model of role student; the resumed run made the very same
        // adapter (same content hash), so it is the same model.
        auto models = sdrtRun({QStringLiteral("model"), QStringLiteral("list"), m_ws});
        QVERIFY2(models.out.contains(QStringLiteral("ref\tstudent")), qPrintable(models.out));
        QCOMPARE(QFile(QDir(m_ws).filePath(QStringLiteral("runs/ref/adapter.safetensors"))).size(),
                 QFile(QDir(m_ws).filePath(QStringLiteral("runs/killed/adapter.safetensors"))).size());
    }

    void studentAnswersAndRefusesDamage()
    {
        const QString runDir = QDir(m_ws).filePath(QStringLiteral("runs/ref"));
        auto g = sdrtRun({QStringLiteral("model"), QStringLiteral("generate"), m_tiny, QStringLiteral("--adapter"), runDir, QStringLiteral("--prompt"),
                          QStringLiteral("Is the part within tolerance?"), QStringLiteral("--max-new"), QStringLiteral("4")});
        QVERIFY2(g.code == 0, qPrintable(g.err));
        // By its registered name, and in a teacher run (the student's own traces).
        auto byName = sdrtRun({QStringLiteral("model"), QStringLiteral("generate"), QStringLiteral("ref"), QStringLiteral("--workspace"), m_ws,
                               QStringLiteral("--prompt"), QStringLiteral("Is the part within tolerance?"), QStringLiteral("--max-new"), QStringLiteral("4")});
        QVERIFY2(byName.code == 0, qPrintable(byName.err));
        auto run = sdrtRun({QStringLiteral("generate"), m_ws, QStringLiteral("--model"), QStringLiteral("ref"), QStringLiteral("--limit"), QStringLiteral("1"),
                            QStringLiteral("--step1-tokens"), QStringLiteral("4"), QStringLiteral("--step2-tokens"), QStringLiteral("3"), QStringLiteral("--quiet")});
        QVERIFY2(run.code == 0 || run.code == 1, qPrintable(run.err));
        QVERIFY2(run.out.contains(QStringLiteral("traces planned")), qPrintable(run.out));
        auto listed = sdrtRun({QStringLiteral("model"), QStringLiteral("list"), m_ws});
        QVERIFY2(listed.out.contains(QStringLiteral("\tbase 1, distillation run")), qPrintable(listed.out));
        // Another base: a second tiny model with other weights.
        const QString other = m_tmp.filePath(QStringLiteral("tiny2"));
        model::TinyModelParams tp;
        tp.seed = 2;
        QVERIFY(model::makeTinyModel(other.toStdString(), tp));
        auto wrong = sdrtRun({QStringLiteral("model"), QStringLiteral("generate"), other, QStringLiteral("--adapter"), runDir, QStringLiteral("--prompt"),
                              QStringLiteral("x")});
        QCOMPARE(wrong.code, 2);
        QVERIFY2(wrong.err.contains(QStringLiteral("base model")), qPrintable(wrong.err));
        // Truncated adapter.
        const QString copy = m_tmp.filePath(QStringLiteral("broken"));
        QDir().mkpath(copy);
        QFile::copy(QDir(runDir).filePath(QStringLiteral("adapter.safetensors")), QDir(copy).filePath(QStringLiteral("adapter.safetensors")));
        QFile f(QDir(copy).filePath(QStringLiteral("adapter.safetensors")));
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(f.size() / 2));
        f.close();
        auto broken = sdrtRun({QStringLiteral("model"), QStringLiteral("generate"), m_tiny, QStringLiteral("--adapter"), copy, QStringLiteral("--prompt"),
                               QStringLiteral("x")});
        QCOMPARE(broken.code, 2);
        QVERIFY2(broken.err.contains(QStringLiteral("adapter.safetensors")), qPrintable(broken.err));
    }
};

QTEST_GUILESS_MAIN(TestDistill)
#include "tst_distill.moc"
