#include "sdrt/ui/EvaluatePanel.h"

#include "sdrt/store/RunProtocol.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/ChildRun.h"
#include "sdrt/ui/RunText.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sdrt::ui {

EvaluatePanel::EvaluatePanel(WorkspaceSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_child(new ChildRun(this)), m_models(new QListWidget(this)), m_modes(new QListWidget(this)),
      m_split(new QComboBox(this)), m_limit(new QSpinBox(this)), m_batch(new QSpinBox(this)), m_queueButton(new QPushButton(tr("&Queue Evaluations"), this)),
      m_cancel(new QPushButton(tr("Cancel Evaluations"), this)), m_progress(new QProgressBar(this)), m_status(new QLabel(this)),
      m_queueList(new QListWidget(this))
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

    auto *form = new QFormLayout;
    form->addRow(tr("&Models:"), m_models);
    form->addRow(tr("M&odes:"), m_modes);
    form->addRow(tr("&Split:"), m_split);
    form->addRow(tr("&Limit:"), m_limit);
    form->addRow(tr("&Batch:"), m_batch);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_queueButton);
    buttons->addWidget(m_cancel);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(new QLabel(tr("Queue and this session's evaluations:"), this));
    layout->addWidget(m_queueList, 1);

    connect(m_queueButton, &QPushButton::clicked, this, &EvaluatePanel::enqueue);
    connect(m_cancel, &QPushButton::clicked, this, &EvaluatePanel::cancel);
    connect(m_child, &ChildRun::jsonLine, this, &EvaluatePanel::onLine);
    connect(m_child, &ChildRun::stderrLine, this, &EvaluatePanel::stderrLine);
    connect(m_child, &ChildRun::finished, this, &EvaluatePanel::onFinished);
    connect(m_session, &WorkspaceSession::opened, this, &EvaluatePanel::reload);
    connect(m_session, &WorkspaceSession::closed, this, &EvaluatePanel::reload);
    reload();
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
    updateButtons();
}

bool EvaluatePanel::enqueue()
{
    if (!m_session->isOpen()) {
        Q_EMIT errorOccurred(tr("Evaluate"), tr("Open a workspace first."));
        return false;
    }
    std::vector<std::pair<QString, QString>> models; // id, name
    QStringList modes;
    for (int i = 0; i < m_models->count(); ++i)
        if (m_models->item(i)->checkState() == Qt::Checked)
            models.emplace_back(m_models->item(i)->data(Qt::UserRole).toString(), m_models->item(i)->text());
    for (int i = 0; i < m_modes->count(); ++i)
        if (m_modes->item(i)->checkState() == Qt::Checked)
            modes << m_modes->item(i)->data(Qt::UserRole).toString();
    if (models.empty() || modes.isEmpty()) {
        Q_EMIT errorOccurred(tr("Evaluate"), tr("Check at least one model and one mode."));
        return false;
    }
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    for (const auto &[id, label] : models) {
        for (const QString &mode : modes) {
            QString modeArg = mode, vote;
            if (mode == QLatin1String("ensemble-logprob")) {
                modeArg = QStringLiteral("ensemble");
                vote = QStringLiteral("logprob");
            }
            QString slug = mode;
            slug.replace(QLatin1Char(':'), QLatin1Char('-'));
            const QString name = QStringLiteral("m%1-%2-%3").arg(id, slug, stamp);
            QStringList args{QStringLiteral("eval"), m_session->root(), QStringLiteral("--model"), id, QStringLiteral("--mode"), modeArg,
                             QStringLiteral("--split"), m_split->currentData().toString(), QStringLiteral("--batch"),
                             QString::number(m_batch->value()), QStringLiteral("--name"), name};
            if (!vote.isEmpty())
                args << QStringLiteral("--vote") << vote;
            if (m_limit->value() > 0)
                args << QStringLiteral("--limit") << QString::number(m_limit->value());
            m_queue.push_back({name, args});
        }
    }
    refreshQueueList();
    if (!isRunning())
        startNext();
    updateButtons();
    return true;
}

