#pragma once
// Reading the small JSON and text files of a model folder (config.json, preprocessor_config.json,
// tokenizer_config.json, chat templates), with messages that name the file. Private to core/model.

#include "sdrt/common/Expected.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace sdrt::model {

// The file's bytes; an error names it when it cannot be read.
inline Expected<std::string, std::string> readTextFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return unexpected(path + ": cannot read (missing file?)");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The file as a JSON object; an error names it when it cannot be read, is not JSON or is not an object.
inline Expected<nlohmann::json, std::string> readJsonObject(const std::string &path)
{
    auto text = readTextFile(path);
    if (!text)
        return unexpected(text.error());
    try {
        auto j = nlohmann::json::parse(*text);
        if (!j.is_object())
            return unexpected(path + ": not a JSON object");
        return j;
    } catch (const std::exception &e) {
        return unexpected(path + ": invalid JSON: " + e.what());
    }
}

} // namespace sdrt::model
