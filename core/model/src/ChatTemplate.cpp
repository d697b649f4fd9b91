#include "sdrt/model/ChatTemplate.h"

#include "JsonFile.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace sdrt::model {
namespace {

// The template text of a JSON file's "chat_template": a string, or a list of named templates
// (Hugging Face's form for several; "default" is the one apply_chat_template uses). Empty when
// the file has none.
Expected<std::string, std::string> templateFromJson(const std::string &path)
{
    auto text = readTextFile(path);
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

// The architectures' documented templates (the shape of the llava-hf conversions'): images
// first, then the text, each user turn closed as the family writes it.
const char *kLlava15 =
    "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': ' }}{% endif %}"
    "{% for part in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\\n' }}{% endfor %}"
    "{% for part in message['content'] | selectattr('type', 'equalto', 'text') %}{{ part['text'] + ' ' }}{% endfor %}"
    "{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";
const char *kLlavaNextMistral =
    "{% for message in messages %}{% if message['role'] == 'system' %}"
    "{{ '<<SYS>>\\n' + message['content'][0]['text'] + '\\n<</SYS>>\\n\\n' }}"
    "{% elif message['role'] == 'user' %}{{ '[INST] ' }}"
    "{% for part in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\\n' }}{% endfor %}"
    "{% for part in message['content'] | selectattr('type', 'equalto', 'text') %}{{ part['text'] }}{% endfor %}{{ ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'][0]['text'] + eos_token }}{% endif %}{% endfor %}";

const char *kQwen3Vl =
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}{% else %}{% for part in message['content'] %}"
    "{% if part['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

bool endsInSpace(const std::string &s)
{
    return !s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t');
}

} // namespace

std::vector<ChatPart> partsFromMarkedText(const std::string &text, const std::string &marker)
{
    std::vector<ChatPart> parts;
    auto addText = [&](std::string t, bool afterImage, bool beforeImage) {
        if (afterImage && !t.empty() && t.front() == '\n')
            t.erase(0, 1);
        if (beforeImage && !t.empty() && t.back() == '\n')
            t.pop_back();
        if (!t.empty())
            parts.push_back(ChatPart::textPart(std::move(t)));
    };
    std::size_t from = 0;
    bool afterImage = false;
    for (std::size_t at = marker.empty() ? std::string::npos : text.find(marker); at != std::string::npos; at = text.find(marker, from)) {
        addText(text.substr(from, at - from), afterImage, true);
        parts.push_back(ChatPart::imagePart());
        from = at + marker.size();
        afterImage = true;
    }
    addText(text.substr(from), afterImage, false);
    return parts;
}

Expected<std::string, std::string> specialTokensOf(const std::string &dir)
{
    const std::string path = dir + "/tokenizer_config.json";
    if (!std::filesystem::exists(path))
        return std::string("{}");
    auto text = readTextFile(path);
    if (!text)
        return unexpected(text.error());
    nlohmann::json out = nlohmann::json::object();
    try {
        const auto config = nlohmann::json::parse(*text);
        for (const char *key : {"bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token"}) {
            if (!config.is_object() || !config.contains(key))
                continue;
            const auto &v = config[key];
            if (v.is_string())
                out[key] = v;
            else if (v.is_object() && v.contains("content") && v["content"].is_string())
                out[key] = v["content"];
        }
    } catch (const std::exception &e) {
        return unexpected(path + ": invalid JSON: " + e.what());
    }
    return out.dump();
}

Expected<ChatTemplate, std::string> ChatTemplate::fromText(const std::string &text, const std::string &name, const std::string &specials)
{
    auto parsed = jinja::Template::parse(text, name);
    if (!parsed)
        return unexpected(parsed.error());
    ChatTemplate t;
    t.m_template = std::move(*parsed);
    t.m_text = text;
    t.m_source = name;
    t.m_specials = specials;
    return t;
}

