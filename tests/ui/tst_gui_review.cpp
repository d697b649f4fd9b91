// The review screen under the offscreen platform, with real widgets, a real workspace and key
// clicks: review three items by keyboard (accept, reject with a reason, skip), undo and redo,
// the reference hidden until R, the shortcut sheet, verdicts surviving a restart, a second
// reviewer with a conflict and kappa, the bulk accept and its undo, and the exports; the keys
// working again after every dialog, undo per reviewer and across a reload, and the photo and
// drawing side by side.

#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/AssetRepository.h"
#include "sdrt/store/ReviewRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/AssetViewer.h"
#include "sdrt/ui/GeneratePanel.h"
#include "sdrt/ui/MainWindow.h"
#include "sdrt/ui/RejectDialog.h"
#include "sdrt/ui/ReviewController.h"
#include "sdrt/ui/ReviewPanel.h"
#include "sdrt/ui/ShortcutSheet.h"
#include "sdrt/ui/TraceColumn.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QGraphicsView>
#include <QImage>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QFileInfo>
#include <QTimer>

#include <functional>

#include "support/SyntheticTraces.h"

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

    QString makeWorkspace(const QString &name, int items)
    {
        const QString dir = m_tmp.filePath(name);
        auto ws = store::Workspace::create(dir);
        if (!ws)
            return {};
        testing::SyntheticParams p;
        p.items = items;
        p.prompts = {QStringLiteral("decompose"), QStringLiteral("count-measure"), QStringLiteral("text-layout")};
        return testing::addSyntheticTraces(*ws, p) ? dir : QString();
    }

    // A key pressed on the keyboard: it goes to the active window's focus widget (to the window
    // itself when nothing has the focus), never straight to the panel.
    static void press(QWidget *window, int key, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
    {
        QWidget *target = QApplication::focusWidget() ? QApplication::focusWidget() : window;
        QTest::keyClick(target, Qt::Key(key), modifiers);
    }

    static bool focusIsIn(QWidget *panel)
    {
        QWidget *f = QApplication::focusWidget();
        return f && (f == panel || panel->isAncestorOf(f));
    }

    // Runs `act` on the next modal dialog once it is shown (the code under test opens it with
    // exec() and waits).
    static void onNextModal(std::function<void(QWidget *)> act)
    {
        auto *timer = new QTimer;
        timer->setInterval(10);
        QObject::connect(timer, &QTimer::timeout, timer, [timer, act] {
            QWidget *modal = QApplication::activeModalWidget();
            if (!modal || !modal->isVisible())
                return;
            timer->stop();
            timer->deleteLater();
            act(modal);
        });
        timer->start();
    }

    std::unique_ptr<ui::MainWindow> openReview(const QString &ws)
    {
        auto w = std::make_unique<ui::MainWindow>();
        w->show();
        if (!QTest::qWaitForWindowActive(w.get()) || !w->openWorkspace(ws))
            return nullptr;
        w->showReview(true);
        return w;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().remove(QStringLiteral("review"));
        m_ws = m_tmp.filePath(QStringLiteral("検査"));
        auto ws = store::Workspace::create(m_ws);
        QVERIFY(ws);
        testing::SyntheticParams p;
        p.items = 4;
        p.prompts = {QStringLiteral("decompose"), QStringLiteral("count-measure"), QStringLiteral("text-layout")};
        auto r = testing::addSyntheticTraces(*ws, p);
        QVERIFY2(r, r ? "" : qPrintable(r.error()));
    }

    void reviewThreeItemsByKeyboardThenRestart()
    {
        auto w = openReview(m_ws);
        QVERIFY(w);
        QVERIFY(w->isReviewShown());
        ui::ReviewPanel *rp = w->reviewPanel();
        ui::ReviewController *rc = w->session()->reviews();
        rc->setReviewer(QStringLiteral("alice"));
        review::ReviewSession *rs = rc->session();
        QVERIFY(rs);
        const std::vector<store::Id> items = rc->queue();
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
        rc = w->session()->reviews();
        rs = rc->session();
        QCOMPARE(rc->reviewer(), QStringLiteral("alice"));
        QCOMPARE(rs->verdict(rejected), Verdict::Reject);
        QCOMPARE(rs->verdict(last), Verdict::Accept);
        QCOMPARE(rp->currentItem(), items[0]);
        QCOMPARE(rp->progressBar()->value(), 9);
        rp->stateFilter()->setCurrentIndex(rp->stateFilter()->findData(int(review::QueueFilter::State::Unreviewed)));
        Q_EMIT rp->stateFilter()->activated(rp->stateFilter()->currentIndex());
        QCOMPARE(rc->queue(), std::vector<store::Id>{items[3]});
        QCOMPARE(rp->currentItem(), items[3]);
    }

    void secondReviewerConflictKappaBulkAndExport()
    {
        auto w = openReview(m_ws);
        QVERIFY(w);
        ui::ReviewPanel *rp = w->reviewPanel();
        ui::ReviewController *rc = w->session()->reviews();
        review::ReviewSession *rs = rc->session();
        rc->setReviewer(QStringLiteral("bob"));
        QCOMPARE(rp->progressBar()->value(), 0);
        const std::vector<store::Id> items = rc->queue();
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
        QCOMPARE(rc->queue(), std::vector<store::Id>{items[0]});
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
        for (store::Id item : rc->queue())
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
        h.close();

        // An existing file: the workbench asks. No keeps it, Yes replaces it.
        auto answer = [](QMessageBox::StandardButton button) {
            QTimer::singleShot(0, [button] {
                auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
                if (box)
                    box->button(button)->click();
            });
        };
        answer(QMessageBox::No);
        QCOMPARE(w->exportReviews(true, flat), QString());
        QVERIFY(h.open(QIODevice::ReadOnly));
        QCOMPARE(h.readAll().count('\n'), qsizetype(historyRows(m_ws)));
        h.close();
        answer(QMessageBox::Yes);
        QCOMPARE(w->exportReviews(true, flat), flat);
        QVERIFY(h.open(QIODevice::ReadOnly));
        QCOMPARE(h.readAll().count('\n'), qsizetype(rs->approvedCount()));
        h.close();
        // A file of the workspace: refused without asking, the database untouched.
        const QString db = m_ws + QStringLiteral("/workspace.sqlite");
        const qint64 size = QFileInfo(db).size();
        QCOMPARE(w->exportReviews(true, db), QString());
        QVERIFY(w->lastErrorDialog());
        QVERIFY2(w->lastErrorDialog()->text().contains(QStringLiteral("part of the workspace")), qPrintable(w->lastErrorDialog()->text()));
        QCOMPARE(QFileInfo(db).size(), size);
        QVERIFY(store::Workspace::open(m_ws));
    }

    // Issue 29, 7: the name prompt is never pre-filled with the workspace's last reviewer (in the
    // demo, the simulated one), offers no simulated reviewer, and a simulated name is refused for
    // a person's verdicts; simulated reviewers are not raters in agreement.
    void simulatedReviewerIsNeverCredited()
    {
        const QString ws = makeWorkspace(QStringLiteral("simulated"), 2);
        QVERIFY(!ws.isEmpty());
        const QString simulated = QStringLiteral("simulated-reference-match");
        {
            auto w = store::Workspace::open(ws);
            QVERIFY(w);
            auto session = review::ReviewSession::load(w->db());
            QVERIFY(session);
            const auto *first = (*session)->traces((*session)->items().front()).front();
            review::VerdictInput accept;
            accept.verdict = Verdict::Accept;
            (*session)->setReviewer(simulated);
            QVERIFY((*session)->record({first->traceId}, accept));
            (*session)->setReviewer(QStringLiteral("ana"));
            QVERIFY((*session)->record({first->traceId}, accept));
            QVERIFY((*session)->agreement({QStringLiteral("ana"), simulated}).empty()); // one person: no agreement to compute
        }
        QSettings().remove(QStringLiteral("review/reviewer"));
        auto w = openReview(ws);
        QVERIFY(w);
        ui::ReviewPanel *rp = w->reviewPanel();
        ui::ReviewController *rc = w->session()->reviews();
        QVERIFY(rc->reviewer().isEmpty());
        QStringList offered;
        QString prefilled = QStringLiteral("?");
        onNextModal([&](QWidget *modal) {
            auto *dialog = qobject_cast<QInputDialog *>(modal);
            QVERIFY(dialog);
            offered = dialog->comboBoxItems();
            prefilled = dialog->findChild<QLineEdit *>()->text();
            dialog->reject();
        });
        rp->chooseReviewer();
        QCOMPARE(prefilled, QString()); // nothing typed on this machine yet
        QVERIFY2(!offered.contains(simulated), qPrintable(offered.join(QLatin1Char(','))));
        QVERIFY(offered.contains(QStringLiteral("ana")));
        // A simulated name cannot be chosen for a person's verdicts.
        rc->setReviewer(simulated);
        QVERIFY(rc->reviewer().isEmpty());
        QVERIFY(!QSettings().value(QStringLiteral("review/reviewer")).toString().startsWith(QStringLiteral("simulated")));
        // The name this user typed before is what the prompt offers first.
        rc->setReviewer(QStringLiteral("gina"));
        onNextModal([&](QWidget *modal) {
            auto *dialog = qobject_cast<QInputDialog *>(modal);
            QVERIFY(dialog);
            prefilled = dialog->findChild<QLineEdit *>()->text();
            dialog->reject();
        });
        rp->chooseReviewer();
        QCOMPARE(prefilled, QStringLiteral("gina"));
    }

    void keysWorkAfterEveryDialog()
    {
        const QString ws = makeWorkspace(QStringLiteral("focus"), 3);
        QVERIFY(!ws.isEmpty());
        QSettings().remove(QStringLiteral("review/reviewer"));
        auto w = openReview(ws);
        QVERIFY(w);
        ui::ReviewPanel *rp = w->reviewPanel();
        ui::ReviewController *rc = w->session()->reviews();
        QVERIFY(rc->reviewer().isEmpty());
        QTRY_VERIFY(focusIsIn(rp));
        const std::vector<store::Id> items = rc->queue();
        const auto traces = [&](std::size_t item) {
            std::vector<store::Id> out;
            for (const auto *t : rc->session()->traces(items[item]))
                out.push_back(t->traceId);
            return out;
        };
        const auto t = traces(0);
        const QString carol = QStringLiteral("carol");
        auto verdictOf = [&](store::Id trace) { return rc->session()->verdict(trace, carol); };

        // The first verdict asks for the name; typed and Enter: the verdict is applied, and the
        // next key works without a click.
        onNextModal([](QWidget *modal) {
            auto *dialog = qobject_cast<QInputDialog *>(modal);
            QVERIFY(dialog);
            auto *field = dialog->findChild<QLineEdit *>();
            QVERIFY(field);
            field->selectAll();
            QTest::keyClicks(field, QStringLiteral("carol"));
            QTest::keyClick(field, Qt::Key_Return);
        });
        press(w.get(), Qt::Key_A);
        QCOMPARE(rc->reviewer(), carol);
        QCOMPARE(verdictOf(t[0]), Verdict::Accept);
        QCOMPARE(rp->focusedTrace(), t[1]);
        QTRY_VERIFY(focusIsIn(rp));
        press(w.get(), Qt::Key_A);
        QCOMPARE(verdictOf(t[1]), Verdict::Accept);

        // The reject form, cancelled with Escape, then S.
        press(w.get(), Qt::Key_X);
        QVERIFY(rp->rejectDialog());
        QTest::keyClick(rp->rejectDialog(), Qt::Key_Escape);
        QTRY_VERIFY(!rp->rejectDialog());
        QTRY_VERIFY(focusIsIn(rp));
        press(w.get(), Qt::Key_S);
        QCOMPARE(verdictOf(t[2]), Verdict::Skip);
        QCOMPARE(rp->currentItem(), items[1]);
        const auto u = traces(1);

        // The shortcut sheet, closed with Escape.
        press(w.get(), Qt::Key_Question);
        QVERIFY(rp->shortcutSheet());
        QTRY_VERIFY(rp->shortcutSheet()->isActiveWindow());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QTRY_VERIFY(!rp->shortcutSheet());
        QTRY_VERIFY(focusIsIn(rp));
        press(w.get(), Qt::Key_A);
        QCOMPARE(verdictOf(u[0]), Verdict::Accept);

        // The bulk accept's confirmation, answered No.
        onNextModal([](QWidget *modal) {
            auto *box = qobject_cast<QMessageBox *>(modal);
            QVERIFY(box);
            box->button(QMessageBox::No)->click();
        });
        press(w.get(), Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(verdictOf(u[2]), Verdict::None); // declined
        QTRY_VERIFY(focusIsIn(rp));
        press(w.get(), Qt::Key_A);
        QCOMPARE(verdictOf(u[1]), Verdict::Accept);

        // Approval policy, reject reasons (both modal) and agreement, each cancelled or closed.
        auto cancel = [](QWidget *modal) {
            auto *buttons = modal->findChild<QDialogButtonBox *>();
            QVERIFY(buttons);
            buttons->button(QDialogButtonBox::Cancel)->click();
        };
        onNextModal(cancel);
        rp->editPolicy();
        QTRY_VERIFY(focusIsIn(rp));
        onNextModal(cancel);
        rp->editReasonTags();
        QTRY_VERIFY(focusIsIn(rp));
        rp->showAgreement();
        auto *agreement = rp->findChild<QDialog *>(QStringLiteral("agreementDialog"));
        QVERIFY(agreement);
        QTRY_VERIFY(agreement->isActiveWindow());
        agreement->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Close)->click();
        QTRY_VERIFY(!rp->findChild<QDialog *>(QStringLiteral("agreementDialog")));
        QTRY_VERIFY(focusIsIn(rp));
        press(w.get(), Qt::Key_A);
        QCOMPARE(verdictOf(u[2]), Verdict::Accept);

        // Switch Reviewer from the menu while reviewing: the name dialog, then keys at once.
        onNextModal([](QWidget *modal) {
            auto *field = modal->findChild<QLineEdit *>();
            QVERIFY(field);
            field->selectAll();
            QTest::keyClicks(field, QStringLiteral("dave"));
            QTest::keyClick(field, Qt::Key_Return);
        });
        rp->chooseReviewer();
        QCOMPARE(rc->reviewer(), QStringLiteral("dave"));
        QTRY_VERIFY(focusIsIn(rp));
        const store::Id target = rp->focusedTrace();
        QVERIFY(target != 0);
        press(w.get(), Qt::Key_X);
        QVERIFY(rp->rejectDialog());
        QTest::keyClick(rp->rejectDialog(), Qt::Key_Return);
        QTRY_VERIFY(!rp->rejectDialog());
        QCOMPARE(rc->session()->verdict(target, QStringLiteral("dave")), Verdict::Reject);
        QTRY_VERIFY(focusIsIn(rp));
    }

    void undoFollowsTheReviewerAndSurvivesAReload()
    {
        const QString ws = makeWorkspace(QStringLiteral("undo"), 2);
        QVERIFY(!ws.isEmpty());
        auto w = openReview(ws);
        QVERIFY(w);
        ui::ReviewPanel *rp = w->reviewPanel();
        ui::ReviewController *rc = w->session()->reviews();
        const QString dana = QStringLiteral("dana"), erin = QStringLiteral("erin");
        rc->setReviewer(dana);
        const store::Id first = rp->focusedTrace();
        QVERIFY(first != 0);
        press(w.get(), Qt::Key_A);
        QCOMPARE(rc->session()->verdict(first, dana), Verdict::Accept);

        // Erin's Ctrl+Z does not touch Dana's verdict; Erin's own is undone.
        rc->setReviewer(erin);
        press(w.get(), Qt::Key_Left);
        QCOMPARE(rp->focusedTrace(), first);
        press(w.get(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(rc->session()->verdict(first, dana), Verdict::Accept);
        press(w.get(), Qt::Key_X);
        QVERIFY(rp->rejectDialog());
        QTest::keyClick(rp->rejectDialog(), Qt::Key_Return);
        QTRY_VERIFY(!rp->rejectDialog());
        QCOMPARE(rc->session()->verdict(first, erin), Verdict::Reject);
        rc->setReviewer(dana);
        press(w.get(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(rc->session()->verdict(first, dana), Verdict::None);
        QCOMPARE(rc->session()->verdict(first, erin), Verdict::Reject);
        QCOMPARE(rp->focusedTrace(), first);
        press(w.get(), Qt::Key_A); // again, for the reload below
        QCOMPARE(rc->session()->verdict(first, dana), Verdict::Accept);

        // A generation run stores traces; back on the Review tab the panel rereads the
        // workspace (the new items are there) and Ctrl+Z still undoes Dana's last verdict.
        testing::SyntheticParams more;
        more.items = 2;
        more.seed = 11;
        more.prompts = {QStringLiteral("decompose")};
        QVERIFY(testing::addSyntheticTraces(*w->session()->workspace(), more));
        Q_EMIT w->generatePanel()->tracesStored({});
        w->showReview(false);
        w->showReview(true);
        QCOMPARE(rc->queue().size(), std::size_t(4));
        QTRY_VERIFY(focusIsIn(rp));
        press(w.get(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(rc->session()->verdict(first, dana), Verdict::None);
        QCOMPARE(rc->session()->verdict(first, erin), Verdict::Reject);
        press(w.get(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(rc->session()->verdict(first, dana), Verdict::Accept);
        // Erin's history came through the reload too.
        rc->setReviewer(erin);
        press(w.get(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(rc->session()->verdict(first, erin), Verdict::None);
        QCOMPARE(rc->session()->verdict(first, dana), Verdict::Accept);
    }

    void controllerReviewsWithoutAScreen()
    {
        // The review and its focus policy live beside the workspace session: no widget needed.
        const QString ws = makeWorkspace(QStringLiteral("controller"), 2);
        QVERIFY(!ws.isEmpty());
        QSettings().setValue(QStringLiteral("review/reviewer"), QStringLiteral("gina"));
        ui::WorkspaceSession session;
        ui::ReviewController *rc = session.reviews();
        QVERIFY(rc);
        QVERIFY(!rc->session());
        QVERIFY(session.open(ws));
        QVERIFY(rc->session());
        QCOMPARE(rc->reviewer(), QStringLiteral("gina"));
        const std::vector<store::Id> items = rc->queue();
        QCOMPARE(items.size(), std::size_t(2));
        QCOMPARE(rc->currentItem(), items[0]);
        QCOMPARE(rc->traceCount(), 3);
        QVERIFY(rc->trace(0).analysis.contains(QStringLiteral("The photo shows")));
        QVERIFY(!rc->item().referenceShown);
        QCOMPARE(rc->counts().total, 6);

        // Accept the second trace first: the focus goes on to the third, then back to the first
        // (the next without a verdict), then to the next item.
        rc->moveFocus(1);
        QCOMPARE(rc->focusedIndex(), 1);
        rc->record({Verdict::Accept, {}, {}, {}});
        QCOMPARE(rc->focusedIndex(), 2);
        rc->record({Verdict::Skip, {}, {}, {}});
        QCOMPARE(rc->focusedIndex(), 0);
        QCOMPARE(rc->trace(1).verdict, Verdict::Accept);
        QCOMPARE(rc->trace(2).verdict, Verdict::Skip);
        rc->record({Verdict::Reject, {QStringLiteral("wrong count")}, {}, {}});
        QCOMPARE(rc->currentItem(), items[1]);
        QCOMPARE(rc->focusedIndex(), 0);
        QCOMPARE(rc->counts().reviewed, 3);
        QCOMPARE(rc->counts().position, 1);

        // Undo shows the undone trace again, on its item.
        rc->undo();
        QCOMPARE(rc->currentItem(), items[0]);
        QCOMPARE(rc->focusedIndex(), 0);
        QCOMPARE(rc->trace(0).verdict, Verdict::None);
        QCOMPARE(rc->counts().reviewed, 2);

        // The reference shows when asked for and hides again on another item.
        rc->toggleReference();
        QVERIFY(rc->item().referenceShown && rc->trace(0).referenceShown);
        rc->nextItem();
        QVERIFY(!rc->item().referenceShown);

        // Closing the workspace drops the review.
        session.close();
        QVERIFY(!rc->session());
        QCOMPARE(rc->currentItem(), store::Id(0));
        QVERIFY(!rc->counts().active);
    }

    void undoHistoryOutlivesThePanel()
    {
        const QString ws = makeWorkspace(QStringLiteral("outlives"), 2);
        QVERIFY(!ws.isEmpty());
        QSettings().setValue(QStringLiteral("review/reviewer"), QStringLiteral("hana"));
        ui::WorkspaceSession session;
        QVERIFY(session.open(ws));
        ui::ReviewController *rc = session.reviews();
        auto panel = std::make_unique<ui::ReviewPanel>(rc);
        panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(panel.get()));
        const store::Id first = panel->focusedTrace();
        QVERIFY(first != 0);
        QTest::keyClick(panel.get(), Qt::Key_A);
        QCOMPARE(rc->session()->verdict(first), Verdict::Accept);
        const store::Id next = panel->focusedTrace();
        QCOMPARE(rc->focusedTrace(), next);

        // The screen goes; a new one shows the review where it was, and Ctrl+Z still undoes.
        panel.reset();
        panel = std::make_unique<ui::ReviewPanel>(rc);
        panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(panel.get()));
        QCOMPARE(panel->currentItem(), rc->currentItem());
        QCOMPARE(panel->focusedTrace(), next);
        QVERIFY(panel->columns()[1]->isFocusedColumn());
        QVERIFY(panel->columns()[0]->statusText().contains(QStringLiteral("ACCEPTED")));
        QCOMPARE(panel->progressBar()->value(), 1);
        QTest::keyClick(panel.get(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(rc->session()->verdict(first), Verdict::None);
        QCOMPARE(panel->focusedTrace(), first);
        QVERIFY(panel->columns()[0]->statusText().contains(QStringLiteral("none yet")));
        QCOMPARE(panel->progressBar()->value(), 0);
    }

    void shortcutSheetListsTheScreensActions()
    {
        const QString ws = makeWorkspace(QStringLiteral("sheet"), 1);
        QVERIFY(!ws.isEmpty());
        auto w = openReview(ws);
        QVERIFY(w);
        ui::ReviewPanel *rp = w->reviewPanel();
        rp->showShortcuts();
        auto *table = rp->shortcutSheet()->findChild<QTableWidget *>();
        QVERIFY(table);
        QStringList rows;
        for (int i = 0; i < table->rowCount(); ++i)
            rows << table->item(i, 0)->text() + QLatin1Char('|') + table->item(i, 1)->text();
        // Every key of the screen is a row, with the action's own text; nothing else is listed
        // but the image view's keys under their heading.
        int withKeys = 0;
        for (const QAction *a : rp->actions()) {
            if (a->shortcuts().isEmpty())
                continue;
            ++withKeys;
            QVERIFY2(rows.contains(ui::shortcutText(a->shortcuts()) + QLatin1Char('|') + a->text()), qPrintable(a->objectName()));
        }
        QCOMPARE(withKeys, 14);
        QCOMPARE(table->rowCount(), withKeys + 1 + int(ui::AssetPane::keys().size()));
        QVERIFY(rows.contains(QStringLiteral("→ / L|Next trace")));
        QVERIFY(rows.contains(QStringLiteral("Ctrl+Shift+Z|Redo")));
        QVERIFY(rows.contains(QStringLiteral("+ / =|Zoom in")));
        // The hints name the same keys.
        QVERIFY(rp->referenceLabel()->text().contains(QStringLiteral("press R")));
        QVERIFY(rp->columns()[0]->statusText().contains(QStringLiteral("reference hidden (R)")));
        rp->shortcutSheet()->close();
        QTRY_VERIFY(!rp->shortcutSheet());
    }

    void markedItemsHaveTheirOwnFilter()
    {
        // Items sent to review from an evaluation (review_marks) get a "From …" filter entry.
        const QString ws = makeWorkspace(QStringLiteral("marks"), 3);
        QVERIFY(!ws.isEmpty());
        std::vector<store::Id> all;
        {
            auto w = store::Workspace::open(ws);
            QVERIFY(w);
            auto s = review::ReviewSession::load(w->db());
            QVERIFY(s);
            all = (*s)->items();
            QCOMPARE(all.size(), std::size_t(3));
            auto added = store::ReviewRepository(w->db()).addMarks({all[1]}, QStringLiteral("evaluation student: wrong answers"));
            QVERIFY(added && *added == 1);
        }
        auto w = openReview(ws);
        QVERIFY(w);
        ui::ReviewPanel *rp = w->reviewPanel();
        ui::ReviewController *rc = w->session()->reviews();
        QCOMPARE(rc->queue().size(), std::size_t(3));
        QComboBox *marks = rp->markFilter();
        const int at = marks->findData(QStringLiteral("evaluation student: wrong answers"));
        QVERIFY(at > 0);
        marks->setCurrentIndex(at);
        Q_EMIT marks->activated(at);
        QCOMPARE(rc->queue(), std::vector<store::Id>{all[1]});
        QCOMPARE(rp->currentItem(), all[1]);
        marks->setCurrentIndex(0);
        Q_EMIT marks->activated(0);
        QCOMPARE(rc->queue().size(), std::size_t(3));
    }

    void photoAndDrawingSideBySide()
    {
        const QString ws = makeWorkspace(QStringLiteral("split"), 1);
        QVERIFY(!ws.isEmpty());
        {
            // The item gets a drawing, large enough to pan at actual size.
            auto w = store::Workspace::open(ws);
            QVERIFY(w);
            QImage drawing(1600, 1000, QImage::Format_RGB888);
            drawing.fill(Qt::white);
            const QString rel = QStringLiteral("assets/drawing.png");
            QVERIFY(drawing.save(w->absolutePath(rel)));
            store::Asset a;
            a.kind = store::AssetKind::Drawing;
            a.originalName = QStringLiteral("図面.png");
            a.sha256 = QString(64, QLatin1Char('d'));
            a.storedPath = rel;
            a.mime = QStringLiteral("image/png");
            a.width = 1600;
            a.height = 1000;
            auto id = store::AssetRepository(w->db()).insert(a);
            QVERIFY(id);
            QVERIFY(w->db().exec(QStringLiteral("INSERT INTO item_assets (item_id, asset_id, role, ord)"
                                                " SELECT min(id), %1, 'drawing', 1 FROM items")
                                     .arg(*id)
                                     .toUtf8()
                                     .constData()));
        }
        QSettings().setValue(QStringLiteral("review/reviewer"), QStringLiteral("frank"));
        QSettings().remove(QStringLiteral("review/sideBySide"));
        auto w = openReview(ws);
        QVERIFY(w);
        ui::ReviewPanel *rp = w->reviewPanel();
        ui::ReviewController *rc = w->session()->reviews();
        ui::AssetViewer *viewer = rp->assetViewer();
        // Tabs at first: one pane with both.
        QVERIFY(!rp->sideBySide());
        QVERIFY(!viewer->isSplitShown());
        QCOMPARE(viewer->photoSide()->assetCount(), 2);
        QTRY_VERIFY(focusIsIn(rp));

        press(w.get(), Qt::Key_V);
        QVERIFY(rp->sideBySide());
        QVERIFY(viewer->isSplitShown());
        QVERIFY(viewer->drawingSide()->isVisible());
        QCOMPARE(viewer->photoSide()->assetCount(), 1);
        QCOMPARE(viewer->photoSide()->currentImageSize(), QSize(160, 120));
        QCOMPARE(viewer->drawingSide()->currentImageSize(), QSize(1600, 1000));
        QVERIFY(viewer->photoSide()->x() + viewer->photoSide()->width() <= viewer->drawingSide()->x()); // left and right
        QVERIFY(QSettings().value(QStringLiteral("review/sideBySide")).toBool());
        QVERIFY(rp->findChild<QAction *>(QStringLiteral("sideBySide"))->isChecked());

        // Each side zooms and pans on its own: click the drawing, 1:1, +, pan.
        const double photoZoom = viewer->photoSide()->zoom();
        const QPointF photoCentre = viewer->photoSide()->centre();
        auto *drawingView = viewer->drawingSide()->findChild<QGraphicsView *>();
        QVERIFY(drawingView);
        QTest::mouseClick(drawingView->viewport(), Qt::LeftButton);
        QVERIFY(focusIsIn(viewer->drawingSide()));
        press(w.get(), Qt::Key_1);
        press(w.get(), Qt::Key_Plus);
        QCOMPARE(viewer->drawingSide()->zoom(), 1.25);
        const QPointF before = viewer->drawingSide()->centre();
        drawingView->horizontalScrollBar()->setValue(drawingView->horizontalScrollBar()->value() + 200);
        QVERIFY(viewer->drawingSide()->centre().x() > before.x() + 100);
        QCOMPARE(viewer->photoSide()->zoom(), photoZoom);
        QCOMPARE(viewer->photoSide()->centre(), photoCentre);
        // The review keys still work with the focus on the drawing.
        const store::Id focused = rp->focusedTrace();
        press(w.get(), Qt::Key_A);
        QCOMPARE(rc->session()->verdict(focused), Verdict::Accept);

        // The sheet lists V.
        rp->showShortcuts();
        auto *table = rp->shortcutSheet()->findChild<QTableWidget *>();
        QVERIFY(table);
        QVERIFY(!table->findItems(QStringLiteral("V"), Qt::MatchExactly).isEmpty());
        rp->shortcutSheet()->close();
        QTRY_VERIFY(!rp->shortcutSheet());

        // Remembered: a new window shows them side by side; V again goes back to tabs.
        w.reset();
        w = openReview(ws);
        QVERIFY(w);
        rp = w->reviewPanel();
        viewer = rp->assetViewer();
        QVERIFY(rp->sideBySide());
        QVERIFY(viewer->isSplitShown());
        QTRY_VERIFY(focusIsIn(rp));
        press(w.get(), Qt::Key_V);
        QVERIFY(!viewer->isSplitShown());
        QCOMPARE(viewer->photoSide()->assetCount(), 2);
        QVERIFY(!QSettings().value(QStringLiteral("review/sideBySide")).toBool());
    }
};

QTEST_MAIN(TestGuiReview)
#include "tst_gui_review.moc"
