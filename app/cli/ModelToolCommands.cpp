// sdrt model's tools for tests and references: make-tiny (random tiny checkpoints) and the JSON
// Lines front ends of the tokenizer and the chat template that the test suite compares with
// Hugging Face's own implementations.

#include "cli/Commands.h"

#include "sdrt/model/ChatTemplate.h"
#include "sdrt/model/HfTokenizer.h"
#include "sdrt/model/Jinja.h"
#include "sdrt/model/ModelConfig.h"
#include "sdrt/model/Qwen3Vl.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/model/Tokenizer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>

namespace sdrt::cli {
namespace {

using Json = nlohmann::ordered_json;

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

// Writes a tiny model with `make` into `dir` and says what it wrote.
template <typename Params, typename Make, typename Describe>
int writeTiny(const QString &dir, Params params, std::uint64_t seed, bool replace, Make make, Describe describe)
{
    params.seed = seed;
    params.replaceExisting = replace;
    auto r = make(dir.toStdString(), params);
    if (!r)
        return errorExit(qs(r.error()));
    out(QCoreApplication::translate("sdrt::cli", "Wrote %1 %2.").arg(dir, describe(*r)));
    return 0;
}

// A JSON-lines tool's command line: DIR and the required --jsonl; false after printing the help
// when they are not given.
bool parseJsonLinesTool(QCommandLineParser &p, const QString &command, const QStringList &args, const QString &description,
                        const QString &dirHelp)
{
    p.setApplicationDescription(description);
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), dirHelp);
    QCommandLineOption jsonl(QStringLiteral("jsonl"), QCoreApplication::translate("sdrt::cli", "JSON Lines on stdin and stdout (required)."));
    p.addOption(jsonl);
    if (!parseArgs(p, command, args, 1))
        return false;
    if (p.isSet(jsonl))
        return true;
    err(p.helpText());
    return false;
}

} // namespace

int makeTiny(const QStringList &args)
{
    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate("sdrt::cli", "Write a random tiny LLaVA (or Qwen3-VL) in the Hugging Face layout."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QCoreApplication::translate("sdrt::cli", "Output folder."));
    QCommandLineOption seed(QStringLiteral("seed"), QCoreApplication::translate("sdrt::cli", "Random seed."), QStringLiteral("S"), QStringLiteral("1"));
    QCommandLineOption mistral(QStringLiteral("mistral"), QCoreApplication::translate("sdrt::cli", "Use the Mistral [INST] chat template."));
    QCommandLineOption big(QStringLiteral("100m"), QCoreApplication::translate("sdrt::cli", "A ~100M-parameter shape instead of the tiny one."));
    QCommandLineOption next(QStringLiteral("next"),
                            QCoreApplication::translate("sdrt::cli", "A LLaVA-NeXT (1.6): anyres image grid of 336-pixel views, Mistral text config and [INST] template."));
    QCommandLineOption force(QStringLiteral("force"),
                             QCoreApplication::translate("sdrt::cli", "Write into a folder that already has files (they may be replaced)."));
    QCommandLineOption qwen3vl(QStringLiteral("qwen3vl"),
                               QCoreApplication::translate("sdrt::cli", "A Qwen3-VL, with a byte-level BPE tokenizer.json of its own and a ChatML template."));
    p.addOptions({seed, mistral, big, next, qwen3vl, force});
    if (!parseArgs(p, QStringLiteral("sdrt model make-tiny"), args, 1))
        return 2;
    const auto seedValue = seedOption(p, seed);
    if (!seedValue)
        return 2;
    if (!outputFolderAllowed(p.positionalArguments().first(), p.isSet(force), QStringLiteral("make-tiny")))
        return 2;
    if (p.isSet(qwen3vl)) {
        if (p.isSet(next) || p.isSet(mistral))
            return errorExit(QCoreApplication::translate("sdrt::cli", "--qwen3vl is its own family; --next and --mistral do not apply to it."));
        const model::TinyQwen3VlParams params = p.isSet(big) ? model::TinyQwen3VlParams::hundredMillion() : model::TinyQwen3VlParams{};
        return writeTiny(p.positionalArguments().first(), params, *seedValue, p.isSet(force), model::makeTinyQwen3Vl, [](const auto &c) {
            return QCoreApplication::translate("sdrt::cli", "(Qwen3-VL, vocabulary %1, %2 decoder layers, %3 parameters)")
                .arg(c.text.vocabSize)
                .arg(c.text.numLayers)
                .arg(c.parameterCount());
        });
    }
    if (p.isSet(big) && p.isSet(next))
        return errorExit(QCoreApplication::translate("sdrt::cli", "--100m and --next are different shapes; choose one."));
    model::TinyModelParams params = p.isSet(big)    ? model::TinyModelParams::hundredMillion()
                                    : p.isSet(next) ? model::TinyModelParams::llavaNext()
                                                    : model::TinyModelParams{};
    if (p.isSet(mistral))
        params.chatTemplate = "mistral";
    return writeTiny(p.positionalArguments().first(), params, *seedValue, p.isSet(force), model::makeTinyModel, [](const auto &c) {
        return QCoreApplication::translate("sdrt::cli", "(vocabulary %1, %2 decoder layers)").arg(c.text.vocabSize).arg(c.text.numLayers);
    });
}

