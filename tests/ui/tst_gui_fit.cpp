// The workbench as its users meet it, under the offscreen platform with real widgets: the main
// window fits a 1366×768 laptop screen in English and Japanese, also after a long "Send to
// Review" source has joined the review filter; number and choice boxes ignore the wheel unless
// focused; status messages show; the View menu brings back every side panel; the reject form
// stands beside the traces, is reached in the order reason → first wrong step → comment, and
// what it recorded is shown on the trace afterwards.

#include "sdrt/review/ReviewMarks.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/DistillPanel.h"
#include "sdrt/ui/ElidingComboBox.h"
#include "sdrt/ui/ItemListPanel.h"
#include "sdrt/ui/MainWindow.h"
#include "sdrt/ui/RejectDialog.h"
#include "sdrt/ui/ReviewController.h"
#include "sdrt/ui/ReviewPanel.h"
#include "sdrt/ui/RunText.h"
#include "sdrt/ui/TraceColumn.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QLabel>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QWheelEvent>

#include <memory>

#include "support/SyntheticTraces.h"

using namespace sdrt;

namespace {

// The laptop screen of the issue, less a title bar and a task bar.
constexpr int kScreenWidth = 1366;
constexpr int kUsableHeight = 768 - 60;

// Our Japanese translation and Qt's own, installed for as long as the object lives.
class Japanese {
public:
    Japanese()
    {
        const QString dir = QDir(qEnvironmentVariable("SDRT_TEST_BINARY_DIR")).filePath(QStringLiteral("translations"));
        m_loaded = m_ours.load(QStringLiteral("sdrt_ja"), dir)
                   && m_qt.load(QLocale(QLocale::Japanese), QStringLiteral("qtbase"), QStringLiteral("_"),
                                QLibraryInfo::path(QLibraryInfo::TranslationsPath));
        QCoreApplication::installTranslator(&m_ours);
        QCoreApplication::installTranslator(&m_qt);
    }
    ~Japanese()
    {
        QCoreApplication::removeTranslator(&m_qt);
        QCoreApplication::removeTranslator(&m_ours);
    }
    bool loaded() const { return m_loaded; }

private:
    QTranslator m_ours, m_qt;
    bool m_loaded = false;
};

void wheel(QWidget *w, int steps)
{
    const QPointF at = QPointF(w->rect().center());
    QWheelEvent e(at, w->mapToGlobal(at), QPoint(), QPoint(0, 120 * steps), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(w, &e);
}

} // namespace

class TestGuiFit : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_ws;

    std::unique_ptr<ui::MainWindow> openWindow()
    {
        auto w = std::make_unique<ui::MainWindow>();
        w->setCloseWithRuns(ui::MainWindow::CloseWithRuns::LeaveRunning);
        w->show();
        if (!w->openWorkspace(m_ws))
            return nullptr;
        return w;
    }

    static QString sizeText(const QSize &s) { return QStringLiteral("%1×%2").arg(s.width()).arg(s.height()); }

