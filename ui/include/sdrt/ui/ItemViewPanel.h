#pragma once
// One item: its assets in the viewer, then question, reference answer, note and details, and
// its teacher traces with the ensemble (majority and weighted vote, agreement).

#include "sdrt/store/Types.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QTreeWidget;

namespace sdrt::ui {

class AssetViewer;
class WorkspaceSession;

class ItemViewPanel final : public QWidget {
    Q_OBJECT
public:
    explicit ItemViewPanel(WorkspaceSession *session, QWidget *parent = nullptr);

    void showItem(store::Id id);
    void clear();
    store::Id currentItem() const { return m_itemId; }
    AssetViewer *assetViewer() const { return m_viewer; }
    QString questionText() const;
    QString noteText() const;
    QString referenceText() const;
    QTreeWidget *tracesView() const { return m_traces; }
    QString ensembleText() const;
    // Reloads the traces when the shown item is among `itemIds` (after a generation batch).
    void onTracesStored(const QList<qint64> &itemIds);

Q_SIGNALS:
    void errorOccurred(const QString &message);

private:
    WorkspaceSession *m_session;
    store::Id m_itemId = 0;
    AssetViewer *m_viewer;
    QLabel *m_question;
    QLabel *m_reference;
    QLabel *m_details;
    QPlainTextEdit *m_note;
    QTreeWidget *m_traces;
    QLabel *m_ensemble;
    void showTraces(const store::Item &item);
};

} // namespace sdrt::ui
