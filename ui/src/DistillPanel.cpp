#include "sdrt/ui/DistillPanel.h"

#include "sdrt/store/RunProtocol.h"
#include "sdrt/ui/ChildRun.h"
#include "sdrt/ui/DistillController.h"
#include "sdrt/ui/DistillCurves.h"
#include "sdrt/ui/DistillForm.h"
#include "sdrt/ui/DistillRunsModel.h"
#include "sdrt/ui/RunText.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "Layouts.h"

#include <algorithm>

namespace sdrt::ui {

DistillPanel::DistillPanel(DistillController *controller, QWidget *parent)
    : Screen(parent), m_controller(controller), m_form(new DistillForm), m_curves(new DistillCurves(this)), m_follow(new QTimer(this)),
      m_status(new QLabel(this)), m_runs(new QTableView(this)), m_lineage(new QLabel(this))
{
    setObjectName(QStringLiteral("distillPanel"));
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    // The form scrolls up and down only: as wide as its widest row (in either language), never
    // a sideways scrollbar.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(std::max(360, m_form->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() + 2 * scroll->frameWidth()));

    auto [left, leftLayout] = layouts::pane<QVBoxLayout>(this);
    leftLayout->addWidget(scroll, 1);
    leftLayout->addWidget(buildButtons());
    m_status->setObjectName(QStringLiteral("distillStatus"));
    m_status->setWordWrap(true);
    leftLayout->addWidget(m_status);

    m_lineage->setObjectName(QStringLiteral("distillLineage"));
    m_lineage->setWordWrap(true);
    m_lineage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto [lineageBox, lineageLayout] = layouts::pane<QVBoxLayout>(this);
    lineageLayout->addWidget(m_lineage);
    lineageLayout->addWidget(m_reviewTraces, 0, Qt::AlignLeft);

    QSplitter *right = layouts::splitter(Qt::Vertical, this, {buildRunsView(), m_curves, lineageBox}, {0, 1});
    layouts::fill(this, layouts::splitter(Qt::Horizontal, this, {left, right}, {0, 1}));

    connect(m_form, &DistillForm::policyChanged, this, &DistillPanel::updateApproved);
    connect(m_controller, &DistillController::childLine, this, &DistillPanel::onChildLine);
    connect(m_controller, &DistillController::stderrLine, this, &DistillPanel::stderrLine);
    connect(m_controller, &DistillController::childFinished, this, &DistillPanel::onChildFinished);
    connect(m_controller, &DistillController::errorOccurred, this, &DistillPanel::errorOccurred);
    connect(m_controller->runs(), &QAbstractItemModel::modelReset, this, &DistillPanel::onRunsReloaded);
    m_follow->setInterval(500);
    connect(m_follow, &QTimer::timeout, this, &DistillPanel::followLog);
    WorkspaceSession *session = m_controller->session();
    connect(session, &WorkspaceSession::opened, this, &DistillPanel::reload);
    connect(session, &WorkspaceSession::closed, this, &DistillPanel::reload);
    reload();
}

QWidget *DistillPanel::buildButtons()
{
    m_start = new QPushButton(tr("&Start"), this);
    m_start->setObjectName(QStringLiteral("distillStart"));
    m_start->setToolTip(tr("Start a distillation run with these settings (Ctrl+Return)"));
    m_cancel = new QPushButton(tr("Cancel Run"), this);
    m_cancel->setObjectName(QStringLiteral("distillCancel"));
    m_cancel->setToolTip(tr("Stop the run after its current step; it can be resumed (Ctrl+.)"));
    m_resume = new QPushButton(tr("Res&ume"), this);
    m_resume->setObjectName(QStringLiteral("distillResume"));
    m_resume->setToolTip(tr("Resume the selected cancelled, failed or interrupted run from its last checkpoint"));
    m_reviewTraces = new QPushButton(tr("Open Its Traces in Review"), this);
    m_reviewTraces->setObjectName(QStringLiteral("distillReviewTraces"));
    auto *startShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    startShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(startShortcut, &QShortcut::activated, this, &DistillPanel::start);
    auto *cancelShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period), this);
    cancelShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(cancelShortcut, &QShortcut::activated, this, &DistillPanel::cancel);
    connect(m_start, &QPushButton::clicked, this, &DistillPanel::start);
    connect(m_cancel, &QPushButton::clicked, this, &DistillPanel::cancel);
    connect(m_resume, &QPushButton::clicked, this, &DistillPanel::resumeSelected);
    connect(m_reviewTraces, &QPushButton::clicked, this, &DistillPanel::reviewLineage);
    auto *row = new QWidget(this);
    auto *buttons = new QHBoxLayout(row);
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_start);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_resume);
    return row;
}

