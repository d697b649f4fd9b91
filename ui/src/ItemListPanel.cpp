#include "sdrt/ui/ItemListPanel.h"
#include "sdrt/ui/ElidingComboBox.h"
#include "sdrt/ui/RunText.h"

#include "sdrt/ui/ItemListModel.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace sdrt::ui {

ItemListPanel::ItemListPanel(WorkspaceSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_model(new ItemListModel(session, this)), m_view(new QTableView(this)),
      m_split(new ElidingComboBox(this)), m_family(new ElidingComboBox(this)), m_search(new QLineEdit(this)),
      m_count(new QLabel(this)), m_searchDelay(new QTimer(this))
{
    setObjectName(QStringLiteral("itemListPanel"));
    m_split->addItem(tr("All splits"));
    m_split->addItem(tr("Train"), int(store::Split::Train));
    m_split->addItem(tr("Eval"), int(store::Split::Eval));
    m_split->setToolTip(tr("Show items of one split"));
    m_family->addItem(tr("All task families"), QString());
    m_family->setToolTip(tr("Show items of one task family"));
    m_search->setPlaceholderText(tr("Search question, answer, note…"));
    m_search->setClearButtonEnabled(true);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(250);

    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(ItemListModel::QuestionColumn, QHeaderView::Stretch);
    m_view->setWordWrap(false);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_split);
    filters->addWidget(m_family);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(filters);
    layout->addWidget(m_search);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_count);

    connect(m_split, &QComboBox::currentIndexChanged, this, &ItemListPanel::applyFilter);
    connect(m_family, &QComboBox::currentIndexChanged, this, &ItemListPanel::applyFilter);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_searchDelay, &QTimer::timeout, this, &ItemListPanel::applyFilter);
    connect(m_model, &ItemListModel::totalCountChanged, this, &ItemListPanel::updateCount);
    connect(m_model, &ItemListModel::loadFailed, this, &ItemListPanel::errorOccurred);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    Q_EMIT itemSelected(m_model->itemId(current.row()));
            });
    connect(session, &WorkspaceSession::opened, this, &ItemListPanel::refreshFamilies);
    // After a (re)load, keep an item on screen: the first one when nothing is selected.
    connect(m_model, &ItemListModel::totalCountChanged, this, [this] {
        if (m_model->rowCount() > 0 && !m_view->currentIndex().isValid())
            selectRow(0);
    });
    connect(session, &WorkspaceSession::itemsChanged, this, &ItemListPanel::refreshFamilies);
    updateCount(0);
}

store::Id ItemListPanel::currentItemId() const
{
    return m_model->itemId(m_view->currentIndex().row());
}

void ItemListPanel::selectRow(int row)
{
    m_view->setCurrentIndex(m_model->index(row, ItemListModel::QuestionColumn));
}

bool ItemListPanel::showItem(store::Id id)
{
    if (id == 0 || currentItemId() == id)
        return id != 0;
    for (int row = 0;; ++row) {
        if (row == m_model->rowCount()) {
            // Rows come in id order: past the id, or at the end, it is not in the list.
            if (row > 0 && m_model->itemId(row - 1) > id)
                return false;
            if (!m_model->canFetchMore({}))
                return false;
            m_model->fetchMore({});
            if (row == m_model->rowCount())
                return false;
        }
        if (m_model->itemId(row) == id) {
            selectRow(row);
            m_view->scrollTo(m_model->index(row, ItemListModel::QuestionColumn));
            return true;
        }
    }
}

void ItemListPanel::applyFilter()
{
    store::ItemFilter f;
    f.split = splitOf(m_split->currentData());
    f.taskFamily = m_family->currentData().toString();
    f.text = m_search->text().trimmed();
    m_model->setFilter(f);
}

void ItemListPanel::refreshFamilies()
{
    if (!m_session->isOpen())
        return;
    auto families = m_session->taskFamilies();
    if (!families) {
        Q_EMIT errorOccurred(families.error());
        return;
    }
    const QString current = m_family->currentData().toString();
    const QSignalBlocker block(m_family);
    while (m_family->count() > 1)
        m_family->removeItem(1);
    for (const QString &f : std::as_const(*families))
        m_family->addItem(f, f);
    const int idx = m_family->findData(current);
    m_family->setCurrentIndex(idx >= 0 ? idx : 0);
}

void ItemListPanel::updateCount(qint64 total)
{
    m_count->setText(tr("%n item(s)", nullptr, int(total)));
}

} // namespace sdrt::ui
