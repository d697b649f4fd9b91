#pragma once
// The chat formats our prompt templates are written against: the model's own chat template
// wraps a user turn and starts the assistant turn (optionally with a prefix such as "Answer:").

#include <string>

namespace sdrt::model {

enum class ChatFormat {
    Llava15, // "USER: <image>\n… ASSISTANT:"
    Mistral, // "[INST] <image>\n… [/INST]"
    Plain,   // the text as it is (tests, raw prompts)
};

std::string formatChat(ChatFormat format, const std::string &user, const std::string &assistantPrefix = {});
// From tokenizer_config.json's chat_template (contains "[INST]": Mistral) or the text model type.
ChatFormat detectChatFormat(const std::string &modelDir, const std::string &textModelType);
const char *toString(ChatFormat f);

} // namespace sdrt::model
