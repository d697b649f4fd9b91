#include "sdrt/ui/DistillPanel.h"

#include "sdrt/common/Log.h"
#include "sdrt/distill/DistillConfig.h"
#include "sdrt/review/Policy.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/DistillRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/OutputFile.h"
#include "sdrt/store/ReviewRepository.h"
#include "sdrt/store/RunProtocol.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/ChildRun.h"
#include "sdrt/ui/RunText.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QScrollArea>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace sdrt::ui {

namespace {

const char *const kTerms[] = {"ce", "hidden", "entropy", "loss", "lr"};

std::optional<std::vector<int>> parseInts(const QString &text)
{
    std::vector<int> out;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int v = part.trimmed().toInt(&ok);
        if (!ok || v < 0)
            return std::nullopt;
        out.push_back(v);
    }
    return out;
}

QDoubleSpinBox *doubleBox(QWidget *parent, double lo, double hi, double value, int decimals, double step)
{
    auto *b = new QDoubleSpinBox(parent);
    b->setRange(lo, hi);
    b->setDecimals(decimals);
    b->setSingleStep(step);
    b->setValue(value);
    return b;
}

QSpinBox *intBox(QWidget *parent, int lo, int hi, int value)
{
    auto *b = new QSpinBox(parent);
    b->setRange(lo, hi);
    b->setValue(value);
    return b;
}

} // namespace

DistillPanel::DistillPanel(WorkspaceSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_child(new ChildRun(this)), m_follow(new QTimer(this)), m_status(new QLabel(this)),
      m_runs(new QTableWidget(this)), m_chart(new QChart), m_axisX(new QValueAxis), m_axisLoss(new QValueAxis), m_axisLr(new QValueAxis),
      m_lineage(new QLabel(this))
{
    setObjectName(QStringLiteral("distillPanel"));
    m_form = buildForm();
    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    scroll->setMinimumWidth(360);

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

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(scroll, 1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_resume);
    leftLayout->addLayout(buttons);
    m_status->setObjectName(QStringLiteral("distillStatus"));
    m_status->setWordWrap(true);
    leftLayout->addWidget(m_status);

    m_runs->setObjectName(QStringLiteral("distillRuns"));
    m_runs->setColumnCount(7);
    m_runs->setHorizontalHeaderLabels({tr("Run"), tr("Status"), tr("Base"), tr("Steps"), tr("Settings"), tr("Final losses"), tr("Duration")});
    m_runs->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runs->setSelectionMode(QAbstractItemView::SingleSelection);
    m_runs->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_runs->verticalHeader()->hide();
    m_runs->horizontalHeader()->setStretchLastSection(true);
    connect(m_runs, &QTableWidget::itemSelectionChanged, this, [this] {
        const int row = m_runs->currentRow();
        if (row >= 0 && m_runs->item(row, 0) && m_runs->item(row, 0)->text() != m_shownRun)
            showRun(m_runs->item(row, 0)->text());
        updateButtons();
    });

    const QString names[] = {tr("cross-entropy"), tr("hidden-state"), tr("ensemble entropy"), tr("total loss"), tr("learning rate")};
    m_chart->addAxis(m_axisX, Qt::AlignBottom);
    m_chart->addAxis(m_axisLoss, Qt::AlignLeft);
    m_chart->addAxis(m_axisLr, Qt::AlignRight);
    m_axisX->setTitleText(tr("step"));
    m_axisX->setLabelFormat(QStringLiteral("%d"));
    m_axisLoss->setTitleText(tr("loss"));
    m_axisLr->setTitleText(tr("learning rate"));
    m_axisLr->setLabelFormat(QStringLiteral("%.1e"));
    for (int i = 0; i < 5; ++i) {
        auto *s = new QLineSeries;
        s->setName(names[i]);
        m_chart->addSeries(s);
        s->attachAxis(m_axisX);
        s->attachAxis(i == 4 ? m_axisLr : m_axisLoss);
        m_series.push_back(s);
    }
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    auto *chartView = new QChartView(m_chart, this);
    chartView->setObjectName(QStringLiteral("distillChart"));
    chartView->setRenderHint(QPainter::Antialiasing);
    chartView->setMinimumHeight(240);

    m_lineage->setObjectName(QStringLiteral("distillLineage"));
    m_lineage->setWordWrap(true);
    m_lineage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *lineageBox = new QWidget(this);
    auto *lineageLayout = new QVBoxLayout(lineageBox);
    lineageLayout->setContentsMargins(0, 0, 0, 0);
    lineageLayout->addWidget(m_lineage);
    lineageLayout->addWidget(m_reviewTraces, 0, Qt::AlignLeft);

    auto *right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_runs);
    right->addWidget(chartView);
    right->addWidget(lineageBox);
    right->setStretchFactor(1, 1);

    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_child, &ChildRun::jsonLine, this, &DistillPanel::onChildLine);
    connect(m_child, &ChildRun::stderrLine, this, &DistillPanel::stderrLine);
    connect(m_child, &ChildRun::finished, this, &DistillPanel::onChildFinished);
    m_follow->setInterval(500);
    connect(m_follow, &QTimer::timeout, this, &DistillPanel::followLog);
    connect(m_session, &WorkspaceSession::opened, this, &DistillPanel::reload);
    connect(m_session, &WorkspaceSession::closed, this, &DistillPanel::reload);
    reload();
}

