#pragma once
// Runs an assets::ImportJob on a worker thread and reports progress to the GUI thread.
// Thread rule: create, start and cancel on the GUI thread; signals arrive there. The destructor
// cancels a running import and waits for it, so no result reaches a dead object.

#include "sdrt/assets/ImportJob.h"

#include <QObject>

#include <atomic>
#include <memory>

class QThread;

namespace sdrt::ui {

class ImportRunner final : public QObject {
    Q_OBJECT
public:
    explicit ImportRunner(QObject *parent = nullptr);
    ~ImportRunner() override;

    bool start(const QString &workspaceRoot, const QString &source, const assets::DecodeLimits &limits = {});
    void cancel();
    bool isRunning() const { return m_thread != nullptr; }
    const assets::ImportReport &lastReport() const { return m_report; }
    const QString &lastError() const { return m_error; }

Q_SIGNALS:
    void progress(int done, int total, const QString &current);
    // ok is false when the batch could not run at all (see lastError()).
    void finished(bool ok);

private:
    QThread *m_thread = nullptr;
    std::atomic_bool m_cancel = false;
    assets::ImportReport m_report;
    QString m_error;
};

} // namespace sdrt::ui