// The JSON Lines protocol of tokenize, detokenize and chat-template: one object per line on
// stdin, one answer per line on stdout, in order; a line that is not JSON is answered with
// {"error": …} and the next is read. nlohmann's JSON, not Qt's: Qt's UTF-8 decoding drops a
// byte-order mark at the start of a string, and text must reach the tokenizer byte for byte; the
// ordered kind keeps a message's keys in their order, as Python keeps them for a template.
namespace {


void answerJsonLines(const std::function<Json(const Json &)> &answerOf)
{
    std::string line;
    while (std::getline(std::cin, line)) {
        Json answer;
        try {
            answer = answerOf(Json::parse(line));
        } catch (const Json::parse_error &e) {
            answer = {{"error", std::string("not a JSON object: ") + e.what()}};
        }
        const std::string out = answer.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
        std::fwrite(out.data(), 1, out.size(), stdout);
    }
    std::fflush(stdout);
}

} // namespace

// sdrt model tokenize|detokenize DIR --jsonl: one JSON object per line on stdin, one answer per
// line on stdout, in order. A line that cannot be answered gets {"error": "…"}; the exit status
// is 2 only when the tokenizer cannot be loaded.
int tokenizeLines(const QStringList &args, bool decode)
{
    QCommandLineParser p;
    if (!parseJsonLinesTool(p, decode ? QStringLiteral("sdrt model detokenize") : QStringLiteral("sdrt model tokenize"), args,
                            decode ? QCoreApplication::translate("sdrt::cli", "Decode token ids with a model folder's tokenizer (tokenizer.json, "
                                                                                  "else tokenizer.model). stdin: {\"ids\": [..]} per line; stdout: "
                                                                                  "{\"text\": \"…\"} (special tokens kept).")
                                       : QCoreApplication::translate("sdrt::cli", "Encode text with a model folder's tokenizer (tokenizer.json, else "
                                                                                  "tokenizer.model). stdin: {\"text\": \"…\", \"add_special_tokens\": "
                                                                                  "true} per line; stdout: {\"ids\": [..]}."),
                            QCoreApplication::translate("sdrt::cli", "A folder with tokenizer.json or tokenizer.model.")))
        return 2;
    const std::string dir = QFile::encodeName(p.positionalArguments().first()).toStdString();
    std::optional<model::HfTokenizer> hf;
    std::optional<model::Tokenizer> spm;
    if (QFileInfo::exists(p.positionalArguments().first() + QStringLiteral("/tokenizer.json"))) {
        auto t = model::HfTokenizer::load(dir);
        if (!t)
            return errorExit(qs(t.error()));
        hf = std::move(*t);
    } else {
        auto t = model::Tokenizer::load(dir);
        if (!t)
            return errorExit(qs(t.error()));
        spm = std::move(*t);
    }
    answerJsonLines([&](const Json &in) -> Json {
        if (!in.is_object())
            return {{"error", "not a JSON object"}};
        if (decode) {
            std::vector<int> ids;
            if (!in.contains("ids") || !in["ids"].is_array())
                return {{"error", "\"ids\" must be a list of whole numbers"}};
            for (const Json &v : in["ids"]) {
                if (!v.is_number_integer())
                    return {{"error", "\"ids\" must be a list of whole numbers"}};
                ids.push_back(v.get<int>());
            }
            return {{"text", hf ? hf->decode(ids, false) : spm->decode(ids)}};
        }
        if (!in.contains("text") || !in["text"].is_string())
            return {{"error", "\"text\" must be a string"}};
        const bool special = in.contains("add_special_tokens") && in["add_special_tokens"].is_boolean() ? in["add_special_tokens"].get<bool>() : true;
        const std::string text = in["text"].get<std::string>();
        if (!hf)
            return {{"ids", spm->encode(text, special)}};
        auto r = hf->encode(text, special);
        if (!r)
            return {{"error", r.error()}};
        return {{"ids", *r}};
    });
    return 0;
}

