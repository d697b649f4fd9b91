#pragma once
// The workbench window: menus and docks around the panels. It stays thin: each panel is its
// own class and talks to the WorkspaceSession.

#include "sdrt/common/Result.h"

#include <QMainWindow>

class QDockWidget;
class QLabel;
class QMessageBox;
class QProgressDialog;
class QTabWidget;

namespace sdrt::ui {

class ComparePanel;
class DistillPanel;
class EvaluatePanel;
class GeneratePanel;
class ImportRunner;
class ItemListPanel;
class ItemViewPanel;
class LogPanel;
class ReviewPanel;
class WorkspaceSession;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens a workspace; on failure shows an error dialog (non-blocking) and returns false.
    bool openWorkspace(const QString &dir);
    bool createWorkspace(const QString &dir);
    // Starts importing a folder or manifest on a worker thread, with a progress dialog.
    bool importPath(const QString &path);

    WorkspaceSession *session() const { return m_session; }
    ItemListPanel *itemList() const { return m_itemList; }
    ItemViewPanel *itemView() const { return m_itemView; }
    LogPanel *logPanel() const { return m_log; }
    ImportRunner *importRunner() const { return m_import; }
    GeneratePanel *generatePanel() const { return m_generate; }
    ReviewPanel *reviewPanel() const { return m_review; }
    DistillPanel *distillPanel() const { return m_distill; }
    EvaluatePanel *evaluatePanel() const { return m_evaluate; }
    ComparePanel *comparePanel() const { return m_compare; }
    QTabWidget *centreTabs() const { return m_centre; }
    // browse, review, distill, evaluate or compare; false for another name.
    bool showScreen(const QString &name);
    // The Compare screen with these evaluations compared (errors shown as dialogs).
    void showComparison(const QStringList &evaluations);
    // Opens the review screen on the items marked under `source` (the queue's "From …" filter).
    void reviewMarked(const QString &source);
    // What closing does while runs go on: ask (default), leave them running, or stop them.
    enum class CloseWithRuns { Ask, LeaveRunning, Stop };
    void setCloseWithRuns(CloseWithRuns choice) { m_closeWithRuns = choice; }
    // Browse (item view) or Review (the review screen) in the centre.
    void showReview(bool review);
    bool isReviewShown() const;
    // Writes an export of the reviews; returns the path or an empty string (error shown).
    QString exportReviews(bool llava, const QString &path = {});
    // The last error dialog shown (for tests and automation).
    QMessageBox *lastErrorDialog() const { return m_lastError; }

Q_SIGNALS:
    void importFinished(bool ok);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createDocks();
    void createMenus();
    void connectPanels();
    void showError(const QString &title, const QString &message);
    void onImportFinished(bool ok);
    void updateTitle();
    void chooseOpen();
    void chooseNew();
    void chooseImport(bool folder);
    void setLanguage(const QString &code);

    WorkspaceSession *m_session;
    ItemListPanel *m_itemList;
    ItemViewPanel *m_itemView;
    LogPanel *m_log;
    ImportRunner *m_import;
    GeneratePanel *m_generate;
    ReviewPanel *m_review;
    DistillPanel *m_distill;
    EvaluatePanel *m_evaluate;
    ComparePanel *m_compare;
    CloseWithRuns m_closeWithRuns = CloseWithRuns::Ask;
    bool m_closeAfterStop = false; // a close is waiting for the runs it stopped
    QTabWidget *m_centre;
    bool m_reviewStale = false;
    QProgressDialog *m_progress = nullptr;
    QLabel *m_status;
    QList<QDockWidget *> m_docks; // items, generate, log
    QDockWidget *m_generateDock = nullptr;
    QMessageBox *m_lastError = nullptr;
};

} // namespace sdrt::ui
