#include "sdrt/common/JsonKeys.h"

#include <nlohmann/json.hpp>

#include <set>
#include <vector>

namespace sdrt::common {
namespace {

// A SAX handler that keeps, for each open object, the keys seen so far.
class KeyCheck final : public nlohmann::json_sax<nlohmann::json> {
public:
    std::optional<DuplicateKey> found;

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t &) override { return value(); }
    bool string(string_t &) override { return value(); }
    bool binary(binary_t &) override { return value(); }
    bool start_object(std::size_t) override
    {
        m_stack.push_back(Level{true, {}, {}, 0});
        return true;
    }
    bool key(string_t &k) override
    {
        Level &top = m_stack.back();
        if (!top.keys.insert(k).second) {
            found = DuplicateKey{k, pointer()};
            return false; // stop: one is enough
        }
        top.current = k;
        return true;
    }
    bool end_object() override
    {
        m_stack.pop_back();
        return value();
    }
    bool start_array(std::size_t) override
    {
        m_stack.push_back(Level{false, {}, {}, 0});
        return true;
    }
    bool end_array() override
    {
        m_stack.pop_back();
        return value();
    }
    bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &) override { return false; }

private:
    struct Level {
        bool object;
        std::set<std::string> keys;
        std::string current;
        std::size_t index;
    };
    bool value()
    {
        if (!m_stack.empty() && !m_stack.back().object)
            ++m_stack.back().index;
        return true;
    }
    static std::string segment(const Level &l) { return l.object ? l.current : std::to_string(l.index); }
    std::string pointer() const
    {
        // The object holding the repeated key, from the top: each enclosing level's current key
        // or index (an array's index counts the values it has finished).
        std::string out;
        for (std::size_t i = 0; i + 1 < m_stack.size(); ++i)
            out += "/" + segment(m_stack[i]);
        return out;
    }
    std::vector<Level> m_stack;
};

} // namespace

std::optional<DuplicateKey> findDuplicateKey(std::string_view json)
{
    KeyCheck check;
    (void)nlohmann::json::sax_parse(json.begin(), json.end(), &check, nlohmann::json::input_format_t::json, false);
    return check.found;
}

} // namespace sdrt::common
