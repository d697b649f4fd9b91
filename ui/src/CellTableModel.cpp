#include "sdrt/ui/CellTableModel.h"

namespace sdrt::ui {

void CellTableModel::setTable(CellTable table)
{
    beginResetModel();
    m_table = std::move(table);
    endResetModel();
}

const Cell *CellTableModel::cellAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.row() >= int(m_table.rows.size()))
        return nullptr;
    const auto &row = m_table.rows[std::size_t(index.row())];
    return index.column() < int(row.size()) ? &row[std::size_t(index.column())] : nullptr;
}

QString CellTableModel::text(int row, int column) const
{
    const Cell *c = cellAt(index(row, column));
    return c ? c->text : QString();
}

QVariant CellTableModel::key(int row) const
{
    const Cell *c = cellAt(index(row, 0));
    return c ? c->key : QVariant();
}

QVariantList CellTableModel::checkedKeys() const
{
    QVariantList out;
    for (const auto &row : m_table.rows)
        if (!row.empty() && row.front().checked.value_or(false))
            out << row.front().key;
    return out;
}

void CellTableModel::check(const QVariantList &keys)
{
    for (int r = 0; r < rowCount(); ++r)
        setData(index(r, 0), keys.contains(key(r)) ? Qt::Checked : Qt::Unchecked, Qt::CheckStateRole);
}

int CellTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_table.rows.size());
}

int CellTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_table.headers.size());
}

QVariant CellTableModel::data(const QModelIndex &index, int role) const
{
    const Cell *c = cellAt(index);
    if (!c)
        return {};
    switch (role) {
    case Qt::DisplayRole: return c->text;
    case Qt::ToolTipRole: return c->toolTip.isEmpty() ? QVariant() : QVariant(c->toolTip);
    case Qt::ForegroundRole: return c->foreground ? QVariant(*c->foreground) : QVariant();
    case Qt::UserRole: return c->key;
    case Qt::CheckStateRole: return c->checked ? QVariant(*c->checked ? Qt::Checked : Qt::Unchecked) : QVariant();
    default: return {};
    }
}

bool CellTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    const Cell *c = cellAt(index);
    if (!c || role != Qt::CheckStateRole || !c->checked)
        return false;
    const bool checked = value.toInt() == Qt::Checked;
    if (*c->checked == checked)
        return true;
    m_table.rows[std::size_t(index.row())][std::size_t(index.column())].checked = checked;
    Q_EMIT dataChanged(index, index, {Qt::CheckStateRole});
    return true;
}

Qt::ItemFlags CellTableModel::flags(const QModelIndex &index) const
{
    const Cell *c = cellAt(index);
    if (!c)
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | (c->checked ? Qt::ItemIsUserCheckable : Qt::NoItemFlags);
}

QVariant CellTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if ((role != Qt::DisplayRole && !(role == Qt::ToolTipRole && orientation == Qt::Vertical)) || section < 0)
        return {};
    if (orientation == Qt::Vertical) // the row's first cell: a view that hides column 0 keeps it in sight
        return section < int(m_table.rows.size()) && !m_table.rows[std::size_t(section)].empty() ? m_table.rows[std::size_t(section)][0].text : QVariant();
    return section < int(m_table.headers.size()) ? m_table.headers[section] : QVariant();
}

} // namespace sdrt::ui