// sdrt model chat-template DIR --jsonl: renders the checkpoint's Jinja chat template for each
// line {"messages": [..], "add_generation_prompt": true, "extra": {..}}; the special tokens of
// tokenizer_config.json (bos_token, eos_token, unk_token, pad_token) are variables too, as
// transformers passes them. A template that raises answers {"error": "…"} for that line.
int chatTemplateLines(const QStringList &args)
{
    QCommandLineParser p;
    if (!parseJsonLinesTool(p, QStringLiteral("sdrt model chat-template"), args,
                            QCoreApplication::translate("sdrt::cli", "Render a model folder's chat template (chat_template.jinja, "
                                                                         "chat_template.json or tokenizer_config.json). stdin: {\"messages\": "
                                                                         "[..], \"add_generation_prompt\": true, \"extra\": {..}} per line; "
                                                                         "stdout: {\"text\": \"…\"} or {\"error\": \"…\"}."),
                            QCoreApplication::translate("sdrt::cli", "A folder with a chat template.")))
        return 2;
    const std::string dir = QFile::encodeName(p.positionalArguments().first()).toStdString();
    auto source = model::findChatTemplate(dir);
    if (!source)
        return errorExit(qs(source.error()));
    if (!*source)
        return errorExit(QCoreApplication::translate("sdrt::cli", "%1 has no chat template (chat_template.jinja, chat_template.json or tokenizer_config.json).")
                .arg(p.positionalArguments().first()));
    // The special tokens transformers passes to every template are variables too.
    auto specials = model::specialTokensOf(dir);
    if (!specials)
        return errorExit(qs(specials.error()));
    auto tmpl = model::ChatTemplate::fromText((*source)->text, (*source)->file, *specials);
    if (!tmpl)
        return errorExit(qs(tmpl.error()));
    answerJsonLines([&](const Json &in) -> Json {
        if (!in.is_object() || !in.contains("messages") || !in["messages"].is_array())
            return {{"error", "\"messages\" must be a list"}};
        Json context = Json::object();
        context["messages"] = in["messages"];
        context["add_generation_prompt"] = in.value("add_generation_prompt", false);
        if (in.contains("extra") && in["extra"].is_object())
            for (auto it = in["extra"].begin(); it != in["extra"].end(); ++it)
                context[it.key()] = it.value();
        auto text = tmpl->renderContext(context.dump());
        if (!text)
            return {{"error", text.error()}};
        return {{"text", *text}};
    });
    return 0;
}

} // namespace sdrt::cli
