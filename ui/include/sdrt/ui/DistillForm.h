#pragma once
// The Distill screen's form: every setting of a distillation run (DistillConfig), the run's
// name, base model and processes, and the approval policy its data is chosen by. It knows no
// workspace: the screen gives it the base models and the approved count.

#include "sdrt/distill/DistillConfig.h"
#include "sdrt/review/Policy.h"
#include "sdrt/store/Types.h"

#include <QWidget>

#include <optional>
#include <utility>
#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace sdrt::ui {

class DistillForm final : public QWidget {
    Q_OBJECT
public:
    explicit DistillForm(QWidget *parent = nullptr);

    void setBaseModels(const std::vector<std::pair<QString, store::Id>> &models);
    store::Id baseModel() const; // 0: none chosen
    QString runName() const;     // trimmed; empty: the job names it
    void clearName();
    int processes() const;
    int steps() const;
    // Unset: the workspace's approval policy.
    std::optional<review::ApprovalPolicy> policy() const;
    void setApprovedText(const QString &text);

    // What is wrong with the form (base model, name, settings), naming the field; empty when
    // it describes a run the command line would accept.
    QString formError() const;
    QByteArray configJson() const;

    QLineEdit *nameField() const { return m_name; }
    QComboBox *baseField() const { return m_base; }
    QSpinBox *stepsField() const { return m_steps; }
    QSpinBox *batchField() const { return m_batch; }
    QSpinBox *checkpointField() const { return m_checkpointEvery; }
    QLineEdit *layersField() const { return m_layers; }

Q_SIGNALS:
    void policyChanged();

private:
    QGroupBox *runGroup();
    QGroupBox *dataGroup(const distill::DistillConfig &d);
    QGroupBox *moduleGroup(const distill::DistillConfig &d);
    QGroupBox *lossGroup(const distill::DistillConfig &d);
    QGroupBox *optimisationGroup(const distill::DistillConfig &d);
    bool fillConfig(distill::DistillConfig &c, QString *error) const;

    QLineEdit *m_name;
    QComboBox *m_base;
    QCheckBox *m_workspacePolicy;
    QSpinBox *m_minAccepts, *m_maxRejects;
    QLabel *m_approved;
    QLineEdit *m_layers;
    QSpinBox *m_rank, *m_positions, *m_skipRank;
    QDoubleSpinBox *m_lambda, *m_learningRate, *m_entropy, *m_weightDecay, *m_gradClip;
    QComboBox *m_hiddenLoss;
    QLineEdit *m_hiddenLayers;
    QSpinBox *m_steps, *m_batch, *m_warmup, *m_seed, *m_processes, *m_checkpointEvery, *m_maxTraces;
    QCheckBox *m_adapter, *m_skip, *m_ensemble, *m_conditioned, *m_crossEntropy;
};

} // namespace sdrt::ui
