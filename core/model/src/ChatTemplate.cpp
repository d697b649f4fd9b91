#include "sdrt/model/ChatTemplate.h"

#include <fstream>
#include <sstream>

namespace sdrt::model {

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

ChatFormat detectChatFormat(const std::string &modelDir, const std::string &textModelType)
{
    std::ifstream in(modelDir + "/tokenizer_config.json");
    if (in) {
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string s = ss.str();
        if (s.find("[INST]") != std::string::npos)
            return ChatFormat::Mistral;
        if (s.find("USER:") != std::string::npos)
            return ChatFormat::Llava15;
    }
    return textModelType == "mistral" ? ChatFormat::Mistral : ChatFormat::Llava15;
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
