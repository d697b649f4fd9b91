#include "cli/Commands.h"

#include "sdrt/assets/ImportJob.h"
#include "sdrt/demo/FactoryWorld.h"
#include "sdrt/common/SplitMix.h"
#include "sdrt/model/ChatTemplate.h"
#include "sdrt/model/Benchmark.h"
#include "sdrt/model/CpuLimits.h"
#include "sdrt/model/HfTokenizer.h"
#include "sdrt/model/ImageGrid.h"
#include "sdrt/model/Platform.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/prompts/PromptLibrary.h"
#include "sdrt/teacher/GenerationJob.h"
#include "sdrt/teacher/Models.h"
#include "sdrt/store/Workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <tuple>

namespace sdrt::cli {
namespace {

qint64 folderBytes(const QString &dir)
{
    qint64 total = 0;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        total += QFileInfo(it.next()).size();
    return total;
}

int benchImport(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Import throughput: N generated 64x64 PNG photos into a fresh workspace."));
    p.addHelpOption();
    QCommandLineOption items(QStringLiteral("items"), QStringLiteral("Number of images."), QStringLiteral("N"), QStringLiteral("10000"));
    QCommandLineOption keep(QStringLiteral("keep"), QStringLiteral("Keep the workspace in this folder."), QStringLiteral("DIR"));
    p.addOptions({items, keep});
    processArgs(p, QStringList{QStringLiteral("sdrt bench import")} + args);
    const int n = p.value(items).toInt();

    QTemporaryDir tmp;
    const QString source = tmp.filePath(QStringLiteral("source"));
    const QString wsDir = p.isSet(keep) ? p.value(keep) : tmp.filePath(QStringLiteral("ws"));
    QElapsedTimer t;
    t.start();
    if (auto r = demo::writeSmallPhotos(source, n, 7); !r)
        return errorExit(r.error());
    out(QStringLiteral("generated %1 images (%2 KiB) in %3 s").arg(n).arg(folderBytes(source) / 1024).arg(t.elapsed() / 1000.0, 0, 'f', 2));
    auto ws = store::Workspace::create(wsDir);
    if (!ws)
        return errorExit(ws.error());
    assets::ImportParams params;
    params.workspaceRoot = ws->root();
    params.source = source;
    t.restart();
    auto report = assets::ImportJob(params).run();
    const double seconds = t.elapsed() / 1000.0;
    if (!report)
        return errorExit(report.error());
    out(QStringLiteral("import: %1 imported, %2 duplicates, %3 failed in %4 s = %5 items/s")
            .arg(report->imported)
            .arg(report->duplicates)
            .arg(report->failed)
            .arg(seconds, 0, 'f', 2)
            .arg(report->imported / seconds, 0, 'f', 0));
    t.restart();
    auto again = assets::ImportJob(params).run();
    const double reSeconds = t.elapsed() / 1000.0;
    if (again)
        out(QStringLiteral("re-import (all duplicates): %1 duplicates in %2 s = %3 items/s")
                .arg(again->duplicates)
                .arg(reSeconds, 0, 'f', 2)
                .arg(again->duplicates / reSeconds, 0, 'f', 0));
    out(QStringLiteral("workspace size: %1 MiB (database %2 MiB incl. WAL)")
            .arg(folderBytes(ws->root()) / 1048576.0, 0, 'f', 1)
            .arg((QFileInfo(ws->databasePath()).size() + QFileInfo(ws->databasePath() + QStringLiteral("-wal")).size()) / 1048576.0, 0, 'f', 2));
    return 0;
}

// What verifying a model costs: the full content hash of a model folder (what a load does when
// any file's size, times, inode or device differ from the last verification), and the cheap check
// (the stamps alone) that every other load does.
int benchHash(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Time the content hash of a model folder (every file the runtime reads) and the stamp check."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("Model folder."));
    if (!parseArgs(p, QStringLiteral("sdrt bench hash"), args, 1))
        return 2;
    const QString dir = p.positionalArguments().first();
    QElapsedTimer t;
    t.start();
    const QString stamps = store::modelFileStamps(dir);
    const double stampMs = t.nsecsElapsed() / 1e6;
    t.restart();
    auto hash = store::modelContentHash(dir);
    const double seconds = t.nsecsElapsed() / 1e9;
    if (!hash)
        return errorExit(hash.error());
    const qint64 bytes = folderBytes(dir);
    out(QStringLiteral("content hash %1 of %2 GB in %3 s: %4 MB/s; stamp check %5 ms")
            .arg(hash->left(12))
            .arg(bytes / 1e9, 0, 'f', 2)
            .arg(seconds, 0, 'f', 1)
            .arg(bytes / 1e6 / std::max(seconds, 1e-9), 0, 'f', 0)
            .arg(stampMs, 0, 'f', 2));
    return 0;
}

// Tokenizer throughput: encode of an English and a Japanese text of a few MB (made from word lists
// with a fixed seed), one thread, and the same for Hugging Face's JavaScript tokenizer when the
// test references are installed (tests/tokenizers), in the same run.
std::string syntheticText(bool japanese, std::size_t bytes)
{
    static const char *en[] = {"the", "part", "hole", "drawing", "diameter", "is", "within", "tolerance", "inspection", "of", "a", "plate",
                               "with", "four", "holes", "and", "burrs", "on", "edge", "surface", "finish", "note", "says", "12.5", "mm",
                               "(±0.05)", "rev", "C,", "material:", "SUS304.", "Check", "the", "flange's", "bolt", "circle;", "count", "2026-12-07"};
    static const char *ja[] = {"穴の数は", "図面と", "一致しますか", "。", "部品番号", "A-1203", "の", "外観検査を", "実施すること", "、", "材質は",
                               "SUS304", "です", "直径φ12.0±0.1㎜", "バリ", "なし", "フランジ", "ボルト", "円周上に", "4", "個", "ある",
                               "作業指示", "確認", "してください", "！", "ｶﾀｶﾅ", "（全角）", "①", "②"};
    std::string out;
    std::uint64_t x = japanese ? 7 : 3;
    while (out.size() < bytes) {
        x = splitmix64(x);
        if (japanese) {
            out += ja[x % (sizeof ja / sizeof *ja)];
            if (x % 17 == 0)
                out += "\n";
        } else {
            out += en[x % (sizeof en / sizeof *en)];
            out += x % 13 == 0 ? "\n" : " ";
        }
    }
    return out;
}

// The folder's chat template, once: a teacher step's turn (an image and a Japanese question
// with a note) rendered 2,000 times; or why it cannot render one. Nothing without a template.
void benchChatTemplate(const std::string &folder)
{
    auto source = model::findChatTemplate(folder);
    auto specials = model::specialTokensOf(folder);
    if (source && *source && specials) {
        auto tmpl = model::ChatTemplate::fromText((*source)->text, (*source)->file, *specials);
        const model::ChatTurn turn{{model::ChatPart::imagePart(),
                                    model::ChatPart::textPart("Note: 穴数: 4 (作業指示 A-1203)\nHow many holes does the part have? 穴はいくつ？")},
                                   "Answer:"};
        if (tmpl && tmpl->render(turn)) {
            constexpr int kRenders = 2000;
            QElapsedTimer t;
            t.start();
            for (int i = 0; i < kRenders; ++i)
                (void)tmpl->render(turn);
            const double us = t.nsecsElapsed() / 1e3 / kRenders;
            out(QStringLiteral("chat template %1: %2 µs per user turn (%3 renders)").arg(QString::fromStdString((*source)->file)).arg(us, 0, 'f', 1).arg(kRenders));
        } else {
            out(QStringLiteral("chat template %1: does not render a user turn: %2")
                    .arg(QString::fromStdString((*source)->file), QString::fromStdString(tmpl ? tmpl->render(turn).error() : tmpl.error())));
        }
    }
}

int benchTokenizer(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Encode throughput of a tokenizer.json (one thread) on an English and a Japanese text, and of "
                                               "Hugging Face's JavaScript tokenizer when tests/tokenizers is installed; decode once."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("A folder with tokenizer.json."));
    QCommandLineOption mb(QStringLiteral("mb"), QStringLiteral("Megabytes of each text."), QStringLiteral("N"), QStringLiteral("3"));
    p.addOption(mb);
    processArgs(p, QStringList{QStringLiteral("sdrt bench tokenizer")} + args);
    const auto mbValue = intOption(p, mb, 1, 64);
    if (p.positionalArguments().size() != 1 || !mbValue) {
        if (mbValue)
            err(p.helpText());
        return 2;
    }
    const QString dir = p.positionalArguments().first();
    auto tok = model::HfTokenizer::load(QFile::encodeName(dir).toStdString());
    if (!tok)
        return errorExit(QString::fromStdString(tok.error()));
    const QString refDir = QDir(QStringLiteral(SDRT_SOURCE_PROMPTS_DIR "/../tests/tokenizers")).absolutePath();
    const bool haveReference = QFileInfo::exists(refDir + QStringLiteral("/node_modules/@huggingface/tokenizers/package.json"));
    QTemporaryDir tmp;
    out(QStringLiteral("tokenizer: %1 (%2)").arg(dir, QString::fromStdString(tok->describe())));
    for (const bool japanese : {false, true}) {
        const std::string text = syntheticText(japanese, std::size_t(*mbValue) << 20);
        (void)tok->encode(text.substr(0, 100000), false); // warm-up
        QElapsedTimer t;
        t.start();
        auto ids = tok->encode(text, false);
        const double seconds = t.nsecsElapsed() / 1e9;
        if (!ids)
            return errorExit(QString::fromStdString(ids.error()));
        t.restart();
        const std::string back = tok->decode(*ids);
        const double decodeSeconds = t.nsecsElapsed() / 1e9;
        const double mbps = text.size() / 1e6 / seconds, tps = ids->size() / seconds;
        QString line = QStringLiteral("%1 %2 MB: encode %3 MB/s, %4 tokens/s (%5 tokens); decode %6 MB/s%7")
                           .arg(japanese ? QStringLiteral("Japanese") : QStringLiteral("English"))
                           .arg(text.size() / 1e6, 0, 'f', 1)
                           .arg(mbps, 0, 'f', 2)
                           .arg(tps, 0, 'f', 0)
                           .arg(ids->size())
                           .arg(back.size() / 1e6 / decodeSeconds, 0, 'f', 1)
                           .arg(back == text ? QString() : QStringLiteral(" (decoded text differs from the input: normalization)"));
        if (haveReference) {
            const QString file = tmp.filePath(japanese ? QStringLiteral("ja.txt") : QStringLiteral("en.txt"));
            QFile f(file);
            if (f.open(QIODevice::WriteOnly))
                f.write(text.data(), qint64(text.size()));
            f.close();
            QProcess node;
            node.start(QStringLiteral("node"), {refDir + QStringLiteral("/reference.mjs"), QStringLiteral("bench"), dir, file});
            node.waitForFinished(600000);
            const QJsonObject r = QJsonDocument::fromJson(node.readAllStandardOutput()).object();
            if (r.contains(QStringLiteral("mb_per_s")))
                line += QStringLiteral("; JavaScript reference %1 MB/s, %2 tokens/s: ×%3")
                            .arg(r.value(QStringLiteral("mb_per_s")).toDouble(), 0, 'f', 2)
                            .arg(r.value(QStringLiteral("tokens_per_s")).toDouble(), 0, 'f', 0)
                            .arg(mbps / r.value(QStringLiteral("mb_per_s")).toDouble(), 0, 'f', 2);
            else
                line += QStringLiteral("; the JavaScript reference did not run: ") + QString::fromUtf8(node.readAllStandardError()).left(200);
        }
        out(line);
    }
    if (!haveReference)
        out(QStringLiteral("(the JavaScript reference is not installed in %1: packaging/setup-debian.sh installs it)").arg(refDir));
    benchChatTemplate(QFile::encodeName(dir).toStdString());
    return 0;
}

// "1,8,64" → {1, 8, 64}; nullopt when a part is not a whole number in [lo, hi].
std::optional<std::vector<int>> intList(const QString &text, int lo, int hi)
{
    std::vector<int> out;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int v = part.trimmed().toInt(&ok);
        if (!ok || v < lo || v > hi)
            return std::nullopt;
        out.push_back(v);
    }
    return out;
}

