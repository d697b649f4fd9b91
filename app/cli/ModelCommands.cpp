#include "cli/Commands.h"

#include "sdrt/distill/Models.h"
#include "sdrt/model/Student.h"

#include "sdrt/teacher/Models.h"
#include "sdrt/teacher/TwoStepRunner.h"

#include "sdrt/assets/ImageLoading.h"
#include "sdrt/common/Log.h"
#include "sdrt/model/Benchmark.h"
#include "sdrt/model/Platform.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/model/ModelConfig.h"
#include "sdrt/model/HfTokenizer.h"
#include "sdrt/model/ChatTemplate.h"
#include "sdrt/model/ImageGrid.h"
#include "sdrt/model/Jinja.h"
#include "sdrt/model/Tokenizer.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>
#include <optional>
#include <iostream>

#include <tuple>

namespace sdrt::cli {
namespace {

using Json = nlohmann::ordered_json;

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

Expected<model::RgbImage, QString> readImage(const QString &path)
{
    auto image = assets::loadImage(path);
    if (!image)
        return unexpected(image.error());
    return teacher::toRgbImage(*image);
}

QCommandLineOption deviceOption()
{
    return {QStringLiteral("device"), QCoreApplication::translate("sdrt::cli", "cpu, cuda[:N] or auto."), QStringLiteral("D"), QStringLiteral("auto")};
}

QCommandLineOption dtypeOption()
{
    return {QStringLiteral("dtype"), QCoreApplication::translate("sdrt::cli", "fp32, fp16, bf16 or auto."), QStringLiteral("T"), QStringLiteral("auto")};
}

// Image sizes to count tokens for: those given (WIDTHxHEIGHT), or a photo, a wide strip, a
// square and an A4 page. Nullopt (after saying why) for a malformed size.
std::optional<std::vector<std::pair<int, int>>> imageSizesOf(const QStringList &given)
{
    if (given.isEmpty())
        return std::vector<std::pair<int, int>>{{640, 480}, {1000, 200}, {336, 336}, {1240, 1754}};
    std::vector<std::pair<int, int>> sizes;
    for (const QString &v : given) {
        const QStringList wh = v.split(QLatin1Char('x'));
        bool okW = false, okH = false;
        const int w = wh.value(0).toInt(&okW), h = wh.value(1).toInt(&okH);
        if (wh.size() != 2 || !okW || !okH || w <= 0 || h <= 0 || w > 100000 || h > 100000)
            return errorNothing(QCoreApplication::translate("sdrt::cli", "--image-size wants WIDTHxHEIGHT in pixels, such as 640x480, not \"%1\".").arg(v));
        sizes.emplace_back(w, h);
    }
    return sizes;
}

// "640x480: grid 1x30x40, 300 tokens; …" (or why the family refuses that size).
QString imageTokenCounts(const model::VlmRuntime &rt, const std::vector<std::pair<int, int>> &sizes)
{
    QStringList parts;
    for (const auto &[w, h] : sizes) {
        model::RgbImage probe;
        probe.width = w;
        probe.height = h; // the counts need the size only
        auto g = rt.imageGrid(probe);
        auto n = rt.imageTokens(probe);
        parts << (g && n ? QStringLiteral("%1x%2: grid %3x%4x%5, %6 tokens").arg(w).arg(h).arg((*g)[0]).arg((*g)[1]).arg((*g)[2]).arg(*n)
                         : QStringLiteral("%1x%2: %3").arg(w).arg(h).arg(qs(g ? n.error() : g.error())));
    }
    return parts.join(QStringLiteral("; "));
}

void printQwen3Vl(const model::ModelInfo &i, const model::Tokenizer &tokenizer, const QString &tokenCounts)
{
    const auto &q = *i.qwen3vl;
    const auto &pr = i.qwen3vlProcessor;
    QStringList taps;
    for (int k : q.vision.deepstackVisualIndexes)
        taps << QString::number(k);
    out(QStringLiteral("architecture: Qwen3-VL (qwen3_vl)"));
    out(QStringLiteral("vision: %1 blocks, hidden %2, heads %3, patch %4, temporal patch %5, merge %6x%6, %7 learned positions, DeepStack after blocks %8, out %9")
            .arg(q.vision.depth).arg(q.vision.hiddenSize).arg(q.vision.numHeads).arg(q.vision.patchSize).arg(q.vision.temporalPatchSize)
            .arg(q.vision.spatialMergeSize).arg(q.vision.numPositionEmbeddings).arg(taps.join(QLatin1Char(','))).arg(q.vision.outHiddenSize));
    out(QStringLiteral("image processor: %1, %2 to %3 pixels, sides multiples of %4").arg(qs(pr.processorType)).arg(pr.minPixels).arg(pr.maxPixels).arg(pr.factor()));
    out(QStringLiteral("image tokens (grid t x h x w in patches): %1").arg(tokenCounts));
    out(QStringLiteral("text: qwen3 %1 layers, hidden %2, heads %3 (kv %4), head dim %5, vocab %6, rope theta %7, mrope section %8/%9/%10 interleaved, context %11, %12 head")
            .arg(q.text.numLayers).arg(q.text.hiddenSize).arg(q.text.numHeads).arg(q.text.numKvHeads).arg(q.text.headDim).arg(q.text.vocabSize)
            .arg(q.text.ropeTheta).arg(q.text.mropeSection[0]).arg(q.text.mropeSection[1]).arg(q.text.mropeSection[2]).arg(q.text.maxPositionEmbeddings)
            .arg(q.tied() ? QStringLiteral("tied") : QStringLiteral("untied")));
    out(QStringLiteral("memory for the weights: %1 GiB in fp32, %2 GiB in bf16")
            .arg(double(model::qwen3VlWeightBytes(q, "fp32")) / double(1ll << 30), 0, 'f', 2)
            .arg(double(model::qwen3VlWeightBytes(q, "bf16")) / double(1ll << 30), 0, 'f', 2));
    out(QStringLiteral("tokenizer: %1 tokens, image token %2 = %3").arg(i.tokenizerVocab).arg(qs(tokenizer.piece(int(q.imageTokenId)))).arg(q.imageTokenId));
}

void printLlava(const model::ModelInfo &i, const model::Tokenizer &tokenizer, const QString &tokenCounts)
{
    const auto &c = i.config;
    out(QStringLiteral("architecture: %1").arg(c.anyres() ? QStringLiteral("LLaVA-NeXT (llava_next)") : QStringLiteral("LLaVA 1.5 (llava)")));
    out(QStringLiteral("vision: CLIP ViT %1 layers, hidden %2, heads %3, image %4, patch %5 (%6 image tokens per view), feature layer %7, %8")
            .arg(c.vision.numLayers).arg(c.vision.hiddenSize).arg(c.vision.numHeads).arg(c.vision.imageSize)
            .arg(c.vision.patchSize).arg(c.viewTokens()).arg(c.visionFeatureLayer).arg(qs(c.visionFeatureSelectStrategy)));
    if (c.anyres()) {
        QStringList grid;
        for (const auto &g : c.imageGridPinpoints)
            grid << QStringLiteral("%1x%2").arg(g[1]).arg(g[0]);
        out(QStringLiteral("image grid (width x height): %1").arg(grid.join(QStringLiteral(", "))));
    }
    out(QStringLiteral("image tokens (grid: views x patch rows x patch columns): %1").arg(tokenCounts));
    out(QStringLiteral("text: %1 %2 layers, hidden %3, heads %4 (kv %5), vocab %6, rope theta %7, context %8, %9 head, sliding window %10")
            .arg(qs(c.text.modelType)).arg(c.text.numLayers).arg(c.text.hiddenSize).arg(c.text.numHeads)
            .arg(c.text.numKvHeads).arg(c.text.vocabSize).arg(c.text.ropeTheta).arg(c.text.maxPositionEmbeddings)
            .arg(c.text.tieWordEmbeddings ? QStringLiteral("tied") : QStringLiteral("untied"))
            .arg(c.text.slidingWindow > 0 ? QString::number(c.text.slidingWindow) : QStringLiteral("none")));
    out(QStringLiteral("tokenizer: %1 tokens, <image> = %2").arg(i.tokenizerVocab).arg(tokenizer.imageTokenId()));
}

int info(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QCoreApplication::translate("sdrt::cli", "Model folder."));
    const auto device = deviceOption();
    QCommandLineOption imageSize(QStringLiteral("image-size"),
                                 QCoreApplication::translate("sdrt::cli", "Count the grid and image tokens of an image of this size (repeatable)."),
                                 QStringLiteral("WxH"));
    p.addOptions({device, imageSize});
    if (!parseArgs(p, QStringLiteral("sdrt model info"), args, 1))
        return 2;
    const QString dir = p.positionalArguments().first();
    // The text side, also for a folder of tokenizer files only: which tokenizer, its size and
    // special tokens, and where the chat template comes from.
    if (QFileInfo::exists(dir + QStringLiteral("/tokenizer.json"))) {
        auto t = model::HfTokenizer::load(QFile::encodeName(dir).toStdString());
        if (!t)
            return errorExit(qs(t.error()));
        QStringList specials;
        for (const auto &a : t->addedTokens())
            if (a.special)
                specials << QStringLiteral("%1=%2").arg(qs(a.content)).arg(a.id);
        auto name = [&](const std::optional<int> &id) { return id ? QStringLiteral("%1 (%2)").arg(qs(*t->token(*id))).arg(*id) : QStringLiteral("none"); };
        out(QStringLiteral("tokenizer.json: %1; bos %2, eos %3, pad %4").arg(qs(t->describe()), name(t->bosId()), name(t->eosId()), name(t->padId())));
        out(QStringLiteral("special tokens: %1").arg(specials.isEmpty() ? QStringLiteral("none") : specials.join(QStringLiteral(", "))));
    }
    const bool modelFolder = QFileInfo::exists(dir + QStringLiteral("/config.json"));
    if (auto tmpl = model::findChatTemplate(QFile::encodeName(dir).toStdString()); !tmpl) {
        err(qs(tmpl.error()));
        return 2;
    } else if (modelFolder) {
        // the runtime says which template it uses (the checkpoint's or the architecture's default)
    } else if (*tmpl) {
        auto parsed = model::jinja::Template::parse((*tmpl)->text, (*tmpl)->file);
        out(QStringLiteral("chat template: %1 (%2)").arg(qs((*tmpl)->file), parsed ? QStringLiteral("parses") : qs(parsed.error())));
    } else {
        out(QStringLiteral("chat template: none in the folder"));
    }
    if (!modelFolder)
        return 0; // tokenizer files only
    model::RuntimeOptions options;
    options.device = p.value(device).toStdString();
    auto rt = model::VlmRuntime::load(dir.toStdString(), options);
    if (!rt)
        return errorExit(qs(rt.error()));
    const model::ModelInfo &i = (*rt)->info();
    out(QStringLiteral("model: %1").arg(qs(i.dir)));
    out(QStringLiteral("parameters: %1").arg(i.parameters));
    out(QStringLiteral("device: %1, dtype %2").arg(qs(i.device), qs(i.dtype)));
    out(QStringLiteral("chat template: %1").arg(qs(i.chatTemplate.source())));
    auto sizes = imageSizesOf(p.values(imageSize));
    if (!sizes)
        return 2;
    const QString counts = imageTokenCounts(**rt, *sizes);
    if (i.qwen3vl)
        printQwen3Vl(i, (*rt)->tokenizer(), counts);
    else
        printLlava(i, (*rt)->tokenizer(), counts);
    out(QStringLiteral("platform: %1").arg(qs(model::platformSummary())));
    return 0;
}

// The model to generate with: a folder, or with `workspace` a registered model by name (a
// student: its base with its adapter); nullptr after an error on stderr.
std::unique_ptr<model::VlmRuntime> loadModel(const QString &dirOrName, const QString &workspace, const model::RuntimeOptions &options)
{
    if (workspace.isEmpty()) {
        auto r = model::VlmRuntime::load(dirOrName.toStdString(), options);
        if (!r) {
            err(qs(r.error()));
            return nullptr;
        }
        return std::move(*r);
    }
    auto ws = openWorkspace(workspace);
    if (!ws)
        return nullptr;
    auto record = store::ModelRepository(ws->db()).findByName(dirOrName);
    if (!record || !*record) {
        err(record ? QCoreApplication::translate("sdrt::cli", "There is no model \"%1\" in %2.").arg(dirOrName, ws->root()) : record.error());
        return nullptr;
    }
    auto r = distill::loadRegisteredModel(*ws, **record, options);
    if (!r) {
        err(r.error());
        return nullptr;
    }
    return std::move(*r);
}

// The request: the images and the user's text (an <image> mark per image when it has none),
// through the chat template unless `raw`; nullopt after an error on stderr.
std::optional<model::GenerationRequest> requestOf(const QStringList &images, QString user, bool raw)
{
    model::GenerationRequest req;
    for (const QString &f : images) {
        auto img = readImage(f);
        if (!img)
            return errorNothing(img.error());
        req.images.push_back(std::move(*img));
    }
    if (!user.contains(QStringLiteral("<image>"))) {
        for (std::size_t i = 0; i < req.images.size(); ++i)
            user.prepend(QStringLiteral("<image>\n"));
    }
    if (raw)
        req.prompt = user.toStdString();
    else
        req.chat = model::ChatTurn{model::partsFromMarkedText(user.toStdString()), {}};
    return req;
}

// --json: the prompt's ids (image tokens expanded), the answer and each image's grid and tokens.
void printGenerationJson(model::VlmRuntime &rt, const model::GenerationRequest &req, const model::GenerationOutput &r)
{
    auto ids = rt.promptIds(req);
    Json grids = Json::array(), tokens = Json::array();
    for (const auto &img : req.images) {
        auto g = rt.imageGrid(img);
        auto n = rt.imageTokens(img);
        grids.push_back(g ? Json(*g) : Json(nullptr));
        tokens.push_back(n ? Json(*n) : Json(nullptr));
    }
    const Json o = {{"prompt_ids", ids ? Json(*ids) : Json::array()}, {"ids", r.tokens},   {"text", r.text},
                    {"image_grid", grids},                            {"image_tokens", tokens}, {"finish_reason", r.finishReason}};
    out(QString::fromStdString(o.dump(-1, ' ', false, Json::error_handler_t::replace)));
}

int generate(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("sdrt::cli", "Generate an answer for images and a prompt."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QCoreApplication::translate("sdrt::cli", "Model folder."));
    QCommandLineOption image(QStringLiteral("image"), QCoreApplication::translate("sdrt::cli", "Image file (repeatable)."), QStringLiteral("F"));
    QCommandLineOption prompt(QStringLiteral("prompt"), QCoreApplication::translate("sdrt::cli", "The user's text; <image> marks are added when missing."), QStringLiteral("TEXT"));
    QCommandLineOption raw(QStringLiteral("raw"), QCoreApplication::translate("sdrt::cli", "Use the prompt as it is, without the chat template."));
    QCommandLineOption maxNew(QStringLiteral("max-new"), QCoreApplication::translate("sdrt::cli", "Most new tokens."), QStringLiteral("N"), QStringLiteral("64"));
    QCommandLineOption temperature(QStringLiteral("temperature"), QCoreApplication::translate("sdrt::cli", "0 for greedy."), QStringLiteral("T"), QStringLiteral("0"));
    QCommandLineOption topK(QStringLiteral("top-k"), QStringLiteral("top-k"), QStringLiteral("K"), QStringLiteral("0"));
    QCommandLineOption topP(QStringLiteral("top-p"), QStringLiteral("top-p"), QStringLiteral("P"), QStringLiteral("1"));
    QCommandLineOption seed(QStringLiteral("seed"), QCoreApplication::translate("sdrt::cli", "Random seed."), QStringLiteral("S"), QStringLiteral("0"));
    QCommandLineOption stop(QStringLiteral("stop"), QCoreApplication::translate("sdrt::cli", "Stop string (repeatable)."), QStringLiteral("S"));
    QCommandLineOption adapter(QStringLiteral("adapter"),
                               QCoreApplication::translate("sdrt::cli", "Answer as a student: a distillation run folder (its adapter.safetensors) made on DIR."),
                               QStringLiteral("RUN_DIR"));
    QCommandLineOption workspace(QStringLiteral("workspace"),
                                 QCoreApplication::translate("sdrt::cli", "DIR is the name of a model registered in this workspace (a student: its base with its adapter)."),
                                 QStringLiteral("WS"));
    const auto device = deviceOption();
    const auto dtype = dtypeOption();
    QCommandLineOption json(QStringLiteral("json"),
                            QCoreApplication::translate("sdrt::cli", "Print one JSON object: prompt_ids (image tokens expanded), ids, text, image_grid and "
                                                                     "image_tokens per image."));
    p.addOptions({image, prompt, raw, maxNew, temperature, topK, topP, seed, stop, device, dtype, adapter, workspace, json});
    processArgs(p, QStringList{QStringLiteral("sdrt model generate")} + args);
    if (p.positionalArguments().size() != 1 || !p.isSet(prompt))
        return errorExit(p.helpText());
    const auto maxNewValue = intOption(p, maxNew, 1, 1 << 20);
    const auto temperatureValue = maxNewValue ? realOption(p, temperature, 0, 100) : std::nullopt;
    const auto topKValue = temperatureValue ? intOption(p, topK, 0) : std::nullopt;
    const auto topPValue = topKValue ? realOption(p, topP, 0, 1, false) : std::nullopt;
    const auto seedValue = topPValue ? seedOption(p, seed) : std::nullopt;
    if (!seedValue)
        return 2;
    model::RuntimeOptions options;
    options.device = p.value(device).toStdString();
    options.dtype = p.value(dtype).toStdString();
    std::unique_ptr<model::VlmRuntime> loaded =
        loadModel(p.positionalArguments().first(), p.isSet(workspace) ? p.value(workspace) : QString(), options);
    if (!loaded)
        return 2;
    auto *rt = &loaded; // (*rt)-> as before
    std::unique_ptr<model::Student> student;
    if (p.isSet(adapter) && !(student = loadStudentAdapter(**rt, p.positionalArguments().first(), p.value(adapter))))
        return 2;
    auto request = requestOf(p.values(image), p.value(prompt), p.isSet(raw));
    if (!request)
        return 2;
    const model::GenerationRequest &req = *request;
    model::SamplingParams s;
    s.maxNewTokens = *maxNewValue;
    s.temperature = float(*temperatureValue);
    s.topK = *topKValue;
    s.topP = float(*topPValue);
    s.seed = *seedValue;
    for (const QString &st : p.values(stop))
        s.stop.push_back(st.toStdString());
    QElapsedTimer t;
    t.start();
    auto results = (*rt)->generate({req}, s);
    auto &r = results.front();
    if (!r)
        return errorExit(qs(r.error()));
    if (p.isSet(json)) {
        printGenerationJson(**rt, req, *r);
        return 0;
    }
    out(qs(r->text));
    err(QStringLiteral("[%1 prompt tokens, %2 new tokens, mean log-prob %3, finish %4, %5 s]")
            .arg(r->promptTokens).arg(r->tokens.size()).arg(r->meanLogprob(), 0, 'f', 3).arg(qs(r->finishReason))
            .arg(t.elapsed() / 1000.0, 0, 'f', 2));
    return 0;
}

int registerModel(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate("sdrt::cli", "Register a model folder in a workspace (by content hash)."));
    p.addPositionalArgument(QStringLiteral("DIR"), QCoreApplication::translate("sdrt::cli", "Model folder (Hugging Face layout)."));
    QCommandLineOption name(QStringLiteral("name"), QCoreApplication::translate("sdrt::cli", "Name shown in the workbench (default: the folder name)."), QStringLiteral("NAME"));
    QCommandLineOption role(QStringLiteral("role"), QCoreApplication::translate("sdrt::cli", "base or student."), QStringLiteral("ROLE"), QStringLiteral("base"));
    QCommandLineOption copy(QStringLiteral("copy"), QCoreApplication::translate("sdrt::cli", "Copy the model files into the workspace's models/ folder."));
    p.addOptions({name, role, copy});
    if (!parseArgs(p, QStringLiteral("sdrt model register"), args, 2))
        return 2;
    const auto roleValue = store::modelRoleFromString(p.value(role));
    if (!roleValue)
        return errorExit(QCoreApplication::translate("sdrt::cli", "--role: unknown model role \"%1\" (base or student).").arg(p.value(role)));
    const QString dir = p.positionalArguments().at(1);
    auto ws = openWorkspace(p.positionalArguments().at(0));
    if (!ws)
        return 2;
    const QString modelName = p.isSet(name) ? p.value(name) : QFileInfo(QDir(dir).absolutePath()).fileName();
    auto m = teacher::registerModel(*ws, dir, modelName, *roleValue, p.isSet(copy));
    if (!m)
        return errorExit(m.error());
    out(QCoreApplication::translate("sdrt::cli", "model %1 \"%2\" (%3), content hash %4, at %5")
            .arg(m->id).arg(m->name, store::toString(m->role), m->contentHash, m->path));
    return 0;
}

