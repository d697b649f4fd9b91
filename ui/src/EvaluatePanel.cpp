#include "sdrt/ui/EvaluatePanel.h"

#include "sdrt/store/Workspace.h"
#include "sdrt/ui/CellTableModel.h"
#include "sdrt/ui/ComparisonTables.h"
#include "sdrt/ui/ElidingComboBox.h"
#include "sdrt/ui/EvaluationQueue.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

#include "Layouts.h"

namespace sdrt::ui {

EvaluatePanel::EvaluatePanel(EvaluationQueue *queue, WorkspaceSession *session, QWidget *parent)
    : Screen(parent), m_queue(queue), m_session(session), m_models(new QListWidget(this)), m_modes(new QListWidget(this)),
      m_split(new ElidingComboBox(this)), m_limit(new QSpinBox(this)), m_batch(new QSpinBox(this)), m_queueButton(new QPushButton(tr("&Queue Evaluations"), this)),
      m_cancel(new QPushButton(tr("Cancel Evaluations"), this)), m_progress(new QProgressBar(this)), m_status(new QLabel(this)),
      m_queueList(new QListWidget(this)), m_name(new QLineEdit(this)), m_table(new QTableView(this)), m_tableModel(new CellTableModel(this))
{
    setObjectName(QStringLiteral("evaluatePanel"));
    m_models->setObjectName(QStringLiteral("evaluateModels"));
    m_modes->setObjectName(QStringLiteral("evaluateModes"));
    m_queueButton->setObjectName(QStringLiteral("evaluateQueue"));
    m_cancel->setObjectName(QStringLiteral("evaluateCancel"));
    m_status->setObjectName(QStringLiteral("evaluateStatus"));
    m_queueList->setObjectName(QStringLiteral("evaluateQueueList"));
    m_models->setToolTip(tr("Models to evaluate: base models answer as they are, students through their adapters"));
    m_modes->setToolTip(tr("Direct: one answer. Two-step: one prompt version, analysis then answer. Ensemble: every prompt two-step, then a vote."));
    m_split->addItem(tr("Eval"), QStringLiteral("eval"));
    m_split->addItem(tr("Train"), QStringLiteral("train"));
    m_limit->setRange(0, 10000000);
    m_limit->setSpecialValueText(tr("all"));
    m_limit->setToolTip(tr("At most this many items (the first in id order); all: the whole split"));
    m_batch->setRange(1, 256);
    m_batch->setValue(16);
    m_status->setWordWrap(true);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_queueButton->setToolTip(tr("One evaluation per checked model and mode, run one after another (Ctrl+Return)"));
    auto *enqueueShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    enqueueShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(enqueueShortcut, &QShortcut::activated, this, &EvaluatePanel::enqueue);
    auto *cancelShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period), this);
    cancelShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(cancelShortcut, &QShortcut::activated, this, &EvaluatePanel::cancel);

    m_name->setObjectName(QStringLiteral("evaluateName"));
    m_name->setPlaceholderText(tr("model-mode-<time>"));
    m_name->setToolTip(tr("The evaluation's name; with several models or modes each gets this name, the model and the mode"));
    m_table->setObjectName(QStringLiteral("evaluationsTable"));
    m_table->setModel(m_tableModel);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_queueList->setMaximumHeight(70);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_models->setMinimumHeight(60);
    m_modes->setMinimumHeight(60);

    buildLayout();

    connect(m_queueButton, &QPushButton::clicked, this, &EvaluatePanel::enqueue);
    connect(m_cancel, &QPushButton::clicked, this, &EvaluatePanel::cancel);
    connect(m_queue, &EvaluationQueue::changed, this, &EvaluatePanel::onChanged);
    connect(m_queue, &EvaluationQueue::errorOccurred, this, &EvaluatePanel::errorOccurred);
    connect(m_queue, &EvaluationQueue::stderrLine, this, &EvaluatePanel::stderrLine);
    connect(m_queue, &EvaluationQueue::evaluationFinished, this, &EvaluatePanel::evaluationFinished);
    connect(m_queue, &EvaluationQueue::evaluationFinished, this, &EvaluatePanel::reloadEvaluations);
    connect(m_queue, &EvaluationQueue::queueEmpty, this, &EvaluatePanel::queueEmpty);
    connect(m_session, &WorkspaceSession::opened, this, &EvaluatePanel::reload);
    connect(m_session, &WorkspaceSession::closed, this, &EvaluatePanel::reload);
    reload();
}

void EvaluatePanel::buildLayout()
{
    // What to evaluate (models beside modes), how, then the queue; the workspace's evaluations
    // with their scores below.
    auto *lists = new QHBoxLayout;
    for (auto [label, list] : {std::pair{tr("&Models:"), m_models}, std::pair{tr("M&odes:"), m_modes}}) {
        auto *column = new QVBoxLayout;
        column->addWidget(layouts::buddyLabel(label, list, this));
        column->addWidget(list, 1);
        lists->addLayout(column, 1);
    }
    auto *form = new QFormLayout;
    form->addRow(tr("&Split:"), m_split);
    form->addRow(tr("&Limit:"), m_limit);
    form->addRow(tr("&Batch:"), m_batch);
    form->addRow(tr("&Name:"), m_name);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_queueButton);
    buttons->addWidget(m_cancel);
    buttons->addStretch(1);
    auto [top, topLayout] = layouts::pane<QVBoxLayout>(this);
    topLayout->addLayout(lists, 1);
    topLayout->addLayout(form);
    topLayout->addLayout(buttons);
    topLayout->addWidget(m_progress);
    topLayout->addWidget(m_status);
    topLayout->addWidget(new QLabel(tr("Queue and this session's evaluations:"), this));
    topLayout->addWidget(m_queueList);
    auto [bottom, bottomLayout] = layouts::pane<QVBoxLayout>(this);
    bottomLayout->addWidget(new QLabel(tr("Evaluations in this workspace:"), this));
    bottomLayout->addWidget(m_table, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(layouts::splitter(Qt::Vertical, this, {top, bottom}, {1, 1}), 1);
}