// The CPU's own limits: read bandwidth, and the products' peak per backend and precision.
int benchCpu(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("This machine's CPU limits: the read bandwidth of a read-only stream, and the matrix products of a "
                                               "linear layer (y = x·Wᵀ) per backend the build has (LibTorch's BLAS, oneDNN), in fp32, and in bf16 "
                                               "and int8 where the CPU has the instructions, at several row counts; each with its difference "
                                               "from the fp32 BLAS product."));
    p.addHelpOption();
    QCommandLineOption rows(QStringLiteral("rows"), QStringLiteral("Row counts, comma separated."), QStringLiteral("LIST"), QStringLiteral("1,8,64,512"));
    QCommandLineOption weight(QStringLiteral("weight"), QStringLiteral("The weight, OUTxIN."), QStringLiteral("OUTxIN"), QStringLiteral("2048x2048"));
    QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("LibTorch intra-op threads (0: the number of cores)."), QStringLiteral("N"),
                               QStringLiteral("0"));
    QCommandLineOption quick(QStringLiteral("quick"), QStringLiteral("Short measurements on a small weight and stream (a check that it runs)."));
    QCommandLineOption json(QStringLiteral("json"), QStringLiteral("One JSON object on stdout instead of text."));
    p.addOptions({rows, weight, threads, quick, json});
    processArgs(p, QStringList{QStringLiteral("sdrt bench cpu")} + args);
    model::CpuBenchParams bp;
    const auto threadsValue = intOption(p, threads, 0, 1024);
    if (!threadsValue)
        return 2;
    bp.threads = *threadsValue; // measureCpuLimits configures the pools
    const auto rowCounts = intList(p.value(rows), 1, 65536);
    if (!rowCounts)
        return errorExit(QStringLiteral("--rows %1: give row counts from 1 to 65536, comma separated.").arg(p.value(rows)));
    bp.rows = *rowCounts;
    auto size = model::parseImageSize(p.value(weight).toStdString());
    if (!size)
        return errorExit(QStringLiteral("--weight %1: give it as OUTxIN, for example 2048x2048.").arg(p.value(weight)));
    std::tie(bp.outer, bp.inner) = *size;
    if (p.isSet(quick)) {
        bp.outer = std::min(bp.outer, 256);
        bp.inner = std::min(bp.inner, 256);
        bp.bandwidthBytes = 16ll << 20;
        bp.secondsPerFigure = 0.03;
    }
    auto limits = model::measureCpuLimits(bp);
    if (!limits)
        return errorExit(QString::fromStdString(limits.error()));
    if (p.isSet(json))
        out(QString::fromStdString(model::cpuLimitsJson(*limits)));
    else
        out(QStringLiteral("platform: %1\n%2").arg(QString::fromStdString(model::platformSummary()), QString::fromStdString(model::cpuLimitsText(*limits)).trimmed()));
    return 0;
}

} // namespace