    // The window's minimum size fits the screen, and so does each centre screen's.
    static void checkFits(ui::MainWindow *w, const char *where)
    {
        const QSize min = w->minimumSizeHint().expandedTo(w->minimumSize());
        qInfo("the window's minimum size %s: %s", where, qPrintable(sizeText(min))); // the figure, for the record
        QVERIFY2(min.width() <= kScreenWidth && min.height() <= kUsableHeight,
                 qPrintable(QStringLiteral("%1: the window needs %2").arg(QLatin1String(where), sizeText(min))));
        QTabWidget *tabs = w->centreTabs();
        for (int i = 0; i < tabs->count(); ++i) {
            const QSize s = tabs->widget(i)->minimumSizeHint();
            QVERIFY2(s.width() <= kScreenWidth - 400, qPrintable(QStringLiteral("%1: the %2 screen needs %3")
                                                                    .arg(QLatin1String(where), tabs->tabText(i), sizeText(s))));
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_ws = m_tmp.filePath(QStringLiteral("ws"));
        auto ws = store::Workspace::create(m_ws);
        QVERIFY2(ws, ws ? "" : qPrintable(ws.error()));
        testing::SyntheticParams p;
        p.items = 6;
        p.prompts = {QStringLiteral("decompose"), QStringLiteral("count-measure"), QStringLiteral("text-layout")};
        auto made = testing::addSyntheticTraces(*ws, p);
        QVERIFY2(made, made ? "" : qPrintable(made.error()));
    }

    void fitsALaptopScreen_data()
    {
        QTest::addColumn<bool>("japanese");
        QTest::newRow("English") << false;
        QTest::newRow("Japanese") << true;
    }

    void fitsALaptopScreen()
    {
        QFETCH(bool, japanese);
        std::unique_ptr<Japanese> ja;
        if (japanese) {
            ja = std::make_unique<Japanese>();
            QVERIFY2(ja->loaded(), "sdrt_ja.qm or Qt's qtbase_ja.qm is missing (qt6-translations-l10n)");
        }
        auto w = openWindow();
        QVERIFY(w);
        if (japanese)
            QCOMPARE(w->centreTabs()->tabText(1), QStringLiteral("レビュー")); // the translation is in use
        checkFits(w.get(), "on opening");

        // A Send to Review from a comparison of many evaluations: the longest source a user makes.
        {
            auto ws = store::Workspace::open(m_ws);
            QVERIFY(ws);
            QStringList evals;
            for (int i = 0; i < 6; ++i)
                evals << QStringLiteral("student-direct-with-a-long-name-%1-20261207T125531").arg(i);
            auto marked = review::markForReview(ws->db(), review::MarkSource::comparison(evals), {1, 2});
            QVERIFY2(marked, marked ? "" : qPrintable(marked.error()));
        }
        w->reviewMarked(review::MarkSource::comparison({QStringLiteral("x")})); // reloads the filters
        w->session()->reviews()->reload();
        auto *marks = w->reviewPanel()->markFilter();
        bool listed = false;
        for (int i = 0; i < marks->count(); ++i)
            listed = listed || marks->itemText(i).contains(QStringLiteral("long-name-5"));
        QVERIFY(listed);
        checkFits(w.get(), "after a Send to Review");
        // The long entry is elided in the box and whole in its tooltip.
        for (int i = 0; i < marks->count(); ++i)
            if (marks->itemText(i).contains(QStringLiteral("long-name-5")))
                marks->setCurrentIndex(i);
        auto *eliding = qobject_cast<ui::ElidingComboBox *>(marks);
        QVERIFY(eliding);
        QVERIFY(eliding->shownText().endsWith(QStringLiteral("…")));
        QVERIFY(marks->toolTip().contains(QStringLiteral("long-name-5")));

        // And it is usable there: at 1366×768 nothing is cut off at the right.
        w->resize(kScreenWidth, kUsableHeight);
        QCoreApplication::processEvents();
        QVERIFY2(w->width() <= kScreenWidth, qPrintable(sizeText(w->size())));
    }

    // Qt's own texts (standard buttons) through qtbase_ja, and the default reject reasons,
    // which the workspace stores in English, shown in Japanese.
    void japaneseStandardButtonsAndReasons()
    {
        Japanese ja;
        QVERIFY(ja.loaded());
        QDialogButtonBox box(QDialogButtonBox::Close | QDialogButtonBox::Cancel);
        QVERIFY2(box.button(QDialogButtonBox::Close)->text().contains(QStringLiteral("閉じる")), qPrintable(box.button(QDialogButtonBox::Close)->text()));
        QVERIFY2(box.button(QDialogButtonBox::Cancel)->text().contains(QStringLiteral("キャンセル")), qPrintable(box.button(QDialogButtonBox::Cancel)->text()));
        QCOMPARE(ui::reasonTagText(QStringLiteral("wrong count")), QStringLiteral("個数の誤り"));
        QCOMPARE(ui::reasonTagText(QStringLiteral("塗装むら")), QStringLiteral("塗装むら")); // a workspace's own reason, as written
        ui::RejectDialog form({QStringLiteral("wrong count")}, QStringLiteral("1. 穴が4つある。"), QStringLiteral("4"));
        QVERIFY(form.tagBox(0)->text().contains(QStringLiteral("個数の誤り")));
        form.tagBox(0)->setChecked(true);
        QCOMPARE(form.checkedTags(), QStringList{QStringLiteral("wrong count")}); // stored as the key
    }

    void wheelChangesOnlyAFocusedBox()
    {
        auto w = openWindow();
        QVERIFY(w);
        w->showScreen(QStringLiteral("distill"));
        QSpinBox *steps = w->distillPanel()->stepsField();
        QVERIFY(steps->isVisible());
        w->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        w->distillPanel()->nameField()->setFocus();
        const int before = steps->value();
        wheel(steps, 3);
        QCOMPARE(steps->value(), before); // passed by: the form scrolls instead
        QVERIFY(!steps->hasFocus());      // and the wheel did not take the focus
        steps->setFocus();
        QVERIFY(steps->hasFocus());
        wheel(steps, 3);
        QVERIFY(steps->value() != before); // focused: the wheel is the user's intent
        QComboBox *base = w->distillPanel()->baseField();
        QCOMPARE(base->focusPolicy(), Qt::StrongFocus);
    }

    void statusMessagesShow()
    {
        auto w = openWindow();
        QVERIFY(w);
        auto *label = w->findChild<QLabel *>(QStringLiteral("workspaceStatus"));
        QVERIFY(label);
        QVERIFY(label->isVisible());
        QVERIFY(label->text().contains(m_ws));
        // An export confirms itself in the status bar, which the workspace line gives way to.
        const QString out = m_tmp.filePath(QStringLiteral("export.jsonl"));
        QVERIFY(!w->exportReviews(false, out).isEmpty());
        QVERIFY(w->statusBar()->currentMessage().contains(QStringLiteral("export.jsonl")));
        QVERIFY(!label->isVisible());
        w->statusBar()->hide(); // shown again, the bar must not bring the line back over the message
        w->statusBar()->show();
        QVERIFY(!label->isVisible());
        w->statusBar()->clearMessage();
        QVERIFY(label->isVisible());
        // A long workspace path never widens the window.
        QCOMPARE(label->sizePolicy().horizontalPolicy(), QSizePolicy::Ignored);
    }

    void viewMenuRestoresEverySidePanel()
    {
        auto w = openWindow();
        QVERIFY(w);
        QMenu *view = nullptr;
        for (QAction *a : w->menuBar()->actions())
            if (a->menu() && a->text().remove(QLatin1Char('&')) == QStringLiteral("View"))
                view = a->menu();
        QVERIFY(view);
        const QList<QDockWidget *> docks = w->findChildren<QDockWidget *>();
        QCOMPARE(docks.size(), 3);
        for (QDockWidget *dock : docks) {
            dock->close();
            QVERIFY(!dock->isVisible());
            QAction *toggle = nullptr;
            for (QAction *a : view->actions())
                if (a == dock->toggleViewAction())
                    toggle = a;
            QVERIFY2(toggle, qPrintable(dock->windowTitle()));
            toggle->trigger();
            QVERIFY(dock->isVisible());
        }
    }

    void itemListFollowsTheReviewedItem()
    {
        auto w = openWindow();
        QVERIFY(w);
        w->session()->reviews()->setFilter({});
        w->showReview(true);
        ui::ReviewPanel *rp = w->reviewPanel();
        QTRY_VERIFY(rp->currentItem() != 0);
        for (int step = 0; step < 3; ++step) {
            QTest::keyClick(rp, Qt::Key_N); // next item
            QTRY_COMPARE(w->itemList()->currentItemId(), rp->currentItem());
        }
        QTest::keyClick(rp, Qt::Key_P);
        QTRY_COMPARE(w->itemList()->currentItemId(), rp->currentItem());
    }

    void rejectFormBesideTheTracesInKeyboardOrder()
    {
        auto w = openWindow();
        QVERIFY(w);
        w->resize(kScreenWidth, kUsableHeight);
        w->session()->reviews()->setReviewer(QStringLiteral("alice"));
        w->session()->reviews()->setFilter({});
        w->showReview(true);
        ui::ReviewPanel *rp = w->reviewPanel();
        QTRY_VERIFY(!rp->columns().empty());
        w->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(w.get()));
        rp->setFocus();
        QTest::keyClick(rp, Qt::Key_X);
        ui::RejectDialog *form = rp->rejectDialog();
        QVERIFY(form);
        QVERIFY(form->isVisible());
        QVERIFY(!form->isWindow()); // inside the screen, not a window over it
        // Beside the focused trace, not over it.
        ui::TraceColumn *judged = rp->columns()[std::size_t(rp->focusedColumn())];
        const QRect column(judged->mapTo(rp, QPoint(0, 0)), judged->size());
        const QRect formRect(form->mapTo(rp, QPoint(0, 0)), form->size());
        QVERIFY2(!column.intersects(formRect), "the reject form covers the trace being judged");
        QVERIFY(judged->visibleRegion().boundingRect().width() > judged->width() / 2);

        // Reason → first wrong step → comment, one Tab each.
        QTRY_VERIFY(form->tagBox(0)->hasFocus());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down); // between the reasons
        QVERIFY(form->tagBox(1)->hasFocus());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
        QVERIFY(form->tagBox(1)->isChecked());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QVERIFY(form->stepBox()->hasFocus());
        form->stepBox()->setCurrentIndex(1);
        const QString step = form->stepBox()->currentData().toString();
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QVERIFY(form->commentField()->hasFocus());
        // Typed text stays typed: the screen's one-key shortcuts (A, S, N, arrows) are off.
        QTest::keyClicks(form->commentField(), QStringLiteral("a scan error"));
        QTest::keyClick(form->commentField(), Qt::Key_Down);
        QTest::keyClick(form->commentField(), Qt::Key_Left);
        QTest::keyClicks(form->commentField(), QStringLiteral("s"));
        QCOMPARE(form->commentField()->text(), QStringLiteral("a scan errosr"));
        QTest::keyClick(form->commentField(), Qt::Key_End);
        QTest::keyClick(form->commentField(), Qt::Key_Backspace);
        QTest::keyClick(form->commentField(), Qt::Key_Backspace);
        QTest::keyClicks(form->commentField(), QStringLiteral("r"));
        QCOMPARE(form->commentField()->text(), QStringLiteral("a scan error"));
        const store::Id trace = judged->traceId();
        QTest::keyClick(form->commentField(), Qt::Key_Return);
        QTRY_VERIFY(!rp->rejectDialog());
        QCOMPARE(w->session()->reviews()->session()->verdict(trace), review::Verdict::Reject);

        // The trace shows what was recorded: the step marked in its analysis, and the comment.
        ui::TraceColumn *shown = nullptr;
        for (ui::TraceColumn *c : rp->columns())
            if (c->traceId() == trace)
                shown = c;
        QVERIFY(shown);
        QVERIFY2(shown->statusText().contains(QStringLiteral("a scan error")), qPrintable(shown->statusText()));
        QVERIFY(shown->statusText().contains(QStringLiteral("First wrong step")));
        if (step.startsWith(QStringLiteral("Answer: ")))
            QVERIFY(shown->markedStep().isEmpty());
        else
            QCOMPARE(shown->markedStep(), step);
        // The screen's keys work again.
        QTRY_VERIFY(rp->isAncestorOf(QApplication::focusWidget()) || QApplication::focusWidget() == rp);
        const store::Id next = rp->focusedTrace();
        QVERIFY(next != 0);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_S);
        QCOMPARE(w->session()->reviews()->session()->verdict(next), review::Verdict::Skip);
    }
};

QTEST_MAIN(TestGuiFit)
#include "tst_gui_fit.moc"
