#pragma once
// The open workspace of the GUI: its GUI-thread connection and what changes it. Panels read
// through it and react to its signals; jobs on other threads open their own connections.
// It owns the workspace's review (ReviewController), which screens show but do not own.

#include "sdrt/common/Result.h"
#include "sdrt/store/EvaluationRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Types.h"
#include "sdrt/store/Workspace.h"

#include <QObject>

#include <memory>

namespace sdrt::ui {

class ReviewController;

// A stored evaluation and the name of the model it evaluated.
struct EvaluationRow {
    store::Evaluation evaluation;
    QString modelName;
};

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
    // The review of the open workspace (an empty one while none is open); never null.
    ReviewController *reviews() const { return m_reviews.get(); }

    // What the screens read, on this (GUI-thread) connection; each fails while no workspace is
    // open. Screens read through these or through a controller, never a repository of their own.
    Result<std::int64_t> itemCount(const store::ItemFilter &filter) const;
    Result<std::vector<store::ItemSummary>> items(const store::ItemFilter &filter, std::int64_t offset, std::int64_t limit) const;
    Result<store::Item> item(store::Id id) const;
    Result<QStringList> taskFamilies() const;
    Result<std::vector<store::Trace>> traces(store::Id itemId) const;
    Result<std::vector<store::ModelRecord>> models() const;
    Result<std::vector<store::PromptVersion>> prompts() const; // every version, by name then version
    Result<std::vector<store::PromptVersion>> newestPrompts() const;
    // The teacher runs, those whose process died marked interrupted first.
    Result<std::vector<store::GenerationRun>> generationRuns() const;
    // Every evaluation, oldest first (those whose process died marked interrupted first).
    Result<std::vector<EvaluationRow>> evaluations() const;

    // Tells views that items were added (after an import).
    void notifyItemsChanged() { Q_EMIT itemsChanged(); }

Q_SIGNALS:
    void opened(const QString &root);
    void closed();
    void itemsChanged();

private:
    Result<void> adopt(Result<store::Workspace> ws);
    Result<store::Database *> database() const;
    std::unique_ptr<store::Workspace> m_workspace;
    // Declared after the workspace: destroyed first, while its Database still exists.
    std::unique_ptr<ReviewController> m_reviews;
};

} // namespace sdrt::ui
