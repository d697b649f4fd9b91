#pragma once
// The chat formats our prompt templates are written against: the model's own chat template
// wraps a user turn and starts the assistant turn (optionally with a prefix such as "Answer:").
// Which one a checkpoint uses is read from its chat template (chat_template.jinja,
// chat_template.json or tokenizer_config.json's chat_template); a template that is neither is
// refused rather than guessed.

#include "sdrt/common/Expected.h"
#include "sdrt/model/ModelConfig.h"

#include <optional>
#include <string>

namespace sdrt::model {

enum class ChatFormat {
    Llava15, // "USER: <image>\n… ASSISTANT:" (Vicuna, LLaVA 1.5, LLaVA-NeXT on Vicuna)
    Mistral, // "[INST] <image>\n… [/INST]" (LLaVA-NeXT on Mistral)
    Plain,   // the text as it is (tests, raw prompts)
};

std::string formatChat(ChatFormat format, const std::string &user, const std::string &assistantPrefix = {});
// The format a Jinja chat template writes: Mistral when it writes "[INST]" and "[/INST]";
// Vicuna/LLaVA-1.5 when it writes "ASSISTANT:" and a "USER:" turn (literally, or as the role's
// upper-case name); otherwise an error saying what was found.
Expected<ChatFormat, std::string> chatFormatFromTemplate(const std::string &templateText);

struct ChatFormatChoice {
    ChatFormat format = ChatFormat::Llava15;
    std::string source; // the file whose template decided, or why the default was taken
};
// The checkpoint's format: from the first chat template found (chat_template.jinja,
// chat_template.json, tokenizer_config.json); without any, the architecture's usual format
// (LLaVA 1.5 and Vicuna-based LLaVA-NeXT: USER/ASSISTANT; Mistral-based: [INST]). A template
// we cannot interpret is an error naming the file.
Expected<ChatFormatChoice, std::string> detectChatFormat(const std::string &modelDir, const LlavaConfig &config);
const char *toString(ChatFormat f);

// The checkpoint's Jinja chat template in Hugging Face's order: chat_template.jinja,
// chat_template.json, then tokenizer_config.json ("chat_template": a string, or a list of named
// templates, "default" first). Nullopt when there is none; an error names a file that cannot be read.
struct ChatTemplateSource {
    std::string text;
    std::string file; // the file it came from
};
Expected<std::optional<ChatTemplateSource>, std::string> findChatTemplate(const std::string &modelDir);

} // namespace sdrt::model
