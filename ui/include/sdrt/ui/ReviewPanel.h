#pragma once
// The review screen: one item at a time (its photo and drawing with zoom and pan, in tabs or
// side by side; note, question; the reference answer hidden until asked for), then one column
// per completed trace (TraceColumn). Keyboard first: the keys are the screen's actions, made
// from one table in ReviewPanel.cpp, which the shortcut sheet (?) lists.
//
// The panel shows a ReviewController (owned by the WorkspaceSession, not by the panel): it
// renders the controller's view structs and turns keys into the controller's intents, adding
// only what needs a person — asking for the reviewer's name, the reject form, the settings
// dialogs. After every dialog the panel opens, the keyboard focus comes back to the panel,
// whose keys act on the focused trace column.

#include "sdrt/store/Types.h"

#include "sdrt/ui/Screen.h"

#include <vector>

class QAction;
class QComboBox;
class QDialog;
class QFormLayout;
class QHBoxLayout;
class QLayout;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QScrollArea;

namespace sdrt::review {
struct VerdictInput;
}

namespace sdrt::ui {

class AssetViewer;
class RejectDialog;
class ReviewController;
class TraceColumn;

class ReviewPanel final : public Screen {
    Q_OBJECT
public:
    explicit ReviewPanel(ReviewController *reviews, QWidget *parent = nullptr);
    ~ReviewPanel() override;

    ReviewController *reviews() const { return m_reviews; }

    // Asks for the reviewer's name when none is known (once); false when the user declines.
    bool ensureReviewer();

    // What is shown: the item, its columns and the focused one.
    store::Id currentItem() const { return m_itemId; }
    store::Id focusedTrace() const; // of the focused column; 0: none
    int focusedColumn() const { return m_focus; }
    std::vector<TraceColumn *> columns() const { return m_columns; }

    // Verdicts on the focused trace (accept/skip at once; reject opens the reject form).
    void acceptFocused();
    void skipFocused();
    void rejectFocused();
    // Accepts every trace in the queue matching the reference; asks first when `confirm`.
    int acceptMatchingReference(bool confirm = true);
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
    QComboBox *markFilter() const { return m_markFilter; }
    // Each evaluation's answer to the shown item, as shown (empty when none answered it).
    QString answersText() const;
    // The note on marked items without teacher traces; hidden when there are none.
    QWidget *untracedBanner() const { return m_untraced; }
    QComboBox *agreementFilter() const { return m_agreementFilter; }

Q_SIGNALS:
    // After the focused trace changed and its column was updated (the benchmark waits for it).
    void traceShown(qint64 traceId);
    // The reviewer asks for teacher traces of these items (marked, but with none yet).
    void generateRequested(const QList<qint64> &itemIds);

private:
    void createActions();
    void buildUi();
    QLayout *buildTopBar();
    QWidget *buildItemArea();
    QWidget *buildTraceArea();
    void setShortcutsEnabled(bool on); // the screen's key actions
    void returnFocus(); // after a dialog: keys act on the focused trace again
    void applyFilters();
    void record(const review::VerdictInput &input);
    // Rendering the controller.
    void showSession();
    void showReviewer(const QString &name);
    void showItem(bool sameItem);
    void showReference();
    void showTrace(qint64 traceId);
    void showTraces();
    void showFocus(int index);
    void showCounts();
    // What the evaluations answered (ReviewPanelEvaluations.cpp).
    QWidget *buildUntracedBanner();
    void showAnswers();
    void showUntraced();
    void generateUntraced();

    ReviewController *m_reviews;
    store::Id m_itemId = 0;
    int m_focus = -1;
    QString m_referenceKey; // the keys of the actions named in the screen's hints
    QString m_undoKey;

    AssetViewer *m_viewer;
    QLabel *m_question;
    QLabel *m_reference;
    QLabel *m_itemInfo;
    QPlainTextEdit *m_note;
    QLabel *m_answers = nullptr;      // each evaluation's answer to the item
    QFormLayout *m_itemForm = nullptr;
    QWidget *m_untraced = nullptr;    // "marked items without teacher traces" and its Generate button
    QLabel *m_untracedText = nullptr;
    QScrollArea *m_scroll;
    QWidget *m_traceArea = nullptr; // the columns' scroll area and, while open, the reject form
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
    QComboBox *m_markFilter;
    QAction *m_sideBySide = nullptr;
    RejectDialog *m_rejectDialog = nullptr;
    QDialog *m_shortcuts = nullptr;
};

} // namespace sdrt::ui