int runBench(const QStringList &args)
{
    if (!args.isEmpty() && args.first() == QLatin1String("cpu"))
        return benchCpu(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("import"))
        return benchImport(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("model"))
        return benchModel(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("generate"))
        return runBenchGenerate(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("hash"))
        return benchHash(args.mid(1));
    if (!args.isEmpty() && args.first() == QLatin1String("tokenizer"))
        return benchTokenizer(args.mid(1));
    err(QStringLiteral("usage: sdrt bench import [--items N] | model [--tiny-only] | cpu [--rows LIST] | generate MODEL [--items N] | hash MODEL_DIR | tokenizer DIR"));
    return 2;
}

namespace {

// The model folders `sdrt bench model` measures: DIR, or the tiny config (and, with `large`, a
// ~100M-parameter one) with random weights written under `tmp`.
Result<std::vector<std::pair<QString, std::string>>> benchFolders(const QString &dir, bool large, const QTemporaryDir &tmp)
{
    std::vector<std::pair<QString, std::string>> folders;
    if (!dir.isEmpty()) {
        folders.emplace_back(dir, dir.toStdString());
        return folders;
    }
    std::vector<std::pair<QString, model::TinyModelParams>> configs = {{QStringLiteral("tiny"), {}}};
    if (large)
        configs.emplace_back(QStringLiteral("100M"), model::TinyModelParams::hundredMillion());
    for (const auto &[name, params] : configs) {
        const std::string path = tmp.filePath(name).toStdString();
        if (auto r = model::makeTinyModel(path, params); !r)
            return fail(QString::fromStdString(r.error()));
        folders.emplace_back(name, path);
    }
    return folders;
}

} // namespace

