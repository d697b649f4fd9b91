#include "sdrt/ui/WorkspaceSession.h"

#include "sdrt/common/Log.h"
#include "sdrt/prompts/PromptLibrary.h"
#include "sdrt/ui/ReviewController.h"

namespace sdrt::ui {

WorkspaceSession::WorkspaceSession(QObject *parent)
    : QObject(parent), m_reviews(std::make_unique<ReviewController>([this] { return m_workspace.get(); }))
{
    connect(this, &WorkspaceSession::opened, m_reviews.get(), &ReviewController::startAfresh);
    connect(this, &WorkspaceSession::closed, m_reviews.get(), &ReviewController::startAfresh);
}

WorkspaceSession::~WorkspaceSession() = default;

Result<void> WorkspaceSession::adopt(Result<store::Workspace> ws)
{
    if (!ws)
        return fail(ws.error());
    close();
    m_workspace = std::make_unique<store::Workspace>(std::move(*ws));
    // Keep the workspace's record of prompt versions current with the shipped library.
    if (auto lib = prompts::PromptLibrary::loadDir(prompts::PromptLibrary::defaultDir())) {
        if (auto r = lib->registerIn(m_workspace->db()); !r)
            sdrt::log::get("ui")->warn("{}", r.error().toStdString());
    } else {
        sdrt::log::get("ui")->warn("{}", lib.error().toStdString());
    }
    sdrt::log::get("ui")->info("opened workspace {}", m_workspace->root().toStdString());
    Q_EMIT opened(m_workspace->root());
    return {};
}

Result<void> WorkspaceSession::open(const QString &dir)
{
    return adopt(store::Workspace::open(dir));
}

Result<void> WorkspaceSession::create(const QString &dir)
{
    return adopt(store::Workspace::create(dir));
}

void WorkspaceSession::close()
{
    if (!m_workspace)
        return;
    m_workspace.reset();
    Q_EMIT closed();
}

QString WorkspaceSession::root() const
{
    return m_workspace ? m_workspace->root() : QString();
}

} // namespace sdrt::ui
