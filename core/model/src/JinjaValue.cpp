#include "JinjaValue.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sdrt::model::jinja::detail {
namespace {

// Python's repr of a float: the shortest digits that read back, in its layout.
std::string floatRepr(double x)
{
    if (std::isnan(x))
        return "nan";
    if (std::isinf(x))
        return x > 0 ? "inf" : "-inf";
    char buf[64];
    for (int precision = 1; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*e", precision - 1, x);
        if (std::strtod(buf, nullptr) == x)
            break;
    }
    // buf: d.ddde±XX; Python uses fixed notation for -4 <= exponent < 16.
    std::string sci = buf;
    const auto e = sci.find('e');
    const int exponent = std::atoi(sci.c_str() + e + 1);
    std::string digits = sci.substr(0, e);
    const bool negative = digits[0] == '-';
    if (negative)
        digits.erase(0, 1);
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    while (digits.size() > 1 && digits.back() == '0')
        digits.pop_back();
    std::string out;
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out = "0." + std::string(std::size_t(-exponent - 1), '0') + digits;
        } else if (std::size_t(exponent) + 1 >= digits.size()) {
            out = digits + std::string(std::size_t(exponent) + 1 - digits.size(), '0') + ".0";
        } else {
            out = digits.substr(0, std::size_t(exponent) + 1) + "." + digits.substr(std::size_t(exponent) + 1);
        }
    } else {
        out = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "") + "e" + (exponent < 0 ? "-" : "+")
              + (std::abs(exponent) < 10 ? "0" : "") + std::to_string(std::abs(exponent));
    }
    return (negative ? "-" : "") + out;
}

std::string pythonStringRepr(const std::string &s)
{
    const bool useDouble = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
    const char q = useDouble ? '"' : '\'';
    std::string out(1, q);
    for (unsigned char c : s) {
        if (c == '\\')
            out += "\\\\";
        else if (c == static_cast<unsigned char>(q))
            out += std::string("\\") + char(q);
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x20 || c == 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            out += b;
        } else
            out += char(c);
    }
    return out + q;
}

// A JSON string; the text stays UTF-8 (ensure_ascii=False).
void jsonString(const std::string &s, std::string &out)
{
    out += '"';
    for (unsigned char c : s) {
        if (c == '"') {
            out += "\\\"";
        } else if (c == '\\') {
            out += "\\\\";
        } else if (const char letter = escapeLetter(char(c))) {
            out += '\\';
            out += letter;
        } else if (c < 0x20) {
            char b[8];
            std::snprintf(b, sizeof b, "\\u%04x", c);
            out += b;
        } else {
            out += char(c);
        }
    }
    out += '"';
}

// The items of a JSON array or object, each written by `item(k)`; on lines of their own with an indent.
template <typename WriteItem>
void jsonContainer(std::string &out, const char *brackets, std::size_t count, int indent, int level, WriteItem item)
{
    out += brackets[0];
    if (count == 0) {
        out += brackets[1];
        return;
    }
    auto newline = [&](int lvl) {
        if (indent >= 0) {
            out += '\n';
            out += std::string(std::size_t(indent * lvl), ' ');
        }
    };
    for (std::size_t k = 0; k < count; ++k) {
        if (k)
            out += indent >= 0 ? "," : ", ";
        newline(level + 1);
        item(k);
    }
    newline(level);
    out += brackets[1];
}

} // namespace

bool truthy(const Value &v)
{
    switch (v.kind) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return false;
    case Value::Kind::Bool: return v.b;
    case Value::Kind::Int: return v.i != 0;
    case Value::Kind::Float: return v.f != 0;
    case Value::Kind::String: return !v.s.empty();
    case Value::Kind::Array: return !v.a->empty();
    case Value::Kind::Object: return !v.o->empty();
    case Value::Kind::Function: return true;
    }
    return false;
}

