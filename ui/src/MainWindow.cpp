#include "sdrt/ui/MainWindow.h"

#include "sdrt/common/Log.h"
#include "sdrt/ui/ChildRun.h"
#include "sdrt/ui/ComparePanel.h"
#include "sdrt/ui/ComparisonController.h"
#include "sdrt/ui/DistillController.h"
#include "sdrt/ui/DistillPanel.h"
#include "sdrt/ui/EvaluatePanel.h"
#include "sdrt/ui/EvaluationQueue.h"
#include "sdrt/ui/GeneratePanel.h"
#include "sdrt/ui/ImportRunner.h"
#include "sdrt/ui/ItemListModel.h"
#include "sdrt/ui/ItemListPanel.h"
#include "sdrt/ui/ItemViewPanel.h"
#include "sdrt/ui/LogPanel.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/ui/ReviewController.h"
#include "sdrt/ui/ReviewPanel.h"
#include "sdrt/ui/WheelGuard.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QActionGroup>

#include <algorithm>
#include <QCloseEvent>
#include <QGuiApplication>
#include <QScreen>
#include <QPushButton>
#include <QApplication>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace sdrt::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent), m_session(new WorkspaceSession(this)), m_itemList(new ItemListPanel(m_session, this)),
      m_itemView(new ItemViewPanel(m_session, this)), m_log(new LogPanel(this)), m_import(new ImportRunner(this)),
      m_generate(new GeneratePanel(m_session, this)), m_review(new ReviewPanel(m_session->reviews(), this)), m_distill(new DistillPanel(new DistillController(m_session, this), this)),
      m_evaluate(new EvaluatePanel(new EvaluationQueue(m_session, this), m_session, this)), m_compare(new ComparePanel(new ComparisonController(m_session, this), this)), m_centre(new QTabWidget(this)),
      m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    WheelGuard::install();
    m_centre->setObjectName(QStringLiteral("centreTabs"));
    m_centre->addTab(m_itemView, tr("Browse"));
    m_centre->addTab(m_review, tr("Review"));
    m_centre->addTab(m_distill, tr("Distill"));
    m_centre->addTab(m_evaluate, tr("Evaluate"));
    m_centre->addTab(m_compare, tr("Compare"));
    m_centre->setFocusPolicy(Qt::NoFocus);
    setCentralWidget(m_centre);
    // A close that chose to stop the runs waits for them without blocking: the window closes
    // when the last one has ended.
    for (ChildRun *child : {m_distill->child(), m_evaluate->child()}) {
        connect(child, &ChildRun::finished, this, [this] {
            if (m_closeAfterStop && !m_distill->isRunning() && !m_evaluate->isRunning())
                close();
        });
    }

    createDocks();
    createMenus();
    connectPanels();
    updateTitle();
    // The engineers' screens (curves, comparison tables) want room: most of the screen, never
    // more than the screen has.
    const QRect screen = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry() : QRect(0, 0, 1280, 800);
    resize(std::min(screen.width(), std::max(1280, int(screen.width() * 0.9))), std::min(screen.height(), std::max(800, int(screen.height() * 0.9))));
}

MainWindow::~MainWindow() = default;

void MainWindow::createDocks()
{
    auto *itemsDock = new QDockWidget(tr("Items"), this);
    itemsDock->setObjectName(QStringLiteral("itemsDock"));
    itemsDock->setWidget(m_itemList);
    addDockWidget(Qt::LeftDockWidgetArea, itemsDock);
    auto *logDock = new QDockWidget(tr("Log"), this);
    logDock->setObjectName(QStringLiteral("logDock"));
    logDock->setWidget(m_log);
    addDockWidget(Qt::BottomDockWidgetArea, logDock);
    auto *generateDock = new QDockWidget(tr("Generate"), this);
    generateDock->setObjectName(QStringLiteral("generateDock"));
    generateDock->setWidget(m_generate);
    addDockWidget(Qt::LeftDockWidgetArea, generateDock);
    tabifyDockWidget(itemsDock, generateDock);
    itemsDock->raise();
    // The items list gets a third of the width at most: the centre screens want the rest.
    const int available = QGuiApplication::primaryScreen() ? QGuiApplication::primaryScreen()->availableGeometry().width() : 1280;
    resizeDocks({itemsDock}, {std::min(520, available * 3 / 10)}, Qt::Horizontal);
    resizeDocks({logDock}, {90}, Qt::Vertical);
    m_docks = {itemsDock, generateDock, logDock};
    m_generateDock = generateDock;
    // A normal (not permanent) widget: a status message takes its place while it shows. The
    // label never asks for the width of its text (a long workspace path would widen the window).
    m_status->setObjectName(QStringLiteral("workspaceStatus"));
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    statusBar()->addWidget(m_status, 1);
    // Hidden explicitly while a message shows (QStatusBar's own hiding is undone when the bar
    // is shown again, and the two texts were then drawn over each other).
    connect(statusBar(), &QStatusBar::messageChanged, m_status, [this](const QString &message) { m_status->setVisible(message.isEmpty()); });
}