int benchModel(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Runtime figures on a model folder (any LLaVA checkpoint in Hugging Face layout), or without DIR on "
                                               "the tiny config and a ~100M-parameter config with random weights: load time, prefill and decode "
                                               "tokens/s per batch size, time to first token, peak RSS, parameters, weight bytes per decode step, "
                                               "BLAS core and threads, and decode's share of the memory-bandwidth limit."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("Model folder (optional)."), QStringLiteral("[DIR]"));
    QCommandLineOption tinyOnly(QStringLiteral("tiny-only"), QStringLiteral("Without DIR: skip the ~100M-parameter model."));
    QCommandLineOption prompt(QStringLiteral("prompt-tokens"), QStringLiteral("Text tokens in the prompt."), QStringLiteral("N"), QStringLiteral("128"));
    QCommandLineOption decode(QStringLiteral("decode-tokens"), QStringLiteral("Tokens to decode."), QStringLiteral("N"), QStringLiteral("32"));
    QCommandLineOption batch(QStringLiteral("batch"), QStringLiteral("Batch sizes, comma separated."), QStringLiteral("LIST"), QStringLiteral("1,8"));
    QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("LibTorch intra-op threads (0: the number of cores)."), QStringLiteral("N"),
                               QStringLiteral("0"));
    QCommandLineOption device(QStringLiteral("device"), QStringLiteral("cpu, cuda[:N] or auto."), QStringLiteral("D"), QStringLiteral("auto"));
    QCommandLineOption json(QStringLiteral("json"), QStringLiteral("One JSON object per model on stdout instead of text."));
    QCommandLineOption noBaseline(QStringLiteral("no-baseline"), QStringLiteral("Skip the decode without KV cache."));
    QCommandLineOption image(QStringLiteral("image"), QStringLiteral("The prompt image's size, WIDTHxHEIGHT (default: the vision tower's size)."),
                             QStringLiteral("WxH"));
    p.addOptions({tinyOnly, prompt, decode, batch, threads, device, json, noBaseline, image});
    processArgs(p, QStringList{QStringLiteral("sdrt bench model")} + args);
    model::ModelBenchParams bp;
    const auto promptValue = intOption(p, prompt, 1, 100000), decodeValue = intOption(p, decode, 1, 100000), threadsValue = intOption(p, threads, 0, 1024);
    if (!promptValue || !decodeValue || !threadsValue || p.positionalArguments().size() > 1)
        return 2;
    bp.promptTokens = *promptValue;
    bp.decodeTokens = *decodeValue;
    bp.noCacheBaseline = !p.isSet(noBaseline);
    if (p.isSet(image)) {
        auto size = model::parseImageSize(p.value(image).toStdString());
        if (!size)
            return errorExit(QStringLiteral("--image: %1").arg(QString::fromStdString(size.error())));
        std::tie(bp.imageWidth, bp.imageHeight) = *size;
    }
    const auto batchSizes = intList(p.value(batch), 1, 4096);
    if (!batchSizes)
        return errorExit(QStringLiteral("--batch %1: give batch sizes from 1 to 4096, comma separated.").arg(p.value(batch)));
    bp.batches = *batchSizes;
    const int threadCount = model::configureThreads(*threadsValue);
    if (!p.isSet(json))
        out(QStringLiteral("platform: %1").arg(QString::fromStdString(model::platformSummary())));
    QTemporaryDir tmp;
    auto folders = benchFolders(p.positionalArguments().value(0), !p.isSet(tinyOnly), tmp);
    if (!folders)
        return errorExit(folders.error());
    for (const auto &[name, dir] : *folders) {
        model::RuntimeOptions options;
        options.device = p.value(device).toStdString();
        options.threads = threadCount;
        QElapsedTimer t;
        t.start();
        auto rt = model::VlmRuntime::load(dir, options);
        if (!rt)
            return errorExit(QString::fromStdString(rt.error()));
        const double loadSeconds = t.elapsed() / 1000.0;
        auto f = model::benchmarkModel(**rt, bp);
        if (!f)
            return errorExit(QString::fromStdString(f.error()));
        if (p.isSet(json))
            out(QString::fromStdString(model::benchFiguresJson(name.toStdString(), (*rt)->info(), *f, loadSeconds)));
        else
            out(QString::fromStdString(model::benchFiguresText(name.toStdString(), (*rt)->info(), *f, loadSeconds)).trimmed());
    }
    return 0;
}

