#pragma once
// How a prompt reaches the model: one user turn of image and text parts, rendered by the
// checkpoint's own Jinja chat template (as transformers' apply_chat_template with
// add_generation_prompt), then the start of the assistant's turn ("Answer:", …). The template's
// own image marker (<image>, <|vision_start|><|image_pad|><|vision_end|>, <start_of_image>, …)
// is where the runtime puts each image's tokens.
//
// Which template: the checkpoint's, in Hugging Face's order (chat_template.jinja,
// chat_template.json, tokenizer_config.json); a checkpoint without one gets its architecture's
// documented default (the template of the llava-hf conversions), and says so in source().
//
// Thread rule: a ChatTemplate is immutable after load; render() may be called from several threads.

#include "sdrt/common/Expected.h"
#include "sdrt/model/Jinja.h"
#include "sdrt/model/ModelConfig.h"

#include <optional>
#include <string>
#include <vector>

namespace sdrt::model {

// One part of a user turn: an image ({"type": "image"}) or text ({"type": "text", "text": …}).
struct ChatPart {
    bool image = false;
    std::string text;
    static ChatPart imagePart() { return {true, {}}; }
    static ChatPart textPart(std::string t) { return {false, std::move(t)}; }
    bool operator==(const ChatPart &o) const { return image == o.image && text == o.text; }
};

// A user turn and how the assistant's answer begins.
struct ChatTurn {
    std::vector<ChatPart> parts;
    std::string assistantPrefix; // "" or e.g. "Answer:"; written after the generation prompt
};

// Parts from text that marks images with `marker` ("<image>\nHow many?" → image, "How many?").
// The newline written right after a marker, and one right before it, belong to the marker.
std::vector<ChatPart> partsFromMarkedText(const std::string &text, const std::string &marker = "<image>");

class ChatTemplate {
public:
    // The architectures' documented defaults, for checkpoints without a template.
    enum class Default {
        Llava15,         // llava-hf/llava-1.5: "USER: <image>\n… ASSISTANT:"
        LlavaNextMistral, // llava-hf/llava-v1.6-mistral: "[INST] <image>\n… [/INST]"
        Qwen3Vl           // ChatML with <|vision_start|><|image_pad|><|vision_end|> per image
    };

    // The template of the model folder `dir` (see above); an error names the file (and for a
    // syntax error its line and column). The special tokens of tokenizer_config.json
    // (bos_token, eos_token, …) become template variables, as transformers passes them.
    static Expected<ChatTemplate, std::string> forModel(const std::string &dir, const LlavaConfig &config);
    // A template from text: `name` is what errors and source() call it.
    static Expected<ChatTemplate, std::string> fromText(const std::string &text, const std::string &name,
                                                         const std::string &specialTokensJson = "{}");
    static ChatTemplate builtin(Default which);
    static Default defaultFor(const LlavaConfig &config);

    // The file the template came from, or "default: …" naming the architecture's template.
    const std::string &source() const { return m_source; }
    bool isDefault() const { return m_isDefault; }
    const std::string &text() const { return m_text; }

    // `turn` as the model reads it: [{role: user, content: parts}] with add_generation_prompt,
    // then the assistant prefix (after a space unless the generation prompt ends in one or a
    // newline). A template that raises, or writes nothing, is an error with its message.
    Expected<std::string, std::string> render(const ChatTurn &turn) const;
    // The template with any variables (a JSON object: messages, add_generation_prompt, …); the
    // special tokens are added where the context does not set them.
    Expected<std::string, std::string> renderContext(const std::string &contextJson) const;

private:
    jinja::Template m_template;
    std::string m_text, m_source, m_specials = "{}";
    bool m_isDefault = false;
};

// The checkpoint's Jinja chat template in Hugging Face's order: chat_template.jinja,
// chat_template.json, then tokenizer_config.json ("chat_template": a string, or a list of named
// templates, "default" first). Nullopt when there is none; an error names a file that cannot be read.
struct ChatTemplateSource {
    std::string text;
    std::string file; // the file it came from
};
Expected<std::optional<ChatTemplateSource>, std::string> findChatTemplate(const std::string &modelDir);

// tokenizer_config.json's special tokens (bos_token, eos_token, unk_token, pad_token, sep_token,
// cls_token, mask_token: a string or an object with "content") as a JSON object; "{}" without
// the file, an error when it is not JSON.
Expected<std::string, std::string> specialTokensOf(const std::string &modelDir);

} // namespace sdrt::model
