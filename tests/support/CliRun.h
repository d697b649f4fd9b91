#pragma once
// Runs the real `sdrt` binary of this build as a child process (tests that check what a user
// sees on the command line, or that kill a run mid-way).

#include <QList>
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

// A workspace made the way a user makes one: `sdrt import WS DATA --init`, the prompt library
// registered, and (when `modelDir` is given) the model registered as `modelName`. Failures are
// printed; the tests that use the workspace then fail on what is missing.
inline void sdrtMakeWorkspace(const QString &ws, const QString &data, const QString &modelDir = {},
                              const QString &modelName = QStringLiteral("tiny"))
{
    QList<QStringList> steps{{QStringLiteral("import"), ws, data, QStringLiteral("--init")}, {QStringLiteral("prompts"), QStringLiteral("register"), ws}};
    if (!modelDir.isEmpty())
        steps.append({QStringLiteral("model"), QStringLiteral("register"), ws, modelDir, QStringLiteral("--name"), modelName});
    for (const QStringList &step : steps) {
        const CliRun r = sdrtRun(step);
        if (r.code != 0)
            qWarning("sdrt %s: %s", qPrintable(step.first()), qPrintable(r.err));
    }
}

} // namespace sdrt::testing
