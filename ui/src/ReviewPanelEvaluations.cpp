// The review screen's view of what the evaluations said: each evaluation's answer to the item
// (right or wrong once the reference is shown, so that it cannot bias the verdicts before), and
// the items sent to review that the teacher has not answered yet, with a way to generate traces
// for exactly those.

#include "sdrt/ui/ReviewPanel.h"

#include "sdrt/ui/ReviewController.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace sdrt::ui {

QWidget *ReviewPanel::buildUntracedBanner()
{
    m_untraced = new QWidget(this);
    m_untraced->setObjectName(QStringLiteral("untracedBanner"));
    m_untraced->setAutoFillBackground(true);
    m_untraced->setBackgroundRole(QPalette::ToolTipBase);
    m_untracedText = new QLabel(m_untraced);
    m_untracedText->setWordWrap(true);
    m_untracedText->setForegroundRole(QPalette::ToolTipText);
    auto *generate = new QPushButton(tr("&Generate Traces for Them"), m_untraced);
    generate->setObjectName(QStringLiteral("generateUntraced"));
    generate->setFocusPolicy(Qt::NoFocus);
    generate->setToolTip(tr("Run the Generate panel's teacher and prompts on exactly these items; their traces then join the queue"));
    connect(generate, &QPushButton::clicked, this, &ReviewPanel::generateUntraced);
    auto *row = new QHBoxLayout(m_untraced);
    row->setContentsMargins(6, 4, 6, 4);
    row->addWidget(m_untracedText, 1);
    row->addWidget(generate);
    m_untraced->hide();
    return m_untraced;
}

void ReviewPanel::showUntraced()
{
    if (!m_untraced)
        return;
    const std::size_t missing = m_reviews->markedWithoutTraces().size();
    m_untraced->setVisible(missing > 0);
    if (missing > 0)
        m_untracedText->setText(tr("%n item(s) sent to review from “%1” have no teacher traces yet, so the queue cannot show them. "
                                   "Generate traces for them, then review and approve the corrected ones for the next run.",
                                   nullptr, int(missing))
                                     .arg(m_reviews->filter().mark));
}

void ReviewPanel::generateUntraced()
{
    QList<qint64> items;
    for (store::Id id : m_reviews->markedWithoutTraces())
        items << qint64(id);
    if (!items.isEmpty())
        Q_EMIT generateRequested(items);
}

void ReviewPanel::showAnswers()
{
    const ReviewItemView &item = m_reviews->item();
    QStringList lines;
    for (const ReviewAnswerView &a : item.answers) {
        QString verdict;
        if (a.failed)
            verdict = QStringLiteral("<span style='color:#b3261e'>%1</span>").arg(tr("✗ failed"));
        else if (a.right && item.referenceShown)
            verdict = *a.right ? QStringLiteral("<span style='color:#1b7f3b'>%1</span>").arg(tr("✓ right"))
                               : QStringLiteral("<span style='color:#b3261e'>%1</span>").arg(tr("✗ wrong"));
        lines << tr("<b>%1</b> (%2, %3): %4 %5")
                     .arg(a.evaluation.toHtmlEscaped(), a.model.toHtmlEscaped(), a.mode.toHtmlEscaped(), a.answer.toHtmlEscaped(), verdict);
    }
    if (!lines.isEmpty() && !item.referenceShown && !item.reference.isEmpty())
        lines << tr("<i>Right or wrong shows with the reference (%1).</i>").arg(m_referenceKey);
    m_answers->setText(lines.join(QStringLiteral("<br>")));
    if (m_itemForm)
        m_itemForm->setRowVisible(m_answers, !item.answers.empty());
}

QString ReviewPanel::answersText() const
{
    return m_answers ? m_answers->text() : QString();
}

} // namespace sdrt::ui
