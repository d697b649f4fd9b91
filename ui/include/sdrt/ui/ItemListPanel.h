#pragma once
// The item list: filters (split, task family, text) over a lazily fetched table.

#include "sdrt/store/Types.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QTimer;

namespace sdrt::ui {

class ItemListModel;
class WorkspaceSession;

class ItemListPanel final : public QWidget {
    Q_OBJECT
public:
    explicit ItemListPanel(WorkspaceSession *session, QWidget *parent = nullptr);

    ItemListModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QLineEdit *searchField() const { return m_search; }
    QComboBox *splitFilter() const { return m_split; }
    QComboBox *familyFilter() const { return m_family; }
    store::Id currentItemId() const;
    void selectRow(int row);
    // Selects the item (fetching pages until it is loaded); false when the list's filters hide it.
    bool showItem(store::Id id);

Q_SIGNALS:
    void itemSelected(sdrt::store::Id id);
    void errorOccurred(const QString &message);

private:
    void applyFilter();
    void refreshFamilies();
    void updateCount(qint64 total);

    WorkspaceSession *m_session;
    ItemListModel *m_model;
    QTableView *m_view;
    QComboBox *m_split;
    QComboBox *m_family;
    QLineEdit *m_search;
    QLabel *m_count;
    QTimer *m_searchDelay;
};

} // namespace sdrt::ui
