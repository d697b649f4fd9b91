// The review screen under the offscreen platform, with real widgets, a real workspace and key
// clicks: review three items by keyboard (accept, reject with a reason, skip), undo and redo,
// the reference hidden until R, the shortcut sheet, verdicts surviving a restart, a second
// reviewer with a conflict and kappa, the bulk accept and its undo, and the exports.

#include "sdrt/review/ReviewSession.h"
#include "sdrt/review/Synthetic.h"
#include "sdrt/store/ReviewRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/MainWindow.h"
#include "sdrt/ui/ReviewPanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace sdrt;
using review::Verdict;

class TestGuiReview : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_ws;

    static int historyRows(const QString &ws)
    {
        auto w = store::Workspace::open(ws);
        return w ? int(store::ReviewRepository(w->db()).history()->size()) : -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().remove(QStringLiteral("review"));
        m_ws = m_tmp.filePath(QStringLiteral("検査"));
        auto ws = store::Workspace::create(m_ws);
        QVERIFY(ws);
        review::SyntheticParams p;
        p.items = 4;
        p.prompts = {QStringLiteral("decompose"), QStringLiteral("count-measure"), QStringLiteral("text-layout")};
        auto r = review::addSyntheticTraces(*ws, p);
        QVERIFY2(r, r ? "" : qPrintable(r.error()));
    }

    void reviewThreeItemsByKeyboardThenRestart()
    {
        auto w = std::make_unique<ui::MainWindow>();
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        QVERIFY(w->openWorkspace(m_ws));
        w->showReview(true);
        QVERIFY(w->isReviewShown());
        ui::ReviewPanel *rp = w->reviewPanel();
        rp->setReviewer(QStringLiteral("alice"));
        review::ReviewSession *rs = rp->reviewSession();
        QVERIFY(rs);
        const std::vector<store::Id> items = rp->queue();
        QCOMPARE(items.size(), std::size_t(4));
        QCOMPARE(rp->currentItem(), items[0]);
        QCOMPARE(rp->columns().size(), std::size_t(3));
        QCOMPARE(rp->focusedColumn(), 0);
        QVERIFY(rp->columns()[0]->isFocusedColumn());
        QVERIFY(rp->columns()[0]->analysisText().contains(QStringLiteral("The photo shows")));

        // The reference is hidden until R.
        const QString reference = *rs->traces(items[0])[0]->referenceAnswer;
        QVERIFY(!rp->referenceLabel()->text().contains(reference));
        QVERIFY(rp->columns()[0]->statusText().contains(QStringLiteral("reference hidden")));
        QTest::keyClick(rp, Qt::Key_R);
        QCOMPARE(rp->referenceLabel()->text(), reference);
        QVERIFY(rp->columns()[0]->statusText().contains(QStringLiteral("the reference")));
        QTest::keyClick(rp, Qt::Key_R);
        QVERIFY(!rp->referenceLabel()->text().contains(reference));

        // Item 1: accept, reject with a reason, a first wrong step and a comment, skip.
        const auto t = rs->traces(items[0]);
        QTest::keyClick(rp, Qt::Key_A);
        QCOMPARE(rs->verdict(t[0]->traceId), Verdict::Accept);
        QCOMPARE(rp->focusedColumn(), 1);
        QVERIFY(rp->columns()[0]->statusText().contains(QStringLiteral("ACCEPTED")));
        QTest::keyClick(rp, Qt::Key_X);
        ui::RejectDialog *d = rp->rejectDialog();
        QVERIFY(d);
        QVERIFY(d->isVisible());
        QTest::keyClick(d, Qt::Key_3); // "wrong count"
        QVERIFY(d->tagBox(2)->isChecked());
        QVERIFY(d->stepBox()->count() > 2); // the analysis' sentences and the answer
        d->stepBox()->setCurrentIndex(1);
        const QString step = d->stepBox()->currentData().toString();
        QVERIFY(step.startsWith(QStringLiteral("1. The photo shows")));
        d->commentField()->setFocus();
        QTest::keyClicks(d->commentField(), QStringLiteral("count is 5"));
        QTest::keyClick(d->commentField(), Qt::Key_Return);
        QTRY_VERIFY(!rp->rejectDialog());
        QCOMPARE(rs->verdict(t[1]->traceId), Verdict::Reject);
        const store::Review *row = rs->currentReview(t[1]->traceId, QStringLiteral("alice"));
        QCOMPARE(row->reasonTags, QStringList{QStringLiteral("wrong count")});
        QCOMPARE(row->firstWrongStep, step);
        QCOMPARE(row->comment, QStringLiteral("count is 5"));
        QCOMPARE(rp->focusedColumn(), 2);
        QTest::keyClick(rp, Qt::Key_S);
        QCOMPARE(rs->verdict(t[2]->traceId), Verdict::Skip);
        QCOMPARE(rp->currentItem(), items[1]); // the item is done: on to the next
        QCOMPARE(rp->focusedColumn(), 0);

        // Items 2 and 3 by A alone; the last moves on to item 4.
        for (int i = 0; i < 6; ++i)
            QTest::keyClick(rp, Qt::Key_A);
        QCOMPARE(rp->currentItem(), items[3]);
        QCOMPARE(rp->progressBar()->value(), 9);
        QCOMPARE(rp->progressBar()->maximum(), 12);
        QCOMPARE(historyRows(m_ws), 9); // each verdict written at once

        // Undo goes back to the undone trace; redo restores it.
        const store::Id last = rs->traces(items[2])[2]->traceId;
        QTest::keyClick(rp, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(rs->verdict(last), Verdict::None);
        QCOMPARE(rp->currentItem(), items[2]);
        QCOMPARE(rp->focusedTrace(), last);
        QCOMPARE(rp->progressBar()->value(), 8);
        QTest::keyClick(rp, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(rs->verdict(last), Verdict::Accept);
        QCOMPARE(rp->progressBar()->value(), 9);
        QCOMPARE(historyRows(m_ws), 11);

        // Next and previous item, next unreviewed.
        QTest::keyClick(rp, Qt::Key_P);
        QCOMPARE(rp->currentItem(), items[1]);
        QTest::keyClick(rp, Qt::Key_U);
        QCOMPARE(rp->currentItem(), items[3]);

        // The shortcut sheet.
        QTest::keyClick(rp, Qt::Key_Question);
        QVERIFY(rp->shortcutSheet());
        QVERIFY(rp->shortcutSheet()->isVisible());
        rp->shortcutSheet()->close();

        // Restart: the verdicts and the reviewer are back.
        const store::Id rejected = t[1]->traceId; // t points into the session that goes now
        w.reset();
        w = std::make_unique<ui::MainWindow>();
        w->show();
        QVERIFY(w->openWorkspace(m_ws));
        w->showReview(true);
        rp = w->reviewPanel();
        rs = rp->reviewSession();
        QCOMPARE(rp->reviewer(), QStringLiteral("alice"));
        QCOMPARE(rs->verdict(rejected), Verdict::Reject);
        QCOMPARE(rs->verdict(last), Verdict::Accept);
        QCOMPARE(rp->currentItem(), items[0]);
        QCOMPARE(rp->progressBar()->value(), 9);
        rp->stateFilter()->setCurrentIndex(rp->stateFilter()->findData(int(review::QueueFilter::State::Unreviewed)));
        Q_EMIT rp->stateFilter()->activated(rp->stateFilter()->currentIndex());
        QCOMPARE(rp->queue(), std::vector<store::Id>{items[3]});
        QCOMPARE(rp->currentItem(), items[3]);
    }

    void secondReviewerConflictKappaBulkAndExport()
    {
        auto w = std::make_unique<ui::MainWindow>();
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w.get()));
        QVERIFY(w->openWorkspace(m_ws));
        w->showReview(true);
        ui::ReviewPanel *rp = w->reviewPanel();
        review::ReviewSession *rs = rp->reviewSession();
        rp->setReviewer(QStringLiteral("bob"));
        QCOMPARE(rp->progressBar()->value(), 0);
        const std::vector<store::Id> items = rp->queue();
        const auto t = rs->traces(items[0]);
        QCOMPARE(rp->currentItem(), items[0]);
        // alice: accept, reject, skip. bob: reject, accept -> two conflicts, kappa -1 by hand
        // (po = 0, each says accept half the time, pe = .5).
        QTest::keyClick(rp, Qt::Key_X);
        QVERIFY(rp->rejectDialog());
        QTest::keyClick(rp->rejectDialog(), Qt::Key_Return);
        QTRY_VERIFY(!rp->rejectDialog());
        QTest::keyClick(rp, Qt::Key_A);
        QCOMPARE(rs->verdict(t[0]->traceId), Verdict::Reject);
        QCOMPARE(rs->verdict(t[1]->traceId), Verdict::Accept);
        QVERIFY(rs->isConflict(t[0]->traceId) && rs->isConflict(t[1]->traceId));
        rp->stateFilter()->setCurrentIndex(rp->stateFilter()->findData(int(review::QueueFilter::State::Conflict)));
        Q_EMIT rp->stateFilter()->activated(rp->stateFilter()->currentIndex());
        QCOMPARE(rp->queue(), std::vector<store::Id>{items[0]});
        QVERIFY(rp->columns()[0]->statusText().contains(QStringLiteral("alice: accept")));

        rp->showAgreement();
        auto *table = rp->findChild<QTableWidget *>(QStringLiteral("agreementTable"));
        QVERIFY(table);
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("Cohen's kappa"));
        QCOMPARE(table->item(0, 2)->text(), QStringLiteral("2"));
        QCOMPARE(table->item(0, 4)->text(), QStringLiteral("-1.000"));
        table->window()->close();

        // Approved under "one accept, no reject": alice's accepts on items 2-3 (6) + item 1's
        // t[2]? no: skipped by alice, unreviewed by bob. t[0], t[1] have a reject each.
        QCOMPARE(rs->approvedCount(), 6);
        QVERIFY(rp->approvedLabel()->text().startsWith(QStringLiteral("6")));

        // Bulk accept for bob over the whole queue, one undo step.
        rp->stateFilter()->setCurrentIndex(0);
        Q_EMIT rp->stateFilter()->activated(0);
        int matching = 0;
        for (store::Id item : rp->queue())
            for (const auto *trace : rs->traces(item))
                matching += trace->matchesReference.value_or(false) && rs->verdict(trace->traceId) == Verdict::None;
        QVERIFY(matching > 0);
        const int before = rp->progressBar()->value();
        QCOMPARE(rp->acceptMatchingReference(false), matching);
        QCOMPARE(rp->progressBar()->value(), before + matching);
        QTest::keyClick(rp, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(rp->progressBar()->value(), before);
        QTest::keyClick(rp, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(rp->progressBar()->value(), before + matching);

        // Exports from the GUI.
        const QString llava = m_tmp.filePath(QStringLiteral("approved.jsonl"));
        QCOMPARE(w->exportReviews(true, llava), llava);
        QFile f(llava);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll().count('\n'), qsizetype(rs->approvedCount()));
        const QString flat = m_tmp.filePath(QStringLiteral("history.jsonl"));
        QCOMPARE(w->exportReviews(false, flat), flat);
        QFile h(flat);
        QVERIFY(h.open(QIODevice::ReadOnly));
        QCOMPARE(h.readAll().count('\n'), qsizetype(historyRows(m_ws)));
    }
};

QTEST_MAIN(TestGuiReview)
#include "tst_gui_review.moc"