// Which panel follows which, and where their errors and messages go.
void MainWindow::connectPanels()
{
    connect(m_itemList, &ItemListPanel::itemSelected, m_itemView, &ItemViewPanel::showItem);
    connect(m_itemList, &ItemListPanel::errorOccurred, this,
            [this](const QString &m) { showError(tr("Cannot read the workspace"), m); });
    connect(m_itemView, &ItemViewPanel::errorOccurred, this,
            [](const QString &m) { sdrt::log::get("ui")->error("{}", m.toStdString()); });
    connect(m_session, &WorkspaceSession::opened, this, &MainWindow::updateTitle);
    connect(m_session, &WorkspaceSession::closed, this, &MainWindow::updateTitle);
    connect(m_itemList->model(), &ItemListModel::totalCountChanged, this, &MainWindow::updateTitle);
    connect(m_import, &ImportRunner::finished, this, &MainWindow::onImportFinished);
    connect(m_itemList, &ItemListPanel::itemSelected, m_generate, &GeneratePanel::setCurrentItem);
    connect(m_itemList, &ItemListPanel::itemSelected, this, [this](store::Id id) {
        if (isReviewShown() && id != m_session->reviews()->currentItem())
            m_session->reviews()->showItem(id); // picking an item in the list reviews it
    });
    // The items list follows the item under review (keys N, P, U move it there too).
    connect(m_session->reviews(), &ReviewController::itemShown, this, [this] {
        if (isReviewShown())
            m_itemList->showItem(m_session->reviews()->item().itemId);
    });
    connect(m_generate, &GeneratePanel::tracesStored, m_itemView, &ItemViewPanel::onTracesStored);
    connect(m_generate, &GeneratePanel::tracesStored, this, [this] {
        if (isReviewShown())
            m_session->reviews()->reload(); // the traces join the queue in view
        else
            m_reviewStale = true;
    });
    // Items sent to review without teacher traces: generated on request, the Generate panel in view.
    connect(m_review, &ReviewPanel::generateRequested, this, [this](const QList<qint64> &items) {
        if (m_generate->startFor(items)) {
            m_generateDock->show();
            m_generateDock->raise();
            statusBar()->showMessage(tr("Generating teacher traces for %n item(s)…", nullptr, int(items.size())), 10000);
        }
    });
    connect(m_centre, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_centre->widget(index) != m_review)
            return;
        if (m_reviewStale) {
            m_reviewStale = false;
            m_session->reviews()->reload();
        }
        m_review->setFocus();
    });
    for (Screen *screen : std::initializer_list<Screen *>{m_review, m_distill, m_evaluate, m_compare}) {
        connect(screen, &Screen::errorOccurred, this, &MainWindow::showError);
        // Review's messages follow key presses: they go sooner.
        const int ms = screen == m_review ? 5000 : 10000;
        connect(screen, &Screen::statusMessage, this, [this, ms](const QString &m) { statusBar()->showMessage(m, ms); });
    }
    connect(m_session->reviews(), &ReviewController::errorOccurred, this, &MainWindow::showError);
    connect(m_session->reviews(), &ReviewController::statusMessage, this, [this](const QString &m) { statusBar()->showMessage(m, 5000); });
    connect(m_generate, &GeneratePanel::errorOccurred, this, &MainWindow::showError);
    connect(m_generate, &GeneratePanel::finished, this, [this](const QString &summary) { statusBar()->showMessage(summary, 10000); });
    connect(m_distill, &DistillPanel::stderrLine, this, [this](const QString &line) { m_log->appendLine(tr("distill: %1").arg(line), 2); });
    connect(m_evaluate, &EvaluatePanel::stderrLine, this, [this](const QString &line) { m_log->appendLine(tr("eval: %1").arg(line), 2); });
    connect(m_distill, &DistillPanel::reviewRequested, this, &MainWindow::reviewMarked);
    connect(m_compare, &ComparePanel::reviewRequested, this, &MainWindow::reviewMarked);
    connect(m_distill, &DistillPanel::runFinished, m_evaluate, &EvaluatePanel::reload); // a new student
    connect(m_evaluate, &EvaluatePanel::evaluationFinished, m_compare, &ComparePanel::reload);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newWs = file->addAction(tr("&New Workspace…"), this, &MainWindow::chooseNew);
    newWs->setShortcut(QKeySequence::New);
    QAction *open = file->addAction(tr("&Open Workspace…"), this, &MainWindow::chooseOpen);
    open->setShortcut(QKeySequence::Open);
    file->addSeparator();
    QAction *importFolder = file->addAction(tr("&Import Folder…"), this, [this] { chooseImport(true); });
    importFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    file->addAction(tr("Import &Manifest…"), this, [this] { chooseImport(false); });
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *search = view->addAction(tr("&Search Items"), this, [this] {
        m_itemList->searchField()->setFocus();
        m_itemList->searchField()->selectAll();
    });
    search->setShortcut(QKeySequence::Find);
    QAction *reload = view->addAction(tr("&Reload"), m_itemList->model(), &ItemListModel::reload);
    reload->setShortcut(QKeySequence::Refresh);

    view->addSeparator();
    QAction *browse = view->addAction(tr("&Browse Items"), this, [this] { showReview(false); });
    browse->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    QAction *reviewMode = view->addAction(tr("Re&view Traces"), this, [this] { showReview(true); });
    reviewMode->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    QAction *distillTab = view->addAction(tr("&Distill"), this, [this] { m_centre->setCurrentWidget(m_distill); });
    distillTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    QAction *evaluateTab = view->addAction(tr("&Evaluate"), this, [this] { m_centre->setCurrentWidget(m_evaluate); });
    evaluateTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    QAction *compareTab = view->addAction(tr("&Compare Evaluations"), this, [this] { m_centre->setCurrentWidget(m_compare); });
    compareTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_5));
    // The side panels: a closed one comes back from here.
    view->addSeparator();
    for (QDockWidget *dock : m_docks)
        view->addAction(dock->toggleViewAction());

    QMenu *review = menuBar()->addMenu(tr("&Review"));
    review->addAction(tr("&Switch Reviewer…"), m_review, &ReviewPanel::chooseReviewer);
    review->addAction(tr("&Approval Policy…"), m_review, &ReviewPanel::editPolicy);
    review->addAction(tr("Reject &Reasons…"), m_review, &ReviewPanel::editReasonTags);
    review->addAction(tr("A&greement Between Reviewers…"), m_review, &ReviewPanel::showAgreement);
    review->addAction(tr("Accept Traces &Matching the Reference…"), m_review, [this] {
        showReview(true);
        m_review->acceptMatchingReference(true);
    });
    review->addAction(tr("&Keyboard Shortcuts"), m_review, [this] {
        showReview(true);
        m_review->showShortcuts();
    });
    review->addSeparator();
    review->addAction(tr("&Export Approved Traces (LLaVA JSONL)…"), this, [this] { exportReviews(true); });
    review->addAction(tr("Export Review &History (flat JSONL)…"), this, [this] { exportReviews(false); });

    QMenu *settings = menuBar()->addMenu(tr("&Settings"));
    QMenu *language = settings->addMenu(tr("&Language"));
    auto *group = new QActionGroup(this);
    const QString current = QSettings().value(QStringLiteral("language")).toString();
    const std::pair<QString, QString> languages[] = {
        {QString(), tr("System default")}, {QStringLiteral("en"), QStringLiteral("English")}, {QStringLiteral("ja"), QStringLiteral("日本語")}};
    for (const auto &[code, name] : languages) {
        QAction *a = language->addAction(name, this, [this, code = code] { setLanguage(code); });
        a->setCheckable(true);
        a->setChecked(code == current);
        group->addAction(a);
    }
}