QWidget *DistillPanel::buildForm()
{
    const distill::DistillConfig d;
    auto *form = new QWidget(this);
    auto *outer = new QVBoxLayout(form);

    auto *runBox = new QGroupBox(tr("Run"), form);
    auto *runForm = new QFormLayout(runBox);
    m_name = new QLineEdit(runBox);
    m_name->setObjectName(QStringLiteral("distillName"));
    m_name->setPlaceholderText(tr("distill-<UTC time>"));
    m_name->setToolTip(tr("The run's name, also the student model's name"));
    m_base = new QComboBox(runBox);
    m_base->setObjectName(QStringLiteral("distillBase"));
    m_processes = intBox(runBox, 1, 64, 1);
    m_processes->setToolTip(tr("Local data-parallel processes (the batch is split between them)"));
    runForm->addRow(tr("&Name:"), m_name);
    runForm->addRow(tr("&Base model:"), m_base);
    runForm->addRow(tr("&Processes:"), m_processes);
    outer->addWidget(runBox);

    auto *dataBox = new QGroupBox(tr("Approved traces"), form);
    auto *dataForm = new QFormLayout(dataBox);
    m_workspacePolicy = new QCheckBox(tr("The workspace's approval policy"), dataBox);
    m_workspacePolicy->setChecked(true);
    m_workspacePolicy->setObjectName(QStringLiteral("distillWorkspacePolicy"));
    m_minAccepts = intBox(dataBox, 1, 100, 1);
    m_maxRejects = intBox(dataBox, -1, 100, 0);
    m_minAccepts->setObjectName(QStringLiteral("distillMinAccepts"));
    m_maxRejects->setSpecialValueText(tr("any"));
    m_approved = new QLabel(dataBox);
    m_approved->setObjectName(QStringLiteral("distillApproved"));
    m_approved->setWordWrap(true);
    m_maxTraces = intBox(dataBox, 0, 10000000, d.maxTraces);
    m_maxTraces->setSpecialValueText(tr("all"));
    dataForm->addRow(m_workspacePolicy);
    dataForm->addRow(tr("Min. accepts:"), m_minAccepts);
    dataForm->addRow(tr("Max. rejects:"), m_maxRejects);
    dataForm->addRow(m_approved);
    dataForm->addRow(tr("Max. traces:"), m_maxTraces);
    outer->addWidget(dataBox);
    for (QSpinBox *b : {m_minAccepts, m_maxRejects})
        connect(b, &QSpinBox::valueChanged, this, &DistillPanel::updateApproved);
    connect(m_workspacePolicy, &QCheckBox::toggled, this, [this](bool on) {
        m_minAccepts->setEnabled(!on);
        m_maxRejects->setEnabled(!on);
        updateApproved();
    });
    m_minAccepts->setEnabled(false);
    m_maxRejects->setEnabled(false);

    auto *modBox = new QGroupBox(tr("Modules"), form);
    auto *modForm = new QFormLayout(modBox);
    m_adapter = new QCheckBox(tr("Intervention adapter (LoReFT)"), modBox);
    m_adapter->setChecked(d.adapter);
    m_layers = new QLineEdit(modBox);
    m_layers->setObjectName(QStringLiteral("distillLayers"));
    m_layers->setPlaceholderText(tr("the middle layer"));
    m_layers->setToolTip(tr("Decoder layers the adapter edits, comma separated (Hugging Face numbering)"));
    m_rank = intBox(modBox, 1, 256, d.rank);
    m_positions = intBox(modBox, 1, 64, d.positions);
    m_skip = new QCheckBox(tr("Vision-language skip"), modBox);
    m_skip->setChecked(d.skip);
    m_skipRank = intBox(modBox, 1, 256, d.skipRank);
    m_ensemble = new QCheckBox(tr("Ensemble weights over prompt versions"), modBox);
    m_ensemble->setChecked(d.ensemble);
    m_conditioned = new QCheckBox(tr("Weights depend on the item"), modBox);
    m_conditioned->setChecked(d.ensembleConditioned);
    m_entropy = doubleBox(modBox, 0, 10, d.ensembleEntropy, 3, 0.01);
    modForm->addRow(m_adapter);
    modForm->addRow(tr("Layers:"), m_layers);
    modForm->addRow(tr("Rank:"), m_rank);
    modForm->addRow(tr("Positions:"), m_positions);
    modForm->addRow(m_skip);
    modForm->addRow(tr("Skip rank:"), m_skipRank);
    modForm->addRow(m_ensemble);
    modForm->addRow(m_conditioned);
    modForm->addRow(tr("Entropy bonus ε:"), m_entropy);
    outer->addWidget(modBox);

    auto *lossBox = new QGroupBox(tr("Loss"), form);
    auto *lossForm = new QFormLayout(lossBox);
    m_crossEntropy = new QCheckBox(tr("Cross-entropy on the approved answers"), lossBox);
    m_crossEntropy->setChecked(d.crossEntropy);
    m_lambda = doubleBox(lossBox, 0, 100, d.lambdaHidden, 3, 0.1);
    m_lambda->setToolTip(tr("Weight λ of the hidden-state term; 0 turns it off"));
    m_hiddenLoss = new QComboBox(lossBox);
    m_hiddenLoss->addItem(tr("Mean squared error"), int(distill::HiddenStateLoss::Mse));
    m_hiddenLoss->addItem(tr("1 − cosine"), int(distill::HiddenStateLoss::Cosine));
    m_hiddenLayers = new QLineEdit(lossBox);
    m_hiddenLayers->setPlaceholderText(tr("every stored layer"));
    lossForm->addRow(m_crossEntropy);
    lossForm->addRow(tr("Hidden-state λ:"), m_lambda);
    lossForm->addRow(tr("Hidden-state loss:"), m_hiddenLoss);
    lossForm->addRow(tr("Hidden-state layers:"), m_hiddenLayers);
    outer->addWidget(lossBox);

    auto *optBox = new QGroupBox(tr("Optimisation"), form);
    auto *optForm = new QFormLayout(optBox);
    m_steps = intBox(optBox, 1, 10000000, d.steps);
    m_steps->setObjectName(QStringLiteral("distillSteps"));
    m_batch = intBox(optBox, 1, 4096, d.batch);
    m_batch->setObjectName(QStringLiteral("distillBatch"));
    m_learningRate = doubleBox(optBox, 0.000001, 10, d.learningRate, 6, 0.001);
    m_warmup = intBox(optBox, 0, 1000000, d.warmupSteps);
    m_weightDecay = doubleBox(optBox, 0, 10, d.weightDecay, 4, 0.01);
    m_gradClip = doubleBox(optBox, 0, 1000, d.gradClip, 3, 0.1);
    m_gradClip->setSpecialValueText(tr("off"));
    m_checkpointEvery = intBox(optBox, 1, 1000000, d.checkpointEvery);
    m_seed = intBox(optBox, 0, 2147483647, int(d.seed));
    optForm->addRow(tr("S&teps:"), m_steps);
    optForm->addRow(tr("Batch (traces per step):"), m_batch);
    optForm->addRow(tr("Learning rate:"), m_learningRate);
    optForm->addRow(tr("Warm-up steps:"), m_warmup);
    optForm->addRow(tr("Weight decay:"), m_weightDecay);
    optForm->addRow(tr("Gradient clip:"), m_gradClip);
    optForm->addRow(tr("Checkpoint every:"), m_checkpointEvery);
    optForm->addRow(tr("Seed:"), m_seed);
    outer->addWidget(optBox);
    outer->addStretch(1);
    return form;
}

