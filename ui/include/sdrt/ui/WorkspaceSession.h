#pragma once
// The open workspace of the GUI: its GUI-thread connection and what changes it. Panels read
// through it and react to its signals; jobs on other threads open their own connections.

#include "sdrt/common/Result.h"
#include "sdrt/store/Workspace.h"

#include <QObject>

#include <memory>

namespace sdrt::ui {

class WorkspaceSession final : public QObject {
    Q_OBJECT
public:
    explicit WorkspaceSession(QObject *parent = nullptr);
    ~WorkspaceSession() override;

    Result<void> open(const QString &dir);
    Result<void> create(const QString &dir);
    void close();

    bool isOpen() const { return m_workspace != nullptr; }
    store::Workspace *workspace() const { return m_workspace.get(); }
    QString root() const;

    // Tells views that items were added (after an import).
    void notifyItemsChanged() { Q_EMIT itemsChanged(); }

Q_SIGNALS:
    void opened(const QString &root);
    void closed();
    void itemsChanged();

private:
    Result<void> adopt(Result<store::Workspace> ws);
    std::unique_ptr<store::Workspace> m_workspace;
};

} // namespace sdrt::ui
