#pragma once
// A teacher run (teacher::runGeneration) on a worker thread (JobRunner.h): progress and
// "traces stored" reach the GUI thread as signals. Owned by the Generate panel.

#include "sdrt/teacher/GenerationJob.h"
#include "sdrt/ui/JobRunner.h"

#include <QList>

namespace sdrt::ui {

class GenerateRunner final : public JobRunnerOf<teacher::GenerationParams, teacher::GenerationSummary> {
    Q_OBJECT
public:
    explicit GenerateRunner(QObject *parent = nullptr);

Q_SIGNALS:
    void progress(const sdrt::teacher::GenerationProgress &progress);
    void tracesStored(const QList<qint64> &itemIds);

private:
    void relayCallbacks(teacher::GenerationParams &params) override;
};

} // namespace sdrt::ui