std::string str(const Value &v, bool repr)
{
    switch (v.kind) {
    case Value::Kind::Undefined: return "";
    case Value::Kind::None: return "None";
    case Value::Kind::Bool: return v.b ? "True" : "False";
    case Value::Kind::Int: return std::to_string(v.i);
    case Value::Kind::Float: return floatRepr(v.f);
    case Value::Kind::String: return repr ? pythonStringRepr(v.s) : v.s;
    case Value::Kind::Array: {
        std::string out = v.isTuple ? "(" : "[";
        for (std::size_t k = 0; k < v.a->size(); ++k)
            out += (k ? ", " : "") + str((*v.a)[k], true);
        if (v.isTuple && v.a->size() == 1)
            out += ",";
        return out + (v.isTuple ? ")" : "]");
    }
    case Value::Kind::Object: {
        if (v.isNamespace)
            return "<Namespace>";
        std::string out = "{";
        bool first = true;
        for (const auto &[k, x] : *v.o) {
            out += (first ? "" : ", ") + pythonStringRepr(k) + ": " + str(x, true);
            first = false;
        }
        return out + "}";
    }
    case Value::Kind::Function: return "<function>";
    }
    return "";
}

bool equal(const Value &a, const Value &b)
{
    if (a.isNumber() && b.isNumber())
        return a.number() == b.number();
    if (a.kind != b.kind)
        return (a.kind == Value::Kind::None || a.kind == Value::Kind::Undefined) && (b.kind == Value::Kind::None || b.kind == Value::Kind::Undefined)
                   ? a.kind == b.kind
                   : false;
    switch (a.kind) {
    case Value::Kind::String: return a.s == b.s;
    case Value::Kind::Array:
        if (a.a->size() != b.a->size())
            return false;
        for (std::size_t k = 0; k < a.a->size(); ++k)
            if (!equal((*a.a)[k], (*b.a)[k]))
                return false;
        return true;
    case Value::Kind::Object:
        if (a.o->size() != b.o->size())
            return false;
        for (const auto &[k, v] : *a.o) {
            const Value *w = b.find(k);
            if (!w || !equal(v, *w))
                return false;
        }
        return true;
    case Value::Kind::Function: return a.fn == b.fn;
    default: return true;
    }
}

void toJson(const Value &v, std::string &out, int indent, int level, bool sortKeys)
{
    switch (v.kind) {
    case Value::Kind::Undefined:
    case Value::Kind::None: out += "null"; return;
    case Value::Kind::Bool: out += v.b ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.i); return;
    case Value::Kind::Float: out += std::isnan(v.f) ? "NaN" : std::isinf(v.f) ? (v.f > 0 ? "Infinity" : "-Infinity") : floatRepr(v.f); return;
    case Value::Kind::String: jsonString(v.s, out); return;
    case Value::Kind::Array:
        jsonContainer(out, "[]", v.a->size(), indent, level, [&](std::size_t k) { toJson((*v.a)[k], out, indent, level + 1, sortKeys); });
        return;
    case Value::Kind::Object: {
        std::vector<const std::pair<std::string, Value> *> items;
        for (const auto &e : *v.o)
            items.push_back(&e);
        if (sortKeys)
            std::stable_sort(items.begin(), items.end(), [](auto *x, auto *y) { return x->first < y->first; });
        jsonContainer(out, "{}", items.size(), indent, level, [&](std::size_t k) {
            jsonString(items[k]->first, out);
            out += ": ";
            toJson(items[k]->second, out, indent, level + 1, sortKeys);
        });
        return;
    }
    case Value::Kind::Function: out += "null"; return;
    }
}

std::string typeName(const Value &v)
{
    switch (v.kind) {
    case Value::Kind::Undefined: return "undefined value";
    case Value::Kind::None: return "none";
    case Value::Kind::Bool: return "boolean";
    case Value::Kind::Int: return "integer";
    case Value::Kind::Float: return "float";
    case Value::Kind::String: return "string";
    case Value::Kind::Array: return "list";
    case Value::Kind::Object: return "mapping";
    case Value::Kind::Function: return "function";
    }
    return "value";
}

namespace {

constexpr std::pair<char, char> kEscapes[] = {{'\n', 'n'}, {'\t', 't'}, {'\r', 'r'}, {'\b', 'b'}, {'\f', 'f'}};

} // namespace

char escapeLetter(char control)
{
    for (const auto &[c, letter] : kEscapes)
        if (c == control)
            return letter;
    return 0;
}

char escapedControl(char letter)
{
    for (const auto &[c, l] : kEscapes)
        if (l == letter)
            return c;
    return 0;
}

} // namespace sdrt::model::jinja::detail
