#pragma once
// A table of ready-made cells (text, tooltip, colour, a key, an optional check box) behind a
// QTableView. The screens build the cells from core data (a comparison, the evaluations) in
// functions that can be tested without widgets; the model only serves them.

#include <QAbstractTableModel>
#include <QColor>
#include <QStringList>
#include <QVariant>

#include <optional>
#include <vector>

namespace sdrt::ui {

struct Cell {
    QString text;
    QString toolTip;
    std::optional<QColor> foreground;
    QVariant key;                // Qt::UserRole: what the row stands for (a row index, a name)
    std::optional<bool> checked; // set: the cell has a check box
};

struct CellTable {
    QStringList headers;
    std::vector<std::vector<Cell>> rows;
};

class CellTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    using QAbstractTableModel::QAbstractTableModel;

    void setTable(CellTable table);
    const CellTable &table() const { return m_table; }
    // The cell's text, or empty outside the table.
    QString text(int row, int column) const;
    // The key of the row's first cell.
    QVariant key(int row) const;
    // Keys of the rows whose first cell is checked, in row order; check() sets exactly these.
    QVariantList checkedKeys() const;
    void check(const QVariantList &keys);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    // Horizontal: the headers. Vertical: the row's first cell, so that a view can show the row's
    // label in its fixed vertical header (and hide column 0) where columns scroll sideways.
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const Cell *cellAt(const QModelIndex &index) const;
    CellTable m_table;
};

} // namespace sdrt::ui
