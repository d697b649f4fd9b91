#pragma once
// Runs the real `sdrt` binary of this build as a child process (tests that check what a user
// sees on the command line, or that kill a run mid-way).

#include <QProcess>
#include <QString>
#include <QStringList>

namespace sdrt::testing {

inline QString sdrtBinary()
{
    return qEnvironmentVariable("SDRT_TEST_BINARY_DIR") + QStringLiteral("/app/sdrt");
}

struct CliRun {
    int code = -1; // -1: did not exit normally
    QString out;
    QString err;
};

inline CliRun sdrtRun(const QStringList &args, int timeoutMs = 300000)
{
    QProcess p;
    p.start(sdrtBinary(), args);
    p.waitForFinished(timeoutMs);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

} // namespace sdrt::testing