void EvaluatePanel::startNext()
{
    while (!m_queue.empty() && !isRunning()) {
        const Job job = m_queue.front();
        m_queue.pop_front();
        const auto logs = store::protocol::RunLogFiles::of(m_session->root(), QStringLiteral("eval"), job.name);
        if (!m_child->start(job.args, logs.stdoutFile, logs.stderrFile)) {
            m_finishedLines << tr("%1: could not start (%2)").arg(job.name, m_child->errorString());
            continue;
        }
        m_current = job.name;
        m_started << job.name;
        m_progress->setRange(0, 0);
        m_status->setText(tr("Evaluation %1: loading the model…").arg(job.name));
    }
    refreshQueueList();
    updateButtons();
    if (!isRunning())
        Q_EMIT queueEmpty();
}

void EvaluatePanel::cancel()
{
    m_queue.clear();
    if (isRunning()) {
        m_child->cancel();
        m_status->setText(tr("Evaluation %1: cancelling after the current batch…").arg(m_current));
    }
    refreshQueueList();
}

bool EvaluatePanel::isRunning() const
{
    return m_child->isRunning();
}

void EvaluatePanel::onLine(const QJsonObject &line)
{
    namespace protocol = store::protocol;
    if (protocol::eventOf(line) != protocol::Event::Progress)
        return;
    const protocol::EvalProgress p = protocol::decodeEvalProgress(line);
    m_progress->setRange(0, std::max(1, p.total));
    m_progress->setValue(p.done);
    m_status->setText(tr("Evaluation %1: %2 of %3 items, %4 failed · ETA %5")
                          .arg(m_current)
                          .arg(p.done)
                          .arg(p.total)
                          .arg(p.failed)
                          .arg(formatSeconds(p.etaSeconds)));
}

void EvaluatePanel::onFinished()
{
    namespace protocol = store::protocol;
    const QJsonObject last = m_child->lastEvent();
    const protocol::Event event = protocol::eventOf(last);
    const bool ok = event == protocol::Event::Done;
    if (ok) {
        const protocol::EvalEnd end = protocol::decodeEvalEnd(last);
        m_finishedLines << tr("%1: done, %2 items in %3").arg(m_current).arg(end.items).arg(formatSeconds(end.seconds));
    } else if (event == protocol::Event::Cancelled) {
        m_finishedLines << tr("%1: cancelled (sdrt eval --resume %1 continues it)").arg(m_current);
    } else {
        QString why = protocol::failureOf(last);
        if (why.isEmpty())
            why = m_child->lastStderrLine().isEmpty() ? tr("the process exited; the log panel has its messages") : m_child->lastStderrLine();
        m_finishedLines << tr("%1: failed — %2").arg(m_current, why);
    }
    m_progress->setRange(0, 1);
    m_progress->setValue(ok ? 1 : 0);
    m_status->setText(m_finishedLines.last());
    if (!ok && event != protocol::Event::Cancelled)
        Q_EMIT errorOccurred(tr("Evaluation %1").arg(m_current), m_finishedLines.last());
    const QString name = m_current;
    m_current.clear();
    Q_EMIT evaluationFinished(name, ok);
    startNext();
}

void EvaluatePanel::refreshQueueList()
{
    m_queueList->clear();
    for (const QString &line : m_finishedLines)
        m_queueList->addItem(line);
    if (!m_current.isEmpty())
        m_queueList->addItem(tr("%1: running").arg(m_current));
    for (const Job &job : m_queue)
        m_queueList->addItem(tr("%1: queued").arg(job.name));
}

void EvaluatePanel::updateButtons()
{
    m_queueButton->setEnabled(m_session->isOpen());
    m_cancel->setEnabled(isRunning() || !m_queue.empty());
}

} // namespace sdrt::ui
