#include "sdrt/ui/ReviewPanel.h"

#include "sdrt/ui/AgreementDialog.h"
#include "sdrt/ui/ApprovalPolicyDialog.h"
#include "sdrt/ui/AssetViewer.h"
#include "sdrt/ui/ReasonTagsDialog.h"
#include "sdrt/ui/RejectDialog.h"
#include "sdrt/ui/ReviewController.h"
#include "sdrt/ui/ShortcutSheet.h"
#include "sdrt/ui/TraceColumn.h"

#include <QInputDialog>
#include <QLayout>
#include <QMessageBox>
#include <QScrollArea>

// The Review screen's dialogs: the reviewer's name, a rejection's reasons, confirmations, the
// shortcut sheet, the approval policy, reason tags and agreement. Each gives the keyboard back to
// the panel when it closes.

namespace sdrt::ui {

bool ReviewPanel::ensureReviewer()
{
    if (!m_reviews->reviewer().isEmpty())
        return true;
    chooseReviewer();
    return !m_reviews->reviewer().isEmpty();
}

void ReviewPanel::chooseReviewer()
{
    // Pre-filled only with the name this user typed before on this machine (never the workspace's
    // last reviewer, who may be someone else or a simulated reviewer); other people's names are
    // in the list, simulated reviewers are not.
    QStringList names{m_reviews->reviewer()};
    if (m_reviews->session())
        for (const QString &n : m_reviews->session()->humanReviewers())
            if (!names.contains(n))
                names << n;
    bool ok = false;
    const QString name = QInputDialog::getItem(this, tr("Reviewer"), tr("Your name (stored with each verdict):"), names, 0, true, &ok);
    if (ok && !name.trimmed().isEmpty()) {
        if (review::isSimulatedReviewer(name))
            QMessageBox::warning(this, tr("Reviewer"),
                                 tr("\"%1\" is the name of a simulated reviewer (verdicts made by a rule). Your verdicts need your own name.")
                                     .arg(name.trimmed()));
        else
            m_reviews->setReviewer(name);
    }
    returnFocus();
}

void ReviewPanel::returnFocus()
{
    // The window a modal dialog leaves is not always activated again (it depends on the window
    // manager), and then no key reaches the panel's shortcuts until a click. The panel holds the
    // focus rather than a column: columns are deleted when the item changes.
    if (!isVisible())
        return;
    window()->activateWindow();
    setFocus(Qt::OtherFocusReason);
    if (m_focus >= 0 && m_focus < int(m_columns.size()))
        m_scroll->ensureWidgetVisible(m_columns[std::size_t(m_focus)], 16, 0);
}

void ReviewPanel::setShortcutsEnabled(bool on)
{
    for (QAction *a : actions())
        a->setEnabled(on);
}

void ReviewPanel::rejectFocused()
{
    const store::Id trace = m_reviews->focusedTrace();
    if (!m_reviews->session() || trace == 0 || !ensureReviewer() || m_rejectDialog)
        return;
    const ReviewTraceView shown = m_reviews->trace(m_reviews->indexOf(trace));
    // The form stands beside the traces, so the trace being judged stays in sight. While it is
    // open the screen's one-key shortcuts are off: keys go to the form, typed text to its fields.
    m_rejectDialog = new RejectDialog(m_reviews->session()->reasonTags(), shown.analysis, shown.answer, m_traceArea);
    m_rejectDialog->setMaximumWidth(340);
    m_rejectDialog->setFrameless();
    m_traceArea->layout()->addWidget(m_rejectDialog);
    setShortcutsEnabled(false);
    connect(m_rejectDialog, &QDialog::accepted, this, [this, trace, d = m_rejectDialog] {
        if (m_reviews->focusedTrace() == trace)
            m_reviews->record({review::Verdict::Reject, d->checkedTags(), d->firstWrongStep(), d->comment()});
    });
    connect(m_rejectDialog, &QDialog::finished, m_rejectDialog, &QObject::deleteLater);
    connect(m_rejectDialog, &QObject::destroyed, this, [this] {
        m_rejectDialog = nullptr;
        setShortcutsEnabled(true);
        returnFocus();
    });
    m_rejectDialog->show();
    m_rejectDialog->focusFirst();
    if (m_focus >= 0 && m_focus < int(m_columns.size()))
        m_scroll->ensureWidgetVisible(m_columns[std::size_t(m_focus)], 16, 0);
}

int ReviewPanel::acceptMatchingReference(bool confirm)
{
    if (!m_reviews->session() || !ensureReviewer())
        return 0;
    const int candidates = m_reviews->matchingReferenceCount();
    if (confirm && candidates > 0) {
        const auto answer = QMessageBox::question(
            this, tr("Accept matching traces"),
            tr("Accept %n trace(s) in the queue whose answer matches the reference? %1 undoes it.", nullptr, candidates)
                .arg(m_undoKey));
        returnFocus();
        if (answer != QMessageBox::Yes)
            return 0;
    }
    return m_reviews->acceptMatchingReference(); // says so when none matches
}

void ReviewPanel::showShortcuts()
{
    if (m_shortcuts) {
        m_shortcuts->raise();
        return;
    }
    m_shortcuts = new ShortcutSheet(actions(), AssetPane::keys(), this);
    m_shortcuts->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_shortcuts, &QObject::destroyed, this, [this] {
        m_shortcuts = nullptr;
        returnFocus();
    });
    m_shortcuts->open();
}

void ReviewPanel::editPolicy()
{
    if (!m_reviews->session())
        return;
    ApprovalPolicyDialog d(m_reviews->session()->policy(), this);
    const int result = d.exec();
    returnFocus();
    if (result == QDialog::Accepted)
        m_reviews->setPolicy(d.policy());
}

void ReviewPanel::editReasonTags()
{
    if (!m_reviews->session())
        return;
    ReasonTagsDialog d(m_reviews->session()->reasonTags(), this);
    const int result = d.exec();
    returnFocus();
    if (result == QDialog::Accepted)
        m_reviews->setReasonTags(d.tags());
}

void ReviewPanel::showAgreement()
{
    const review::ReviewSession *session = m_reviews->session();
    if (!session)
        return;
    const QStringList reviewers = session->humanReviewers();
    auto *d = new AgreementDialog(reviewers, session->agreement(reviewers), this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    connect(d, &QObject::destroyed, this, &ReviewPanel::returnFocus);
    d->open();
}

} // namespace sdrt::ui
