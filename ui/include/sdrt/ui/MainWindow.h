#pragma once
// The workbench window: menus and docks around the panels. It stays thin: each panel is its
// own class and talks to the WorkspaceSession.

#include "sdrt/common/Result.h"

#include <QMainWindow>

class QLabel;
class QMessageBox;
class QProgressDialog;
class QTabWidget;

namespace sdrt::ui {

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
    // Browse (item view) or Review (the review screen) in the centre.
    void showReview(bool review);
    bool isReviewShown() const;
    // Writes an export of the reviews; returns the path or an empty string (error shown).
    QString exportReviews(bool llava, const QString &path = {});
    // The last error dialog shown (for tests and automation).
    QMessageBox *lastErrorDialog() const { return m_lastError; }

Q_SIGNALS:
    void importFinished(bool ok);

private:
    void createMenus();
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
    QTabWidget *m_centre;
    bool m_reviewStale = false;
    QProgressDialog *m_progress = nullptr;
    QLabel *m_status;
    QMessageBox *m_lastError = nullptr;
};

} // namespace sdrt::ui