int listModels(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate("sdrt::cli", "List the models registered in a workspace."));
    if (!parseArgs(p, QStringLiteral("sdrt model list"), args, 1))
        return 2;
    auto ws = openWorkspace(p.positionalArguments().first());
    if (!ws)
        return 2;
    auto list = store::ModelRepository(ws->db()).list();
    if (!list)
        return errorExit(list.error());
    for (const auto &m : *list)
        out(QStringLiteral("%1\t%2\t%3\t%4\t%5%6")
                .arg(m.id)
                .arg(m.name, store::toString(m.role), m.contentHash.left(12), m.path,
                     m.baseModelId ? QStringLiteral("\tbase %1, distillation run %2").arg(*m.baseModelId).arg(m.distillRunId.value_or(0)) : QString()));
    return 0;
}

} // namespace

int runModel(const QStringList &args)
{
    const QString action = args.value(0);
    if (action == QLatin1String("make-tiny"))
        return makeTiny(args.mid(1));
    if (action == QLatin1String("info"))
        return info(args.mid(1));
    if (action == QLatin1String("generate"))
        return generate(args.mid(1));
    if (action == QLatin1String("register"))
        return registerModel(args.mid(1));
    if (action == QLatin1String("list"))
        return listModels(args.mid(1));
    if (action == QLatin1String("chat-template"))
        return chatTemplateLines(args.mid(1));
    if (action == QLatin1String("tokenize") || action == QLatin1String("detokenize"))
        return tokenizeLines(args.mid(1), action == QLatin1String("detokenize"));
    err(QStringLiteral("usage: sdrt model make-tiny DIR | info DIR | generate DIR --image F --prompt TEXT | register WS DIR | list WS | "
                       "tokenize DIR --jsonl | detokenize DIR --jsonl | chat-template DIR --jsonl"));
    return 2;
}


} // namespace sdrt::cli
