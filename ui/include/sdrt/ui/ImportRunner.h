#pragma once
// An import (assets::ImportJob) on a worker thread (JobRunner.h), with progress on the GUI
// thread at most about 20 times a second. Owned by the main window, which starts imports.

#include "sdrt/assets/ImportJob.h"
#include "sdrt/ui/JobRunner.h"

namespace sdrt::ui {

class ImportRunner final : public JobRunnerOf<assets::ImportParams, assets::ImportReport> {
    Q_OBJECT
public:
    explicit ImportRunner(QObject *parent = nullptr);

    using JobRunnerOf::start;
    bool start(const QString &workspaceRoot, const QString &source, const assets::DecodeLimits &limits = {});
    const assets::ImportReport &lastReport() const { return lastSummary(); }

Q_SIGNALS:
    void progress(int done, int total, const QString &current);

private:
    void relayCallbacks(assets::ImportParams &params) override;
};

} // namespace sdrt::ui
