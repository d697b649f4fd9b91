#include "sdrt/model/ChatTemplate.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sdrt::model {
namespace {

bool contains(const std::string &s, const char *part)
{
    return s.find(part) != std::string::npos;
}

Expected<std::string, std::string> readAll(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return unexpected(path + ": cannot read");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The template text of a JSON file's "chat_template": a string, or a list of named templates
// (Hugging Face's form for several; "default" is the one apply_chat_template uses). Empty when
// the file has none.
Expected<std::string, std::string> templateFromJson(const std::string &path)
{
    auto text = readAll(path);
    if (!text)
        return unexpected(text.error());
    try {
        const auto j = nlohmann::json::parse(*text);
        if (!j.is_object() || !j.contains("chat_template") || j["chat_template"].is_null())
            return std::string();
        const auto &t = j["chat_template"];
        if (t.is_string())
            return t.get<std::string>();
        if (t.is_array()) {
            std::string first;
            for (const auto &entry : t) {
                if (!entry.is_object() || !entry.contains("template") || !entry["template"].is_string())
                    continue;
                if (entry.value("name", std::string()) == "default")
                    return entry["template"].get<std::string>();
                if (first.empty())
                    first = entry["template"].get<std::string>();
            }
            return first;
        }
        return unexpected(path + ": chat_template is neither a string nor a list of named templates");
    } catch (const std::exception &e) {
        return unexpected(path + ": invalid JSON: " + e.what());
    }
}

} // namespace

std::string formatChat(ChatFormat format, const std::string &user, const std::string &assistantPrefix)
{
    const std::string prefix = assistantPrefix.empty() ? std::string() : " " + assistantPrefix;
    switch (format) {
    case ChatFormat::Llava15: return "USER: " + user + " ASSISTANT:" + prefix;
    case ChatFormat::Mistral: return "[INST] " + user + " [/INST]" + prefix;
    case ChatFormat::Plain: return user + (assistantPrefix.empty() ? std::string() : "\n" + assistantPrefix);
    }
    return user;
}

Expected<ChatFormat, std::string> chatFormatFromTemplate(const std::string &t)
{
    const bool mistral = contains(t, "[INST]") && contains(t, "[/INST]");
    const bool vicuna = contains(t, "ASSISTANT:") && (contains(t, "USER:") || contains(t, ".upper()"));
    if (mistral && vicuna)
        return unexpected(std::string("the chat template writes both [INST] turns and USER:/ASSISTANT: turns; which one the model "
                                      "was trained on cannot be told from it"));
    if (mistral)
        return ChatFormat::Mistral;
    if (vicuna)
        return ChatFormat::Llava15;
    std::string seen;
    for (const char *marker : {"<|im_start|>", "<|start_header_id|>", "<start_of_turn>", "<|user|>", "[INST]", "USER:", "ASSISTANT:"}) {
        if (contains(t, marker))
            seen += std::string(seen.empty() ? "" : ", ") + marker;
    }
    return unexpected("the chat template is not one this runtime can follow (it knows Mistral's [INST] … [/INST] and "
                      "Vicuna/LLaVA-1.5's USER: … ASSISTANT:)"
                      + (seen.empty() ? std::string() : "; it writes " + seen));
}

Expected<ChatFormatChoice, std::string> detectChatFormat(const std::string &dir, const LlavaConfig &config)
{
    namespace fs = std::filesystem;
    struct Source {
        std::string file;
        bool json;
    };
    for (const Source &s : {Source{"chat_template.jinja", false}, Source{"chat_template.json", true}, Source{"tokenizer_config.json", true}}) {
        const std::string path = dir + "/" + s.file;
        if (!fs::exists(path))
            continue;
        auto text = s.json ? templateFromJson(path) : readAll(path);
        if (!text)
            return unexpected(text.error());
        if (text->empty())
            continue;
        auto format = chatFormatFromTemplate(*text);
        if (!format)
            return unexpected(path + ": " + format.error());
        return ChatFormatChoice{*format, s.file};
    }
    ChatFormatChoice c;
    c.format = config.anyres() && config.text.modelType == "mistral" ? ChatFormat::Mistral : ChatFormat::Llava15;
    c.source = "no chat template in the checkpoint: the usual format of " + std::string(config.anyres() ? "LLaVA-NeXT" : "LLaVA 1.5")
               + " on " + config.text.modelType;
    return c;
}

Expected<std::optional<ChatTemplateSource>, std::string> findChatTemplate(const std::string &dir)
{
    namespace fs = std::filesystem;
    for (const char *file : {"chat_template.jinja", "chat_template.json", "tokenizer_config.json"}) {
        const std::string path = dir + "/" + file;
        if (!fs::exists(path))
            continue;
        auto text = std::string(file) == "chat_template.jinja" ? readAll(path) : templateFromJson(path);
        if (!text)
            return unexpected(text.error());
        if (!text->empty())
            return std::optional<ChatTemplateSource>(ChatTemplateSource{*text, path});
    }
    return std::optional<ChatTemplateSource>();
}

const char *toString(ChatFormat f)
{
    switch (f) {
    case ChatFormat::Llava15: return "llava-1.5";
    case ChatFormat::Mistral: return "mistral";
    case ChatFormat::Plain: return "plain";
    }
    return "?";
}

} // namespace sdrt::model
