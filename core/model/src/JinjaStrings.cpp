#include "JinjaStrings.h"

#include <cctype>
#include <map>

namespace sdrt::model::jinja::detail {

std::string stripChars(const std::string &s, const Value &chars, bool left, bool right)
{
    const std::string set = chars.kind == Value::Kind::String ? chars.s : std::string(" \t\n\r\v\f");
    std::size_t a = 0, b = s.size();
    if (left)
        while (a < b && set.find(s[a]) != std::string::npos)
            ++a;
    if (right)
        while (b > a && set.find(s[b - 1]) != std::string::npos)
            --b;
    return s.substr(a, b - a);
}

std::string upper(std::string s)
{
    for (char &c : s)
        c = char(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string lower(std::string s)
{
    for (char &c : s)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string title(std::string s)
{
    bool start = true;
    for (char &c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalpha(u)) {
            c = char(start ? std::toupper(u) : std::tolower(u));
            start = false;
        } else {
            start = !(u >= 0x80 || std::isdigit(u) || c == '\'');
        }
    }
    return s;
}

std::string capitalize(std::string s)
{
    s = lower(s);
    if (!s.empty())
        s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

std::vector<std::string> split(const std::string &s, const Value &sep, long long maxsplit)
{
    std::vector<std::string> out;
    if (sep.kind != Value::Kind::String) { // on runs of white space
        std::size_t k = 0;
        while (k < s.size()) {
            while (k < s.size() && std::isspace(static_cast<unsigned char>(s[k])))
                ++k;
            if (k >= s.size())
                break;
            if (maxsplit >= 0 && static_cast<long long>(out.size()) == maxsplit) {
                std::string rest = s.substr(k);
                out.push_back(stripChars(rest, Value::undefined(), false, true));
                break;
            }
            std::size_t e = k;
            while (e < s.size() && !std::isspace(static_cast<unsigned char>(s[e])))
                ++e;
            out.push_back(s.substr(k, e - k));
            k = e;
        }
        return out;
    }
    std::size_t k = 0;
    for (;;) {
        const std::size_t f = sep.s.empty() ? std::string::npos : s.find(sep.s, k);
        if (f == std::string::npos || (maxsplit >= 0 && static_cast<long long>(out.size()) == maxsplit)) {
            out.push_back(s.substr(k));
            return out;
        }
        out.push_back(s.substr(k, f - k));
        k = f + sep.s.size();
    }
}

std::string replaceAll(const std::string &s, const std::string &from, const std::string &to, long long count)
{
    if (from.empty())
        return s;
    std::string out;
    std::size_t k = 0;
    long long done = 0;
    for (;;) {
        const std::size_t f = s.find(from, k);
        if (f == std::string::npos || (count >= 0 && done >= count))
            break;
        out += s.substr(k, f - k) + to;
        k = f + from.size();
        ++done;
    }
    return out + s.substr(k);
}

CaseChange caseChange(const std::string &name)
{
    static const std::map<std::string, CaseChange> changes{{"upper", upper}, {"lower", lower}, {"title", title}, {"capitalize", capitalize}};
    const auto it = changes.find(name);
    return it == changes.end() ? nullptr : it->second;
}

std::vector<std::string> rsplit(const std::string &s, const Value &sep, long long maxsplit)
{
    if (maxsplit < 0 || sep.kind != Value::Kind::String)
        return split(s, sep, maxsplit);
    std::vector<std::string> parts;
    std::string rest = s;
    while (static_cast<long long>(parts.size()) < maxsplit) {
        const auto f = rest.rfind(sep.s);
        if (f == std::string::npos)
            break;
        parts.insert(parts.begin(), rest.substr(f + sep.s.size()));
        rest = rest.substr(0, f);
    }
    parts.insert(parts.begin(), rest);
    return parts;
}

Array characters(const std::string &s)
{
    Array chars;
    for (std::size_t k = 0; k < s.size();) {
        std::size_t n = 1;
        const auto c = static_cast<unsigned char>(s[k]);
        if (c >= 0xF0)
            n = 4;
        else if (c >= 0xE0)
            n = 3;
        else if (c >= 0xC0)
            n = 2;
        chars.push_back(Value::string(s.substr(k, n)));
        k += n;
    }
    return chars;
}

std::string concatenated(const Array &items)
{
    std::string s;
    for (const Value &c : items)
        s += c.s;
    return s;
}

Value strings(const std::vector<std::string> &parts)
{
    Array a;
    for (const auto &p : parts)
        a.push_back(Value::string(p));
    return Value::array(std::move(a));
}

} // namespace sdrt::model::jinja::detail
