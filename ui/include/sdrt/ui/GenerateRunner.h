#pragma once
// Runs a teacher generation job on a worker thread; progress and "traces stored" reach the GUI
// thread as signals. Thread rule: create, start and cancel on the GUI thread. The destructor
// cancels a running job and waits for it.

#include "sdrt/teacher/GenerationJob.h"

#include <QObject>

#include <atomic>

class QThread;

namespace sdrt::ui {

class GenerateRunner final : public QObject {
    Q_OBJECT
public:
    explicit GenerateRunner(QObject *parent = nullptr);
    ~GenerateRunner() override;

    // params.progress, params.stored and params.cancel are set by the runner.
    bool start(teacher::GenerationParams params);
    void cancel();
    bool isRunning() const { return m_thread != nullptr; }
    const teacher::GenerationSummary &lastSummary() const { return m_summary; }
    const QString &lastError() const { return m_error; }

Q_SIGNALS:
    void progress(const sdrt::teacher::GenerationProgress &progress);
    void tracesStored(const QList<qint64> &itemIds);
    void finished(bool ok);

private:
    QThread *m_thread = nullptr;
    std::atomic_bool m_cancel = false;
    teacher::GenerationSummary m_summary;
    QString m_error;
};

} // namespace sdrt::ui