void MainWindow::setLanguage(const QString &code)
{
    QSettings().setValue(QStringLiteral("language"), code);
    QMessageBox *box = new QMessageBox(QMessageBox::Information, tr("Language"),
                                       tr("The language changes the next time SDRT Workbench starts."), QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showReview(bool review)
{
    m_centre->setCurrentWidget(review ? static_cast<QWidget *>(m_review) : static_cast<QWidget *>(m_itemView));
    if (review)
        m_review->setFocus();
}

bool MainWindow::isReviewShown() const
{
    return m_centre->currentWidget() == m_review;
}

bool MainWindow::showScreen(const QString &name)
{
    const std::pair<const char *, QWidget *> screens[] = {
        {"browse", m_itemView}, {"review", m_review}, {"distill", m_distill}, {"evaluate", m_evaluate}, {"compare", m_compare}};
    for (const auto &[key, widget] : screens)
        if (name == QLatin1String(key)) {
            m_centre->setCurrentWidget(widget);
            return true;
        }
    return false;
}

void MainWindow::showComparison(const QStringList &evaluations)
{
    m_centre->setCurrentWidget(m_compare);
    m_compare->reload();
    m_compare->compareNames(evaluations);
}

void MainWindow::reviewMarked(const QString &source)
{
    review::QueueFilter f = m_session->reviews()->filter();
    f.mark = source;
    f.state = review::QueueFilter::State::Any;
    m_session->reviews()->setFilter(f);
    m_reviewStale = false;
    m_session->reviews()->reload(); // reads the new marks; the review screen's filter lists follow
    showReview(true);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // A run another window left going counts too: closing is when the user learns of it.
    const bool distilling = !m_distill->liveRun().isEmpty(), evaluating = m_evaluate->isRunning();
    if (!distilling && !evaluating) {
        event->accept();
        return;
    }
    CloseWithRuns choice = m_closeWithRuns;
    if (choice == CloseWithRuns::Ask) {
        QMessageBox box(QMessageBox::Question, tr("Runs are going"),
                        distilling && evaluating ? tr("A distillation run and an evaluation are going.")
                        : distilling             ? tr("A distillation run is going.")
                                                 : tr("An evaluation is going."),
                        QMessageBox::NoButton, this);
        box.setInformativeText(tr("They run in processes of their own: they can go on after the window closes (their results land in the "
                                  "workspace), or stop cleanly now and be resumed later."));
        QPushButton *leave = box.addButton(tr("&Leave Running"), QMessageBox::AcceptRole);
        QPushButton *stop = box.addButton(tr("&Stop Them"), QMessageBox::DestructiveRole);
        box.addButton(QMessageBox::Cancel);
        box.setDefaultButton(leave);
        box.exec();
        if (box.clickedButton() == leave)
            choice = CloseWithRuns::LeaveRunning;
        else if (box.clickedButton() == stop)
            choice = CloseWithRuns::Stop;
        else {
            event->ignore();
            return;
        }
    }
    if (choice == CloseWithRuns::Stop) {
        // Each run stops after its current step and records itself cancelled; the window stays
        // responsive meanwhile and closes when both have ended (the connection above).
        m_evaluate->cancel();
        m_distill->cancel();
        if (!m_distill->isRunning() && !m_evaluate->isRunning()) { // only another process's run: it stops itself
            event->accept();
            return;
        }
        m_closeAfterStop = true;
        m_status->setText(tr("Stopping the runs; the window closes when they have stopped."));
        event->ignore();
        return;
    } else {
        sdrt::log::get("ui")->info("closing with runs going (distill pid {}, eval pid {})", m_distill->child()->pid(), m_evaluate->child()->pid());
    }
    event->accept();
}

void MainWindow::showError(const QString &title, const QString &message)
{
    sdrt::log::get("ui")->error("{}: {}", title.toStdString(), message.toStdString());
    auto *box = new QMessageBox(QMessageBox::Critical, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_lastError = box;
    connect(box, &QObject::destroyed, this, [this, box] {
        if (m_lastError == box)
            m_lastError = nullptr;
    });
    box->open();
}

void MainWindow::updateTitle()
{
    if (!m_session->isOpen()) {
        setWindowTitle(tr("SDRT Workbench"));
        m_status->setText(tr("No workspace open. Use File ▸ New Workspace or File ▸ Open Workspace."));
        return;
    }
    setWindowTitle(tr("%1 — SDRT Workbench").arg(m_session->root()));
    m_status->setText(tr("Workspace %1 · %n matching item(s)", nullptr, int(m_itemList->model()->totalCount())).arg(m_session->root()));
    m_status->setToolTip(m_status->text());
}

} // namespace sdrt::ui