QWidget *DistillPanel::buildRunsView()
{
    m_runs->setObjectName(QStringLiteral("distillRuns"));
    m_runs->setModel(m_controller->runs());
    m_runs->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runs->setSelectionMode(QAbstractItemView::SingleSelection);
    m_runs->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_runs->verticalHeader()->hide();
    m_runs->horizontalHeader()->setStretchLastSection(true);
    connect(m_runs->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QString name = selectedRun();
        if (!name.isEmpty() && name != m_shownRun)
            showRun(name);
        updateButtons();
    });
    return m_runs;
}

QLineEdit *DistillPanel::nameField() const { return m_form->nameField(); }
QComboBox *DistillPanel::baseField() const { return m_form->baseField(); }
QSpinBox *DistillPanel::stepsField() const { return m_form->stepsField(); }
QSpinBox *DistillPanel::batchField() const { return m_form->batchField(); }
QSpinBox *DistillPanel::checkpointField() const { return m_form->checkpointField(); }
QLineEdit *DistillPanel::layersField() const { return m_form->layersField(); }
ChildRun *DistillPanel::child() const { return m_controller->child(); }
bool DistillPanel::isRunning() const { return m_controller->isRunning(); }
QString DistillPanel::liveRun() const { return m_controller->liveRun(); }
int DistillPanel::curvePoints() const { return m_curves->points(); }
QString DistillPanel::lineageText() const { return m_lineage->text(); }
QByteArray DistillPanel::configJson() const { return m_form->configJson(); }

QString DistillPanel::selectedRun() const
{
    const QModelIndex current = m_runs->selectionModel()->currentIndex();
    if (!current.isValid() || !m_runs->selectionModel()->isRowSelected(current.row(), {}))
        return {};
    return m_controller->runs()->index(current.row(), DistillRunsModel::NameColumn).data().toString();
}

QString DistillPanel::formError() const
{
    if (!m_controller->session()->isOpen())
        return tr("Open a workspace first.");
    if (const QString problem = m_form->formError(); !problem.isEmpty())
        return problem;
    if (const QString name = m_form->runName(); !name.isEmpty() && m_controller->run(name))
        return tr("There is already a run \"%1\": choose another name, or select it and Resume.").arg(name);
    return {};
}

void DistillPanel::reload()
{
    m_form->setBaseModels(m_controller->baseModels());
    updateApproved();
    m_controller->reloadRuns();
    updateButtons();
}

void DistillPanel::updateApproved()
{
    m_form->setApprovedText(m_controller->approvedSummary(m_form->policy()));
}

void DistillPanel::onRunsReloaded()
{
    const DistillRunsModel *runs = m_controller->runs();
    if (m_shownRun.isEmpty() && runs->rowCount() > 0) // a new look at the screen shows the latest run
        showRun(runs->rows().back().run.name);
    if (const int row = runs->rowOf(m_shownRun); row >= 0) {
        const QSignalBlocker block(m_runs->selectionModel());
        m_runs->selectRow(row);
    }
    m_runs->resizeColumnsToContents();
    updateButtons();
}

