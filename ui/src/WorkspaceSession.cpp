#include "sdrt/ui/WorkspaceSession.h"

#include "sdrt/common/Log.h"
#include "sdrt/prompts/PromptLibrary.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/PromptRepository.h"
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

Result<store::Database *> WorkspaceSession::database() const
{
    if (!m_workspace)
        return fail(tr("No workspace is open."));
    return &m_workspace->db();
}

Result<std::int64_t> WorkspaceSession::itemCount(const store::ItemFilter &filter) const
{
    auto db = database();
    return db ? store::ItemRepository(**db).count(filter) : fail(db.error());
}

Result<std::vector<store::ItemSummary>> WorkspaceSession::items(const store::ItemFilter &filter, std::int64_t offset, std::int64_t limit) const
{
    auto db = database();
    return db ? store::ItemRepository(**db).list(filter, offset, limit) : fail(db.error());
}

Result<store::Item> WorkspaceSession::item(store::Id id) const
{
    auto db = database();
    return db ? store::ItemRepository(**db).get(id) : fail(db.error());
}

Result<QStringList> WorkspaceSession::taskFamilies() const
{
    auto db = database();
    return db ? store::ItemRepository(**db).taskFamilies() : fail(db.error());
}

Result<std::vector<store::Trace>> WorkspaceSession::traces(store::Id itemId) const
{
    auto db = database();
    return db ? store::TraceRepository(**db).forItem(itemId) : fail(db.error());
}

Result<std::vector<EvaluationRow>> WorkspaceSession::evaluations() const
{
    std::vector<EvaluationRow> rows;
    if (!isOpen())
        return rows;
    store::Database &db = m_workspace->db();
    store::EvaluationRepository repo(db);
    if (auto reconciled = repo.reconcile(); !reconciled)
        sdrt::log::get("ui")->warn("evaluations: {}", reconciled.error().toStdString());
    auto list = repo.list();
    if (!list)
        return fail(list.error());
    store::ModelRepository models(db);
    for (const store::Evaluation &e : *list) {
        QString model = QString::number(e.modelId);
        if (auto m = models.find(e.modelId); m && *m)
            model = (*m)->name;
        rows.push_back({e, model});
    }
    return rows;
}

Result<std::vector<store::ModelRecord>> WorkspaceSession::models() const
{
    auto db = database();
    return db ? store::ModelRepository(**db).list() : fail(db.error());
}

Result<std::vector<store::PromptVersion>> WorkspaceSession::prompts() const
{
    auto db = database();
    return db ? store::PromptRepository(**db).list() : fail(db.error());
}

Result<std::vector<store::PromptVersion>> WorkspaceSession::newestPrompts() const
{
    auto db = database();
    return db ? store::PromptRepository(**db).newestVersions() : fail(db.error());
}

Result<std::vector<store::GenerationRun>> WorkspaceSession::generationRuns() const
{
    auto db = database();
    if (!db)
        return fail(db.error());
    store::TraceRepository traces(**db);
    if (auto r = traces.reconcileRuns(); !r)
        return fail(r.error());
    return traces.runs();
}

} // namespace sdrt::ui
