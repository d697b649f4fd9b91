// The engineers' screens under the offscreen platform, with real widgets, a real workspace, the
// tiny random model and the real `sdrt` child processes: fill the Distill form and start a short
// run, see its curves get points, cancel and resume it, see its lineage and open its traces in
// review; queue evaluations, compare them with the right numbers, send items to review, export;
// close the window while a run goes on, and see a run killed from outside read as interrupted.

#include "sdrt/eval/Compare.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/DistillRepository.h"
#include "sdrt/store/EvaluationRepository.h"
#include "sdrt/store/ReviewRepository.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/review/ReviewMarks.h"
#include "sdrt/ui/GeneratePanel.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/ChildRun.h"
#include "sdrt/ui/CellTableModel.h"
#include "sdrt/ui/ComparePanel.h"
#include "sdrt/ui/DistillPanel.h"
#include "sdrt/ui/EvaluatePanel.h"
#include "sdrt/ui/MainWindow.h"
#include "sdrt/ui/ReviewController.h"
#include "sdrt/ui/ReviewPanel.h"
#include "sdrt/ui/WorkspaceSession.h"
#include "support/AcceptAll.h"
#include "support/CliRun.h"

#include <QBarSeries>
#include <QChartView>
#include <QProcess>
#include <QLineSeries>
#include <QBarSet>
#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QElapsedTimer>
#include <QTableView>
#include <QTest>
#include <QTextBrowser>

#include <csignal>
#include <sys/types.h>
#include <unistd.h>

using namespace sdrt;
using testing::sdrtRun;

namespace {

void check(QListWidget *list, const QString &text)
{
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->text() == text)
            list->item(i)->setCheckState(Qt::Checked);
}

// The row of a run in the Distill screen's runs table, and a cell's text as shown.
int rowOf(QTableView *t, const QString &name)
{
    for (int i = 0; i < t->model()->rowCount(); ++i)
        if (t->model()->index(i, 0).data().toString() == name)
            return i;
    return -1;
}

QString cellText(QTableView *t, int row, int column)
{
    return t->model()->index(row, column).data().toString();
}

store::RunStatus runStatus(const QString &ws, const QString &name)
{
    auto w = store::Workspace::open(ws);
    store::DistillRepository repo(w->db());
    if (!repo.reconcile())
        return store::RunStatus::Pending;
    auto r = repo.findByName(name);
    return r && *r ? (*r)->status : store::RunStatus::Pending;
}

} // namespace