bool DistillPanel::start()
{
    if (isRunning()) {
        Q_EMIT errorOccurred(tr("Distillation"), tr("A run is going; cancel it or wait for it to end."));
        return false;
    }
    if (const QString problem = formError(); !problem.isEmpty()) {
        Q_EMIT errorOccurred(tr("Cannot start the run"), problem);
        return false;
    }
    QString name = m_form->runName();
    if (name.isEmpty())
        name = QStringLiteral("distill-%1").arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    if (auto started = m_controller->start(m_form->baseModel(), name, m_form->configJson(), m_form->processes()); !started) {
        Q_EMIT errorOccurred(tr("Cannot start the run"), started.error());
        return false;
    }
    m_form->clearName();
    m_status->setText(tr("Run %1: starting (loading the base model and the approved traces)…").arg(name));
    Q_EMIT statusMessage(tr("Distillation run %1 started").arg(name));
    showRun(name);
    m_curves->setTotalSteps(m_form->steps());
    updateButtons();
    return true;
}

bool DistillPanel::resumeSelected()
{
    const QString name = selectedRun();
    if (name.isEmpty() || isRunning())
        return false;
    const auto run = m_controller->run(name);
    const store::RunStatus status = run ? run->status : store::RunStatus::Running;
    if (status == store::RunStatus::Done || status == store::RunStatus::Running) {
        Q_EMIT errorOccurred(tr("Cannot resume"), tr("Run %1 is %2: only a cancelled, failed or interrupted run can be resumed.").arg(name, runStatusText(status)));
        return false;
    }
    if (auto resumed = m_controller->resume(name); !resumed) {
        Q_EMIT errorOccurred(tr("Cannot resume"), resumed.error());
        return false;
    }
    m_status->setText(tr("Run %1: resuming from its last checkpoint…").arg(name));
    showRun(name);
    updateButtons();
    return true;
}

void DistillPanel::cancel()
{
    // This screen's run, else the shown run when another process trains it, else any live run.
    const QString name = isRunning()                                                  ? m_controller->childRun()
                         : !m_shownRun.isEmpty() && m_controller->isLive(m_shownRun) ? m_shownRun
                                                                                      : m_controller->liveRun();
    if (name.isEmpty() || !m_controller->isLive(name))
        return;
    if (auto stopped = m_controller->cancel(name); !stopped) {
        Q_EMIT errorOccurred(tr("Cancel Run"), stopped.error());
        return;
    }
    m_status->setText(tr("Run %1: cancelling after the current step…").arg(name));
}

void DistillPanel::onChildLine(const QJsonObject &line)
{
    namespace protocol = store::protocol;
    switch (protocol::eventOf(line)) {
    case protocol::Event::Step: {
        const protocol::DistillStep step = protocol::decodeDistillStep(line);
        m_status->setText(tr("Run %1: step %2 of %3 · %4 samples/s · ETA %5")
                              .arg(m_controller->childRun())
                              .arg(step.step)
                              .arg(step.steps > 0 ? step.steps : m_curves->totalSteps())
                              .arg(step.samplesPerSecond, 0, 'f', 1)
                              .arg(formatSeconds(step.etaSeconds)));
        followLog();
        break;
    }
    case protocol::Event::Start:
        // The run's row and lineage exist now: the table, the title and the lineage show them.
        m_controller->reloadRuns();
        showRun(m_controller->childRun());
        break;
    default: break;
    }
}

void DistillPanel::onChildFinished()
{
    namespace protocol = store::protocol;
    followLog();
    const QJsonObject last = child()->lastEvent();
    const protocol::Event event = protocol::eventOf(last);
    const protocol::DistillEnd end = protocol::decodeDistillEnd(last);
    const QString name = m_controller->childRun();
    showRun(name); // the stored row: final title, lineage and actions
    const auto run = m_controller->run(name);
    const QString took = run ? runDuration(run->startedAt, run->finishedAt) : QString(); // as the table says
    if (event == protocol::Event::Done) {
        m_status->setText(tr("Run %1 done: %2 steps in %3; student model registered.").arg(name).arg(end.steps).arg(took.isEmpty() ? formatSeconds(end.seconds) : took));
    } else if (event == protocol::Event::Cancelled) {
        m_status->setText(tr("Run %1 cancelled at step %2; Resume continues it.").arg(name).arg(end.steps));
    } else {
        QString why = protocol::failureOf(last);
        if (why.isEmpty())
            why = child()->lastStderrLine().isEmpty() ? tr("the process exited") : child()->lastStderrLine();
        m_status->setText(tr("Run %1 ended without finishing: %2 (the log panel has its messages).").arg(name, why));
        Q_EMIT errorOccurred(tr("Distillation run %1").arg(name), m_status->text());
    }
    updateButtons();
    Q_EMIT runFinished(name);
}

