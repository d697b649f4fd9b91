#include "cli/Commands.h"

#include "sdrt/model/Student.h"

#include "sdrt/demo/FactoryWorld.h"
#include "sdrt/demo/TeacherCurriculum.h"
#include "sdrt/demo/TeacherEvaluation.h"
#include "sdrt/model/Platform.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/model/Training.h"
#include "sdrt/prompts/PromptLibrary.h"
#include "sdrt/store/OutputFile.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <QCommandLineParser>
#include <QCoreApplication>

namespace sdrt::cli {

namespace {

// sdrt demo train-teacher's options.
struct TrainTeacherOptions {
    QCommandLineOption items{QStringLiteral("items"), QCoreApplication::translate("sdrt::cli", "Items to generate (train split used)."), QStringLiteral("N"), QStringLiteral("4000")};
    QCommandLineOption steps{QStringLiteral("steps"), QCoreApplication::translate("sdrt::cli", "Training steps."), QStringLiteral("N"), QStringLiteral("2000")};
    QCommandLineOption batch{QStringLiteral("batch"), QCoreApplication::translate("sdrt::cli", "Examples per step."), QStringLiteral("N"), QStringLiteral("16")};
    QCommandLineOption lr{QStringLiteral("lr"), QCoreApplication::translate("sdrt::cli", "Peak learning rate."), QStringLiteral("X"), QStringLiteral("0.001")};
    QCommandLineOption seed{QStringLiteral("seed"), QCoreApplication::translate("sdrt::cli", "Random seed."), QStringLiteral("S"), QStringLiteral("1")};
    QCommandLineOption imageSize{QStringLiteral("image-size"), QCoreApplication::translate("sdrt::cli", "Vision tower input size."), QStringLiteral("N"), QStringLiteral("64")};
    QCommandLineOption perceptionSteps{QStringLiteral("perception-steps"),
                                       QCoreApplication::translate("sdrt::cli", "Steps of a first stage on direct photo questions only (counting, defect)."),
                                       QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption perceptionLr{QStringLiteral("perception-lr"), QCoreApplication::translate("sdrt::cli", "Peak learning rate of the perception stage."),
                                    QStringLiteral("X"), QStringLiteral("0.002")};
    QCommandLineOption patchWeight{QStringLiteral("patch-weight"),
                                   QCoreApplication::translate("sdrt::cli", "Weight of the dense patch-label loss on the vision tower (0: off)."),
                                   QStringLiteral("X"), QStringLiteral("1")};
    QCommandLineOption focusSteps{QStringLiteral("focus-steps"),
                                  QCoreApplication::translate("sdrt::cli", "Steps of a stage after perception on the defect question, whether a defect "
                                                                           "is visible, and the work order's hole count (0: none)."),
                                  QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption yesBias{QStringLiteral("direct-yes-bias"),
                               QCoreApplication::translate("sdrt::cli", "Share of the multi-hop families' direct answers that say \"yes\" whatever the "
                                                                        "truth (0 to below 0.5)."),
                               QStringLiteral("X"), QString::number(demo::CurriculumParams{}.multiHopDirectYesBias)};
};

// The demo teacher before training: a tiny LLaVA whose tokenizer is trained on the curriculum's
// text.
Expected<void, std::string> makeInitialTeacher(const QString &init, std::uint32_t seedValue, const demo::CurriculumParams &cp,
                                               const demo::TeacherCurriculum &curriculum, const std::vector<demo::DemoItem> &train)
{
    const int size = cp.visionImageSize;
    model::TinyModelParams mp;
    mp.seed = seedValue;
    mp.tokenizerVocab = 1200;
    mp.imageSize = size;
    mp.patchSize = cp.visionPatchSize;
    mp.visionHidden = 96;
    mp.visionIntermediate = 192;
    mp.visionLayers = 3;
    mp.visionHeads = 4;
    mp.textHidden = 192;
    mp.textIntermediate = 512;
    mp.textLayers = 4;
    mp.textHeads = 6;
    mp.textKvHeads = 2;
    std::vector<demo::DemoItem> sample(train.begin(), train.begin() + long(std::min<std::size_t>(train.size(), 600)));
    mp.extraCorpus = curriculum.tokenizerCorpus(sample);
    if (auto r = model::makeTinyModel(init.toStdString(), mp); !r)
        return unexpected(r.error());
    return {};
}

// The stages of the demo teacher's training: each loads `from`, trains, saves to `to`; a stage
// whose model exists is skipped. Every step is a line of the training log.
struct TeacherStages {
    QString outDir;
    int n = 0; // train items
    int batch = 16;
    std::uint32_t seed = 1;
    bool patchLabels = false;
    double patchLossWeight = 0;
    common::AppendFile log;
    bool logFailed = false;

    int stage(const QString &name, const QString &from, const QString &to, int stageSteps, double stageLr,
              const std::function<model::TrainingExample(int)> &example)
    {
        if (QFileInfo::exists(QDir(to).filePath(QStringLiteral("model.safetensors"))) && to != outDir) {
            out(QStringLiteral("%1: already done (%2)").arg(name, to));
            return 0;
        }
        auto rt = model::VlmRuntime::load(from.toStdString(), {});
        if (!rt)
            return errorExit(QString::fromStdString(rt.error()));
        out(QStringLiteral("%1: %2 parameters, %3 train items, %4 steps").arg(name).arg((*rt)->info().parameters).arg(n).arg(stageSteps));
        model::TrainParams tp;
        tp.steps = stageSteps;
        tp.batchSize = batch;
        tp.learningRate = stageLr;
        tp.warmupSteps = std::max(10, tp.steps / 50);
        tp.seed = seed;
        tp.checkpointDir = QDir(outDir).filePath(QStringLiteral("checkpoints-") + name).toStdString();
        tp.checkpointEvery = 100;
        tp.patchClasses = patchLabels ? demo::kPatchClasses : 0;
        tp.patchLossWeight = patchLossWeight;
        ProgressBar bar(QCoreApplication::translate("sdrt::cli", "train %1").arg(name));
        tp.progress = [&](const model::TrainProgress &pr) {
            bar.update(pr.step, pr.steps, QStringLiteral("loss %1 lr %2 %3 tok/s").arg(pr.loss, 0, 'f', 3).arg(pr.lr, 0, 'g', 3).arg(pr.tokensPerSecond, 0, 'f', 0));
            const QByteArray line = QStringLiteral("{\"stage\":\"%1\",\"step\":%2,\"loss\":%3,\"patch_loss\":%4,\"lr\":%5,\"tokens_per_s\":%6}\n")
                                        .arg(name).arg(pr.step).arg(pr.loss, 0, 'f', 5).arg(pr.patchLoss, 0, 'f', 5).arg(pr.lr, 0, 'g', 5)
                                        .arg(pr.tokensPerSecond, 0, 'f', 1).toUtf8();
            if (auto w = log.append(std::string_view(line.constData(), std::size_t(line.size()))); !w && !logFailed) {
                err(store::describeWriteError(w.error())); // said once; the training goes on
                logFailed = true;
            }
        };
        auto r = model::train(**rt, n * 16, example, tp);
        bar.finish();
        if (!r)
            return errorExit(QString::fromStdString(r.error()));
        if (auto s = (*rt)->save(to.toStdString()); !s)
            return errorExit(QString::fromStdString(s.error()));
        out(QStringLiteral("%1: trained steps %2..%3 in %4 s, loss %5 -> %6; model written to %7")
                .arg(name).arg(r->startStep).arg(r->stepsDone).arg(r->seconds, 0, 'f', 0).arg(r->firstLoss, 0, 'f', 3).arg(r->lastLoss, 0, 'f', 3).arg(to));
        return 0;
    }
};

int trainTeacher(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate(
        "sdrt::cli", "Train the demo teacher (a tiny LLaVA and its tokenizer) from scratch on the synthetic world. "
                     "Rerunning with the same OUT resumes from the last checkpoint."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("OUT"), QCoreApplication::translate("sdrt::cli", "Output folder (the model is written here)."));
    const TrainTeacherOptions o;
    p.addOptions({o.items, o.steps, o.batch, o.lr, o.seed, o.imageSize, o.perceptionSteps, o.perceptionLr, o.focusSteps, o.patchWeight, o.yesBias});
    if (!parseArgs(p, QStringLiteral("sdrt demo train-teacher"), args, 1))
        return 2;
    bool biasOk = false;
    const double bias = p.value(o.yesBias).toDouble(&biasOk);
    if (!biasOk || bias < 0 || bias >= 0.5) {
        // At 0.5 or more, "yes" is the likelier answer even where the model sees "no".
        err(QCoreApplication::translate("sdrt::cli", "--direct-yes-bias must be a number from 0 to below 0.5, not \"%1\".").arg(p.value(o.yesBias)));
        return 2;
    }
    const QString outDir = QDir(p.positionalArguments().first()).absolutePath();
    const QString init = QDir(outDir).filePath(QStringLiteral("init"));
    const auto seedValue = p.value(o.seed).toUInt();
    const int size = p.value(o.imageSize).toInt();
    auto library = prompts::PromptLibrary::loadDir(prompts::PromptLibrary::defaultDir());
    if (!library)
        return errorExit(library.error());
    std::vector<demo::DemoItem> train;
    for (auto &item : demo::generateItems(seedValue, 0, p.value(o.items).toInt(), 0.25, size)) {
        if (item.split == "train")
            train.push_back(std::move(item));
    }
    const double patchLossWeight = p.value(o.patchWeight).toDouble();
    demo::CurriculumParams cp;
    cp.multiHopDirectYesBias = bias;
    cp.patchLabels = patchLossWeight > 0;
    cp.visionImageSize = size;
    cp.visionPatchSize = 8;
    const demo::TeacherCurriculum curriculum(*library, cp);
    if (!QFileInfo::exists(QDir(init).filePath(QStringLiteral("model.safetensors"))))
        if (auto r = makeInitialTeacher(init, seedValue, cp, curriculum, train); !r)
            return errorExit(QString::fromStdString(r.error()));
    QDir().mkpath(outDir);
    auto log = common::AppendFile::open(QFile::encodeName(QDir(outDir).filePath(QStringLiteral("training_log.jsonl"))).toStdString());
    if (!log)
        return errorExit(store::describeWriteError(log.error()));
    out(QStringLiteral("platform: %1").arg(QString::fromStdString(model::platformSummary())));
    const int n = int(train.size());

    TeacherStages stages{outDir, int(train.size()), p.value(o.batch).toInt(), seedValue, cp.patchLabels, patchLossWeight, std::move(*log), false};
    auto stage = [&](const QString &name, const QString &from, const QString &to, int stageSteps, double stageLr,
                     const std::function<model::TrainingExample(int)> &example) { return stages.stage(name, from, to, stageSteps, stageLr, example); };

    QString from = init;
    if (const int ps = p.value(o.perceptionSteps).toInt(); ps > 0) {
        const QString perceptionDir = QDir(outDir).filePath(QStringLiteral("perception"));
        auto perception = [&](int i) { return curriculum.perceptionExample(train[std::size_t(i % n)], std::uint64_t(i / n) + std::uint64_t(i)); };
        if (const int rc = stage(QStringLiteral("perception"), init, perceptionDir, ps, p.value(o.perceptionLr).toDouble(), perception); rc != 0)
            return rc;
        from = perceptionDir;
    }
    if (const int fs = p.value(o.focusSteps).toInt(); fs > 0) {
        // Seeing the defect and reading the note's count are learnt late in a mixed stage (the loss
        // drops suddenly after a few hundred steps of these questions alone), so they get a stage.
        const QString focusDir = QDir(outDir).filePath(QStringLiteral("focus"));
        auto focus = [&](int i) { return curriculum.focusExample(train[std::size_t(i % n)], std::uint64_t(i / n) + std::uint64_t(i)); };
        if (const int rc = stage(QStringLiteral("focus"), from, focusDir, fs, p.value(o.lr).toDouble(), focus); rc != 0)
            return rc;
        from = focusDir;
    }
    auto example = [&](int i) { return curriculum.example(train[std::size_t(i % n)], std::uint64_t(i) + seedValue * 1000003ull); };
    return stage(QStringLiteral("mix"), from, outDir, p.value(o.steps).toInt(), p.value(o.lr).toDouble(), example);
}

int evalTeacher(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate(
        "sdrt::cli", "Measure a demo teacher on held-out items: direct and two-step accuracy per task family and prompt."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("MODEL"), QCoreApplication::translate("sdrt::cli", "Model folder."));
    QCommandLineOption items(QStringLiteral("items"), QCoreApplication::translate("sdrt::cli", "Held-out items."), QStringLiteral("N"), QStringLiteral("500"));
    QCommandLineOption seed(QStringLiteral("seed"), QCoreApplication::translate("sdrt::cli", "World seed of the held-out items."), QStringLiteral("S"), QStringLiteral("1001"));
    QCommandLineOption trainSeed(QStringLiteral("train-seed"), QCoreApplication::translate("sdrt::cli", "World seed the teacher was trained on."), QStringLiteral("S"), QStringLiteral("1"));
    QCommandLineOption batch(QStringLiteral("batch"), QCoreApplication::translate("sdrt::cli", "Generation batch size."), QStringLiteral("N"), QStringLiteral("16"));
    QCommandLineOption output(QStringLiteral("markdown"), QCoreApplication::translate("sdrt::cli", "Also write the table to this file."), QStringLiteral("FILE"));
    QCommandLineOption directOnly(QStringLiteral("direct-only"), QCoreApplication::translate("sdrt::cli", "Measure direct answers only (no two-step runs)."));
    QCommandLineOption adapter(QStringLiteral("adapter"),
                               QCoreApplication::translate("sdrt::cli", "A student: the distillation run folder (adapter.safetensors) on MODEL; direct answers only."),
                               QStringLiteral("RUN_DIR"));
    p.addOptions({items, seed, trainSeed, batch, output, directOnly, adapter});
    if (!parseArgs(p, QStringLiteral("sdrt demo eval-teacher"), args, 1))
        return 2;
    auto library = prompts::PromptLibrary::loadDir(prompts::PromptLibrary::defaultDir());
    if (!library)
        return errorExit(library.error());
    auto rt = model::VlmRuntime::load(p.positionalArguments().first().toStdString(), {});
    if (!rt)
        return errorExit(QString::fromStdString(rt.error()));
    std::unique_ptr<model::Student> student;
    if (p.isSet(adapter)) {
        auto st = loadStudentAdapter(**rt, p.positionalArguments().first(), p.value(adapter));
        if (!st)
            return 2;
        student = std::move(st);
    }
    const demo::TeacherCurriculum curriculum(*library);
    demo::TeacherEvalParams ep;
    ep.items = p.value(items).toInt();
    ep.seed = p.value(seed).toUInt();
    ep.trainSeed = p.value(trainSeed).toUInt();
    ep.batch = p.value(batch).toInt();
    ep.directOnly = p.isSet(directOnly) || student;
    ProgressBar bar(QCoreApplication::translate("sdrt::cli", "evaluate"));
    ep.progress = [&bar](int done, int total) { bar.update(done, total); };
    auto report = demo::evaluateTeacher(**rt, curriculum, ep);
    bar.finish();
    if (!report)
        return errorExit(QString::fromStdString(report.error()));
    const QString table = QString::fromStdString(demo::toMarkdown(*report));
    out(table);
    out(QStringLiteral("%1 generations in %2 s").arg(report->generations).arg(report->seconds, 0, 'f', 0));
    if (p.isSet(output)) {
        if (auto w = store::writeExport(p.value(output), table.toUtf8(), true); !w)
            return errorExit(w.error());
    }
    return 0;
}

} // namespace

int runDemo(const QStringList &args)
{
    if (!args.isEmpty() && args.first() == QLatin1String("train-teacher"))
        return trainTeacher(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("eval-teacher"))
        return evalTeacher(args.mid(1));
    if (args.isEmpty() || args.first() != QLatin1String("make-data"))
        return errorExit(QStringLiteral("usage: sdrt demo make-data DIR [--items N] [--seed S] | train-teacher OUT [--steps N]"));
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("sdrt::cli", "Write a synthetic factory data set (photos, drawings, notes, manifest.jsonl)."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QCoreApplication::translate("sdrt::cli", "Output folder."));
    QCommandLineOption items(QStringLiteral("items"), QCoreApplication::translate("sdrt::cli", "Number of items."), QStringLiteral("N"), QStringLiteral("40"));
    QCommandLineOption seed(QStringLiteral("seed"), QCoreApplication::translate("sdrt::cli", "Random seed."), QStringLiteral("S"), QStringLiteral("1"));
    QCommandLineOption evalFraction(QStringLiteral("eval-fraction"),
                                    QCoreApplication::translate("sdrt::cli", "Share of the items in the eval split (0 to 1)."), QStringLiteral("X"),
                                    QStringLiteral("0.25"));
    QCommandLineOption force(QStringLiteral("force"),
                             QCoreApplication::translate("sdrt::cli", "Write into a folder that already has files (they may be replaced)."));
    p.addOptions({items, seed, evalFraction, force});
    processArgs(p, QStringList{QStringLiteral("sdrt demo make-data")} + args.mid(1));
    if (p.positionalArguments().size() != 1)
        return errorExit(p.helpText());
    const auto itemsValue = intOption(p, items, 1, 10000000);
    auto seedValue = itemsValue ? seedOption(p, seed) : std::nullopt;
    if (seedValue && *seedValue > 0xFFFFFFFFull) {
        err(QCoreApplication::translate("sdrt::cli", "--seed: %1 is too large (at most %2).").arg(p.value(seed)).arg(0xFFFFFFFFull));
        seedValue.reset();
    }
    const auto fraction = seedValue ? realOption(p, evalFraction, 0, 1) : std::nullopt;
    if (!fraction)
        return 2;
    if (!outputFolderAllowed(p.positionalArguments().first(), p.isSet(force), QStringLiteral("make-data")))
        return 2;
    demo::MakeDataParams params;
    params.dir = p.positionalArguments().first();
    params.items = *itemsValue;
    params.seed = std::uint32_t(*seedValue);
    params.evalFraction = *fraction;
    ProgressBar bar(QCoreApplication::translate("sdrt::cli", "make-data"));
    params.progress = [&bar](int done, int total) { bar.update(done, total); };
    auto r = demo::makeData(params);
    bar.finish();
    if (!r)
        return errorExit(r.error());
    out(QCoreApplication::translate("sdrt::cli", "Wrote %1 items; manifest: %2").arg(r->items).arg(r->manifest));
    return 0;
}

} // namespace sdrt::cli