int runBenchGenerate(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("sdrt::cli", "Benchmark teacher runs: traces per minute at batch 1 and 8, hidden-state bytes per trace."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("MODEL"), QCoreApplication::translate("sdrt::cli", "Model folder."));
    QCommandLineOption items(QStringLiteral("items"), QCoreApplication::translate("sdrt::cli", "Demo items."), QStringLiteral("N"), QStringLiteral("24"));
    QCommandLineOption step1(QStringLiteral("step1-tokens"), QCoreApplication::translate("sdrt::cli", "Most new tokens of the analysis."), QStringLiteral("N"), QString::number(teacher::TeacherSampling{}.step1MaxTokens));
    QCommandLineOption prefix(QStringLiteral("prefix-cache-mib"), QCoreApplication::translate("sdrt::cli", "Memory for cached prompt beginnings (0: off)."), QStringLiteral("MIB"), QString::number(model::RuntimeOptions{}.prefixCacheMiB));
    p.addOptions({items, step1, prefix});
    if (!parseArgs(p, QStringLiteral("sdrt bench generate"), args, 1))
        return 2;
    const auto prefixMiB = intOption(p, prefix, 0, 1 << 20);
    if (!prefixMiB)
        return 2;
    QTemporaryDir tmp;
    demo::MakeDataParams mp;
    mp.dir = tmp.filePath(QStringLiteral("data"));
    mp.items = p.value(items).toInt();
    mp.seed = 77;
    if (auto r = demo::makeData(mp); !r)
        return errorExit(r.error());
    auto library = prompts::PromptLibrary::loadDir(prompts::PromptLibrary::defaultDir());
    if (!library)
        return errorExit(library.error());
    model::configureThreads(0); // as the runtime will, so the summary shows what the runs use
    out(QStringLiteral("platform: %1").arg(QString::fromStdString(model::platformSummary())));
    double batch1Rate = 0;
    for (int batch : {1, 8}) {
        const QString wsDir = tmp.filePath(QStringLiteral("ws-%1").arg(batch));
        auto ws = store::Workspace::create(wsDir);
        if (!ws)
            return errorExit(ws.error());
        assets::ImportParams ip;
        ip.workspaceRoot = wsDir;
        ip.source = mp.dir;
        if (auto r = assets::ImportJob(ip).run(); !r)
            return errorExit(r.error());
        if (auto r = library->registerIn(ws->db()); !r)
            return errorExit(r.error());
        auto m = teacher::registerModel(*ws, p.positionalArguments().first(), QStringLiteral("bench"));
        if (!m)
            return errorExit(m.error());
        teacher::GenerationParams gp;
        gp.workspace = wsDir;
        gp.modelId = m->id;
        gp.batch = batch;
        gp.sampling.step1MaxTokens = p.value(step1).toInt();
        gp.runtime.prefixCacheMiB = *prefixMiB;
        auto s = teacher::runGeneration(gp);
        if (!s)
            return errorExit(s.error());
        if (batch == 1)
            batch1Rate = s->tracesPerMinute;
        out(QStringLiteral("batch %1: %2 traces (%3 failed) in %4 s = %5 traces/min%6; hidden states %7 bytes/trace (fp16, layers %8)")
                .arg(batch)
                .arg(s->ok)
                .arg(s->failed)
                .arg(s->seconds, 0, 'f', 1)
                .arg(s->tracesPerMinute, 0, 'f', 1)
                .arg(batch == 1 || batch1Rate <= 0 ? QString() : QStringLiteral(" (x%1 of batch 1)").arg(s->tracesPerMinute / batch1Rate, 0, 'f', 2))
                .arg(s->ok ? double(s->hiddenBytes) / s->ok : 0, 0, 'f', 0)
                .arg(s->hiddenLayers.size()));
        const model::EngineStats &e = s->engine;
        out(QStringLiteral("  prefill %1 s (%2 passes, %3 positions computed, %4 taken from the prefix cache); decode %5 s (%6 steps, %7 rows per step)")
                .arg(e.prefillSeconds, 0, 'f', 2)
                .arg(e.prefills)
                .arg(e.prefillTokens)
                .arg(e.reusedTokens)
                .arg(e.decodeSeconds, 0, 'f', 2)
                .arg(e.decodeSteps)
                .arg(e.rowsPerStep(), 0, 'f', 2));
    }
    return 0;
}

} // namespace sdrt::cli
