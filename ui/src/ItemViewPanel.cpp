#include "sdrt/ui/ItemViewPanel.h"
#include "sdrt/ui/ItemImages.h"
#include "sdrt/ui/RunText.h"

#include "sdrt/prompts/Ensemble.h"
#include "sdrt/ui/AssetViewer.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPlainTextEdit>

#include <cmath>
#include <QHeaderView>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "Layouts.h"

namespace sdrt::ui {

ItemViewPanel::ItemViewPanel(WorkspaceSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_viewer(new AssetViewer(this)), m_question(new QLabel(this)),
      m_reference(new QLabel(this)), m_details(new QLabel(this)), m_note(new QPlainTextEdit(this)), m_traces(new QTreeWidget(this)),
      m_ensemble(new QLabel(this))
{
    setObjectName(QStringLiteral("itemViewPanel"));
    m_question->setWordWrap(true);
    m_question->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = m_question->font();
    big.setPointSizeF(big.pointSizeF() * 1.15);
    big.setBold(true);
    m_question->setFont(big);
    m_reference->setWordWrap(true);
    m_reference->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setWordWrap(true);
    m_note->setReadOnly(true);
    m_note->setPlaceholderText(tr("No note for this item."));

    auto *text = new QWidget(this);
    auto *form = new QFormLayout(text);
    form->addRow(tr("Question:"), m_question);
    form->addRow(tr("Reference answer:"), m_reference);
    form->addRow(tr("Details:"), m_details);
    auto *noteBox = new QGroupBox(tr("Note"), text);
    auto *noteLayout = new QVBoxLayout(noteBox);
    noteLayout->addWidget(m_note);
    form->addRow(noteBox);
    m_traces->setObjectName(QStringLiteral("tracesView"));
    m_traces->setHeaderLabels({tr("Prompt"), tr("Sample"), tr("Answer"), tr("Status"), tr("Confidence"), tr("Analysis")});
    m_traces->setRootIsDecorated(false);
    m_traces->setAlternatingRowColors(true);
    m_traces->header()->setStretchLastSection(true);
    m_ensemble->setObjectName(QStringLiteral("ensembleLabel"));
    m_ensemble->setWordWrap(true);
    auto *tracesBox = new QGroupBox(tr("Teacher traces"), this);
    auto *tracesLayout = new QVBoxLayout(tracesBox);
    tracesLayout->addWidget(m_ensemble);
    tracesLayout->addWidget(m_traces);

    QSplitter *split = layouts::splitter(Qt::Vertical, this, {m_viewer, text, tracesBox}, {3, 1, 2});
    split->setSizes({420, 220, 240});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);
    connect(m_viewer, &AssetViewer::errorOccurred, this, &ItemViewPanel::errorOccurred);
    connect(session, &WorkspaceSession::closed, this, &ItemViewPanel::clear);
    clear();
}

void ItemViewPanel::clear()
{
    m_itemId = 0;
    m_viewer->clear();
    m_question->setText(tr("Select an item."));
    m_reference->clear();
    m_details->clear();
    m_note->clear();
    m_traces->clear();
    m_ensemble->clear();
}

void ItemViewPanel::showItem(store::Id id)
{
    if (!m_session->isOpen())
        return;
    auto item = m_session->item(id);
    if (!item) {
        clear();
        Q_EMIT errorOccurred(item.error());
        return;
    }
    m_itemId = id;
    m_question->setText(item->question.isEmpty() ? tr("(no question)") : item->question);
    m_reference->setText(item->referenceAnswer ? *item->referenceAnswer : tr("(none)"));
    m_details->setText(tr("Item %1 · %2 · %3 · answer type %4")
                           .arg(item->id)
                           .arg(item->taskFamily.isEmpty() ? tr("no task family") : item->taskFamily, splitText(item->split),
                                item->answerType));
    m_note->setPlainText(item->noteText);
    const ItemImages images = itemImages(*item, *m_session->workspace());
    m_viewer->setAssets(images.assets, images.paths);
    showTraces(*item);
}

void ItemViewPanel::showTraces(const store::Item &item)
{
    m_traces->clear();
    auto traces = m_session->traces(item.id);
    if (!traces) {
        m_ensemble->setText(tr("Cannot read the traces: %1").arg(traces.error()));
        return;
    }
    if (traces->empty()) {
        m_ensemble->setText(tr("No traces yet: run the prompts on this item from the Generate panel."));
        return;
    }
    const prompts::Ensemble e = prompts::ensemble(*traces, item.answerType);
    for (const store::Trace &t : *traces) {
        const bool ok = t.isOk();
        QStringList agree;
        if (ok && !e.majority.isEmpty())
            agree << (e.agreesWith(t.parsedAnswer) ? tr("agrees with the ensemble") : tr("differs from the ensemble"));
        auto *row = new QTreeWidgetItem(m_traces, {QStringLiteral("%1 v%2").arg(t.promptName).arg(t.promptVersion), QString::number(t.sampleIndex),
                                                    ok ? t.parsedAnswer : QString(), ok ? agree.join(QStringLiteral(", ")) : tr("failed: %1").arg(t.error),
                                                    ok ? tr("%1%").arg(100 * std::exp(t.meanLogprob), 0, 'f', 0) : QString(), // as the review screen says it
                                                    t.step1Text.simplified()});
        row->setToolTip(5, QStringLiteral("%1\n\n%2").arg(t.step1Text, t.step2Text));
        row->setToolTip(3, tr("Model %1 · run %2 · seed %3 · %4 + %5 tokens · %6 ms").arg(t.modelId).arg(t.runId).arg(t.seed)
                               .arg(t.step1Tokens).arg(t.step2Tokens).arg(t.latencyMs, 0, 'f', 0));
    }
    for (int c = 0; c < 5; ++c)
        m_traces->resizeColumnToContents(c);
    if (e.votes == 0)
        m_ensemble->setText(tr("%n trace(s), none with a parsed answer.", nullptr, int(traces->size())));
    else
        m_ensemble->setText(tr("Ensemble of %1 votes: majority \"%2\" (agreement %3%), confidence-weighted \"%4\"")
                                .arg(e.votes)
                                .arg(e.majority)
                                .arg(100.0 * e.agreement, 0, 'f', 0)
                                .arg(e.weighted));
}

void ItemViewPanel::onTracesStored(const QList<qint64> &itemIds)
{
    if (m_itemId != 0 && itemIds.contains(m_itemId) && m_session->isOpen()) {
        if (auto item = m_session->item(m_itemId))
            showTraces(*item);
    }
}

QString ItemViewPanel::ensembleText() const
{
    return m_ensemble->text();
}

QString ItemViewPanel::questionText() const
{
    return m_question->text();
}

QString ItemViewPanel::noteText() const
{
    return m_note->toPlainText();
}

QString ItemViewPanel::referenceText() const
{
    return m_reference->text();
}

} // namespace sdrt::ui