void EvaluatePanel::reload()
{
    QStringList checkedModels, checkedModes;
    for (int i = 0; i < m_models->count(); ++i)
        if (m_models->item(i)->checkState() == Qt::Checked)
            checkedModels << m_models->item(i)->data(Qt::UserRole).toString();
    for (int i = 0; i < m_modes->count(); ++i)
        if (m_modes->item(i)->checkState() == Qt::Checked)
            checkedModes << m_modes->item(i)->data(Qt::UserRole).toString();
    m_models->clear();
    m_modes->clear();
    if (m_session->isOpen()) {
        if (auto models = m_session->models()) {
            for (const store::ModelRecord &m : *models) {
                auto *item = new QListWidgetItem(m.role == store::ModelRole::Student ? tr("%1 (student)").arg(m.name) : m.name, m_models);
                item->setData(Qt::UserRole, QString::number(m.id));
                item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
                item->setCheckState(checkedModels.contains(QString::number(m.id)) ? Qt::Checked : Qt::Unchecked);
            }
        }
        std::vector<std::pair<QString, QString>> modes{{QStringLiteral("direct"), tr("Direct answer")},
                                                       {QStringLiteral("ensemble"), tr("Two-step ensemble of every prompt (majority vote)")},
                                                       {QStringLiteral("ensemble-logprob"), tr("Two-step ensemble of every prompt (log-probability vote)")}};
        if (auto prompts = m_session->prompts()) {
            QStringList seen;
            for (const store::PromptVersion &p : *prompts) {
                if (seen.contains(p.name))
                    continue;
                seen << p.name;
                modes.emplace_back(QStringLiteral("two-step:%1").arg(p.name), tr("Two-step with prompt %1").arg(p.name));
            }
        }
        for (const auto &[key, text] : modes) {
            auto *item = new QListWidgetItem(text, m_modes);
            item->setData(Qt::UserRole, key);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            item->setCheckState(checkedModes.contains(key) ? Qt::Checked : Qt::Unchecked);
        }
    }
    reloadEvaluations();
    updateButtons();
}

void EvaluatePanel::reloadEvaluations()
{
    if (!m_session->isOpen()) {
        m_tableModel->setTable({});
        return;
    }
    auto rows = m_queue->scored();
    if (!rows) {
        Q_EMIT errorOccurred(tr("Evaluate"), rows.error());
        return;
    }
    m_tableModel->setTable(ComparisonTables::scored(*rows));
    m_table->resizeColumnsToContents();
}

bool EvaluatePanel::enqueue()
{
    if (!m_session->isOpen()) {
        Q_EMIT errorOccurred(tr("Evaluate"), tr("Open a workspace first."));
        return false;
    }
    EvaluationQueue::Request request;
    for (int i = 0; i < m_models->count(); ++i)
        if (m_models->item(i)->checkState() == Qt::Checked)
            request.modelIds << m_models->item(i)->data(Qt::UserRole).toString();
    for (int i = 0; i < m_modes->count(); ++i)
        if (m_modes->item(i)->checkState() == Qt::Checked)
            request.modes << m_modes->item(i)->data(Qt::UserRole).toString();
    if (request.modelIds.isEmpty() || request.modes.isEmpty()) {
        Q_EMIT errorOccurred(tr("Evaluate"), tr("Check at least one model and one mode."));
        return false;
    }
    request.split = m_split->currentData().toString();
    request.limit = m_limit->value();
    request.batch = m_batch->value();
    request.name = m_name->text().trimmed();
    if (auto queued = m_queue->enqueue(request); !queued) {
        Q_EMIT errorOccurred(tr("Evaluate"), queued.error());
        return false;
    }
    m_name->clear();
    updateButtons();
    return true;
}

void EvaluatePanel::cancel()
{
    m_queue->cancel();
}

bool EvaluatePanel::isRunning() const
{
    return m_queue->isRunning();
}

int EvaluatePanel::queued() const
{
    return m_queue->queued();
}

ChildRun *EvaluatePanel::child() const
{
    return m_queue->child();
}

QStringList EvaluatePanel::started() const
{
    return m_queue->started();
}

void EvaluatePanel::onChanged(int done, int total)
{
    if (total > 0) {
        m_progress->setRange(0, total);
        m_progress->setValue(done);
    } else if (m_queue->isRunning()) {
        m_progress->setRange(0, 0);
    }
    m_status->setText(m_queue->statusText());
    m_queueList->clear();
    m_queueList->addItems(m_queue->lines());
    updateButtons();
}

void EvaluatePanel::updateButtons()
{
    m_queueButton->setEnabled(m_session->isOpen());
    m_cancel->setEnabled(!m_queue->isEmpty());
}

} // namespace sdrt::ui