bool DistillPanel::fillConfig(distill::DistillConfig &c, QString *error) const
{
    c.steps = m_steps->value();
    c.batch = m_batch->value();
    c.learningRate = m_learningRate->value();
    c.warmupSteps = m_warmup->value();
    c.weightDecay = m_weightDecay->value();
    c.gradClip = m_gradClip->value();
    c.checkpointEvery = m_checkpointEvery->value();
    c.seed = std::uint64_t(m_seed->value());
    c.adapter = m_adapter->isChecked();
    const auto layers = parseInts(m_layers->text());
    if (!layers) {
        *error = tr("Layers: \"%1\" is not a comma-separated list of layer numbers.").arg(m_layers->text());
        return false;
    }
    c.layers = *layers;
    c.rank = m_rank->value();
    c.positions = m_positions->value();
    c.skip = m_skip->isChecked();
    c.skipRank = m_skipRank->value();
    c.ensemble = m_ensemble->isChecked();
    c.ensembleConditioned = m_conditioned->isChecked();
    c.ensembleEntropy = m_entropy->value();
    c.crossEntropy = m_crossEntropy->isChecked();
    c.lambdaHidden = m_lambda->value();
    c.hiddenLoss = distill::HiddenStateLoss(m_hiddenLoss->currentData().toInt());
    const auto hiddenLayers = parseInts(m_hiddenLayers->text());
    if (!hiddenLayers) {
        *error = tr("Hidden-state layers: \"%1\" is not a comma-separated list of layer numbers.").arg(m_hiddenLayers->text());
        return false;
    }
    c.hiddenLayers = *hiddenLayers;
    if (!m_workspacePolicy->isChecked())
        c.policy = QStringLiteral("%1,%2").arg(m_minAccepts->value()).arg(m_maxRejects->value());
    c.maxTraces = m_maxTraces->value();
    if (!c.adapter && !c.skip && !c.ensemble) {
        *error = tr("Turn on at least one module (adapter, skip or ensemble weights): otherwise nothing is trained.");
        return false;
    }
    if (!c.crossEntropy && c.lambdaHidden <= 0) {
        *error = tr("Turn on the cross-entropy term or give the hidden-state term a weight above 0: otherwise there is no loss.");
        return false;
    }
    if (c.batch % m_processes->value() != 0) {
        *error = tr("The batch (%1) must split evenly over %2 processes.").arg(c.batch).arg(m_processes->value());
        return false;
    }
    // The same checks as the command line's, by a round trip through the config's own parser.
    auto parsed = distill::DistillConfig::fromJson(c.toJson());
    if (!parsed) {
        *error = parsed.error();
        return false;
    }
    return true;
}

