#include "sdrt/ui/DistillRunsModel.h"

#include "sdrt/ui/RunText.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace sdrt::ui {

void DistillRunsModel::setRows(std::vector<Row> rows)
{
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void DistillRunsModel::setProgress(const QString &name, int step, const QJsonObject &losses)
{
    const int row = rowOf(name);
    if (row < 0 || m_rows[std::size_t(row)].run.status != store::RunStatus::Running)
        return;
    store::DistillRun &r = m_rows[std::size_t(row)].run;
    r.stepsDone = step;
    r.finalLosses = QString::fromUtf8(QJsonDocument(losses).toJson(QJsonDocument::Compact));
    Q_EMIT dataChanged(index(row, StepsColumn), index(row, LossesColumn));
}

int DistillRunsModel::rowOf(const QString &name) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].run.name == name)
            return int(i);
    return -1;
}

int DistillRunsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int DistillRunsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DistillRunsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_rows.size()))
        return {};
    const Row &r = m_rows[std::size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole: return cell(r, index.column());
    case Qt::ToolTipRole: return index.column() == StatusColumn && !r.run.error.isEmpty() ? QVariant(r.run.error) : QVariant();
    case RunIdRole: return qint64(r.run.id);
    case StatusRole: return int(r.run.status);
    default: return {};
    }
}

QString DistillRunsModel::cell(const Row &row, int column) const
{
    const store::DistillRun &r = row.run;
    const QJsonObject cfg = QJsonDocument::fromJson(r.config.toUtf8()).object();
    switch (column) {
    case NameColumn: return r.name;
    case StatusColumn: return runStatusText(r.status);
    case BaseColumn: return row.baseName;
    case StepsColumn: return tr("%1 of %2").arg(r.stepsDone).arg(cfg.value(QStringLiteral("steps")).toInt());
    case SettingsColumn: {
        QStringList settings{tr("batch %1").arg(cfg.value(QStringLiteral("batch")).toInt()),
                             tr("lr %1").arg(cfg.value(QStringLiteral("learning_rate")).toDouble()),
                             tr("rank %1").arg(cfg.value(QStringLiteral("rank")).toInt()),
                             tr("λ %1").arg(cfg.value(QStringLiteral("lambda_hidden")).toDouble())};
        for (const char *module : {"adapter", "skip", "ensemble"})
            if (!cfg.value(QLatin1String(module)).toBool(true))
                settings << tr("no %1").arg(QLatin1String(module));
        return settings.join(QStringLiteral(" · "));
    }
    case LossesColumn: {
        const QJsonObject losses = QJsonDocument::fromJson(r.finalLosses.toUtf8()).object();
        QStringList text;
        for (const char *term : {"ce", "hidden", "loss"})
            if (losses.contains(QLatin1String(term)))
                text << QStringLiteral("%1 %2").arg(QLatin1String(term)).arg(losses.value(QLatin1String(term)).toDouble(), 0, 'g', 4);
        return text.join(QStringLiteral(" · "));
    }
    case DurationColumn: return runDuration(r.startedAt, r.finishedAt);
    default: return {};
    }
}

QVariant DistillRunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    const QString names[] = {tr("Run"), tr("Status"), tr("Base"), tr("Steps"), tr("Settings"), tr("Losses (last step)"), tr("Duration")};
    return section >= 0 && section < ColumnCount ? names[section] : QVariant();
}

} // namespace sdrt::ui
