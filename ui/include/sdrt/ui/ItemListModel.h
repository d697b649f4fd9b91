#pragma once
// Items of the open workspace as a table, fetched lazily a page at a time (canFetchMore /
// fetchMore), so a workspace of 100,000 items opens at once.

#include "sdrt/store/Types.h"

#include <QAbstractTableModel>

#include <vector>

namespace sdrt::ui {

class WorkspaceSession;

class ItemListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { IdColumn, QuestionColumn, FamilyColumn, SplitColumn, AssetsColumn, ColumnCount };
    static constexpr int kPageSize = 256;
    static constexpr int ItemIdRole = Qt::UserRole + 1;

    explicit ItemListModel(WorkspaceSession *session, QObject *parent = nullptr);

    void setFilter(const store::ItemFilter &filter);
    const store::ItemFilter &filter() const { return m_filter; }
    void reload();
    // Matching items in the workspace (not only the rows fetched so far).
    qint64 totalCount() const { return m_total; }
    store::Id itemId(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    void totalCountChanged(qint64 total);
    void loadFailed(const QString &message);

private:
    WorkspaceSession *m_session;
    store::ItemFilter m_filter;
    std::vector<store::ItemSummary> m_rows;
    qint64 m_total = 0;
};

} // namespace sdrt::ui
