#pragma once
// The Distill screen: a form with every setting of a distillation run (DistillConfig), validated
// before Start; Start launches `sdrt distill` as a process of its own (ChildRun), so a crash of
// the run never takes the GUI or the reviews with it. Live curves of each loss term and the
// learning rate from the run's training_log.jsonl, samples/s and ETA from its progress lines,
// Cancel (the run stops cleanly and can be resumed), Resume for a cancelled, failed or
// interrupted run. The runs list shows every run of the workspace with its status (a run whose
// process died reads as interrupted), base, settings, final losses and duration; selecting one
// shows its curves and its lineage, whose traces can be opened in the review screen.

#include "sdrt/store/Types.h"

#include <QJsonObject>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QLineSeries;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTimer;
class QValueAxis;
class QChart;

namespace sdrt::distill {
struct DistillConfig;
}

namespace sdrt::ui {

class ChildRun;
class WorkspaceSession;

class DistillPanel final : public QWidget {
    Q_OBJECT
public:
    DistillPanel(WorkspaceSession *session, QWidget *parent = nullptr);

    void reload(); // models, approved count, runs
    // Validates the form and starts the run; false (and errorOccurred) when the form is not valid.
    bool start();
    bool resumeSelected();
    void cancel();
    bool isRunning() const;
    ChildRun *child() const { return m_child; }
    // The shown run's curve points (loss terms and lr), for tests and the status line.
    int curvePoints() const;
    QString shownRun() const { return m_shownRun; }
    void showRun(const QString &name);
    QString lineageText() const;

    // The form, for tests and keyboard users.
    QLineEdit *nameField() const { return m_name; }
    QComboBox *baseField() const { return m_base; }
    QSpinBox *stepsField() const { return m_steps; }
    QSpinBox *batchField() const { return m_batch; }
    QSpinBox *checkpointField() const { return m_checkpointEvery; }
    QLineEdit *layersField() const { return m_layers; }
    QTableWidget *runsTable() const { return m_runs; }
    // The config the form describes, or an error naming the field.
    QString formError() const;
    QByteArray configJson() const;

Q_SIGNALS:
    void errorOccurred(const QString &title, const QString &message);
    void statusMessage(const QString &message);
    void stderrLine(const QString &line);
    // The shown run's traces were marked for review under `source`.
    void reviewRequested(const QString &source);
    void runFinished(const QString &name);

private:
    QWidget *buildForm();
    void updateApproved();
    void reloadRuns();
    void onChildLine(const QJsonObject &line);
    void onChildFinished();
    void followLog();
    void clearCurves();
    void addPoint(const QJsonObject &step);
    void reviewLineage();
    void updateButtons();
    bool fillConfig(distill::DistillConfig &c, QString *error) const;

    WorkspaceSession *m_session;
    ChildRun *m_child;
    QString m_childRun; // the run the child trains
    QTimer *m_follow;   // follows the shown run's training log while it is live
    QString m_shownRun;
    qint64 m_logOffset = 0;
    QByteArray m_logPartial;
    int m_totalSteps = 0;

    QWidget *m_form;
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
    QPushButton *m_start, *m_cancel, *m_resume, *m_reviewTraces;
    QLabel *m_status;
    QTableWidget *m_runs;
    QChart *m_chart;
    QValueAxis *m_axisX, *m_axisLoss, *m_axisLr;
    std::vector<QLineSeries *> m_series; // ce, hidden, entropy, loss, lr
    QLabel *m_lineage;
};

} // namespace sdrt::ui
