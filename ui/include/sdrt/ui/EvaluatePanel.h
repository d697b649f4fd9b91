#pragma once
// Evaluate from the GUI: choose models, modes and a split; each model × mode becomes one
// `sdrt eval` process (ChildRun), run one after another in a queue, with progress, ETA and
// Cancel (the current evaluation stops after its batch and can be resumed; the queued ones are
// dropped). The evaluations land in the workspace, where the Compare screen reads them.

#include <QJsonObject>
#include <QStringList>
#include <QWidget>

#include <deque>

class QComboBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace sdrt::ui {

class ChildRun;
class WorkspaceSession;

class EvaluatePanel final : public QWidget {
    Q_OBJECT
public:
    EvaluatePanel(WorkspaceSession *session, QWidget *parent = nullptr);

    void reload();
    // Queues one evaluation per checked model × checked mode; false when nothing is checked.
    bool enqueue();
    void cancel();
    bool isRunning() const;
    int queued() const { return int(m_queue.size()); }
    ChildRun *child() const { return m_child; }
    QListWidget *models() const { return m_models; }
    QListWidget *modes() const { return m_modes; }
    QComboBox *split() const { return m_split; }
    QSpinBox *limit() const { return m_limit; }
    // Names of the evaluations this panel started (in order), for the Compare screen.
    QStringList started() const { return m_started; }

Q_SIGNALS:
    void errorOccurred(const QString &title, const QString &message);
    void statusMessage(const QString &message);
    void stderrLine(const QString &line);
    void evaluationFinished(const QString &name, bool ok);
    void queueEmpty();

private:
    struct Job {
        QString name;
        QStringList args;
    };
    void startNext();
    void onLine(const QJsonObject &line);
    void onFinished();
    void updateButtons();
    void refreshQueueList();

    WorkspaceSession *m_session;
    ChildRun *m_child;
    std::deque<Job> m_queue;
    QString m_current;
    QStringList m_started;
    QStringList m_finishedLines; // "name: status" of this session's evaluations
    QListWidget *m_models;
    QListWidget *m_modes;
    QComboBox *m_split;
    QSpinBox *m_limit;
    QSpinBox *m_batch;
    QPushButton *m_queueButton;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_status;
    QListWidget *m_queueList;
};

} // namespace sdrt::ui
