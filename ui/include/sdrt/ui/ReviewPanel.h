#pragma once
// The review screen: one item at a time (its photo and drawing with zoom and pan, in tabs or
// side by side; note, question; the reference answer hidden until asked for), then one column
// per completed trace (prompt × sample): analysis, answer, parsed answer, agreement with the
// prompt ensemble and the reference (text and colour), confidence and the verdicts. Keyboard
// first:
//   A accept · X reject (reasons, first wrong step, comment) · S skip · ←/→ (H/L) trace ·
//   N/P next/previous item · U next unreviewed item · R show/hide the reference ·
//   V photo and drawing side by side or in tabs (remembered) ·
//   Ctrl+Z undo · Ctrl+Shift+Z redo (the current reviewer's actions only) ·
//   Ctrl+Shift+A accept every trace matching the reference in the queue · ? this list.
// After every dialog the panel opens, the keyboard focus comes back to the panel, whose keys act
// on the focused trace column. Every verdict is written at once (append-only rows); the queue
// filters by review state, prompt, task family and the prompts' agreement.

#include "sdrt/store/Types.h"

#include <QDialog>
#include <QFrame>
#include <QWidget>

#include <memory>
#include <vector>

class QAction;
class QCheckBox;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QScrollArea;
class QTextBrowser;

namespace sdrt::review {
class ReviewSession;
struct TraceInfo;
}

namespace sdrt::ui {

class AssetViewer;
class WorkspaceSession;

// One trace column.
class TraceColumn final : public QFrame {
    Q_OBJECT
public:
    explicit TraceColumn(QWidget *parent = nullptr);
    store::Id traceId() const { return m_traceId; }
    void setFocused(bool focused);
    bool isFocusedColumn() const { return m_focused; }
    QString analysisText() const;
    QString statusText() const; // the agreement, reference and verdict lines, as shown

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    friend class ReviewPanel;
    store::Id m_traceId = 0;
    bool m_focused = false;
    QString m_step2Text;
    QLabel *m_header;
    QTextBrowser *m_analysis;
    QLabel *m_answer;
    QLabel *m_agreement;
    QLabel *m_reference;
    QLabel *m_confidence;
    QLabel *m_verdict;
};

// The reject form: reason tags (digits toggle them), first wrong step, comment.
class RejectDialog final : public QDialog {
    Q_OBJECT
public:
    RejectDialog(const QStringList &tags, const QStringList &sentences, QWidget *parent = nullptr);
    QStringList checkedTags() const;
    QString firstWrongStep() const;
    QString comment() const;
    QCheckBox *tagBox(int index) const { return m_tags.at(std::size_t(index)); }
    QComboBox *stepBox() const { return m_step; }
    QLineEdit *commentField() const { return m_comment; }

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    std::vector<QCheckBox *> m_tags;
    QComboBox *m_step;
    QLineEdit *m_comment;
};

class ReviewPanel final : public QWidget {
    Q_OBJECT
public:
    explicit ReviewPanel(WorkspaceSession *session, QWidget *parent = nullptr);
    ~ReviewPanel() override;

    // Rereads the workspace's review state (after a generation run added traces): the undo
    // history stays, and so does the shown item when it is still in the queue. A workspace
    // opened or closed starts afresh.
    void reload();
    review::ReviewSession *reviewSession() const { return m_review.get(); }

    void setReviewer(const QString &name); // also remembered in the settings
    QString reviewer() const;
    // Asks for the reviewer's name when none is known (once); false when the user declines.
    bool ensureReviewer();

    // Queue and navigation.
    const std::vector<store::Id> &queue() const { return m_queue; }
    store::Id currentItem() const { return m_itemId; }
    store::Id focusedTrace() const;
    int focusedColumn() const { return m_focus; }
    std::vector<TraceColumn *> columns() const { return m_columns; }
    void showItem(store::Id itemId, store::Id focusTrace = 0);
    void nextItem();
    void previousItem();
    void nextUnreviewed();
    void moveFocus(int delta);

    // Actions on the focused trace (accept/skip at once; reject opens the reject form).
    void acceptFocused();
    void skipFocused();
    void rejectFocused();
    void undo();
    void redo();
    // Accepts every trace in the queue matching the reference; asks first when `confirm`.
    int acceptMatchingReference(bool confirm = true);
    void toggleReference();
    bool referenceShown() const { return m_referenceShown; }
    // The item's photo and drawing side by side (or in tabs); remembered in the settings.
    void setSideBySide(bool on);
    bool sideBySide() const;
    AssetViewer *assetViewer() const { return m_viewer; }
    void showShortcuts();

    // Dialogs (non-modal, for the keyboard flow and tests): the open reject form, shortcut sheet.
    RejectDialog *rejectDialog() const { return m_rejectDialog; }
    QDialog *shortcutSheet() const { return m_shortcuts; }

    // Settings dialogs.
    void chooseReviewer();
    void editPolicy();
    void editReasonTags();
    void showAgreement();

    QLabel *referenceLabel() const { return m_reference; }
    QLabel *approvedLabel() const { return m_approved; }
    QProgressBar *progressBar() const { return m_progress; }
    QComboBox *stateFilter() const { return m_stateFilter; }
    QComboBox *promptFilter() const { return m_promptFilter; }
    QComboBox *familyFilter() const { return m_familyFilter; }
    QComboBox *agreementFilter() const { return m_agreementFilter; }

Q_SIGNALS:
    void errorOccurred(const QString &title, const QString &message);
    void statusMessage(const QString &message);
    // After the focused trace changed and its column was updated (the benchmark waits for it).
    void traceShown(qint64 traceId);

private:
    void buildUi();
    void createActions();
    void startAfresh(); // a workspace opened or closed: no session, no history
    void returnFocus(); // after a dialog: keys act on the focused trace again
    void applyFilters();
    void refreshColumns();
    void updateColumn(TraceColumn *column);
    void updateCounts();
    void setFocusColumn(int index);
    void recordFocused(int verdict, const QStringList &tags = {}, const QString &firstWrongStep = {}, const QString &comment = {});
    void advanceAfterVerdict();
    void replay(bool forward); // undo (false) or redo (true), then show what changed
    void showChanged(const std::vector<store::Id> &traceIds);
    bool report(bool ok, const QString &error);

    WorkspaceSession *m_session;
    std::unique_ptr<review::ReviewSession> m_review;
    std::vector<store::Id> m_queue;
    store::Id m_itemId = 0;
    int m_focus = -1;
    bool m_referenceShown = false;
    bool m_progressStale = true; // recount the queue's reviewed traces on the next update
    int m_reviewed = 0;
    int m_queueTraces = 0;
    QString m_referenceText;

    AssetViewer *m_viewer;
    QLabel *m_question;
    QLabel *m_reference;
    QLabel *m_itemInfo;
    QPlainTextEdit *m_note;
    QScrollArea *m_scroll;
    QWidget *m_columnsHost;
    QHBoxLayout *m_columnsLayout;
    std::vector<TraceColumn *> m_columns;
    QLabel *m_reviewerLabel;
    QLabel *m_approved;
    QLabel *m_position;
    QProgressBar *m_progress;
    QComboBox *m_stateFilter;
    QComboBox *m_promptFilter;
    QComboBox *m_familyFilter;
    QComboBox *m_agreementFilter;
    QAction *m_sideBySide = nullptr;
    RejectDialog *m_rejectDialog = nullptr;
    QDialog *m_shortcuts = nullptr;
};

} // namespace sdrt::ui
