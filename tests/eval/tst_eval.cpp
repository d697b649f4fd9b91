// sdrt eval as a user runs it, on a workspace with the tiny random model: direct, two-step and
// ensemble evaluations store one prediction per item with its cost; a run killed with -9 keeps
// what it stored and, resumed, does only the rest (nothing duplicated); bad input is refused by
// name; the scores come from the metrics of core/eval.

#include "../support/CliRun.h"
#include "../support/StoreQuery.h"
#include "sdrt/eval/Compare.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/Workspace.h"

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

std::int64_t scalar(const QString &ws, const char *sql)
{
    return testing::sqlScalar(ws, sql);
}

QJsonObject lastLine(const QString &out)
{
    const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return lines.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(lines.last().toUtf8()).object();
}

} // namespace

class TestEval : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_ws;

private Q_SLOTS:
    void initTestCase()
    {
        const QString tiny = m_tmp.filePath(QStringLiteral("tiny"));
        QVERIFY(model::makeTinyModel(tiny.toStdString(), {}));
        const QString data = m_tmp.filePath(QStringLiteral("data"));
        QCOMPARE(sdrtRun({QStringLiteral("demo"), QStringLiteral("make-data"), data, QStringLiteral("--items"), QStringLiteral("40")}).code, 0);
        m_ws = m_tmp.filePath(QStringLiteral("ws"));
        testing::sdrtMakeWorkspace(m_ws, data, tiny);
    }

    void directEvaluationStoresEveryItem()
    {
        auto r = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--name"), QStringLiteral("d1")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject done = lastLine(r.out);
        QCOMPARE(done.value(QStringLiteral("event")).toString(), QStringLiteral("done"));
        const std::int64_t evalItems = scalar(m_ws, "SELECT count(*) FROM items WHERE split = 'eval'");
        QVERIFY(evalItems > 0);
        QCOMPARE(done.value(QStringLiteral("items")).toInt(), int(evalItems));
        QCOMPARE(scalar(m_ws, "SELECT count(*) FROM predictions p JOIN evaluations e ON e.id = p.evaluation_id WHERE e.name = 'd1'"), evalItems);
        QCOMPARE(done.value(QStringLiteral("cost_per_answer")).toObject().value(QStringLiteral("generations")).toDouble(), 1.0);
        QCOMPARE(done.value(QStringLiteral("items_this_run")).toInt(), int(evalItems));
        QVERIFY(done.value(QStringLiteral("items_per_min")).toDouble() > 0);
        QVERIFY(done.value(QStringLiteral("scores")).toObject().contains(QStringLiteral("score")));
        // The same name again is refused.
        auto again = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--name"), QStringLiteral("d1")});
        QCOMPARE(again.code, 2);
        QVERIFY2(again.err.contains(QStringLiteral("d1")), qPrintable(again.err));
    }

    void twoStepAndEnsembleCostMore()
    {
        auto two = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--mode"),
                            QStringLiteral("two-step:decompose"), QStringLiteral("--limit"), QStringLiteral("3"), QStringLiteral("--name"), QStringLiteral("t1")});
        QVERIFY2(two.code == 0 || two.code == 1, qPrintable(two.err));
        const QJsonObject cost = lastLine(two.out).value(QStringLiteral("cost_per_answer")).toObject();
        QVERIFY2(cost.value(QStringLiteral("generations")).toDouble() > 1.0, qPrintable(two.out));
        auto ens = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--mode"),
                            QStringLiteral("ensemble"), QStringLiteral("--prompts"), QStringLiteral("decompose,reasoning-path"), QStringLiteral("--limit"),
                            QStringLiteral("3"), QStringLiteral("--name"), QStringLiteral("e1")});
        QVERIFY2(ens.code == 0 || ens.code == 1, qPrintable(ens.err));
        QCOMPARE(scalar(m_ws, "SELECT count(*) FROM predictions p JOIN evaluations e ON e.id = p.evaluation_id WHERE e.name = 'e1'"), std::int64_t(3));
        QVERIFY(scalar(m_ws, "SELECT json_array_length(trace) FROM predictions p JOIN evaluations e ON e.id = p.evaluation_id WHERE e.name = 'e1' LIMIT 1") == 2);
    }

    void comparisonOfTwoEvaluations()
    {
        QTemporaryDir out;
        const QString csv = out.filePath(QStringLiteral("c.csv")), html = out.filePath(QStringLiteral("c.html"));
        auto r = sdrtRun({QStringLiteral("compare"), m_ws, QStringLiteral("d1"), QStringLiteral("e1"), QStringLiteral("--csv"), csv, QStringLiteral("--html"), html});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("3 common items")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("McNemar exact p")), qPrintable(r.out));
        // Each difference also per task family, on that family's common items.
        {
            auto ws = store::Workspace::open(m_ws);
            auto c = eval::compareEvaluations(*ws, {QStringLiteral("d1"), QStringLiteral("e1")});
            QVERIFY(c);
            QCOMPARE(c->familyDifferences.size(), std::size_t(1));
            QCOMPARE(c->familyDifferences[0].size(), c->families.size());
            int items = 0;
            for (const auto &fd : c->familyDifferences[0]) {
                items += fd.difference.items;
                QVERIFY2(r.out.contains(QStringLiteral("    %1: ").arg(fd.family)), qPrintable(r.out));
                QVERIFY(fd.mcnemarP > 0 && fd.mcnemarP <= 1);
            }
            QCOMPARE(items, int(c->rows.size()));
        }
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().count('\n'), 4); // header + 3 items
        QVERIFY(QFile(html).size() > 1000);
        // Existing files are not replaced without --force; a workspace file never.
        auto again = sdrtRun({QStringLiteral("compare"), m_ws, QStringLiteral("d1"), QStringLiteral("e1"), QStringLiteral("--csv"), csv});
        QCOMPARE(again.code, 2);
        auto db = sdrtRun({QStringLiteral("compare"), m_ws, QStringLiteral("d1"), QStringLiteral("e1"), QStringLiteral("--csv"),
                           m_ws + QStringLiteral("/workspace.sqlite"), QStringLiteral("--force")});
        QCOMPARE(db.code, 2);
        auto one = sdrtRun({QStringLiteral("compare"), m_ws, QStringLiteral("d1")});
        QCOMPARE(one.code, 2);
        auto missing = sdrtRun({QStringLiteral("compare"), m_ws, QStringLiteral("d1"), QStringLiteral("nope")});
        QCOMPARE(missing.code, 2);
        QVERIFY(missing.err.contains(QStringLiteral("nope")));
    }

    void killedEvaluationResumesWithoutDuplicates()
    {
        QProcess p;
        p.start(testing::sdrtBinary(), {QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--mode"),
                                        QStringLiteral("ensemble"), QStringLiteral("--batch"), QStringLiteral("1"), QStringLiteral("--split"),
                                        QStringLiteral("train"), QStringLiteral("--name"), QStringLiteral("k1")});
        QVERIFY(p.waitForStarted());
        QByteArray seen;
        while (!seen.contains("\"done\":2,") && p.state() == QProcess::Running) {
            p.waitForReadyRead(200);
            seen += p.readAllStandardOutput();
        }
        QVERIFY2(seen.contains("\"done\":2,"), seen.constData());
        ::kill(pid_t(p.processId()), SIGKILL);
        p.waitForFinished();
        const std::int64_t stored = scalar(m_ws, "SELECT count(*) FROM predictions p JOIN evaluations e ON e.id = p.evaluation_id WHERE e.name = 'k1'");
        QVERIFY(stored >= 2);
        auto r = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--resume"), QStringLiteral("k1")}, 600000);
        QVERIFY2(r.code == 0 || r.code == 1, qPrintable(r.err));
        const std::int64_t trainItems = scalar(m_ws, "SELECT count(*) FROM items WHERE split = 'train'");
        QCOMPARE(scalar(m_ws, "SELECT count(*) FROM predictions p JOIN evaluations e ON e.id = p.evaluation_id WHERE e.name = 'k1'"), trainItems);
        QCOMPARE(scalar(m_ws, "SELECT count(DISTINCT item_id) FROM predictions p JOIN evaluations e ON e.id = p.evaluation_id WHERE e.name = 'k1'"), trainItems);
        QCOMPARE(scalar(m_ws, "SELECT count(*) FROM evaluations WHERE name = 'k1' AND status = 'done'"), std::int64_t(1));
    }

    void failuresGoBackToReview()
    {
        // Teacher traces on the first train items, so some marked items are in the review queue.
        auto g = sdrtRun({QStringLiteral("generate"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--split"), QStringLiteral("train"),
                          QStringLiteral("--limit"), QStringLiteral("4"), QStringLiteral("--step1-tokens"), QStringLiteral("4"), QStringLiteral("--step2-tokens"),
                          QStringLiteral("3"), QStringLiteral("--quiet"), QStringLiteral("--no-hidden")});
        QVERIFY2(g.code == 0 || g.code == 1, qPrintable(g.err));
        auto r = sdrtRun({QStringLiteral("eval"), QStringLiteral("enqueue"), m_ws, QStringLiteral("k1")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QString source = QStringLiteral("evaluation k1: wrong answers");
        const std::int64_t marked = scalar(m_ws, "SELECT count(*) FROM review_marks WHERE source = 'evaluation k1: wrong answers'");
        QVERIFY(marked > 0);
        QVERIFY2(r.out.contains(QStringLiteral("Marked %1 items").arg(marked)), qPrintable(r.out));
        // Again: nothing new.
        auto again = sdrtRun({QStringLiteral("eval"), QStringLiteral("enqueue"), m_ws, QStringLiteral("k1")});
        QVERIFY2(again.out.contains(QStringLiteral("(0 new)")), qPrintable(again.out));
        // The queue filter shows exactly the marked items that have traces.
        auto ws = store::Workspace::open(m_ws);
        QVERIFY(ws);
        auto session = review::ReviewSession::load(ws->db());
        QVERIFY(session);
        QVERIFY((*session)->markSources().contains(source));
        review::QueueFilter f;
        f.mark = source;
        const auto queue = (*session)->queue(f);
        const std::int64_t expected = scalar(m_ws, "SELECT count(DISTINCT m.item_id) FROM review_marks m JOIN traces t ON t.item_id = m.item_id"
                                                   " AND t.status = 'ok' WHERE m.source = 'evaluation k1: wrong answers'");
        QCOMPARE(std::int64_t(queue.size()), expected);
        // Regressions against another evaluation: a subset.
        auto reg = sdrtRun({QStringLiteral("eval"), QStringLiteral("enqueue"), m_ws, QStringLiteral("d1"), QStringLiteral("--regressions-vs"), QStringLiteral("e1")});
        QVERIFY2(reg.code == 0, qPrintable(reg.err));
        QVERIFY(scalar(m_ws, "SELECT count(*) FROM review_marks WHERE source = 'evaluation d1: regressions vs e1'")
                <= scalar(m_ws, "SELECT count(*) FROM predictions p JOIN evaluations e ON e.id = p.evaluation_id WHERE e.name = 'e1'"));
    }

    void badInputIsRefusedByName()
    {
        auto mode = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--mode"), QStringLiteral("magic")});
        QCOMPARE(mode.code, 2);
        QVERIFY(mode.err.contains(QStringLiteral("magic")));
        auto model = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("nobody")});
        QCOMPARE(model.code, 2);
        QVERIFY(model.err.contains(QStringLiteral("nobody")));
        auto prompt = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--mode"),
                               QStringLiteral("two-step:no-such-prompt")});
        QCOMPARE(prompt.code, 2);
        QVERIFY(prompt.err.contains(QStringLiteral("no-such-prompt")));
        auto metric = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--metric"), QStringLiteral("bleu")});
        QCOMPARE(metric.code, 2);
        QVERIFY(metric.err.contains(QStringLiteral("bleu")));
        auto none = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--family"), QStringLiteral("nothing")});
        QCOMPARE(none.code, 2);
        QVERIFY(none.err.contains(QStringLiteral("No items")));
        auto resume = sdrtRun({QStringLiteral("eval"), m_ws, QStringLiteral("--resume"), QStringLiteral("d1")});
        QCOMPARE(resume.code, 2);
        QVERIFY2(resume.err.contains(QStringLiteral("done")), qPrintable(resume.err));
    }
};

QTEST_GUILESS_MAIN(TestEval)
#include "tst_eval.moc"
