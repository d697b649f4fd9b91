#pragma once
// The sdrt sub-commands. Each takes its own arguments (argv after the command name) and returns
// the process exit status: 0 success, 1 partial failure (some input failed), 2 error.

#include "sdrt/common/Result.h"
#include "sdrt/store/Types.h"

#include <QStringList>

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

class QCommandLineParser;
class QJsonObject;
#include <atomic>
#include <memory>
namespace sdrt::model {
class Student;
class VlmRuntime;
}
namespace sdrt::store {
class Database;
class Workspace;
}
class QCommandLineOption;

namespace sdrt::cli {

int runInit(const QStringList &args);
int runImport(const QStringList &args);
int runPrompts(const QStringList &args);
int runBench(const QStringList &args);
int runDemo(const QStringList &args);
int runModel(const QStringList &args);
int runGenerate(const QStringList &args);
int runMerge(const QStringList &args);
int runExport(const QStringList &args);
int runRuns(const QStringList &args);
int runDistill(const QStringList &args);
int runDistillRuns(const QStringList &args);
int runReview(const QStringList &args);
int runEval(const QStringList &args);
int runCompare(const QStringList &args);
int runBenchGenerate(const QStringList &args);
int benchModel(const QStringList &args);
// sdrt model make-tiny, tokenize/detokenize --jsonl and chat-template --jsonl (ModelToolCommands.cpp).
int makeTiny(const QStringList &args);
int tokenizeLines(const QStringList &args, bool decode);
int chatTemplateLines(const QStringList &args);

// QCommandLineParser::process() for a command: --help prints the help and exits 0; an unknown
// option or a missing value exits with status 2, as every other usage error does (process()
// itself exits 1).
// A parent that started this process detached (the workbench) reads the exit status from the
// file $SDRT_EXIT_STATUS_FILE names; without the variable nothing is written.
void writeExitStatus(int code);
void processArgs(QCommandLineParser &p, const QStringList &args);
// A command that works on a workspace: its description, --help and the argument WS.
void workspaceCommand(QCommandLineParser &p, const QString &description);
// processArgs() for `command` ("sdrt runs"), then whether exactly `positionals` arguments were
// given (if not, the help is printed on stderr).
bool parseArgs(QCommandLineParser &p, const QString &command, const QStringList &args, int positionals);

// Whether a command that makes a folder's files (make-tiny, make-data) may write into `dir`: a
// new or empty folder, or one with files when `force`; never a workspace's root. False after an
// error on stderr.
bool outputFolderAllowed(const QString &dir, bool force, const QString &command);

// The workspace in `dir`, or nullopt after its error on stderr (callers exit with status 2).
std::optional<store::Workspace> openWorkspace(const QString &dir);

// Numeric options: the value of `option` (its default when not given), or nullopt after an
// error on stderr that names the option, the value and the allowed range ("--limit: \"abc\"
// is not a whole number"). Callers then exit with status 2.
std::optional<int> intOption(const QCommandLineParser &p, const QCommandLineOption &option, int min,
                             int max = std::numeric_limits<int>::max());
std::optional<double> realOption(const QCommandLineParser &p, const QCommandLineOption &option, double min, double max,
                                 bool minInclusive = true);
std::optional<std::uint64_t> seedOption(const QCommandLineParser &p, const QCommandLineOption &option);
// A comma-separated list of whole numbers in [min, max] ("--layers 2,4").
std::optional<std::vector<int>> intListOption(const QCommandLineParser &p, const QCommandLineOption &option, int min, int max);

// Loads RUN_DIR/adapter.safetensors for the base model folder `baseDir` (checked against the
// folder's content hash) and attaches it to `rt`; nullptr after an error on stderr.
std::unique_ptr<model::Student> loadStudentAdapter(model::VlmRuntime &rt, const QString &baseDir, const QString &runDir);

// A model by name or id, and prompt versions by name (newest version) or name:version, comma
// separated; errors name what is missing.
Result<store::Id> resolveModel(store::Database &db, const QString &spec);
Result<std::vector<store::Id>> resolvePrompts(store::Database &db, const QString &spec);

// Console helpers (UTF-8 on stdout/stderr).
void out(const QString &text);
void err(const QString &text);
// err(text), then the exit status of a command that failed (2).
int errorExit(const QString &text);
// err(text), then false / nothing, for the helpers that report and give up.
bool errorFalse(const QString &text);
std::nullopt_t errorNothing(const QString &text);
// One JSON object as one line on stdout, flushed (the progress protocol of distill and eval).
void jsonLine(const QJsonObject &object);
// SIGINT and SIGTERM set the returned flag (a long job polls it and ends cleanly).
const std::atomic_bool *cancelOnSignals();
// A one-line progress bar on stderr when it is a terminal, else occasional lines.
class ProgressBar {
public:
    explicit ProgressBar(QString label) : m_label(std::move(label)) {}
    void update(qint64 done, qint64 total, const QString &extra = {});
    void finish();

private:
    QString m_label;
    qint64 m_startMs = -1;
    qint64 m_lastMs = -1;
};

} // namespace sdrt::cli
