#include "sdrt/ui/ItemListModel.h"
#include "sdrt/ui/RunText.h"

#include "sdrt/ui/WorkspaceSession.h"

namespace sdrt::ui {

ItemListModel::ItemListModel(WorkspaceSession *session, QObject *parent) : QAbstractTableModel(parent), m_session(session)
{
    connect(session, &WorkspaceSession::opened, this, &ItemListModel::reload);
    connect(session, &WorkspaceSession::closed, this, &ItemListModel::reload);
    connect(session, &WorkspaceSession::itemsChanged, this, &ItemListModel::reload);
}

void ItemListModel::setFilter(const store::ItemFilter &filter)
{
    m_filter = filter;
    reload();
}

void ItemListModel::reload()
{
    beginResetModel();
    m_rows.clear();
    m_total = 0;
    if (m_session->isOpen()) {
        auto count = m_session->itemCount(m_filter);
        if (count)
            m_total = *count;
        else
            Q_EMIT loadFailed(count.error());
    }
    endResetModel();
    if (canFetchMore({}))
        fetchMore({});
    Q_EMIT totalCountChanged(m_total);
}

store::Id ItemListModel::itemId(int row) const
{
    return row >= 0 && row < int(m_rows.size()) ? m_rows[size_t(row)].id : 0;
}

int ItemListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ItemListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ItemListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const store::ItemSummary &r = m_rows[size_t(index.row())];
    if (role == ItemIdRole)
        return QVariant::fromValue<qint64>(r.id);
    if (role == Qt::ToolTipRole && index.column() == QuestionColumn)
        return r.question;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case IdColumn: return QVariant::fromValue<qint64>(r.id);
    case QuestionColumn: return r.question.isEmpty() ? tr("(no question)") : r.question;
    case FamilyColumn: return r.taskFamily;
    case SplitColumn: return splitText(r.split);
    case AssetsColumn: return r.assetCount;
    }
    return {};
}

QVariant ItemListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn: return tr("ID");
    case QuestionColumn: return tr("Question");
    case FamilyColumn: return tr("Task family");
    case SplitColumn: return tr("Split");
    case AssetsColumn: return tr("Assets");
    }
    return {};
}

bool ItemListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_session->isOpen() && qint64(m_rows.size()) < m_total;
}

void ItemListModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    auto page = m_session->items(m_filter, qint64(m_rows.size()), kPageSize);
    if (!page) {
        m_total = qint64(m_rows.size()); // stop fetching; the error is shown once
        Q_EMIT loadFailed(page.error());
        return;
    }
    if (page->empty()) {
        m_total = qint64(m_rows.size());
        return;
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page->size()) - 1);
    for (auto &r : *page)
        m_rows.push_back(std::move(r));
    endInsertRows();
}

} // namespace sdrt::ui