class TestGuiRuns : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_ws;

    static QString curveTitle(ui::DistillPanel *p)
    {
        auto *view = p->findChild<QChartView *>();
        return view ? view->chart()->title() : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qputenv("SDRT_CLI", testing::sdrtBinary().toUtf8());
        const QString tiny = m_tmp.filePath(QStringLiteral("tiny"));
        QVERIFY(model::makeTinyModel(tiny.toStdString(), {}));
        const QString data = m_tmp.filePath(QStringLiteral("data"));
        QCOMPARE(sdrtRun({QStringLiteral("demo"), QStringLiteral("make-data"), data, QStringLiteral("--items"), QStringLiteral("16")}).code, 0);
        m_ws = m_tmp.filePath(QStringLiteral("ws"));
        testing::sdrtMakeWorkspace(m_ws, data, tiny);
        auto g = sdrtRun({QStringLiteral("generate"), m_ws, QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--split"),
                          QStringLiteral("train"), QStringLiteral("--step1-tokens"), QStringLiteral("6"), QStringLiteral("--step2-tokens"),
                          QStringLiteral("4"), QStringLiteral("--quiet")});
        QVERIFY2(g.code == 0 || g.code == 1, qPrintable(g.err));
        QVERIFY(testing::acceptEveryTrace(m_ws, QStringLiteral("ana")) >= 8);
    }

    void distillFormStartsCancelsAndResumes()
    {
        ui::MainWindow w;
        w.setCloseWithRuns(ui::MainWindow::CloseWithRuns::Stop);
        w.show();
        QVERIFY(w.openWorkspace(m_ws));
        ui::DistillPanel *p = w.distillPanel();
        QCOMPARE(p->baseField()->currentText(), QStringLiteral("tiny"));
        auto *approved = p->findChild<QLabel *>(QStringLiteral("distillApproved"));
        QVERIFY2(approved->text().contains(QStringLiteral("approved trace")), qPrintable(approved->text()));

        // Validation before start names the field.
        p->layersField()->setText(QStringLiteral("1,x"));
        QVERIFY(p->formError().contains(QStringLiteral("Layers")));
        QVERIFY(!p->start());
        p->layersField()->clear();
        p->batchField()->setValue(4);
        QVERIFY(p->formError().isEmpty());

        // A policy nobody's reviews meet: the child refuses, and its reason reaches the user.
        p->findChild<QCheckBox *>(QStringLiteral("distillWorkspacePolicy"))->setChecked(false);
        p->findChild<QSpinBox *>(QStringLiteral("distillMinAccepts"))->setValue(3);
        QVERIFY2(approved->text().startsWith(QStringLiteral("0 approved")), qPrintable(approved->text()));
        QSignalSpy errors(p, &ui::DistillPanel::errorOccurred);
        QSignalSpy refused(p->child(), &ui::ChildRun::finished);
        QVERIFY(p->start());
        QVERIFY(refused.wait(120000));
        QCOMPARE(errors.count(), 1);
        QVERIFY2(errors.at(0).at(1).toString().contains(QStringLiteral("nothing to distil")), qPrintable(errors.at(0).at(1).toString()));
        QCOMPARE(p->child()->exitCode(), 2); // the child's own exit status, kept though it ran detached
        p->findChild<QCheckBox *>(QStringLiteral("distillWorkspacePolicy"))->setChecked(true);

        p->nameField()->setText(QStringLiteral("gui-run"));
        p->stepsField()->setValue(200);
        p->checkpointField()->setValue(2);
        auto *start = p->findChild<QPushButton *>(QStringLiteral("distillStart"));
        auto *cancel = p->findChild<QPushButton *>(QStringLiteral("distillCancel"));
        auto *resume = p->findChild<QPushButton *>(QStringLiteral("distillResume"));
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(p->isRunning());
        QVERIFY(cancel->isEnabled());
        QVERIFY(!start->isEnabled());
        QCOMPARE(p->shownRun(), QStringLiteral("gui-run"));
        // The curves get points from the run's log while it trains.
        QTRY_VERIFY_WITH_TIMEOUT(p->curvePoints() >= 5, 120000);
        // The row, the chart title and the lineage follow the live run (the store has steps and
        // losses only at checkpoints and at the end).
        {
            QTRY_VERIFY(rowOf(p->runsTable(), QStringLiteral("gui-run")) >= 0);
            const int live = rowOf(p->runsTable(), QStringLiteral("gui-run"));
            QTRY_VERIFY_WITH_TIMEOUT(!cellText(p->runsTable(), live, 3).startsWith(QStringLiteral("0 of")), 60000);
            QVERIFY2(cellText(p->runsTable(), live, 3).endsWith(QStringLiteral("of 200")), qPrintable(cellText(p->runsTable(), live, 3)));
            QTRY_VERIFY(cellText(p->runsTable(), live, 5).contains(QStringLiteral("loss")));
            QCOMPARE(curveTitle(p), QStringLiteral("Run gui-run"));
            QVERIFY2(!p->lineageText().isEmpty(), "the lineage is recorded at the start and shown while the run trains");
        }
        QSignalSpy finished(p->child(), &ui::ChildRun::finished);
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(finished.wait(60000));
        QCOMPARE(p->child()->lastEvent().value(QStringLiteral("event")).toString(), QStringLiteral("cancelled"));
        QCOMPARE(runStatus(m_ws, QStringLiteral("gui-run")), store::RunStatus::Cancelled);
        const int row = rowOf(p->runsTable(), QStringLiteral("gui-run"));
        QVERIFY(row >= 0);
        QCOMPARE(cellText(p->runsTable(), row, 1), QStringLiteral("cancelled"));
        p->runsTable()->selectRow(row);
        QVERIFY(resume->isEnabled());
        const int pointsBefore = p->curvePoints();

        // Resumed, it runs to the end; the curve continues to the last step.
        QTest::mouseClick(resume, Qt::LeftButton);
        QVERIFY(p->isRunning());
        finished.clear();
        QVERIFY(finished.wait(300000));
        QCOMPARE(p->child()->lastEvent().value(QStringLiteral("event")).toString(), QStringLiteral("done"));
        QCOMPARE(p->child()->exitCode(), 0);
        QCOMPARE(runStatus(m_ws, QStringLiteral("gui-run")), store::RunStatus::Done);
        QVERIFY(p->curvePoints() > pointsBefore);
        QVERIFY(p->curvePoints() >= 200); // ≥ one term at every step
        QCOMPARE(cellText(p->runsTable(), rowOf(p->runsTable(), QStringLiteral("gui-run")), 1), QStringLiteral("done"));
        QVERIFY2(p->findChild<QLabel *>(QStringLiteral("distillStatus"))->text().contains(QStringLiteral("done")),
                 qPrintable(p->findChild<QLabel *>(QStringLiteral("distillStatus"))->text()));
        // After the end, without choosing the row again: the stored row, title, lineage and actions.
        QCOMPARE(curveTitle(p), QStringLiteral("Run gui-run"));
        QVERIFY(!p->lineageText().isEmpty());
        QVERIFY(p->findChild<QPushButton *>(QStringLiteral("distillReviewTraces"))->isEnabled());
        // The prompt weights in words under the curves (the entropy curve alone looks flat).
        const QString weights = p->findChild<QLabel *>(QStringLiteral("ensembleWeights"))->text();
        QVERIFY2(weights.contains(QStringLiteral("at step 200")) && weights.contains(QStringLiteral("ln ")), qPrintable(weights));
        {
            // One duration, the table's, in the status line too.
            const QString took = cellText(p->runsTable(), rowOf(p->runsTable(), QStringLiteral("gui-run")), 6);
            QVERIFY(!took.isEmpty());
            QVERIFY2(p->findChild<QLabel *>(QStringLiteral("distillStatus"))->text().contains(took),
                     qPrintable(p->findChild<QLabel *>(QStringLiteral("distillStatus"))->text()));
        }
        // A name that is taken is refused before start.
        p->nameField()->setText(QStringLiteral("gui-run"));
        QVERIFY(p->formError().contains(QStringLiteral("already a run")));
        p->nameField()->clear();

        // The lineage: the traces that went in, by prompt, reviewer and teacher run.
        p->showRun(QStringLiteral("gui-run"));
        QVERIFY2(p->lineageText().contains(QStringLiteral("ana")), qPrintable(p->lineageText()));
        auto ws = store::Workspace::open(m_ws);
        auto run = store::DistillRepository(ws->db()).findByName(QStringLiteral("gui-run"));
        auto lineage = store::DistillRepository(ws->db()).lineage((*run)->id);
        QVERIFY(lineage->traces > 0);
        QVERIFY2(p->lineageText().contains(QStringLiteral("%1 trace").arg(lineage->traces)), qPrintable(p->lineageText()));
        // … opened in the review screen: the queue holds exactly the run's items.
        QTest::mouseClick(p->findChild<QPushButton *>(QStringLiteral("distillReviewTraces")), Qt::LeftButton);
        QVERIFY(w.isReviewShown());
        QCOMPARE(w.session()->reviews()->filter().mark, QStringLiteral("distillation run gui-run"));
        QCOMPARE(w.reviewPanel()->markFilter()->currentData().toString(), QStringLiteral("distillation run gui-run"));
        auto marks = store::ReviewRepository(ws->db()).marks();
        const std::set<store::Id> marked = marks->at(QStringLiteral("distillation run gui-run"));
        QCOMPARE(std::set<store::Id>(w.session()->reviews()->queue().begin(), w.session()->reviews()->queue().end()), marked);
    }

    // A run another process trains (here `sdrt distill` started on its own, as an earlier window
    // leaves it): the screen follows it, Cancel stops it (by the identity its row records), and it
    // is the live run that closing the window asks about.
    void cancelsARunAnotherProcessTrains()
    {
        const QString config = m_tmp.filePath(QStringLiteral("ext.json"));
        {
            QFile f(config);
            QVERIFY(f.open(QIODevice::WriteOnly));
            // No checkpoint before the end: the store holds 0 steps and no losses while it trains.
            f.write(R"({"steps": 5000, "batch": 2, "checkpoint_every": 5000})");
        }
        QProcess other;
        other.setStandardOutputFile(m_tmp.filePath(QStringLiteral("ext.out")));
        other.setStandardErrorFile(m_tmp.filePath(QStringLiteral("ext.err")));
        other.start(testing::sdrtBinary(), {QStringLiteral("distill"), m_ws, QStringLiteral("--base"), QStringLiteral("tiny"), QStringLiteral("--config"),
                                            config, QStringLiteral("--name"), QStringLiteral("ext-run")});
        QVERIFY(other.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(runStatus(m_ws, QStringLiteral("ext-run")) == store::RunStatus::Running, 120000);

        ui::MainWindow w;
        w.show();
        QVERIFY(w.openWorkspace(m_ws));
        ui::DistillPanel *p = w.distillPanel();
        QVERIFY(!p->isRunning()); // not this window's child
        QCOMPARE(p->liveRun(), QStringLiteral("ext-run"));
        p->showRun(QStringLiteral("ext-run"));
        auto *cancel = p->findChild<QPushButton *>(QStringLiteral("distillCancel"));
        QTRY_VERIFY(cancel->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(p->curvePoints() > 0, 60000); // followed live
        // Its row follows the training log: steps done and the last step's losses.
        const int row = rowOf(p->runsTable(), QStringLiteral("ext-run"));
        QTRY_VERIFY_WITH_TIMEOUT(!cellText(p->runsTable(), row, 3).startsWith(QStringLiteral("0 of")), 60000);
        QTRY_VERIFY(cellText(p->runsTable(), row, 5).contains(QStringLiteral("loss")));
        QTest::mouseClick(cancel, Qt::LeftButton);
        QVERIFY(other.waitForFinished(120000));
        QCOMPARE(other.exitStatus(), QProcess::NormalExit);
        QCOMPARE(runStatus(m_ws, QStringLiteral("ext-run")), store::RunStatus::Cancelled);
        // The screen notices the end by itself: the row reads cancelled, Cancel is off.
        QTRY_COMPARE_WITH_TIMEOUT(cellText(p->runsTable(), rowOf(p->runsTable(), QStringLiteral("ext-run")), 1), QStringLiteral("cancelled"), 10000);
        QTRY_VERIFY(!cancel->isEnabled());
        QVERIFY(p->liveRun().isEmpty());
    }

    void evaluationsQueueAndCompare()
    {
        ui::MainWindow w;
        w.show();
        QVERIFY(w.openWorkspace(m_ws));
        ui::EvaluatePanel *e = w.evaluatePanel();
        check(e->models(), QStringLiteral("tiny"));
        check(e->models(), QStringLiteral("gui-run (student)"));
        for (int i = 0; i < e->modes()->count(); ++i)
            if (e->modes()->item(i)->data(Qt::UserRole).toString() == QLatin1String("direct"))
                e->modes()->item(i)->setCheckState(Qt::Checked);
        // The train split: its items have teacher traces, so sent to review they are in the queue.
        e->split()->setCurrentIndex(e->split()->findData(QStringLiteral("train")));
        e->limit()->setValue(6);
        QSignalSpy empty(e, &ui::EvaluatePanel::queueEmpty);
        QSignalSpy done(e, &ui::EvaluatePanel::evaluationFinished);
        e->nameField()->setText(QStringLiteral("gui-eval")); // each is named after it, the model and the mode
        QVERIFY(e->enqueue());
        QVERIFY(e->isRunning());
        QCOMPARE(e->queued(), 1); // the second waits for the first
        QVERIFY(empty.wait(300000));
        QCOMPARE(done.count(), 2);
        QVERIFY(done.at(0).at(1).toBool() && done.at(1).at(1).toBool());
        const QStringList names = e->started();
        QCOMPARE(names, (QStringList{QStringLiteral("gui-eval-tiny-direct"), QStringLiteral("gui-eval-gui-run-direct")}));
        // A name taken is refused, naming it, and nothing is queued.
        QSignalSpy refused(e, &ui::EvaluatePanel::errorOccurred);
        e->nameField()->setText(QStringLiteral("gui-eval"));
        QVERIFY(!e->enqueue());
        QVERIFY(!e->isRunning());
        QCOMPARE(refused.count(), 1);
        QVERIFY(refused.at(0).at(1).toString().contains(QStringLiteral("gui-eval-tiny-direct")));

        // The comparison shows the numbers of eval::compareEvaluations on the same evaluations.
        ui::ComparePanel *c = w.comparePanel();
        QVERIFY(c->evaluationsModel()->rowCount() >= 2);
        QSignalSpy compared(c, &ui::ComparePanel::compared);
        QVERIFY(c->compareNames(names));
        QVERIFY(compared.wait(120000)); // computed on a worker thread
        QVERIFY(compared.at(0).at(0).toBool());
        auto ws = store::Workspace::open(m_ws);
        auto expected = eval::compareEvaluations(*ws, {names[0], names[1]});
        QVERIFY(expected);
        QCOMPARE(c->summaryModel()->rowCount(), 2);
        QCOMPARE(c->metric()->currentData().toString(), QStringLiteral("score"));
        const eval::Estimate all = expected->reports[1].byMetric.at(QStringLiteral("score")).at(QString());
        const QString allText = QStringLiteral("%1 [%2, %3]").arg(QString::number(100 * all.value, 'f', 1), QString::number(100 * all.low, 'f', 1),
                                                                  QString::number(100 * all.high, 'f', 1));
        QCOMPARE(c->summaryModel()->text(1, 1), allText);
        // The Evaluate screen lists both, newest first, with the same score.
        ui::CellTableModel *listed = e->evaluationsModel();
        QVERIFY(listed->rowCount() >= 2);
        QCOMPARE(listed->key(0).toString(), names[1]);
        QCOMPARE(listed->text(0, 1), QStringLiteral("gui-run"));
        QCOMPARE(listed->text(0, 3), QStringLiteral("train"));
        QCOMPARE(listed->text(0, 5), QString::number(expected->reports[1].items));
        QCOMPARE(listed->text(0, 6), allText);
        QVERIFY(!listed->text(0, 7).contains(QLatin1Char('T'))); // local time, not the stored UTC stamp
        const int pCol = c->summaryModel()->columnCount() - 1;
        QCOMPARE(c->summaryModel()->text(1, pCol), QString::number(expected->mcnemarP[0], 'g', 3));
        QCOMPARE(c->itemsModel()->rowCount(), int(expected->rows.size()));
        QCOMPARE(c->itemsModel()->text(0, 3), expected->rows[0].reference);
        QCOMPARE(c->itemsModel()->text(0, 4).isEmpty(), false);
        auto *bars = qobject_cast<QAbstractBarSeries *>(c->chart()->series().value(0));
        QVERIFY(bars);
        QCOMPARE(bars->count(), 2);
        QCOMPARE(bars->barSets().at(1)->label(), names[1]);
        QCOMPARE(bars->barSets().at(1)->at(0), 100.0 * all.value); // "all" is the first category
        // Each bar has its interval: one line per evaluation and family, from low to high.
        auto *interval = qobject_cast<QLineSeries *>(c->chart()->series().value(1));
        QVERIFY(interval);
        const eval::Estimate first = expected->reports[0].byMetric.at(QStringLiteral("score")).at(QString());
        bool found = false;
        for (QAbstractSeries *series : c->chart()->series())
            if (auto *line = qobject_cast<QLineSeries *>(series); line && line->count() == 6)
                found = found || (qFuzzyCompare(line->at(2).y() + 1, 100 * first.low + 1) && qFuzzyCompare(line->at(3).y() + 1, 100 * first.high + 1));
        QVERIFY(found);
        // A family filter narrows the rows; selecting a row shows the item and each answer.
        c->familyFilter()->setCurrentIndex(1);
        const QString family = c->familyFilter()->currentData().toString();
        int expectedRows = 0;
        for (const auto &r : expected->rows)
            expectedRows += r.family == family;
        QCOMPARE(c->itemsModel()->rowCount(), expectedRows);
        c->items()->setCurrentIndex(c->itemsModel()->index(0, 1));
        QVERIFY2(c->detail()->toPlainText().contains(expected->labels[1]), qPrintable(c->detail()->toPlainText()));

        // Send to review: the selected item is in the queue's filter.
        c->items()->selectRow(0);
        const store::Id item = c->itemsModel()->text(0, 0).toLongLong();
        const QString source = c->sendToReview();
        QVERIFY(!source.isEmpty());
        QVERIFY(w.isReviewShown());
        QCOMPARE(w.session()->reviews()->filter().mark, source);
        QCOMPARE(w.session()->reviews()->queue(), std::vector<store::Id>{item});
        // Beside its teacher traces, each evaluation's answer; right or wrong only with the reference.
        QTRY_COMPARE(w.reviewPanel()->currentItem(), item);
        const QString answers = w.reviewPanel()->answersText();
        QVERIFY2(answers.contains(names[0]) && answers.contains(names[1]), qPrintable(answers));
        QVERIFY(!answers.contains(QStringLiteral("✓ right")) && !answers.contains(QStringLiteral("✗ wrong")));
        w.session()->reviews()->toggleReference();
        const QString judged = w.reviewPanel()->answersText();
        QCOMPARE(int(judged.count(QStringLiteral("✓ right")) + judged.count(QStringLiteral("✗ wrong")) + judged.count(QStringLiteral("✗ failed"))), 2);
        for (int i = 0; i < 2; ++i) {
            bool right = false;
            for (const eval::ItemScore &sc : expected->reports[std::size_t(i)].scores)
                if (sc.itemId == item)
                    right = sc.right;
            // The evaluation's line says what its report says about the item.
            const QString line = judged.section(QStringLiteral("<br>"), i, i);
            QVERIFY2(line.contains(names[i]) && line.contains(right ? QStringLiteral("✓ right") : QStringLiteral("✗")), qPrintable(line));
        }
        QVERIFY(!w.reviewPanel()->untracedBanner()->isVisible()); // it has teacher traces

        // Export: the same files as sdrt compare.
        const QString html = m_tmp.filePath(QStringLiteral("cmp.html")), csv = m_tmp.filePath(QStringLiteral("cmp.csv"));
        QVERIFY(c->exportTo(html, true));
        QVERIFY(c->exportTo(csv, false));
        QFile h(html), f(csv);
        QVERIFY(h.open(QIODevice::ReadOnly) && f.open(QIODevice::ReadOnly));
        QCOMPARE(h.readAll(), eval::comparisonHtml(*expected));
        QCOMPARE(f.readAll(), eval::comparisonCsv(*expected));
        // The GUI's export goes through the same writer: a device is refused and stays a device.
        QVERIFY(!c->exportTo(QStringLiteral("/dev/null"), true));
        QVERIFY(QFileInfo::exists(QStringLiteral("/dev/null")) && !QFileInfo(QStringLiteral("/dev/null")).isFile());

        // The selection is remembered: a window opened later on the workspace shows the
        // comparison last made (here in the other order), not a blank screen.
        const QStringList reversed{names[1], names[0]};
        QVERIFY(c->compareNames(reversed));
        QVERIFY(compared.wait(120000));
        {
            ui::MainWindow again;
            QSignalSpy restored(again.comparePanel(), &ui::ComparePanel::compared);
            QVERIFY(again.openWorkspace(m_ws));
            QVERIFY(restored.wait(120000));
            QVERIFY(again.comparePanel()->comparison());
            QCOMPARE(QStringList(again.comparePanel()->comparison()->names.begin(), again.comparePanel()->comparison()->names.end()), reversed);
            QCOMPARE(again.comparePanel()->summaryModel()->rowCount(), 2);
        }
    }

    // An item sent to review that the teacher never answered: the screen says so, and its
    // Generate button runs the teacher on exactly that item, whose traces then join the queue.
    void markedItemsWithoutTracesCanBeGenerated()
    {
        auto ws = store::Workspace::open(m_ws);
        QVERIFY(ws);
        store::ItemFilter evalSplit;
        evalSplit.split = store::Split::Eval;
        auto evalItems = store::ItemRepository(ws->db()).list(evalSplit, 0, 2);
        QVERIFY(evalItems && !evalItems->empty());
        const store::Id item = evalItems->front().id;
        const QString source = QStringLiteral("evaluation untraced-check");
        QVERIFY(review::markForReview(ws->db(), source, {item}));

        ui::MainWindow w;
        w.show();
        QVERIFY(w.openWorkspace(m_ws));
        w.reviewMarked(source);
        QVERIFY(w.isReviewShown());
        QVERIFY(w.session()->reviews()->queue().empty());
        QWidget *banner = w.reviewPanel()->untracedBanner();
        QVERIFY(banner->isVisible());
        QVERIFY(banner->findChild<QLabel *>()->text().contains(source));
        QSignalSpy done(w.generatePanel(), &ui::GeneratePanel::finished);
        QTest::mouseClick(banner->findChild<QPushButton *>(QStringLiteral("generateUntraced")), Qt::LeftButton);
        QVERIFY(w.generatePanel()->isRunning());
        QVERIFY(done.wait(300000));
        QTRY_COMPARE(w.session()->reviews()->queue(), std::vector<store::Id>{item});
        QVERIFY(!banner->isVisible());
        // Only that item got traces: the rest of the eval split still has none.
        auto traced = store::TraceRepository(ws->db()).forItem(item);
        QVERIFY(traced && !traced->empty());
        if (evalItems->size() > 1)
            QVERIFY(store::TraceRepository(ws->db()).forItem((*evalItems)[1].id)->empty());
    }

    void closingWithStopWaitsWithoutBlocking()
    {
        ui::MainWindow w;
        w.show();
        QVERIFY(w.openWorkspace(m_ws));
        ui::DistillPanel *p = w.distillPanel();
        p->nameField()->setText(QStringLiteral("stop-on-close"));
        p->stepsField()->setValue(100000);
        p->batchField()->setValue(4);
        QVERIFY(p->start());
        QTRY_VERIFY_WITH_TIMEOUT(p->curvePoints() > 0, 120000);
        w.setCloseWithRuns(ui::MainWindow::CloseWithRuns::Stop);
        QElapsedTimer t;
        t.start();
        QVERIFY(!w.close()); // the close waits for the run, and returns at once
        QVERIFY2(t.elapsed() < 2000, qPrintable(QString::number(t.elapsed())));
        QVERIFY(w.isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!w.isVisible(), 60000); // closed once the run stopped
        QCOMPARE(runStatus(m_ws, QStringLiteral("stop-on-close")), store::RunStatus::Cancelled);
        QCOMPARE(p->child()->lastEvent().value(QStringLiteral("event")).toString(), QStringLiteral("cancelled"));
    }

    void closingLeavesARunGoingAndADeadRunReadsInterrupted()
    {
        qint64 pid = 0;
        {
            ui::MainWindow w;
            w.show();
            QVERIFY(w.openWorkspace(m_ws));
            ui::DistillPanel *p = w.distillPanel();
            p->nameField()->setText(QStringLiteral("long-run"));
            p->stepsField()->setValue(100000);
            p->batchField()->setValue(4);
            QVERIFY(p->start());
            QTRY_VERIFY_WITH_TIMEOUT(p->curvePoints() > 0, 120000);
            pid = p->child()->pid();
            w.setCloseWithRuns(ui::MainWindow::CloseWithRuns::LeaveRunning);
            QVERIFY(w.close());
        }
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), 0), 0); // still training after the window closed
        QCOMPARE(runStatus(m_ws, QStringLiteral("long-run")), store::RunStatus::Running);
        {
            ui::MainWindow w;
            QVERIFY(w.openWorkspace(m_ws));
            ui::DistillPanel *p = w.distillPanel();
            QCOMPARE(cellText(p->runsTable(), rowOf(p->runsTable(), QStringLiteral("long-run")), 1), QStringLiteral("running"));
            ::kill(pid_t(pid), SIGKILL);
            QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 30000);
            p->reload();
            QCOMPARE(cellText(p->runsTable(), rowOf(p->runsTable(), QStringLiteral("long-run")), 1), QStringLiteral("interrupted"));
        }
    }
};

QTEST_MAIN(TestGuiRuns)
#include "tst_gui_runs.moc"