QString DistillPanel::formError() const
{
    distill::DistillConfig c;
    QString error;
    if (!m_session->isOpen())
        return tr("Open a workspace first.");
    if (m_base->currentIndex() < 0 || m_base->currentData().toLongLong() <= 0)
        return tr("Choose a base model (register one with sdrt model register).");
    const QString name = m_name->text().trimmed();
    if (!name.isEmpty()) {
        if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')) || name.startsWith(QLatin1Char('.')))
            return tr("The run name \"%1\" may not contain / or \\ or start with a dot.").arg(name);
        auto existing = store::DistillRepository(m_session->workspace()->db()).findByName(name);
        if (existing && *existing)
            return tr("There is already a run \"%1\": choose another name, or select it and Resume.").arg(name);
    }
    if (!fillConfig(c, &error))
        return error;
    return {};
}

QByteArray DistillPanel::configJson() const
{
    distill::DistillConfig c;
    QString error;
    fillConfig(c, &error);
    return c.toJson();
}

void DistillPanel::reload()
{
    const qint64 current = m_base->currentData().toLongLong();
    m_base->clear();
    if (m_session->isOpen()) {
        auto models = store::ModelRepository(m_session->workspace()->db()).list();
        if (models) {
            for (const store::ModelRecord &m : *models)
                if (m.role != store::ModelRole::Student)
                    m_base->addItem(m.name, qint64(m.id));
        }
        m_base->setCurrentIndex(std::max(0, m_base->findData(current)));
    }
    updateApproved();
    reloadRuns();
    updateButtons();
}

