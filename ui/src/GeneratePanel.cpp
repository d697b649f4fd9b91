#include "sdrt/ui/GeneratePanel.h"

#include "sdrt/ui/ElidingComboBox.h"
#include "sdrt/distill/Models.h"

#include "sdrt/common/Log.h"

#include "sdrt/ui/GenerateRunner.h"
#include "sdrt/ui/RunText.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>


namespace sdrt::ui {


GeneratePanel::GeneratePanel(WorkspaceSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_runner(new GenerateRunner(this)), m_model(new ElidingComboBox(this)), m_prompts(new QListWidget(this)),
      m_split(new ElidingComboBox(this)), m_family(new ElidingComboBox(this)), m_currentOnly(new QCheckBox(tr("Only the selected item"), this)),
      m_samples(new QSpinBox(this)), m_temperature(new QDoubleSpinBox(this)), m_batch(new QSpinBox(this)), m_step1Tokens(new QSpinBox(this)),
      m_hidden(new QCheckBox(tr("Store hidden states for distillation"), this)), m_run(new QPushButton(tr("&Run"), this)),
      m_cancel(new QPushButton(tr("Cancel"), this)), m_progress(new QProgressBar(this)), m_status(new QLabel(this)),
      m_runs(new QLabel(this))
{
    setObjectName(QStringLiteral("generatePanel"));
    m_model->setObjectName(QStringLiteral("generateModel"));
    m_prompts->setObjectName(QStringLiteral("generatePrompts"));
    m_run->setObjectName(QStringLiteral("generateRun"));
    m_cancel->setObjectName(QStringLiteral("generateCancel"));
    m_progress->setObjectName(QStringLiteral("generateProgress"));
    m_status->setObjectName(QStringLiteral("generateStatus"));
    m_runs->setObjectName(QStringLiteral("generateRuns"));
    m_runs->setWordWrap(true);
    m_runs->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_currentOnly->setObjectName(QStringLiteral("generateCurrentOnly"));
    m_prompts->setMaximumHeight(140);
    m_split->addItem(tr("Train and eval"));
    m_split->addItem(tr("Train"), int(store::Split::Train));
    m_split->addItem(tr("Eval"), int(store::Split::Eval));
    m_samples->setRange(1, 32);
    m_temperature->setRange(0.0, 2.0);
    m_temperature->setSingleStep(0.1);
    m_temperature->setDecimals(2);
    m_temperature->setToolTip(tr("0 is greedy decoding; several samples per prompt need a temperature above 0."));
    m_batch->setRange(1, 256);
    m_batch->setValue(8);
    m_step1Tokens->setRange(8, 4096);
    m_step1Tokens->setValue(teacher::TeacherSampling{}.step1MaxTokens);
    m_hidden->setChecked(true);
    m_status->setWordWrap(true);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);

    buildLayout();
    connect(m_run, &QPushButton::clicked, this, &GeneratePanel::start);
    connect(m_cancel, &QPushButton::clicked, this, &GeneratePanel::cancel);
    connect(m_samples, &QSpinBox::valueChanged, this, [this](int n) {
        if (n > 1 && m_temperature->value() <= 0)
            m_temperature->setValue(0.7);
    });
    connect(m_runner, &GenerateRunner::progress, this, [this](const teacher::GenerationProgress &p) {
        m_progress->setRange(0, std::max(1, p.total));
        m_progress->setValue(p.done);
        m_status->setText(tr("%1 of %2 traces, %3 failed · %4 traces/min · ETA %5")
                              .arg(p.done)
                              .arg(p.total)
                              .arg(p.failed)
                              .arg(p.tracesPerSecond * 60, 0, 'f', 1)
                              .arg(formatSeconds(p.etaSeconds)));
    });
    connect(m_runner, &GenerateRunner::tracesStored, this, &GeneratePanel::tracesStored);
    connect(m_runner, &GenerateRunner::finished, this, &GeneratePanel::onFinished);
    connect(session, &WorkspaceSession::opened, this, &GeneratePanel::reload);
    connect(session, &WorkspaceSession::itemsChanged, this, &GeneratePanel::reload);
    connect(session, &WorkspaceSession::closed, this, [this] {
        cancel();
        reload();
    });
    reload();
}

void GeneratePanel::buildLayout()
{
    m_settings = new QWidget(this);
    auto *form = new QFormLayout(m_settings);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Model:"), m_model);
    form->addRow(tr("Prompts:"), m_prompts);
    form->addRow(tr("Split:"), m_split);
    form->addRow(tr("Task family:"), m_family);
    form->addRow(QString(), m_currentOnly);
    form->addRow(tr("Samples per prompt:"), m_samples);
    form->addRow(tr("Temperature:"), m_temperature);
    form->addRow(tr("Batch size:"), m_batch);
    form->addRow(tr("Analysis tokens:"), m_step1Tokens);
    form->addRow(QString(), m_hidden);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_settings);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_runs);
    layout->addStretch();
}

