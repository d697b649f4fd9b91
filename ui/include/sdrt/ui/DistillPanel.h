#pragma once
// The Distill screen: the form (DistillForm: every setting of a run, validated before Start), the
// runs of the workspace (DistillController's table: status — a run whose process died reads as
// interrupted —, base, settings, final losses, duration), the selected run's curves
// (DistillCurves: each loss term and the learning rate, followed while the run is live) and its
// lineage, whose traces can be opened in the review screen. Start, Cancel (the run stops cleanly
// and can be resumed) and Resume are intents to the controller, which runs `sdrt distill` as a
// process of its own.

#include "sdrt/store/Types.h"

#include <QJsonObject>
#include "sdrt/ui/Screen.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableView;
class QTimer;

namespace sdrt::ui {

class ChildRun;
class DistillController;
class DistillCurves;
class DistillForm;

class DistillPanel final : public Screen {
    Q_OBJECT
public:
    explicit DistillPanel(DistillController *controller, QWidget *parent = nullptr);

    void reload(); // models, approved count, runs
    // Validates the form and starts the run; false (and errorOccurred) when the form is not valid.
    bool start();
    bool resumeSelected();
    void cancel();
    bool isRunning() const;
    // A run of the workspace some process trains now (this screen's, or one an earlier window
    // left running), or empty.
    QString liveRun() const;
    ChildRun *child() const;
    // The shown run's curve points (loss terms and lr), for tests and the status line.
    int curvePoints() const;
    QString shownRun() const { return m_shownRun; }
    void showRun(const QString &name);
    QString lineageText() const;

    // The form, for tests and keyboard users.
    QLineEdit *nameField() const;
    QComboBox *baseField() const;
    QSpinBox *stepsField() const;
    QSpinBox *batchField() const;
    QSpinBox *checkpointField() const;
    QLineEdit *layersField() const;
    QTableView *runsTable() const { return m_runs; }
    // The config the form describes, or an error naming the field.
    QString formError() const;
    QByteArray configJson() const;

Q_SIGNALS:
    void stderrLine(const QString &line);
    // The shown run's traces were marked for review under `source`.
    void reviewRequested(const QString &source);
    void runFinished(const QString &name);

private:
    QWidget *buildButtons();
    QWidget *buildRunsView();
    void updateApproved();
    void onRunsReloaded();
    void onChildLine(const QJsonObject &line);
    void onChildFinished();
    void followLog();
    void reviewLineage();
    void updateButtons();
    QString selectedRun() const;

    DistillController *m_controller;
    DistillForm *m_form;
    DistillCurves *m_curves;
    QTimer *m_follow; // follows the shown run's training log while it is live
    QString m_shownRun;
    QPushButton *m_start, *m_cancel, *m_resume, *m_reviewTraces;
    QLabel *m_status;
    QTableView *m_runs;
    QLabel *m_lineage;
};

} // namespace sdrt::ui