void DistillPanel::updateApproved()
{
    if (!m_session->isOpen()) {
        m_approved->clear();
        return;
    }
    auto session = review::ReviewSession::load(m_session->workspace()->db());
    if (!session) {
        m_approved->setText(session.error());
        return;
    }
    if (!m_workspacePolicy->isChecked())
        (*session)->usePolicy(review::ApprovalPolicy{m_minAccepts->value(), m_maxRejects->value()});
    const int n = int((*session)->approvedTraces().size());
    m_approved->setText(tr("%n approved trace(s) under %1; the run uses those of train items made by the base model.", nullptr, n)
                            .arg((*session)->policy().describe()));
}

void DistillPanel::reloadRuns()
{
    const QString selected = m_shownRun;
    m_runs->setRowCount(0);
    if (!m_session->isOpen())
        return;
    store::DistillRepository repo(m_session->workspace()->db());
    // Runs whose process died read as interrupted; if that cannot be written (a read-only
    // workspace), the list still shows them, as the store has them.
    if (auto reconciled = repo.reconcile(); !reconciled)
        sdrt::log::get("ui")->warn("distillation runs: {}", reconciled.error().toStdString());
    auto runs = repo.list();
    if (!runs) {
        Q_EMIT errorOccurred(tr("Distillation runs"), runs.error());
        return;
    }
    store::ModelRepository models(m_session->workspace()->db());
    m_runs->setRowCount(int(runs->size()));
    int row = 0;
    for (const store::DistillRun &r : *runs) {
        QString baseName = QString::number(r.baseModelId);
        if (auto m = models.find(r.baseModelId); m && *m)
            baseName = (*m)->name;
        const QJsonObject cfg = QJsonDocument::fromJson(r.config.toUtf8()).object();
        QStringList settings;
        settings << tr("batch %1").arg(cfg.value(QStringLiteral("batch")).toInt()) << tr("lr %1").arg(cfg.value(QStringLiteral("learning_rate")).toDouble())
                 << tr("rank %1").arg(cfg.value(QStringLiteral("rank")).toInt()) << tr("λ %1").arg(cfg.value(QStringLiteral("lambda_hidden")).toDouble());
        for (const char *module : {"adapter", "skip", "ensemble"})
            if (!cfg.value(QLatin1String(module)).toBool(true))
                settings << tr("no %1").arg(QLatin1String(module));
        const QJsonObject losses = QJsonDocument::fromJson(r.finalLosses.toUtf8()).object();
        QStringList lossText;
        for (const char *term : {"ce", "hidden", "loss"})
            if (losses.contains(QLatin1String(term)))
                lossText << QStringLiteral("%1 %2").arg(QLatin1String(term)).arg(losses.value(QLatin1String(term)).toDouble(), 0, 'g', 4);
        QString duration;
        const QDateTime a = QDateTime::fromString(r.startedAt, Qt::ISODateWithMs), b = QDateTime::fromString(r.finishedAt, Qt::ISODateWithMs);
        if (a.isValid() && b.isValid())
            duration = formatSeconds(a.secsTo(b));
        const QString cells[] = {r.name,
                                 runStatusText(r.status),
                                 baseName,
                                 tr("%1 of %2").arg(r.stepsDone).arg(cfg.value(QStringLiteral("steps")).toInt()),
                                 settings.join(QStringLiteral(" · ")),
                                 lossText.join(QStringLiteral(" · ")),
                                 duration};
        for (int col = 0; col < 7; ++col) {
            auto *cell = new QTableWidgetItem(cells[col]);
            if (col == 1 && !r.error.isEmpty())
                cell->setToolTip(r.error);
            m_runs->setItem(row, col, cell);
        }
        m_runs->item(row, 0)->setData(Qt::UserRole, qint64(r.id));
        m_runs->item(row, 0)->setData(Qt::UserRole + 1, int(r.status));
        ++row;
    }
    m_runs->resizeColumnsToContents();
    if (selected.isEmpty() && !runs->empty()) { // a new look at the screen shows the latest run
        showRun(runs->back().name);
        const QSignalBlocker block(m_runs);
        m_runs->selectRow(m_runs->rowCount() - 1);
        return;
    }
    for (int i = 0; i < m_runs->rowCount(); ++i)
        if (m_runs->item(i, 0)->text() == selected) {
            const QSignalBlocker block(m_runs);
            m_runs->selectRow(i);
        }
}

