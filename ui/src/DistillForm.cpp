#include "sdrt/ui/DistillForm.h"

#include "sdrt/ui/ElidingComboBox.h"
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>

namespace sdrt::ui {

namespace {

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

DistillForm::DistillForm(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("distillForm"));
    const distill::DistillConfig d;
    QWidget *form = this;
    auto *outer = new QVBoxLayout(form);

    outer->addWidget(runGroup());
    outer->addWidget(dataGroup(d));
    outer->addWidget(moduleGroup(d));
    outer->addWidget(lossGroup(d));
    outer->addWidget(optimisationGroup(d));
    outer->addStretch(1);
}

QGroupBox *DistillForm::runGroup()
{
    auto *runBox = new QGroupBox(tr("Run"), this);
    auto *runForm = new QFormLayout(runBox);
    m_name = new QLineEdit(runBox);
    m_name->setObjectName(QStringLiteral("distillName"));
    m_name->setPlaceholderText(tr("distill-<UTC time>"));
    m_name->setToolTip(tr("The run's name, also the student model's name"));
    m_base = new ElidingComboBox(runBox);
    m_base->setObjectName(QStringLiteral("distillBase"));
    m_processes = intBox(runBox, 1, 64, 1);
    m_processes->setToolTip(tr("Local data-parallel processes (the batch is split between them)"));
    runForm->addRow(tr("&Name:"), m_name);
    runForm->addRow(tr("&Base model:"), m_base);
    runForm->addRow(tr("&Processes:"), m_processes);

    return runBox;
}

QGroupBox *DistillForm::dataGroup(const distill::DistillConfig &d)
{
    auto *dataBox = new QGroupBox(tr("Approved traces"), this);
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
    for (QSpinBox *b : {m_minAccepts, m_maxRejects})
        connect(b, &QSpinBox::valueChanged, this, &DistillForm::policyChanged);
    connect(m_workspacePolicy, &QCheckBox::toggled, this, [this](bool on) {
        m_minAccepts->setEnabled(!on);
        m_maxRejects->setEnabled(!on);
        Q_EMIT policyChanged();
    });
    m_minAccepts->setEnabled(false);
    m_maxRejects->setEnabled(false);

    return dataBox;
}

QGroupBox *DistillForm::moduleGroup(const distill::DistillConfig &d)
{
    auto *modBox = new QGroupBox(tr("Modules"), this);
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

    return modBox;
}

QGroupBox *DistillForm::lossGroup(const distill::DistillConfig &d)
{
    auto *lossBox = new QGroupBox(tr("Loss"), this);
    auto *lossForm = new QFormLayout(lossBox);
    m_crossEntropy = new QCheckBox(tr("Cross-entropy on the approved answers"), lossBox);
    m_crossEntropy->setChecked(d.crossEntropy);
    m_lambda = doubleBox(lossBox, 0, 100, d.lambdaHidden, 3, 0.1);
    m_lambda->setToolTip(tr("Weight λ of the hidden-state term; 0 turns it off"));
    m_hiddenLoss = new ElidingComboBox(lossBox);
    m_hiddenLoss->addItem(tr("Mean squared error"), int(distill::HiddenStateLoss::Mse));
    m_hiddenLoss->addItem(tr("1 − cosine"), int(distill::HiddenStateLoss::Cosine));
    m_hiddenLayers = new QLineEdit(lossBox);
    m_hiddenLayers->setPlaceholderText(tr("every stored layer"));
    lossForm->addRow(m_crossEntropy);
    lossForm->addRow(tr("Hidden-state λ:"), m_lambda);
    lossForm->addRow(tr("Hidden-state loss:"), m_hiddenLoss);
    lossForm->addRow(tr("Hidden-state layers:"), m_hiddenLayers);

    return lossBox;
}

QGroupBox *DistillForm::optimisationGroup(const distill::DistillConfig &d)
{
    auto *optBox = new QGroupBox(tr("Optimisation"), this);
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
    return optBox;
}

bool DistillForm::fillConfig(distill::DistillConfig &c, QString *error) const
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

QString DistillForm::formError() const
{
    if (baseModel() <= 0)
        return tr("Choose a base model (register one with sdrt model register).");
    const QString name = runName();
    if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')) || name.startsWith(QLatin1Char('.')))
        return tr("The run name \"%1\" may not contain / or \\ or start with a dot.").arg(name);
    distill::DistillConfig c;
    QString error;
    return fillConfig(c, &error) ? QString() : error;
}

QByteArray DistillForm::configJson() const
{
    distill::DistillConfig c;
    QString error;
    fillConfig(c, &error);
    return c.toJson();
}

void DistillForm::setBaseModels(const std::vector<std::pair<QString, store::Id>> &models)
{
    const qint64 current = m_base->currentData().toLongLong();
    m_base->clear();
    for (const auto &[name, id] : models)
        m_base->addItem(name, qint64(id));
    m_base->setCurrentIndex(std::max(0, m_base->findData(current)));
}

store::Id DistillForm::baseModel() const
{
    return m_base->currentIndex() < 0 ? 0 : m_base->currentData().toLongLong();
}

QString DistillForm::runName() const
{
    return m_name->text().trimmed();
}

void DistillForm::clearName()
{
    m_name->clear();
}

int DistillForm::processes() const
{
    return m_processes->value();
}

int DistillForm::steps() const
{
    return m_steps->value();
}

std::optional<review::ApprovalPolicy> DistillForm::policy() const
{
    if (m_workspacePolicy->isChecked())
        return std::nullopt;
    return review::ApprovalPolicy{m_minAccepts->value(), m_maxRejects->value()};
}

void DistillForm::setApprovedText(const QString &text)
{
    m_approved->setText(text);
}

} // namespace sdrt::ui
