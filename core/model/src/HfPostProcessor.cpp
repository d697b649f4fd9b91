// Post-processors: which special tokens encode() puts around the text (single sequences only).

#include "HfTokenizerParts.h"

namespace sdrt::model::hf {
namespace {

Expected<Template, std::string> readByteLevel(const json &, const std::string &)
{
    return Template(); // offsets only: the ids stay as they are
}

Expected<Template, std::string> readTemplateProcessing(const json &j, const std::string &path)
{
    Template t;
    t.single.clear();
    const json &single = j.value("single", json::array());
    const json &specials = j.value("special_tokens", json::object());
    for (std::size_t i = 0; i < single.size(); ++i) {
        const json &part = single[i];
        const std::string where = path + ".single[" + std::to_string(i) + "]";
        if (part.contains("Sequence")) {
            t.single.push_back({true, {}});
        } else if (part.contains("SpecialToken")) {
            const std::string name = part["SpecialToken"].value("id", "");
            if (!specials.contains(name))
                return unexpected(where + ": the special token \"" + name + "\" is not in " + path + ".special_tokens");
            Template::Part p;
            for (const json &id : specials[name].value("ids", json::array()))
                p.ids.push_back(id.get<int>());
            t.single.push_back(p);
        } else {
            return unexpected(where + ": expected {\"Sequence\": …} or {\"SpecialToken\": …}");
        }
    }
    return t;
}

// BertProcessing and RobertaProcessing: [cls] text [sep].
Expected<Template, std::string> readClsSep(const json &j, const std::string &path)
{
    const json &cls = j.value("cls", json::array()), &sep = j.value("sep", json::array());
    if (cls.size() != 2 || sep.size() != 2 || !cls[1].is_number_integer() || !sep[1].is_number_integer())
        return unexpected(path + ": cls and sep must be [token, id]");
    Template t;
    t.single = {{false, {cls[1].get<int>()}}, {true, {}}, {false, {sep[1].get<int>()}}};
    return t;
}

Expected<Template, std::string> readProcessors(const json &j, const std::string &path)
{
    Template merged;
    const json &list = j.value("processors", json::array());
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto part = postProcessorOf(list[i], path + ".processors[" + std::to_string(i) + "]");
        if (!part)
            return unexpected(part.error());
        // Each processor wraps what the ones before it made.
        Template next;
        next.single.clear();
        for (const auto &p : part->single) {
            if (p.sequence)
                next.single.insert(next.single.end(), merged.single.begin(), merged.single.end());
            else
                next.single.push_back(p);
        }
        merged = next;
    }
    return merged;
}

// In the order the message of an unsupported type lists them.
constexpr std::array<Kind<Template>, 5> kPostProcessors{{
    {"TemplateProcessing", readTemplateProcessing},
    {"ByteLevel", readByteLevel},
    {"BertProcessing", readClsSep},
    {"RobertaProcessing", readClsSep},
    {"Sequence", readProcessors},
}};

} // namespace

Expected<Template, std::string> postProcessorOf(const json &j, const std::string &path)
{
    return readKind(j, path, "post-processor", kPostProcessors);
}

std::vector<int> Template::apply(const std::vector<int> &ids) const
{
    std::vector<int> out;
    for (const auto &part : single) {
        if (part.sequence)
            out.insert(out.end(), ids.begin(), ids.end());
        else
            out.insert(out.end(), part.ids.begin(), part.ids.end());
    }
    return out;
}

} // namespace sdrt::model::hf
