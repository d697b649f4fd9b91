// The JSON fields that several stages of a tokenizer.json share.

#include "HfTokenizerParts.h"

namespace sdrt::model::hf {

std::string typeOf(const json &j)
{
    return j.is_object() && j.contains("type") && j["type"].is_string() ? j["type"].get<std::string>() : std::string();
}

bool flag(const json &j, const char *key, bool fallback)
{
    return j.contains(key) && j[key].is_boolean() ? j[key].get<bool>() : fallback;
}

std::string text(const json &j, const char *key, const std::string &fallback)
{
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : fallback;
}

Expected<std::shared_ptr<Regex>, std::string> patternOf(const json &j, const std::string &path)
{
    if (!j.is_object())
        return unexpected(path + ": a pattern must be {\"String\": …} or {\"Regex\": …}");
    if (j.contains("String") && j["String"].is_string())
        return Regex::compile(escapeRegex(j["String"].get<std::string>()));
    if (j.contains("Regex") && j["Regex"].is_string()) {
        auto r = Regex::compile(j["Regex"].get<std::string>());
        if (!r)
            return unexpected(path + ": " + r.error());
        return r;
    }
    return unexpected(path + ": a pattern must be {\"String\": …} or {\"Regex\": …}");
}

Expected<Behavior, std::string> behaviorOf(const json &j, const std::string &path, Behavior fallback)
{
    static constexpr std::array<std::pair<std::string_view, Behavior>, 5> names{{
        {"Removed", Behavior::Removed},
        {"Isolated", Behavior::Isolated},
        {"MergedWithPrevious", Behavior::MergedWithPrevious},
        {"MergedWithNext", Behavior::MergedWithNext},
        {"Contiguous", Behavior::Contiguous},
    }};
    if (j.is_null())
        return fallback;
    if (!j.is_string())
        return unexpected(path + ": a behavior is a string");
    const std::string b = j.get<std::string>();
    if (auto behavior = named(b, names))
        return *behavior;
    return unexpected(path + ": unknown split behavior \"" + b + "\"");
}

Expected<Replacement, std::string> replacementOf(const json &j, const std::string &path)
{
    auto p = patternOf(j.value("pattern", json()), path + ".pattern");
    if (!p)
        return unexpected(p.error());
    return Replacement{*p, text(j, "content")};
}

std::string prependSchemeOf(const json &j)
{
    return text(j, "prepend_scheme", flag(j, "add_prefix_space", true) ? "always" : "never");
}

} // namespace sdrt::model::hf
