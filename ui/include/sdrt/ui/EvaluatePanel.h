#pragma once
// Evaluate from the GUI: choose models, modes and a split; EvaluationQueue runs each model ×
// mode as one `sdrt eval` process, one after another, and this screen shows its progress, ETA
// and lines, with Cancel. The evaluations land in the workspace, where the Compare screen reads
// them.

#include <QStringList>
#include "sdrt/ui/Screen.h"

class QComboBox;
class QLineEdit;
class QTableView;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace sdrt::ui {

class CellTableModel;
class ChildRun;
class EvaluationQueue;
class WorkspaceSession;

class EvaluatePanel final : public Screen {
    Q_OBJECT
public:
    EvaluatePanel(EvaluationQueue *queue, WorkspaceSession *session, QWidget *parent = nullptr);

    void reload();
    // Queues one evaluation per checked model × checked mode; false when nothing is checked.
    bool enqueue();
    void cancel();
    bool isRunning() const;
    int queued() const;
    ChildRun *child() const;
    QListWidget *models() const { return m_models; }
    QListWidget *modes() const { return m_modes; }
    QComboBox *split() const { return m_split; }
    QSpinBox *limit() const { return m_limit; }
    QLineEdit *nameField() const { return m_name; }
    // The workspace's evaluations with their scores, newest first.
    QTableView *evaluationsTable() const { return m_table; }
    CellTableModel *evaluationsModel() const { return m_tableModel; }
    // Names of the evaluations this panel started (in order), for the Compare screen.
    QStringList started() const;

Q_SIGNALS:
    void stderrLine(const QString &line);
    void evaluationFinished(const QString &name, bool ok);
    void queueEmpty();

private:
    void onChanged(int done, int total);
    void buildLayout();
    void updateButtons();
    void reloadEvaluations();

    EvaluationQueue *m_queue;
    WorkspaceSession *m_session;
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
    QLineEdit *m_name;
    QTableView *m_table;
    CellTableModel *m_tableModel;
};

} // namespace sdrt::ui