void GeneratePanel::reload()
{
    m_model->clear();
    m_prompts->clear();
    m_family->clear();
    m_family->addItem(tr("All families"), QString());
    QStringList problems; // a database error is shown as such, never as "nothing registered"
    if (m_session->isOpen()) {
        if (auto models = m_session->models()) {
            for (const auto &m : *models)
                m_model->addItem(QStringLiteral("%1 (%2, %3)").arg(m.name, m.role == store::ModelRole::Student ? tr("student") : tr("base"), m.contentHash.left(8)), qint64(m.id));
        } else {
            problems << tr("Cannot read the models: %1").arg(models.error());
        }
        if (auto versions = m_session->newestPrompts()) {
            for (const auto &v : *versions) {
                auto *row = new QListWidgetItem(QStringLiteral("%1 v%2").arg(v.name).arg(v.version), m_prompts);
                row->setData(Qt::UserRole, qint64(v.id));
                row->setToolTip(v.description);
                row->setFlags(row->flags() | Qt::ItemIsUserCheckable);
                row->setCheckState(Qt::Checked);
            }
        } else {
            problems << tr("Cannot read the prompts: %1").arg(versions.error());
        }
        if (auto families = m_session->taskFamilies()) {
            for (const QString &f : *families)
                m_family->addItem(f, f);
        } else {
            problems << tr("Cannot read the task families: %1").arg(families.error());
        }
    }
    for (const QString &p : problems)
        sdrt::log::get("ui")->error("{}", p.toStdString());
    reloadRuns();
    if (!problems.isEmpty())
        m_status->setText(problems.join(QLatin1Char('\n')));
    else if (m_model->count() == 0)
        m_status->setText(m_session->isOpen() ? tr("No model registered in this workspace: sdrt model register WS DIR.") : QString());
    else if (m_prompts->count() == 0)
        m_status->setText(tr("No prompts registered in this workspace: sdrt prompts register WS."));
    else if (!isRunning())
        m_status->clear();
    updateButtons();
}

void GeneratePanel::reloadRuns()
{
    m_runs->clear();
    if (!m_session->isOpen())
        return;
    auto runs = m_session->generationRuns();
    if (!runs) {
        m_runs->setText(tr("Cannot read the runs: %1").arg(runs.error()));
        return;
    }
    QStringList lines;
    auto statusText = [this](store::RunStatus status) {
        switch (status) {
        case store::RunStatus::Pending: return tr("pending");
        case store::RunStatus::Running: return tr("running");
        case store::RunStatus::Done: return tr("done");
        case store::RunStatus::Failed: return tr("failed");
        case store::RunStatus::Cancelled: return tr("cancelled");
        case store::RunStatus::Interrupted:
            return tr("interrupted (its process ended without finishing; Run with the same settings resumes it)");
        }
        return QString();
    };
    for (auto it = runs->rbegin(); it != runs->rend() && lines.size() < 5; ++it) {
        QString line = tr("Run %1: %2 · %3 ok, %4 failed · started %5").arg(it->id).arg(statusText(it->status)).arg(it->tracesOk).arg(it->tracesFailed).arg(localTime(it->startedAt));
        if (it->resumesRunId)
            line += tr(" · resumes run %1").arg(it->resumesRunId);
        lines << line;
    }
    if (!lines.isEmpty())
        m_runs->setText(tr("Latest runs:") + QLatin1Char('\n') + lines.join(QLatin1Char('\n')));
}