bool DistillPanel::isRunning() const
{
    return m_child->isRunning();
}

bool DistillPanel::start()
{
    if (isRunning()) {
        Q_EMIT errorOccurred(tr("Distillation"), tr("A run is going; cancel it or wait for it to end."));
        return false;
    }
    const QString problem = formError();
    if (!problem.isEmpty()) {
        Q_EMIT errorOccurred(tr("Cannot start the run"), problem);
        return false;
    }
    QString name = m_name->text().trimmed();
    if (name.isEmpty())
        name = QStringLiteral("distill-%1").arg(QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    const QString root = m_session->root();
    QDir().mkpath(store::protocol::RunLogFiles::folder(root));
    const QString configPath = store::protocol::RunLogFiles::pendingConfig(root, name);
    if (auto w = store::writeWorkspaceFile(configPath, configJson()); !w) {
        Q_EMIT errorOccurred(tr("Cannot start the run"), w.error());
        return false;
    }
    QStringList args{QStringLiteral("distill"), root, QStringLiteral("--base"), QString::number(m_base->currentData().toLongLong()),
                     QStringLiteral("--config"), configPath, QStringLiteral("--name"), name};
    if (m_processes->value() > 1)
        args << QStringLiteral("--nproc") << QString::number(m_processes->value());
    const auto logs = store::protocol::RunLogFiles::of(root, QStringLiteral("distill"), name);
    if (!m_child->start(args, logs.stdoutFile, logs.stderrFile)) {
        Q_EMIT errorOccurred(tr("Cannot start the run"), m_child->errorString());
        return false;
    }
    m_childRun = name;
    m_totalSteps = m_steps->value();
    m_name->clear();
    m_status->setText(tr("Run %1: starting (loading the base model and the approved traces)…").arg(name));
    Q_EMIT statusMessage(tr("Distillation run %1 started").arg(name));
    showRun(name);
    updateButtons();
    return true;
}

bool DistillPanel::resumeSelected()
{
    const int row = m_runs->currentRow();
    if (row < 0 || isRunning())
        return false;
    const QString name = m_runs->item(row, 0)->text();
    const auto status = store::RunStatus(m_runs->item(row, 0)->data(Qt::UserRole + 1).toInt());
    if (status == store::RunStatus::Done || status == store::RunStatus::Running) {
        Q_EMIT errorOccurred(tr("Cannot resume"), tr("Run %1 is %2: only a cancelled, failed or interrupted run can be resumed.").arg(name, runStatusText(status)));
        return false;
    }
    const QStringList args{QStringLiteral("distill"), m_session->root(), QStringLiteral("--resume"), name};
    const auto logs = store::protocol::RunLogFiles::of(m_session->root(), QStringLiteral("distill"), name);
    if (!m_child->start(args, logs.stdoutFile, logs.stderrFile)) {
        Q_EMIT errorOccurred(tr("Cannot resume"), m_child->errorString());
        return false;
    }
    m_childRun = name;
    auto existing = store::DistillRepository(m_session->workspace()->db()).findByName(name);
    const QJsonObject cfg = existing && *existing ? QJsonDocument::fromJson((*existing)->config.toUtf8()).object() : QJsonObject{};
    m_totalSteps = cfg.value(QStringLiteral("steps")).toInt();
    m_status->setText(tr("Run %1: resuming from its last checkpoint…").arg(name));
    showRun(name);
    updateButtons();
    return true;
}

void DistillPanel::cancel()
{
    if (!isRunning())
        return;
    m_child->cancel();
    m_status->setText(tr("Run %1: cancelling after the current step…").arg(m_childRun));
}

void DistillPanel::onChildLine(const QJsonObject &line)
{
    namespace protocol = store::protocol;
    switch (protocol::eventOf(line)) {
    case protocol::Event::Step: {
        const protocol::DistillStep step = protocol::decodeDistillStep(line);
        m_status->setText(tr("Run %1: step %2 of %3 · %4 samples/s · ETA %5")
                              .arg(m_childRun)
                              .arg(step.step)
                              .arg(step.steps > 0 ? step.steps : m_totalSteps)
                              .arg(step.samplesPerSecond, 0, 'f', 1)
                              .arg(formatSeconds(step.etaSeconds)));
        followLog();
        break;
    }
    case protocol::Event::Start: reloadRuns(); break;
    default: break;
    }
}

void DistillPanel::onChildFinished()
{
    namespace protocol = store::protocol;
    followLog();
    const QJsonObject last = m_child->lastEvent();
    const protocol::Event event = protocol::eventOf(last);
    const protocol::DistillEnd end = protocol::decodeDistillEnd(last);
    const QString name = m_childRun;
    if (event == protocol::Event::Done)
        m_status->setText(tr("Run %1 done: %2 steps in %3; student model registered.").arg(name).arg(end.steps).arg(formatSeconds(end.seconds)));
    else if (event == protocol::Event::Cancelled)
        m_status->setText(tr("Run %1 cancelled at step %2; Resume continues it.").arg(name).arg(end.steps));
    else {
        QString why = protocol::failureOf(last);
        if (why.isEmpty())
            why = m_child->lastStderrLine().isEmpty() ? tr("the process exited") : m_child->lastStderrLine();
        m_status->setText(tr("Run %1 ended without finishing: %2 (the log panel has its messages).").arg(name, why));
    }
    if (event != protocol::Event::Done && event != protocol::Event::Cancelled)
        Q_EMIT errorOccurred(tr("Distillation run %1").arg(name), m_status->text());
    reloadRuns();
    updateButtons();
    Q_EMIT runFinished(name);
}

void DistillPanel::clearCurves()
{
    for (QLineSeries *s : m_series)
        s->clear();
    m_logOffset = 0;
    m_logPartial.clear();
    m_axisX->setRange(0, 1);
    m_axisLoss->setRange(0, 1);
    m_axisLr->setRange(0, 1e-3);
}

void DistillPanel::addPoint(const QJsonObject &o)
{
    const int step = o.value(QStringLiteral("step")).toInt();
    if (step <= 0)
        return;
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        QLineSeries *s = m_series[i];
        // A resumed run logs again from its checkpoint: its points replace the later ones.
        while (s->count() > 0 && s->at(s->count() - 1).x() >= step)
            s->remove(s->count() - 1);
        const QJsonValue v = o.value(QLatin1String(kTerms[i]));
        if (v.isDouble() && std::isfinite(v.toDouble()))
            s->append(step, v.toDouble());
    }
}

