// The GUI shell under the offscreen platform, with real widgets and a real workspace:
// open a workspace, browse and filter items, see the assets, import off the GUI thread with
// progress and cancel, and get an error dialog (not a crash) for a broken workspace.

#include "sdrt/assets/ImportJob.h"
#include "sdrt/demo/FactoryWorld.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/prompts/PromptLibrary.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/AssetViewer.h"
#include "sdrt/ui/GeneratePanel.h"
#include "sdrt/ui/GenerateRunner.h"
#include "sdrt/ui/ImportRunner.h"
#include "sdrt/ui/ItemListModel.h"
#include "sdrt/ui/ItemListPanel.h"
#include "sdrt/ui/ItemViewPanel.h"
#include "sdrt/ui/LogPanel.h"
#include "sdrt/ui/MainWindow.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTreeWidget>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPainter>
#include <QPdfWriter>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace sdrt;

class TestGuiShell : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_data;
    QString m_ws;

    static int countItems(const QString &ws, const store::ItemFilter &f = {})
    {
        auto w = store::Workspace::open(ws);
        return w ? int(*store::ItemRepository(w->db()).count(f)) : -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_data = m_tmp.filePath(QStringLiteral("data"));
        m_ws = m_tmp.filePath(QStringLiteral("ws"));
        demo::MakeDataParams p;
        p.dir = m_data;
        p.items = 12;
        p.seed = 5;
        QVERIFY(demo::makeData(p));
        // One more item with a two-page PDF drawing, in its own manifest.
        QPdfWriter writer(m_tmp.filePath(QStringLiteral("data/drawings/sheet.pdf")));
        writer.setResolution(72);
        {
            QPainter painter(&writer);
            painter.drawText(QPointF(50, 50), QStringLiteral("SHEET 1"));
            writer.newPage();
            painter.drawText(QPointF(50, 50), QStringLiteral("SHEET 2"));
        }
        QFile m(m_tmp.filePath(QStringLiteral("data/pdf.jsonl")));
        QVERIFY(m.open(QIODevice::WriteOnly));
        m.write(R"({"question":"図面の改訂は？","task_family":"drawing_value","split":"eval","assets":[{"path":"drawings/sheet.pdf","role":"drawing"}],"note":"改訂 B の図面"})" "\n");
        m.close();
        QVERIFY(store::Workspace::create(m_ws));
        for (const QString &src : {m_data, m_tmp.filePath(QStringLiteral("data/pdf.jsonl"))}) {
            assets::ImportParams params;
            params.workspaceRoot = m_ws;
            params.source = src;
            auto r = assets::ImportJob(params).run();
            QVERIFY(r && r->failed == 0);
        }
        QCOMPARE(countItems(m_ws), 13);
    }

    void openWorkspaceShowsItemsAndAssets()
    {
        ui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openWorkspace(m_ws));
        ui::ItemListModel *model = w.itemList()->model();
        QCOMPARE(model->totalCount(), 13);
        QCOMPARE(model->rowCount(), 13);
        // The first item is selected and shown, with its photo at its real size.
        QTRY_COMPARE(w.itemView()->currentItem(), model->itemId(0));
        auto ws = store::Workspace::open(m_ws);
        auto first = store::ItemRepository(ws->db()).get(model->itemId(0));
        QVERIFY(first);
        QCOMPARE(w.itemView()->questionText(), first->question);
        ui::AssetViewer *viewer = w.itemView()->assetViewer();
        QVERIFY(viewer->assetCount() >= 1);
        const store::Asset &shown = first->assets.front().asset;
        QCOMPARE(viewer->currentImageSize(), QSize(shown.width.value_or(-1), shown.height.value_or(-1)));
        QVERIFY(w.windowTitle().contains(QStringLiteral("ws")));
        // The log panel shows what the core libraries log.
        QTRY_VERIFY(w.logPanel()->toPlainText().contains(QStringLiteral("opened workspace")));
    }

    void keyboardMovesBetweenItems()
    {
        ui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openWorkspace(m_ws));
        QTableView *view = w.itemList()->view();
        view->setFocus();
        QTRY_COMPARE(w.itemView()->currentItem(), w.itemList()->model()->itemId(0));
        QTest::keyClick(view, Qt::Key_Down);
        QTest::keyClick(view, Qt::Key_Down);
        QCOMPARE(w.itemView()->currentItem(), w.itemList()->model()->itemId(2));
        QTest::keyClick(view, Qt::Key_Up);
        QCOMPARE(w.itemView()->currentItem(), w.itemList()->model()->itemId(1));
    }

    void filtersNarrowTheList()
    {
        ui::MainWindow w;
        w.show();
        QVERIFY(w.openWorkspace(m_ws));
        ui::ItemListPanel *list = w.itemList();
        const int evalCount = countItems(m_ws, {store::Split::Eval, {}, {}});
        QVERIFY(evalCount > 0 && evalCount < 13);
        list->splitFilter()->setCurrentIndex(list->splitFilter()->findData(int(store::Split::Eval)));
        QCOMPARE(list->model()->totalCount(), evalCount);
        for (int r = 0; r < list->model()->rowCount(); ++r)
            QCOMPARE(list->model()->index(r, ui::ItemListModel::SplitColumn).data().toString(), QStringLiteral("eval"));
        list->splitFilter()->setCurrentIndex(0);
        QCOMPARE(list->model()->totalCount(), 13);

        // Task families come from the workspace.
        QVERIFY(list->familyFilter()->findData(QStringLiteral("drawing_value")) > 0);
        // Japanese text search finds the PDF item by its note (an input method commits the text).
        list->searchField()->setFocus();
        list->searchField()->insert(QStringLiteral("改訂"));
        QTest::keyClicks(list->searchField(), QStringLiteral(" B"));
        QTRY_COMPARE(list->model()->totalCount(), 1);
        QTRY_COMPARE(w.itemView()->questionText(), QStringLiteral("図面の改訂は？"));
        // Its two PDF pages are two assets; the second can be shown.
        ui::AssetViewer *viewer = w.itemView()->assetViewer();
        QCOMPARE(viewer->assetCount(), 2);
        viewer->showAsset(1);
        QCOMPARE(viewer->currentAsset(), 1);
        QVERIFY(!viewer->currentImageSize().isEmpty());
        QCOMPARE(w.itemView()->noteText(), QStringLiteral("改訂 B の図面"));
    }

    void viewerZoomsAndFits()
    {
        ui::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openWorkspace(m_ws));
        ui::AssetViewer *viewer = w.itemView()->assetViewer();
        QTRY_VERIFY(viewer->assetCount() > 0);
        viewer->setFocus();
        QTest::keyClick(viewer, Qt::Key_1);
        QCOMPARE(viewer->zoom(), 1.0);
        QTest::keyClick(viewer, Qt::Key_Plus);
        QCOMPARE(viewer->zoom(), 1.25);
        QTest::keyClick(viewer, Qt::Key_Minus);
        QTest::keyClick(viewer, Qt::Key_Minus);
        QCOMPARE(viewer->zoom(), 0.8);
        QTest::keyClick(viewer, Qt::Key_0);
        QVERIFY(viewer->zoom() != 0.8);
    }

    void importRunsOffTheGuiThreadAndCanBeCancelled()
    {
        QTemporaryDir dir;
        const QString ws = dir.filePath(QStringLiteral("new"));
        ui::MainWindow w;
        w.show();
        QVERIFY(w.createWorkspace(ws));
        QSignalSpy finished(&w, &ui::MainWindow::importFinished);
        QVERIFY(w.importPath(m_data));
        QVERIFY(w.importRunner()->isRunning());
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().first().toBool(), true);
        QCOMPARE(w.importRunner()->lastReport().imported, 12);
        QCOMPARE(w.itemList()->model()->totalCount(), 12);

        // Cancel: a larger batch, cancelled at its first progress report.
        demo::MakeDataParams p;
        p.dir = dir.filePath(QStringLiteral("more"));
        p.items = 80;
        p.seed = 9;
        QVERIFY(demo::makeData(p));
        finished.clear();
        connect(w.importRunner(), &ui::ImportRunner::progress, w.importRunner(), &ui::ImportRunner::cancel);
        QVERIFY(w.importPath(p.dir));
        QVERIFY(finished.wait(60000));
        QVERIFY(w.importRunner()->lastReport().cancelled);
        // What was imported before the cancel stays, and is listed.
        const int kept = w.importRunner()->lastReport().imported;
        QVERIFY(kept < 80);
        QCOMPARE(w.itemList()->model()->totalCount(), 12 + kept);
        QCOMPARE(countItems(ws), 12 + kept);
    }

    void generatePanelRunsTracesIntoTheItemView()
    {
        // A workspace with a tiny random model and the prompt library registered.
        const QString modelDir = m_tmp.filePath(QStringLiteral("tiny-model"));
        auto made = model::makeTinyModel(modelDir.toStdString(), {});
        QVERIFY(made);
        {
            auto ws = store::Workspace::open(m_ws);
            QVERIFY(ws);
            auto lib = prompts::PromptLibrary::loadDir(prompts::PromptLibrary::defaultDir());
            QVERIFY(lib && lib->registerIn(ws->db()));
            QVERIFY(store::ModelRepository(ws->db()).registerFolder(*ws, modelDir, QStringLiteral("tiny")));
        }
        ui::MainWindow w;
        w.show();
        QVERIFY(w.openWorkspace(m_ws));
        ui::GeneratePanel *panel = w.generatePanel();
        auto *run = panel->findChild<QPushButton *>(QStringLiteral("generateRun"));
        auto *cancel = panel->findChild<QPushButton *>(QStringLiteral("generateCancel"));
        QVERIFY(run && cancel);
        QVERIFY(run->isEnabled());
        QVERIFY(!cancel->isEnabled());
        QCOMPARE(panel->findChild<QComboBox *>(QStringLiteral("generateModel"))->count(), 1);
        const int prompts = panel->findChild<QListWidget *>(QStringLiteral("generatePrompts"))->count();
        QVERIFY(prompts >= 3);

        // The selected item only: traces appear in the item view when the batch is stored.
        QTableView *table = w.itemList()->findChild<QTableView *>();
        table->setFocus();
        QTest::keyClick(table, Qt::Key_Down);
        const store::Id item = w.itemView()->currentItem();
        QVERIFY(item != 0);
        QCOMPARE(w.itemView()->tracesView()->topLevelItemCount(), 0);
        panel->findChild<QCheckBox *>(QStringLiteral("generateCurrentOnly"))->setChecked(true);
        QSignalSpy stored(panel, &ui::GeneratePanel::tracesStored);
        QSignalSpy done(panel, &ui::GeneratePanel::finished);
        QTest::mouseClick(run, Qt::LeftButton);
        QVERIFY(panel->isRunning());
        QVERIFY(cancel->isEnabled());
        QVERIFY(!run->isEnabled());
        QVERIFY(done.wait(120000));
        QVERIFY(stored.count() >= 1);
        QCOMPARE(w.itemView()->tracesView()->topLevelItemCount(), prompts);
        QVERIFY2(w.itemView()->ensembleText().contains(QStringLiteral("votes")) || w.itemView()->ensembleText().contains(QStringLiteral("none")),
                 qPrintable(w.itemView()->ensembleText()));
        QVERIFY(panel->runner()->lastSummary().ok + panel->runner()->lastSummary().failed == prompts);

        // Again: nothing to do. Then every item, cancelled at the first progress report.
        done.clear();
        QTest::mouseClick(run, Qt::LeftButton);
        QVERIFY(done.wait(60000));
        QCOMPARE(panel->runner()->lastSummary().planned, 0);
        panel->findChild<QCheckBox *>(QStringLiteral("generateCurrentOnly"))->setChecked(false);
        done.clear();
        connect(panel->runner(), &ui::GenerateRunner::progress, panel, &ui::GeneratePanel::cancel);
        QTest::mouseClick(run, Qt::LeftButton);
        QVERIFY(done.wait(120000));
        const auto &s = panel->runner()->lastSummary();
        QVERIFY(s.cancelled);
        QVERIFY(s.ok + s.failed < s.planned);
        QVERIFY(panel->findChild<QLabel *>(QStringLiteral("generateStatus"))->text().contains(QStringLiteral("Cancelled")));
        auto ws = store::Workspace::open(m_ws);
        auto runs = store::TraceRepository(ws->db()).runs();
        QCOMPARE(runs->back().status, store::RunStatus::Cancelled);
        auto *runsLabel = panel->findChild<QLabel *>(QStringLiteral("generateRuns"));
        QVERIFY(runsLabel);
        QVERIFY2(runsLabel->text().contains(QStringLiteral("Run %1: cancelled").arg(runs->back().id)), qPrintable(runsLabel->text()));

        // A run whose process died (its row says running, nobody holds its lock) shows as
        // interrupted in the panel and becomes interrupted in the store.
        QVERIFY(ws->db().exec("INSERT INTO generation_runs (model_id, seed, status, started_at) SELECT id, 1, 'running', '2026-01-01T00:00:00Z' FROM models"));
        const store::Id dead = ws->db().lastInsertId();
        w.session()->close();
        QVERIFY(w.openWorkspace(m_ws));
        QVERIFY2(runsLabel->text().contains(QStringLiteral("Run %1: interrupted").arg(dead)), qPrintable(runsLabel->text()));
        auto row = ws->db().prepare("SELECT status FROM generation_runs WHERE id = ?");
        row->bind(1, dead);
        QVERIFY(*row->step());
        QCOMPARE(row->text(0), QStringLiteral("interrupted"));
    }

    void runnerDeletedWhileItsJobRunsDeliversNothing()
    {
        // (Runs after generatePanelRunsTracesIntoTheItemView: the workspace has its tiny model.)
        auto ws = store::Workspace::open(m_ws);
        QVERIFY(ws);
        auto models = store::ModelRepository(ws->db()).list();
        QVERIFY(models && !models->empty());
        teacher::GenerationParams p;
        p.workspace = m_ws;
        p.modelId = models->front().id;
        p.samples = 2;
        p.sampling.temperature = 0.9f;
        p.seed = 77; // new traces to make
        p.batch = 1;
        QObject owner;
        auto *runner = new ui::GenerateRunner(&owner);
        int delivered = 0;
        connect(runner, &ui::GenerateRunner::progress, &owner, [&delivered] { ++delivered; });
        connect(runner, &ui::GenerateRunner::finished, &owner, [&delivered] { ++delivered; });
        QSignalSpy progressed(runner, &ui::GenerateRunner::progress);
        QVERIFY(runner->start(p));
        QVERIFY(runner->isRunning());
        QVERIFY(progressed.wait(120000)); // the job is well under way
        delivered = 0;
        delete runner; // cancels, waits for the thread; what it had queued is dropped
        QCoreApplication::processEvents();
        QTest::qWait(50);
        QCOMPARE(delivered, 0);
        // The run it left is a finished run, not a running one.
        auto runs = store::TraceRepository(ws->db()).runs();
        QVERIFY(runs && !runs->empty());
        QVERIFY(runs->back().status == store::RunStatus::Cancelled || runs->back().status == store::RunStatus::Done);
    }

    void brokenWorkspaceShowsAnErrorDialog()
    {
        QTemporaryDir dir;
        QFile f(QDir(dir.path()).filePath(QStringLiteral("workspace.sqlite")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, '\x13'));
        f.close();
        ui::MainWindow w;
        w.show();
        QVERIFY(!w.openWorkspace(dir.path()));
        QMessageBox *box = w.lastErrorDialog();
        QVERIFY(box);
        QTRY_VERIFY(box->isVisible());
        QVERIFY2(box->text().contains(QStringLiteral("not a database")), qPrintable(box->text()));
        QVERIFY(!w.session()->isOpen());
        // Not a workspace at all: also a dialog naming the missing file.
        QTemporaryDir empty;
        QVERIFY(!w.openWorkspace(empty.path()));
        QVERIFY(w.lastErrorDialog()->text().contains(QStringLiteral("workspace.sqlite")));
    }
};

QTEST_MAIN(TestGuiShell)
#include "tst_gui_shell.moc"