bool GeneratePanel::isRunning() const
{
    return m_runner->isRunning();
}

bool GeneratePanel::start()
{
    return startOn({});
}

bool GeneratePanel::startFor(const QList<qint64> &itemIds)
{
    if (itemIds.isEmpty())
        return false;
    return startOn(std::vector<store::Id>(itemIds.begin(), itemIds.end()));
}

bool GeneratePanel::startOn(const std::vector<store::Id> &itemIds)
{
    if (!m_session->isOpen() || isRunning() || m_model->count() == 0) {
        if (!itemIds.empty())
            Q_EMIT errorOccurred(tr("Generate"), isRunning() ? tr("A teacher run is going; wait for it to end.") : tr("No model to generate with."));
        return false;
    }
    teacher::GenerationParams p;
    p.loadModel = distill::loadRegisteredModel; // students too
    p.workspace = m_session->root();
    p.modelId = m_model->currentData().toLongLong();
    for (int i = 0; i < m_prompts->count(); ++i) {
        if (m_prompts->item(i)->checkState() == Qt::Checked)
            p.promptIds.push_back(m_prompts->item(i)->data(Qt::UserRole).toLongLong());
    }
    if (p.promptIds.empty()) {
        Q_EMIT errorOccurred(tr("Generate"), tr("Choose at least one prompt."));
        return false;
    }
    if (!itemIds.empty()) {
        p.itemIds = itemIds; // exactly these, whatever the split and family filters say
    } else if (m_currentOnly->isChecked()) {
        if (m_currentItem == 0) {
            Q_EMIT errorOccurred(tr("Generate"), tr("No item is selected."));
            return false;
        }
        p.itemIds = {m_currentItem};
    }
    if (itemIds.empty()) {
        p.filter.split = splitOf(m_split->currentData());
        p.filter.taskFamily = m_family->currentData().toString();
    }
    p.samples = m_samples->value();
    p.sampling.temperature = float(m_temperature->value());
    p.batch = m_batch->value();
    p.sampling.step1MaxTokens = m_step1Tokens->value();
    p.captureHidden = m_hidden->isChecked();
    if (!m_runner->start(p))
        return false;
    m_progress->setRange(0, 0); // busy until the first batch reports
    m_status->setText(tr("Loading the model…"));
    updateButtons();
    return true;
}

void GeneratePanel::cancel()
{
    if (isRunning()) {
        m_runner->cancel();
        m_status->setText(tr("Cancelling after the current step…"));
    }
}

void GeneratePanel::onFinished(bool ok)
{
    m_progress->setRange(0, 1);
    m_progress->setValue(ok ? 1 : 0);
    updateButtons();
    if (!ok) {
        m_status->setText(tr("Failed: %1").arg(m_runner->lastError()));
        Q_EMIT errorOccurred(tr("Generation failed"), m_runner->lastError());
        return;
    }
    const teacher::GenerationSummary &s = m_runner->lastSummary();
    QString text = s.planned == 0 ? tr("Nothing to do: all %1 traces were already generated.").arg(s.skipped)
                                  : tr("%1%2 traces stored, %3 failed, %4 skipped (already done) in %5 · %6 traces/min")
                                        .arg(s.cancelled ? tr("Cancelled: ") : QString())
                                        .arg(s.ok)
                                        .arg(s.failed)
                                        .arg(s.skipped)
                                        .arg(formatSeconds(s.seconds))
                                        .arg(s.tracesPerMinute, 0, 'f', 1);
    if (s.resumedRun)
        text = tr("Resumed interrupted run %1. ").arg(s.resumedRun->id) + text;
    if (!s.failures.isEmpty())
        text += QLatin1Char('\n') + tr("First failure: %1").arg(s.failures.first());
    m_status->setText(text);
    reloadRuns();
    Q_EMIT finished(text);
}

void GeneratePanel::updateButtons()
{
    const bool running = isRunning();
    m_run->setEnabled(!running && m_session->isOpen() && m_model->count() > 0 && m_prompts->count() > 0);
    m_cancel->setEnabled(running);
    m_settings->setEnabled(!running);
}

} // namespace sdrt::ui
