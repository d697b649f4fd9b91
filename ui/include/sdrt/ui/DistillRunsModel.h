#pragma once
// The distillation runs of a workspace as a table: name, status, base, steps, settings, final
// losses, duration. Filled by DistillController from the store; the Distill screen shows it.

#include "sdrt/store/DistillRepository.h"

#include <QAbstractTableModel>
#include <QJsonObject>

#include <vector>

namespace sdrt::ui {

class DistillRunsModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, StatusColumn, BaseColumn, StepsColumn, SettingsColumn, LossesColumn, DurationColumn, ColumnCount };
    enum Role { RunIdRole = Qt::UserRole, StatusRole };
    struct Row {
        store::DistillRun run;
        QString baseName;
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(std::vector<Row> rows);
    const std::vector<Row> &rows() const { return m_rows; }
    // The row of the run named `name`, or -1.
    int rowOf(const QString &name) const;
    // A running run's row follows its training: steps done and the last step's losses (the
    // store has them only at checkpoints and at the end).
    void setProgress(const QString &name, int step, const QJsonObject &losses);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString cell(const Row &row, int column) const;
    std::vector<Row> m_rows;
};

} // namespace sdrt::ui
