#include "sdrt/ui/DistillController.h"

#include "sdrt/common/Log.h"
#include "sdrt/review/ReviewMarks.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/OutputFile.h"
#include "sdrt/store/RunProtocol.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/ChildRun.h"
#include "sdrt/ui/DistillRunsModel.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QDir>

#include <algorithm>

namespace sdrt::ui {

DistillController::DistillController(WorkspaceSession *session, QObject *parent)
    : QObject(parent), m_session(session), m_runs(new DistillRunsModel(this)), m_child(new ChildRun(this))
{
    connect(m_child, &ChildRun::jsonLine, this, &DistillController::childLine);
    connect(m_child, &ChildRun::stderrLine, this, &DistillController::stderrLine);
    connect(m_child, &ChildRun::finished, this, [this] {
        reloadRuns();
        Q_EMIT childFinished();
    });
    connect(m_session, &WorkspaceSession::opened, this, &DistillController::reloadRuns);
    connect(m_session, &WorkspaceSession::closed, this, &DistillController::reloadRuns);
}

store::Database *DistillController::db() const
{
    return m_session->isOpen() ? &m_session->workspace()->db() : nullptr;
}

bool DistillController::isRunning() const
{
    return m_child->isRunning();
}

std::vector<std::pair<QString, store::Id>> DistillController::baseModels() const
{
    std::vector<std::pair<QString, store::Id>> out;
    if (!db())
        return out;
    if (auto models = store::ModelRepository(*db()).list(); models)
        for (const store::ModelRecord &m : *models)
            if (m.role == store::ModelRole::Base)
                out.emplace_back(m.name, m.id);
    return out;
}

QString DistillController::approvedSummary(const std::optional<review::ApprovalPolicy> &policy) const
{
    if (!db())
        return {};
    auto session = review::ReviewSession::load(*db());
    if (!session)
        return session.error();
    if (policy)
        (*session)->usePolicy(*policy);
    const int n = int((*session)->approvedTraces().size());
    return tr("%n approved trace(s) under %1; the run uses those of train items made by the base model.", nullptr, n)
        .arg((*session)->policy().describe());
}

std::optional<store::DistillRun> DistillController::run(const QString &name) const
{
    if (!db() || name.isEmpty())
        return std::nullopt;
    auto r = store::DistillRepository(*db()).findByName(name);
    return r && *r ? **r : std::optional<store::DistillRun>();
}

std::optional<store::RunLineage> DistillController::lineage(const QString &name) const
{
    const auto r = run(name);
    if (!r)
        return std::nullopt;
    auto l = store::DistillRepository(*db()).lineage(r->id);
    return l ? *l : std::optional<store::RunLineage>();
}

bool DistillController::isLive(const QString &name) const
{
    if (isRunning() && m_childRun == name)
        return true;
    const auto r = run(name);
    return r && store::DistillRepository(*db()).isLive(r->id);
}

QString DistillController::trainingLogFile(const QString &name) const
{
    return m_session->isOpen() ? store::DistillRunFiles::trainingLog(store::DistillRunFiles::folder(m_session->root(), name)) : QString();
}

void DistillController::reloadRuns()
{
    std::vector<DistillRunsModel::Row> rows;
    if (db()) {
        store::DistillRepository repo(*db());
        // Runs whose process died read as interrupted; if that cannot be written (a read-only
        // workspace), the list still shows them, as the store has them.
        if (auto reconciled = repo.reconcile(); !reconciled)
            sdrt::log::get("ui")->warn("distillation runs: {}", reconciled.error().toStdString());
        auto runs = repo.list();
        if (!runs) {
            Q_EMIT errorOccurred(tr("Distillation runs"), runs.error());
        } else {
            store::ModelRepository models(*db());
            for (const store::DistillRun &r : *runs) {
                QString baseName = QString::number(r.baseModelId);
                if (auto m = models.find(r.baseModelId); m && *m)
                    baseName = (*m)->name;
                rows.push_back({r, baseName});
            }
        }
    }
    m_runs->setRows(std::move(rows));
}

Result<void> DistillController::launch(const QStringList &args, const QString &name)
{
    const auto logs = store::protocol::RunLogFiles::of(m_session->root(), QStringLiteral("distill"), name);
    if (!m_child->start(args, logs.stdoutFile, logs.stderrFile))
        return fail(m_child->errorString());
    m_childRun = name;
    return {};
}

Result<void> DistillController::start(store::Id baseModel, const QString &name, const QByteArray &configJson, int processes)
{
    if (!m_session->isOpen())
        return fail(tr("Open a workspace first."));
    const QString root = m_session->root();
    QDir().mkpath(store::protocol::RunLogFiles::folder(root));
    const QString configPath = store::protocol::RunLogFiles::pendingConfig(root, name);
    if (auto w = store::writeWorkspaceFile(configPath, configJson); !w)
        return fail(w.error());
    QStringList args{QStringLiteral("distill"), root, QStringLiteral("--base"), QString::number(baseModel),
                     QStringLiteral("--config"), configPath, QStringLiteral("--name"), name};
    if (processes > 1)
        args << QStringLiteral("--nproc") << QString::number(processes);
    return launch(args, name);
}

Result<void> DistillController::resume(const QString &name)
{
    if (!m_session->isOpen())
        return fail(tr("Open a workspace first."));
    return launch({QStringLiteral("distill"), m_session->root(), QStringLiteral("--resume"), name}, name);
}

Result<void> DistillController::cancel(const QString &name)
{
    if (isRunning() && (name.isEmpty() || name == m_childRun)) {
        m_child->cancel();
        return {};
    }
    const auto r = run(name);
    if (!r)
        return fail(tr("There is no run \"%1\".").arg(name));
    return store::DistillRepository(*db()).requestStop(r->id);
}

QString DistillController::liveRun() const
{
    if (isRunning())
        return m_childRun;
    for (const DistillRunsModel::Row &row : m_runs->rows())
        if (row.run.status == store::RunStatus::Running && isLive(row.run.name))
            return row.run.name;
    return {};
}

Result<QString> DistillController::markLineageForReview(const QString &name)
{
    const auto r = run(name);
    if (!r)
        return fail(tr("There is no run \"%1\".").arg(name));
    auto items = review::lineageItems(*db(), r->id);
    if (!items)
        return fail(items.error());
    const QString source = review::MarkSource::distillationRun(name);
    if (auto marked = review::markForReview(*db(), source, *items); !marked)
        return fail(marked.error());
    return source;
}

} // namespace sdrt::ui