ChatTemplate ChatTemplate::builtin(Default which)
{
    const char *text = which == Default::LlavaNextMistral ? kLlavaNextMistral : which == Default::Qwen3Vl ? kQwen3Vl : kLlava15;
    const char *name = which == Default::LlavaNextMistral ? "default: LLaVA-NeXT (Mistral) template"
                       : which == Default::Qwen3Vl       ? "default: Qwen3-VL template (ChatML)"
                                                         : "default: LLaVA 1.5 template";
    const char *specials = which == Default::Qwen3Vl ? R"({"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"})"
                                                     : R"({"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"})";
    auto t = fromText(text, name, specials);
    // Our own constant text: a parse error is a bug caught by the tests.
    t->m_isDefault = true;
    return std::move(*t);
}

ChatTemplate::Default ChatTemplate::defaultFor(const LlavaConfig &config)
{
    if (config.modelType == "qwen3_vl")
        return Default::Qwen3Vl;
    return config.anyres() && config.text.modelType == "mistral" ? Default::LlavaNextMistral : Default::Llava15;
}

Expected<ChatTemplate, std::string> ChatTemplate::forModel(const std::string &dir, const LlavaConfig &config)
{
    auto specials = specialTokensOf(dir);
    if (!specials)
        return unexpected(specials.error());
    auto found = findChatTemplate(dir);
    if (!found)
        return unexpected(found.error());
    if (!*found) {
        ChatTemplate t = builtin(defaultFor(config));
        t.m_specials = *specials == "{}" ? t.m_specials : *specials;
        t.m_source += config.modelType == "qwen3_vl" ? std::string(" (the checkpoint has no chat template)")
                                                      : std::string(" (the checkpoint has no chat template; the usual one of ")
                                                            + (config.anyres() ? "LLaVA-NeXT" : "LLaVA 1.5") + " on " + config.text.modelType + ")";
        return t;
    }
    return fromText((*found)->text, (*found)->file, *specials);
}

Expected<std::string, std::string> ChatTemplate::renderContext(const std::string &contextJson) const
{
    nlohmann::ordered_json context;
    try {
        context = nlohmann::ordered_json::parse(contextJson);
    } catch (const std::exception &e) {
        return unexpected(std::string("the template's variables are not JSON: ") + e.what());
    }
    if (!context.is_object())
        return unexpected(std::string("the template's variables must be a JSON object"));
    const auto specials = nlohmann::ordered_json::parse(m_specials);
    for (auto it = specials.begin(); it != specials.end(); ++it) {
        if (!context.contains(it.key()))
            context[it.key()] = it.value();
    }
    return m_template.render(context.dump());
}

Expected<std::string, std::string> ChatTemplate::render(const ChatTurn &turn) const
{
    nlohmann::ordered_json content = nlohmann::ordered_json::array();
    for (const ChatPart &p : turn.parts) {
        if (p.image)
            content.push_back({{"type", "image"}});
        else
            content.push_back({{"type", "text"}, {"text", p.text}});
    }
    nlohmann::ordered_json context = {{"messages", nlohmann::ordered_json::array({{{"role", "user"}, {"content", content}}})},
                              {"add_generation_prompt", true}};
    auto text = renderContext(context.dump());
    if (!text) // the engine's messages name the template; the variables' do not
        return unexpected(text.error().rfind(m_source, 0) == 0 ? text.error() : m_source + ": " + text.error());
    if (text->empty())
        return unexpected(m_source + ": the chat template wrote nothing for a user turn");
    if (!turn.assistantPrefix.empty())
        *text += (endsInSpace(*text) ? "" : " ") + turn.assistantPrefix;
    return std::move(*text);
}

Expected<std::optional<ChatTemplateSource>, std::string> findChatTemplate(const std::string &dir)
{
    namespace fs = std::filesystem;
    for (const char *file : {"chat_template.jinja", "chat_template.json", "tokenizer_config.json"}) {
        const std::string path = dir + "/" + file;
        if (!fs::exists(path))
            continue;
        auto text = std::string(file) == "chat_template.jinja" ? readTextFile(path) : templateFromJson(path);
        if (!text)
            return unexpected(text.error());
        if (!text->empty())
            return std::optional<ChatTemplateSource>(ChatTemplateSource{*text, path});
    }
    return std::optional<ChatTemplateSource>();
}

} // namespace sdrt::model