void DistillPanel::followLog()
{
    if (m_shownRun.isEmpty() || !m_session->isOpen())
        return;
    QFile f(store::DistillRunFiles::trainingLog(store::DistillRunFiles::folder(m_session->root(), m_shownRun)));
    if (f.open(QIODevice::ReadOnly)) {
        if (f.size() < m_logOffset) // rewritten: read it again
            clearCurves();
        f.seek(m_logOffset);
        const QByteArray bytes = f.readAll();
        m_logOffset += bytes.size();
        m_logPartial += bytes;
    }
    qsizetype nl;
    bool added = false;
    while ((nl = m_logPartial.indexOf('\n')) >= 0) {
        const QJsonDocument doc = QJsonDocument::fromJson(m_logPartial.left(nl));
        m_logPartial.remove(0, nl + 1);
        if (doc.isObject()) {
            addPoint(doc.object());
            added = true;
        }
    }
    if (added) {
        double maxX = 1, maxLoss = 0, minLoss = 0, maxLr = 0;
        for (std::size_t i = 0; i < m_series.size(); ++i)
            for (const QPointF &p : m_series[i]->points()) {
                maxX = std::max(maxX, p.x());
                if (i == 4)
                    maxLr = std::max(maxLr, p.y());
                else {
                    maxLoss = std::max(maxLoss, p.y());
                    minLoss = std::min(minLoss, p.y());
                }
            }
        m_axisX->setRange(0, std::max(maxX, double(m_totalSteps)));
        m_axisLoss->setRange(minLoss, maxLoss > minLoss ? maxLoss * 1.05 : minLoss + 1);
        m_axisLr->setRange(0, maxLr > 0 ? maxLr * 1.05 : 1e-3);
    }
    // Past runs are read once; a live one (this panel's child or another process's) is followed.
    const bool live = (isRunning() && m_childRun == m_shownRun) || [&] {
        auto r = store::DistillRepository(m_session->workspace()->db()).findByName(m_shownRun);
        return r && *r && store::DistillRepository(m_session->workspace()->db()).isLive((*r)->id);
    }();
    if (live && !m_follow->isActive())
        m_follow->start();
    else if (!live)
        m_follow->stop();
}