void DistillPanel::followLog()
{
    if (m_shownRun.isEmpty() || !m_controller->session()->isOpen())
        return;
    m_curves->follow();
    // Past runs are read once; a live one (this screen's child or another process's) is followed,
    // its table row with it.
    const bool live = m_controller->isLive(m_shownRun);
    if (live) {
        if (m_controller->runs()->rowOf(m_shownRun) < 0) { // training before its start line was read
            m_controller->reloadRuns();
            if (m_controller->runs()->rowOf(m_shownRun) >= 0) {
                showRun(m_shownRun); // its row, title and lineage now
                return;
            }
        }
        const QJsonObject last = m_curves->lastStep();
        if (!last.isEmpty())
            m_controller->runs()->setProgress(m_shownRun, last.value(QStringLiteral("step")).toInt(), last);
        if (!m_follow->isActive())
            m_follow->start();
        updateButtons();
    } else if (m_follow->isActive()) {
        m_follow->stop();
        if (!isRunning()) { // another process's run ended: its stored row, title and lineage
            m_controller->reloadRuns();
            showRun(m_shownRun);
        }
    }
}

void DistillPanel::showRun(const QString &name)
{
    m_shownRun = name;
    m_lineage->clear();
    const auto run = m_controller->run(name);
    int totalSteps = m_curves->totalSteps();
    if (run && !(isRunning() && m_controller->childRun() == name))
        totalSteps = QJsonDocument::fromJson(run->config.toUtf8()).object().value(QStringLiteral("steps")).toInt();
    m_curves->showRun(run ? tr("Run %1").arg(name) : tr("Run %1 (starting)").arg(name), m_controller->trainingLogFile(name), totalSteps);
    if (const auto lineage = m_controller->lineage(name)) {
        QStringList prompts, reviewers, teacherRuns;
        for (const auto &[p, n] : lineage->prompts)
            prompts << tr("%1: %2").arg(p).arg(n);
        for (const auto &[r, n] : lineage->reviewers)
            reviewers << tr("%1: %2").arg(r).arg(n);
        for (const auto &[id, n] : lineage->teacherRuns)
            teacherRuns << tr("run %1: %2").arg(id).arg(n);
        m_lineage->setText(tr("Lineage of %1: %n trace(s).\nPrompt versions — %2\nAccepted by — %3\nTeacher runs — %4", nullptr, lineage->traces)
                               .arg(name, prompts.join(QStringLiteral(", ")), reviewers.join(QStringLiteral(", ")),
                                    teacherRuns.join(QStringLiteral(", "))));
    }
    if (!name.isEmpty())
        followLog();
    updateButtons();
}

void DistillPanel::reviewLineage()
{
    if (m_shownRun.isEmpty())
        return;
    auto source = m_controller->markLineageForReview(m_shownRun);
    if (!source) {
        Q_EMIT errorOccurred(tr("Lineage"), source.error());
        return;
    }
    Q_EMIT reviewRequested(*source);
}

void DistillPanel::updateButtons()
{
    const bool open = m_controller->session()->isOpen();
    const bool running = isRunning();
    m_start->setEnabled(open && !running);
    m_cancel->setEnabled(running || (!m_shownRun.isEmpty() && open && m_controller->isLive(m_shownRun)));
    bool resumable = false;
    if (const auto run = m_controller->run(selectedRun()))
        resumable = run->status == store::RunStatus::Cancelled || run->status == store::RunStatus::Failed
                    || run->status == store::RunStatus::Interrupted;
    m_resume->setEnabled(open && !running && resumable);
    m_reviewTraces->setEnabled(open && !m_lineage->text().isEmpty());
}

} // namespace sdrt::ui
