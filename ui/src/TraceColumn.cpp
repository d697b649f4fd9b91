#include "sdrt/ui/TraceColumn.h"

#include "sdrt/ui/RunText.h"

#include <QLabel>
#include <QPainter>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QVBoxLayout>

namespace sdrt::ui {
namespace {

// Colour plus text: every state is also written out.
void colour(QLabel *label, const QColor &c)
{
    QPalette pal = label->palette();
    if (pal.color(QPalette::WindowText) != c) {
        pal.setColor(QPalette::WindowText, c);
        label->setPalette(pal);
    }
}

QStringList reasonTexts(const QStringList &tags)
{
    QStringList out;
    for (const QString &t : tags)
        out << reasonTagText(t);
    return out;
}

const QColor kGood(0x1b, 0x7f, 0x3b), kBad(0xb3, 0x26, 0x1e);

void mark(QLabel *label, bool ok, const QString &text)
{
    label->setText((ok ? QStringLiteral("✓ ") : QStringLiteral("✗ ")) + text);
    colour(label, ok ? kGood : kBad);
}

} // namespace

TraceColumn::TraceColumn(QWidget *parent)
    : QFrame(parent), m_header(new QLabel(this)), m_analysis(new QTextBrowser(this)), m_answer(new QLabel(this)),
      m_agreement(new QLabel(this)), m_reference(new QLabel(this)), m_confidence(new QLabel(this)),
      m_verdict(new QLabel(this))
{
    setObjectName(QStringLiteral("traceColumn"));
    setFrameShape(QFrame::NoFrame);
    setMinimumWidth(260);
    setMaximumWidth(420);
    QFont bold = m_header->font();
    bold.setBold(true);
    m_header->setFont(bold);
    m_header->setWordWrap(true);
    m_analysis->setObjectName(QStringLiteral("analysis"));
    m_analysis->setFocusPolicy(Qt::NoFocus); // keys stay with the review screen
    m_analysis->setOpenLinks(false);
    m_analysis->setLineWrapMode(QTextEdit::WidgetWidth);
    m_analysis->setMinimumHeight(60);
    // It takes the height left over and scrolls inside: its own wish (a few hundred pixels)
    // would make the column taller than a laptop screen's trace area and push the lines below out of sight.
    m_analysis->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Ignored);
    QFont verdictFont = m_verdict->font();
    verdictFont.setBold(true);
    m_verdict->setFont(verdictFont);
    for (QLabel *l : {m_answer, m_agreement, m_reference, m_confidence, m_verdict}) {
        l->setWordWrap(true);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    // The verdict right under the header: on a short screen it is the line that must not
    // scroll out of sight; the analysis takes what height is left and scrolls inside.
    layout->addWidget(m_header);
    layout->addWidget(m_verdict);
    auto *analysisTitle = new QLabel(tr("Step 1 — analysis"), this);
    layout->addWidget(analysisTitle);
    layout->addWidget(m_analysis, 1);
    layout->addWidget(m_answer);
    layout->addWidget(m_agreement);
    layout->addWidget(m_reference);
    layout->addWidget(m_confidence);
}

void TraceColumn::setTrace(const ReviewTraceView &t)
{
    m_traceId = t.traceId;
    m_header->setText(tr("%1 v%2 · sample %3").arg(t.promptName).arg(t.promptVersion).arg(t.sampleIndex));
    if (t.analysis != m_analysisText || t.firstWrongStep != m_markedStep) {
        m_analysisText = t.analysis;
        m_markedStep = t.firstWrongStep;
        m_analysis->setPlainText(t.analysis);
        markStep(t.firstWrongStep);
    }
    m_answer->setText(
        tr("Answer: %1\nParsed: %2").arg(t.answer, t.parsedAnswer.isEmpty() ? tr("(none)") : t.parsedAnswer));
    mark(m_agreement, t.agreesWithEnsemble,
         t.agreesWithEnsemble ? tr("agrees with the prompt ensemble") : tr("differs from the prompt ensemble"));
    const QColor plain = palette().color(QPalette::WindowText);
    if (!t.matchesReference) {
        m_reference->setText(tr("– no reference answer"));
        colour(m_reference, plain);
    } else if (!t.referenceShown) {
        m_reference->setText(tr("· reference hidden (%1)").arg(m_referenceKey));
        colour(m_reference, plain);
    } else {
        mark(m_reference, *t.matchesReference,
             *t.matchesReference ? tr("matches the reference") : tr("differs from the reference"));
    }
    m_confidence->setText(tr("Confidence %1%").arg(t.confidence * 100, 0, 'f', 0));
    QStringList lines;
    switch (t.verdict) {
    case review::Verdict::Accept:
        lines << tr("Your verdict: ACCEPTED");
        break;
    case review::Verdict::Reject:
        lines << tr("Your verdict: REJECTED") +
                     (t.reasonTags.isEmpty()
                          ? QString()
                          : QStringLiteral(" (") + reasonTexts(t.reasonTags).join(QStringLiteral(", ")) + QLatin1Char(')'));
        if (!t.firstWrongStep.isEmpty())
            lines << tr("First wrong step: “%1”").arg(t.firstWrongStep);
        if (!t.comment.isEmpty())
            lines << tr("Comment: %1").arg(t.comment);
        break;
    case review::Verdict::Skip:
        lines << tr("Your verdict: skipped");
        break;
    case review::Verdict::None:
        lines << tr("Your verdict: none yet");
        break;
    }
    for (const auto &[who, v] : t.others)
        lines << tr("%1: %2").arg(who, v == review::Verdict::Accept   ? tr("accept")
                                       : v == review::Verdict::Reject ? tr("reject")
                                                                      : tr("skip"));
    if (t.approved)
        lines << tr("Approved");
    m_verdict->setText(lines.join(QLatin1Char('\n')));
    colour(m_verdict, t.verdict == review::Verdict::Accept   ? kGood
                      : t.verdict == review::Verdict::Reject ? kBad
                                                             : plain);
}

// The reviewer's first wrong step, marked where it stands in the analysis.
void TraceColumn::markStep(const QString &step)
{
    if (step.isEmpty())
        return;
    QTextCursor found = m_analysis->document()->find(step);
    if (found.isNull())
        return;
    QTextCharFormat marked;
    marked.setBackground(QColor(0xf8, 0xd7, 0xd4));
    marked.setForeground(kBad);
    marked.setFontUnderline(true);
    found.mergeCharFormat(marked);
}

QString TraceColumn::markedStep() const
{
    for (QTextBlock b = m_analysis->document()->begin(); b.isValid(); b = b.next())
        for (auto it = b.begin(); !it.atEnd(); ++it)
            if (it.fragment().charFormat().fontUnderline())
                return it.fragment().text();
    return {};
}

void TraceColumn::setFocused(bool focused)
{
    if (focused == m_focused)
        return;
    m_focused = focused;
    update(); // painted in paintEvent: cheaper than restyling the column on every key press
}

void TraceColumn::paintEvent(QPaintEvent *event)
{
    QPainter p(this);
    if (m_focused) {
        // A tinted background and a thick accent border mark the focused trace.
        p.fillRect(rect(), palette().color(QPalette::AlternateBase));
        QPen pen(palette().color(QPalette::Highlight), 4);
        pen.setJoinStyle(Qt::MiterJoin);
        p.setPen(pen);
        p.drawRect(QRectF(rect()).adjusted(2, 2, -2, -2));
    } else {
        p.setPen(QPen(palette().color(QPalette::Mid), 1));
        p.drawRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5));
    }
    Q_UNUSED(event);
}

QString TraceColumn::analysisText() const
{
    return m_analysis->toPlainText();
}

QString TraceColumn::statusText() const
{
    return QStringList{m_answer->text(), m_agreement->text(), m_reference->text(), m_confidence->text(),
                       m_verdict->text()}
        .join(QLatin1Char('\n'));
}

} // namespace sdrt::ui