int DistillPanel::curvePoints() const
{
    int n = 0;
    for (const QLineSeries *s : m_series)
        n += s->count();
    return n;
}

void DistillPanel::showRun(const QString &name)
{
    m_shownRun = name;
    clearCurves();
    m_lineage->clear();
    if (!m_session->isOpen() || name.isEmpty())
        return;
    store::DistillRepository repo(m_session->workspace()->db());
    auto run = repo.findByName(name);
    if (run && *run) {
        const QJsonObject cfg = QJsonDocument::fromJson((*run)->config.toUtf8()).object();
        if (!(isRunning() && m_childRun == name))
            m_totalSteps = cfg.value(QStringLiteral("steps")).toInt();
        m_chart->setTitle(tr("Run %1").arg(name));
        auto lineage = repo.lineage((*run)->id);
        if (lineage) {
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
    } else {
        m_chart->setTitle(tr("Run %1 (starting)").arg(name));
    }
    followLog();
    updateButtons();
}

QString DistillPanel::lineageText() const
{
    return m_lineage->text();
}

void DistillPanel::reviewLineage()
{
    if (m_shownRun.isEmpty() || !m_session->isOpen())
        return;
    store::Database &db = m_session->workspace()->db();
    store::DistillRepository repo(db);
    auto run = repo.findByName(m_shownRun);
    if (!run || !*run)
        return;
    auto traces = repo.traces((*run)->id);
    if (!traces) {
        Q_EMIT errorOccurred(tr("Lineage"), traces.error());
        return;
    }
    store::TraceRepository traceRepo(db);
    std::vector<store::Id> items;
    for (const store::RunTrace &t : *traces)
        if (auto trace = traceRepo.get(t.traceId); trace && *trace)
            items.push_back((*trace)->itemId);
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    const QString source = tr("distillation run %1").arg(m_shownRun);
    auto r = store::ReviewRepository(db).addMarks(items, source);
    if (!r) {
        Q_EMIT errorOccurred(tr("Lineage"), r.error());
        return;
    }
    Q_EMIT reviewRequested(source);
}

void DistillPanel::updateButtons()
{
    const bool open = m_session->isOpen();
    const bool running = isRunning();
    m_start->setEnabled(open && !running);
    m_cancel->setEnabled(running);
    const int row = m_runs->currentRow();
    bool resumable = false;
    if (row >= 0 && m_runs->item(row, 0)) {
        const auto status = store::RunStatus(m_runs->item(row, 0)->data(Qt::UserRole + 1).toInt());
        resumable = status == store::RunStatus::Cancelled || status == store::RunStatus::Failed || status == store::RunStatus::Interrupted;
    }
    m_resume->setEnabled(open && !running && resumable);
    m_reviewTraces->setEnabled(open && !m_lineage->text().isEmpty());
}

} // namespace sdrt::ui
