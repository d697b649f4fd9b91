#include "sdrt/ui/ItemViewPanel.h"

#include "sdrt/store/ItemRepository.h"
#include "sdrt/ui/AssetViewer.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QVBoxLayout>

namespace sdrt::ui {

ItemViewPanel::ItemViewPanel(WorkspaceSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_viewer(new AssetViewer(this)), m_question(new QLabel(this)),
      m_reference(new QLabel(this)), m_details(new QLabel(this)), m_note(new QPlainTextEdit(this))
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

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_viewer);
    split->addWidget(text);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({600, 260});
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
}

void ItemViewPanel::showItem(store::Id id)
{
    if (!m_session->isOpen())
        return;
    auto item = store::ItemRepository(m_session->workspace()->db()).get(id);
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
                           .arg(item->taskFamily.isEmpty() ? tr("no task family") : item->taskFamily, item->split,
                                item->answerType));
    m_note->setPlainText(item->noteText);
    std::vector<store::Asset> images;
    QStringList paths;
    for (const store::ItemAsset &ia : item->assets) {
        if (ia.role == store::AssetKind::Note)
            continue;
        images.push_back(ia.asset);
        paths << m_session->workspace()->absolutePath(ia.asset.storedPath);
    }
    m_viewer->setAssets(images, paths);
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
