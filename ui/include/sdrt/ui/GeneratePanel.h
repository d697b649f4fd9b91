#pragma once
// The Generate panel: model, prompts, which items, sampling settings; Run starts a teacher run
// off the GUI thread with progress, ETA and Cancel. Traces appear in the item view as batches
// are stored.

#include "sdrt/store/Types.h"

#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace sdrt::ui {

class GenerateRunner;
class WorkspaceSession;

class GeneratePanel final : public QWidget {
    Q_OBJECT
public:
    GeneratePanel(WorkspaceSession *session, QWidget *parent = nullptr);

    // The item the "current item only" choice refers to.
    void setCurrentItem(store::Id id) { m_currentItem = id; }
    void reload();
    bool start();
    // Starts the chosen model and prompts on exactly these items (the form's item filters do not
    // apply); says why when it cannot.
    bool startFor(const QList<qint64> &itemIds);
    void cancel();
    bool isRunning() const;
    GenerateRunner *runner() const { return m_runner; }

Q_SIGNALS:
    void tracesStored(const QList<qint64> &itemIds);
    void finished(const QString &summary);
    void errorOccurred(const QString &title, const QString &message);

private:
    void buildLayout();
    bool startOn(const std::vector<store::Id> &itemIds);
    void onFinished(bool ok);
    void updateButtons();

    WorkspaceSession *m_session;
    GenerateRunner *m_runner;
    store::Id m_currentItem = 0;
    QWidget *m_settings; // the form: disabled while a run is going
    QComboBox *m_model;
    QListWidget *m_prompts;
    QComboBox *m_split;
    QComboBox *m_family;
    QCheckBox *m_currentOnly;
    QSpinBox *m_samples;
    QDoubleSpinBox *m_temperature;
    QSpinBox *m_batch;
    QSpinBox *m_step1Tokens;
    QCheckBox *m_hidden;
    QPushButton *m_run;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_status;
    QLabel *m_runs;
    void reloadRuns(); // the latest runs with their status (interrupted when their process died)
};

} // namespace sdrt::ui
