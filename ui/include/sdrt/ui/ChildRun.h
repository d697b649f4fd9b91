#pragma once
// A long run (sdrt distill, sdrt eval) as a process of its own, so that a crash of the run never
// takes the GUI or the reviews with it and the run can go on after the window closes. The
// process is started detached with its stdout (JSON lines) and stderr written to files under
// the workspace's logs/ folder; this object follows both files and the process's life by a
// timer, emits each complete stdout line as a JSON object and each stderr line as text, and
// `finished` once the process is gone and both files are read to the end. Cancel sends SIGTERM:
// the sdrt commands end cleanly on it (the run is left cancelled and resumable).
//
// The process is known by its identity (pid and start time, ProcessLock::processIdentity), not
// its bare pid: a pid the system gives to another program after the run ends never looks like
// the run, and Cancel never signals it. sdrt writes its exit status to the file
// $SDRT_EXIT_STATUS_FILE names, which this object sets beside the stdout file.
//
// Thread rule: GUI thread.

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

class QTimer;

namespace sdrt::ui {

// The sdrt command-line program the GUI starts: $SDRT_CLI, else `sdrt` beside the running binary.
QString sdrtProgram();

class ChildRun final : public QObject {
    Q_OBJECT
public:
    explicit ChildRun(QObject *parent = nullptr);
    ~ChildRun() override; // leaves a live process running (see MainWindow's close question)

    // Starts `sdrt ARGS` with stdout to OUT and stderr to ERR (both replaced). False with
    // errorString() when it could not start or one is still running.
    bool start(const QStringList &args, const QString &stdoutPath, const QString &stderrPath);
    bool isRunning() const { return m_pid > 0; }
    // The exit status of the last run once it has finished; -1 when it wrote none (killed, crashed).
    int exitCode() const { return m_exitCode; }
    qint64 pid() const { return m_pid; }
    // SIGTERM: the run stops after its current step or batch and records itself as cancelled.
    void cancel();
    // Waits up to `ms` for the process to end (after cancel), following its output meanwhile.
    bool waitForFinished(int ms);
    QString errorString() const { return m_error; }
    // The last JSON object whose "event" was done, cancelled or failed (empty if none came).
    QJsonObject lastEvent() const { return m_last; }
    // The last stderr line (the reason, when a command refused to start and wrote no event).
    QString lastStderrLine() const { return m_lastErr; }

Q_SIGNALS:
    void jsonLine(const QJsonObject &line);
    void stderrLine(const QString &line);
    void finished();

private:
    bool stillOurs() const; // the process this object started is still running
    void poll();
    void readNew(const QString &path, qint64 &offset, QByteArray &partial, bool json, bool flush);
    QTimer *m_timer;
    qint64 m_pid = 0;
    QString m_identity, m_statusFile;
    int m_exitCode = -1;
    QString m_out, m_err, m_error;
    qint64 m_outOffset = 0, m_errOffset = 0;
    QByteArray m_outPartial, m_errPartial;
    QJsonObject m_last;
    QString m_lastErr;
};

} // namespace sdrt::ui
