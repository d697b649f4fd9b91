#include "sdrt/model/Jinja.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <variant>

namespace sdrt::model::jinja {
namespace {

// --- Values ---------------------------------------------------------------------------------------

struct Value;
using Array = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>; // in insertion order, as Python's dict
struct Args;
using Native = std::function<Expected<Value, std::string>(Args &)>;

struct Value {
    enum class Kind { Undefined, None, Bool, Int, Float, String, Array, Object, Function };
    Kind kind = Kind::Undefined;
    bool b = false;
    long long i = 0;
    double f = 0;
    std::string s;                 // String; the undefined name for Undefined
    std::shared_ptr<Array> a;      // Array (shared: lists are mutable references in Python)
    std::shared_ptr<Object> o;     // Object
    std::shared_ptr<Native> fn;    // Function
    bool isNamespace = false;      // an Object made by namespace(): attributes may be set
    bool isTuple = false;

    static Value undefined(std::string name = {}) { Value v; v.s = std::move(name); return v; }
    static Value none() { Value v; v.kind = Kind::None; return v; }
    static Value boolean(bool x) { Value v; v.kind = Kind::Bool; v.b = x; return v; }
    static Value integer(long long x) { Value v; v.kind = Kind::Int; v.i = x; return v; }
    static Value real(double x) { Value v; v.kind = Kind::Float; v.f = x; return v; }
    static Value string(std::string x) { Value v; v.kind = Kind::String; v.s = std::move(x); return v; }
    static Value array(Array x = {}) { Value v; v.kind = Kind::Array; v.a = std::make_shared<Array>(std::move(x)); return v; }
    static Value object(Object x = {}) { Value v; v.kind = Kind::Object; v.o = std::make_shared<Object>(std::move(x)); return v; }
    static Value function(Native f) { Value v; v.kind = Kind::Function; v.fn = std::make_shared<Native>(std::move(f)); return v; }

    bool isUndefined() const { return kind == Kind::Undefined; }
    bool isNumber() const { return kind == Kind::Int || kind == Kind::Float || kind == Kind::Bool; }
    double number() const { return kind == Kind::Float ? f : kind == Kind::Int ? double(i) : kind == Kind::Bool ? double(b) : 0; }
    const Value *find(const std::string &key) const
    {
        if (kind != Kind::Object)
            return nullptr;
        for (const auto &[k, v] : *o)
            if (k == key)
                return &v;
        return nullptr;
    }
    void set(const std::string &key, Value v)
    {
        for (auto &[k, old] : *o)
            if (k == key) {
                old = std::move(v);
                return;
            }
        o->emplace_back(key, std::move(v));
    }
};

struct Args {
    std::vector<Value> positional;
    std::vector<std::pair<std::string, Value>> keywords;
    std::optional<Value> keyword(const std::string &name) const
    {
        for (const auto &[k, v] : keywords)
            if (k == name)
                return v;
        return std::nullopt;
    }
    // Positional `index`, else keyword `name`, else fallback.
    Value get(std::size_t index, const std::string &name, Value fallback = Value::undefined()) const
    {
        if (index < positional.size())
            return positional[index];
        if (auto k = keyword(name))
            return *k;
        return fallback;
    }
};

Value fromJson(const nlohmann::ordered_json &j)
{
    using json = nlohmann::ordered_json;
    switch (j.type()) {
    case json::value_t::null: return Value::none();
    case json::value_t::boolean: return Value::boolean(j.get<bool>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return Value::integer(j.get<long long>());
    case json::value_t::number_float: return Value::real(j.get<double>());
    case json::value_t::string: return Value::string(j.get<std::string>());
    case json::value_t::array: {
        Array a;
        for (const auto &e : j)
            a.push_back(fromJson(e));
        return Value::array(std::move(a));
    }
    case json::value_t::object: {
        Object o;
        for (auto it = j.begin(); it != j.end(); ++it)
            o.emplace_back(it.key(), fromJson(it.value()));
        return Value::object(std::move(o));
    }
    default: return Value::none();
    }
}

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

std::string str(const Value &v, bool repr = false)
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

// Python's json.dumps(x, ensure_ascii=False, indent=indent, separators=default, sort_keys=sort).
void toJson(const Value &v, std::string &out, int indent, int level, bool sortKeys)
{
    auto newline = [&](int lvl) {
        if (indent >= 0) {
            out += '\n';
            out += std::string(std::size_t(indent * lvl), ' ');
        }
    };
    const std::string itemSep = indent >= 0 ? "," : ", ";
    switch (v.kind) {
    case Value::Kind::Undefined:
    case Value::Kind::None: out += "null"; return;
    case Value::Kind::Bool: out += v.b ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.i); return;
    case Value::Kind::Float: out += std::isnan(v.f) ? "NaN" : std::isinf(v.f) ? (v.f > 0 ? "Infinity" : "-Infinity") : floatRepr(v.f); return;
    case Value::Kind::String: {
        out += '"';
        for (unsigned char c : v.s) {
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    char b[8];
                    std::snprintf(b, sizeof b, "\\u%04x", c);
                    out += b;
                } else {
                    out += char(c);
                }
            }
        }
        out += '"';
        return;
    }
    case Value::Kind::Array:
        if (v.a->empty()) {
            out += "[]";
            return;
        }
        out += '[';
        for (std::size_t k = 0; k < v.a->size(); ++k) {
            if (k)
                out += itemSep;
            newline(level + 1);
            toJson((*v.a)[k], out, indent, level + 1, sortKeys);
        }
        newline(level);
        out += ']';
        return;
    case Value::Kind::Object: {
        if (v.o->empty()) {
            out += "{}";
            return;
        }
        std::vector<const std::pair<std::string, Value> *> items;
        for (const auto &e : *v.o)
            items.push_back(&e);
        if (sortKeys)
            std::stable_sort(items.begin(), items.end(), [](auto *x, auto *y) { return x->first < y->first; });
        out += '{';
        for (std::size_t k = 0; k < items.size(); ++k) {
            if (k)
                out += itemSep;
            newline(level + 1);
            toJson(Value::string(items[k]->first), out, indent, level + 1, sortKeys);
            out += ": ";
            toJson(items[k]->second, out, indent, level + 1, sortKeys);
        }
        newline(level);
        out += '}';
        return;
    }
    case Value::Kind::Function: out += "null"; return;
    }
}

// --- Lexer ----------------------------------------------------------------------------------------

struct Location {
    int line = 1, column = 1;
};

struct Token {
    enum class Kind { Text, ExprStart, ExprEnd, BlockStart, BlockEnd, Name, String, Int, Float, Op, End } kind;
    std::string text;
    Location at;
};

struct Lexed {
    std::vector<Token> tokens;
    std::string error;
};

Location locate(const std::string &src, std::size_t offset)
{
    Location l;
    for (std::size_t k = 0; k < offset && k < src.size(); ++k) {
        if (src[k] == '\n') {
            ++l.line;
            l.column = 1;
        } else if ((static_cast<unsigned char>(src[k]) & 0xC0) != 0x80) {
            ++l.column;
        }
    }
    return l;
}

Lexed lex(const std::string &src, const std::string &name, const Options &opt)
{
    Lexed out;
    auto fail = [&](std::size_t at, const std::string &why) {
        const Location l = locate(src, at);
        out.error = name + ":" + std::to_string(l.line) + ":" + std::to_string(l.column) + ": " + why;
        return out;
    };
    std::size_t pos = 0;
    bool stripNextText = false; // a "-" before the previous tag's end
    bool trimNewline = false;   // trim_blocks after a block tag or comment
    while (pos <= src.size()) {
        std::size_t open = src.find('{', pos);
        while (open != std::string::npos && open + 1 < src.size() && src[open + 1] != '{' && src[open + 1] != '%' && src[open + 1] != '#')
            open = src.find('{', open + 1);
        if (open != std::string::npos && open + 1 >= src.size())
            open = std::string::npos;
        std::string text = src.substr(pos, (open == std::string::npos ? src.size() : open) - pos);
        bool atLineStart = pos == 0 || src[pos - 1] == '\n';
        if (trimNewline && !text.empty() && text[0] == '\n') {
            text.erase(0, 1);
            atLineStart = true;
        } else if (trimNewline && text.size() >= 2 && text[0] == '\r' && text[1] == '\n') {
            text.erase(0, 2);
            atLineStart = true;
        }
        if (stripNextText) {
            const auto first = text.find_first_not_of(" \t\r\n\v\f");
            text.erase(0, first == std::string::npos ? text.size() : first);
            atLineStart = false;
        }
        trimNewline = false;
        stripNextText = false;
        if (open == std::string::npos) {
            if (!text.empty())
                out.tokens.push_back({Token::Kind::Text, text, locate(src, pos)});
            break;
        }
        const char kind = src[open + 1];
        const bool minus = open + 2 < src.size() && src[open + 2] == '-';
        const bool plus = open + 2 < src.size() && src[open + 2] == '+';
        if (minus) {
            const auto keep = text.find_last_not_of(" \t\r\n\v\f");
            text.erase(keep == std::string::npos ? 0 : keep + 1);
        } else if (opt.lstripBlocks && (kind == '%' || kind == '#') && !plus) {
            // Spaces and tabs alone between the start of the line and the tag: removed.
            const auto lineStart = text.find_last_of('\n');
            const std::size_t from = lineStart == std::string::npos ? 0 : lineStart + 1;
            if (text.find_first_not_of(" \t", from) == std::string::npos && (lineStart != std::string::npos || atLineStart))
                text.erase(from);
        }
        if (!text.empty())
            out.tokens.push_back({Token::Kind::Text, text, locate(src, pos)});
        std::size_t p = open + 2 + ((minus || plus) ? 1 : 0);
        if (kind == '#') {
            const auto end = src.find("#}", p);
            if (end == std::string::npos)
                return fail(open, "the comment is not closed with #}");
            stripNextText = end > p && src[end - 1] == '-';
            trimNewline = opt.trimBlocks;
            pos = end + 2;
            continue;
        }
        out.tokens.push_back({kind == '{' ? Token::Kind::ExprStart : Token::Kind::BlockStart, {}, locate(src, open)});
        const std::string close = kind == '{' ? "}}" : "%}";
        // Tokens inside the tag.
        for (;;) {
            while (p < src.size() && std::isspace(static_cast<unsigned char>(src[p])))
                ++p;
            if (p >= src.size())
                return fail(open, "the tag is not closed with " + close);
            if (src[p] == '-' && src.compare(p + 1, 2, close) == 0) {
                stripNextText = true;
                p += 1;
            }
            if (src.compare(p, 2, close) == 0) {
                out.tokens.push_back({kind == '{' ? Token::Kind::ExprEnd : Token::Kind::BlockEnd, {}, locate(src, p)});
                p += 2;
                trimNewline = kind == '%' && opt.trimBlocks;
                break;
            }
            const char c = src[p];
            const Location at = locate(src, p);
            if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                std::size_t e = p;
                while (e < src.size() && (std::isalnum(static_cast<unsigned char>(src[e])) || src[e] == '_'))
                    ++e;
                out.tokens.push_back({Token::Kind::Name, src.substr(p, e - p), at});
                p = e;
            } else if (std::isdigit(static_cast<unsigned char>(c))) {
                std::size_t e = p;
                bool isFloat = false;
                while (e < src.size() && (std::isdigit(static_cast<unsigned char>(src[e])) || src[e] == '_'))
                    ++e;
                if (e + 1 < src.size() && src[e] == '.' && std::isdigit(static_cast<unsigned char>(src[e + 1]))) {
                    isFloat = true;
                    ++e;
                    while (e < src.size() && std::isdigit(static_cast<unsigned char>(src[e])))
                        ++e;
                }
                if (e < src.size() && (src[e] == 'e' || src[e] == 'E')) {
                    std::size_t k = e + 1;
                    if (k < src.size() && (src[k] == '+' || src[k] == '-'))
                        ++k;
                    if (k < src.size() && std::isdigit(static_cast<unsigned char>(src[k]))) {
                        isFloat = true;
                        e = k;
                        while (e < src.size() && std::isdigit(static_cast<unsigned char>(src[e])))
                            ++e;
                    }
                }
                std::string num = src.substr(p, e - p);
                num.erase(std::remove(num.begin(), num.end(), '_'), num.end());
                out.tokens.push_back({isFloat ? Token::Kind::Float : Token::Kind::Int, num, at});
                p = e;
            } else if (c == '"' || c == '\'') {
                std::string value;
                std::size_t e = p + 1;
                for (; e < src.size() && src[e] != c; ++e) {
                    if (src[e] == '\\' && e + 1 < src.size()) {
                        const char n = src[++e];
                        switch (n) {
                        case 'n': value += '\n'; break;
                        case 't': value += '\t'; break;
                        case 'r': value += '\r'; break;
                        case 'b': value += '\b'; break;
                        case 'f': value += '\f'; break;
                        case '\\': value += '\\'; break;
                        case '\'': value += '\''; break;
                        case '"': value += '"'; break;
                        case '\n': break;
                        case 'u':
                        case 'x': {
                            const int len = n == 'u' ? 4 : 2;
                            if (e + std::size_t(len) >= src.size())
                                return fail(e, "an incomplete \\" + std::string(1, n) + " escape");
                            const unsigned long cp = std::strtoul(src.substr(e + 1, std::size_t(len)).c_str(), nullptr, 16);
                            e += std::size_t(len);
                            if (cp < 0x80) {
                                value += char(cp);
                            } else if (cp < 0x800) {
                                value += char(0xC0 | (cp >> 6));
                                value += char(0x80 | (cp & 0x3F));
                            } else {
                                value += char(0xE0 | (cp >> 12));
                                value += char(0x80 | ((cp >> 6) & 0x3F));
                                value += char(0x80 | (cp & 0x3F));
                            }
                            break;
                        }
                        default: value += '\\'; value += n;
                        }
                    } else {
                        value += src[e];
                    }
                }
                if (e >= src.size())
                    return fail(p, "the string is not closed");
                out.tokens.push_back({Token::Kind::String, value, at});
                p = e + 1;
            } else {
                static const char *ops[] = {"**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]",
                                            "{", "}", ",", ".", ":", "|"};
                bool matched = false;
                for (const char *op : ops) {
                    if (src.compare(p, std::strlen(op), op) == 0) {
                        out.tokens.push_back({Token::Kind::Op, op, at});
                        p += std::strlen(op);
                        matched = true;
                        break;
                    }
                }
                if (!matched)
                    return fail(p, std::string("unexpected character '") + c + "'");
            }
        }
        pos = p;
    }
    out.tokens.push_back({Token::Kind::End, {}, locate(src, src.size())});
    return out;
}

// --- Syntax tree ---------------------------------------------------------------------------------

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;
struct Node;
using NodePtr = std::shared_ptr<const Node>;
using Body = std::vector<NodePtr>;

struct CallArgs {
    std::vector<ExprPtr> positional;
    std::vector<std::pair<std::string, ExprPtr>> keywords;
};

struct Expr {
    enum class Kind { Literal, Name, List, Tuple, Dict, Attr, Item, Slice, Call, Filter, Test, Unary, Binary, And, Or, Not, Cond } kind;
    Location at;
    Value literal;
    std::string name; // Name, Attr, Filter, Test; the operator for Unary and Binary
    std::vector<ExprPtr> items; // List, Tuple; Dict: keys and values interleaved; Slice: start, stop, step (may be null)
    ExprPtr a, b, c;            // operands; Cond: a if b else c
    CallArgs args;              // Call, Filter, Test
    bool negated = false;       // Test with "is not"
};

struct Node {
    enum class Kind { Text, Output, If, For, Set, SetBlock, Macro, CallBlock, FilterBlock, Block } kind;
    Location at;
    std::string text;                                  // Text
    ExprPtr expr;                                      // Output; For: the iterable; Set: value; CallBlock: the call
    std::vector<std::pair<ExprPtr, Body>> branches;    // If: conditions (else: null) and bodies
    std::vector<std::string> targets;                  // For and Set: names (several: unpacking)
    ExprPtr attrTarget;                                // Set to an attribute: the object
    std::string attrName;
    ExprPtr filter;                                    // For: the condition; SetBlock/FilterBlock: a Filter chain over Name "__body__"
    Body body, elseBody;
    std::string name;                                  // Macro, SetBlock
    std::vector<std::pair<std::string, ExprPtr>> params; // Macro and caller parameters with defaults
};

// --- Parser ---------------------------------------------------------------------------------------

class Parser {
public:
    Parser(const std::vector<Token> &tokens, const std::string &name) : m_t(tokens), m_name(name) {}

    Expected<Body, std::string> parseTemplate()
    {
        Body body;
        std::string stop;
        if (!parseBody(body, {}, stop))
            return unexpected(m_error);
        if (peek().kind != Token::Kind::End)
            return unexpected(errorAt(peek().at, "unexpected {% " + stop + " %}"));
        return body;
    }

private:
    const Token &peek(std::size_t k = 0) const { return m_t[std::min(m_pos + k, m_t.size() - 1)]; }
    const Token &next() { return m_t[std::min(m_pos++, m_t.size() - 1)]; }
    bool isOp(const char *op, std::size_t k = 0) const { return peek(k).kind == Token::Kind::Op && peek(k).text == op; }
    bool isName(const char *n, std::size_t k = 0) const { return peek(k).kind == Token::Kind::Name && peek(k).text == n; }
    std::string errorAt(Location l, const std::string &why) const
    {
        return m_name + ":" + std::to_string(l.line) + ":" + std::to_string(l.column) + ": " + why;
    }
    bool fail(const std::string &why)
    {
        if (m_error.empty())
            m_error = errorAt(peek().at, why);
        return false;
    }
    bool expectOp(const char *op)
    {
        if (!isOp(op))
            return fail(std::string("expected '") + op + "'" + describeNext());
        ++m_pos;
        return true;
    }
    std::string describeNext() const
    {
        const Token &t = peek();
        switch (t.kind) {
        case Token::Kind::BlockEnd: return " before %}";
        case Token::Kind::ExprEnd: return " before }}";
        case Token::Kind::End: return " before the end of the template";
        default: return ", found '" + t.text + "'";
        }
    }
    bool expectBlockEnd()
    {
        if (peek().kind != Token::Kind::BlockEnd)
            return fail("expected %}" + describeNext());
        ++m_pos;
        return true;
    }

    // Parses nodes until a block tag whose keyword is in `stops` (left for the caller, which reads
    // `stop`), or the end.
    bool parseBody(Body &body, const std::vector<std::string> &stops, std::string &stop)
    {
        while (peek().kind != Token::Kind::End) {
            const Token &t = peek();
            if (t.kind == Token::Kind::Text) {
                auto n = std::make_shared<Node>();
                n->kind = Node::Kind::Text;
                n->text = t.text;
                n->at = t.at;
                body.push_back(n);
                ++m_pos;
            } else if (t.kind == Token::Kind::ExprStart) {
                ++m_pos;
                auto n = std::make_shared<Node>();
                n->kind = Node::Kind::Output;
                n->at = t.at;
                n->expr = expression();
                if (!n->expr)
                    return false;
                if (peek().kind != Token::Kind::ExprEnd)
                    return fail("expected }}" + describeNext());
                ++m_pos;
                body.push_back(n);
            } else if (t.kind == Token::Kind::BlockStart) {
                const Token &kw = peek(1);
                if (kw.kind != Token::Kind::Name)
                    return fail("expected a statement after {%");
                if (std::find(stops.begin(), stops.end(), kw.text) != stops.end()) {
                    stop = kw.text;
                    m_pos += 2;
                    return true;
                }
                m_pos += 2;
                NodePtr n = statement(kw);
                if (!n)
                    return false;
                body.push_back(n);
            } else {
                return fail("unexpected token");
            }
        }
        if (!stops.empty())
            return fail("the template ends inside a block: {% " + stops.back() + " %} is missing");
        return true;
    }

    NodePtr statement(const Token &kw)
    {
        const std::string &k = kw.text;
        auto n = std::make_shared<Node>();
        n->at = kw.at;
        if (k == "if") {
            n->kind = Node::Kind::If;
            ExprPtr cond = expression();
            if (!cond || !expectBlockEnd())
                return nullptr;
            for (;;) {
                Body body;
                std::string stop;
                if (!parseBody(body, {"elif", "else", "endif"}, stop))
                    return nullptr;
                n->branches.emplace_back(cond, std::move(body));
                if (stop == "endif")
                    break;
                if (stop == "else") {
                    if (!expectBlockEnd())
                        return nullptr;
                    Body elseBody;
                    if (!parseBody(elseBody, {"endif"}, stop))
                        return nullptr;
                    n->branches.emplace_back(nullptr, std::move(elseBody));
                    break;
                }
                cond = expression(); // elif
                if (!cond || !expectBlockEnd())
                    return nullptr;
            }
            return expectBlockEnd() ? n : nullptr;
        }
        if (k == "for") {
            n->kind = Node::Kind::For;
            if (!targetNames(n->targets))
                return nullptr;
            if (!isName("in"))
                return fail("expected 'in' in the for statement"), nullptr;
            ++m_pos;
            n->expr = orExpr(); // no conditional expression here: "if" starts the loop filter
            if (!n->expr)
                return nullptr;
            if (isName("if")) {
                ++m_pos;
                n->filter = orExpr();
                if (!n->filter)
                    return nullptr;
            }
            if (isName("recursive"))
                return fail("recursive for loops are not supported"), nullptr;
            if (!expectBlockEnd())
                return nullptr;
            std::string stop;
            if (!parseBody(n->body, {"else", "endfor"}, stop))
                return nullptr;
            if (stop == "else") {
                if (!expectBlockEnd() || !parseBody(n->elseBody, {"endfor"}, stop))
                    return nullptr;
            }
            return expectBlockEnd() ? n : nullptr;
        }
        if (k == "set") {
            if (peek().kind != Token::Kind::Name)
                return fail("expected a name after set"), nullptr;
            if (isOp(".", 1)) { // set ns.attr = value
                n->kind = Node::Kind::Set;
                auto obj = std::make_shared<Expr>();
                obj->kind = Expr::Kind::Name;
                obj->name = next().text;
                obj->at = kw.at;
                ++m_pos;
                if (peek().kind != Token::Kind::Name)
                    return fail("expected an attribute name"), nullptr;
                n->attrTarget = obj;
                n->attrName = next().text;
            } else {
                if (!targetNames(n->targets))
                    return nullptr;
                if (peek().kind == Token::Kind::BlockEnd || isOp("|")) { // block set
                    n->kind = Node::Kind::SetBlock;
                    if (n->targets.size() != 1)
                        return fail("a block set assigns one name"), nullptr;
                    n->name = n->targets[0];
                    if (isOp("|"))
                        n->filter = filterChainOnBody();
                    if (!expectBlockEnd())
                        return nullptr;
                    std::string stop;
                    if (!parseBody(n->body, {"endset"}, stop) || !expectBlockEnd())
                        return nullptr;
                    return n;
                }
                n->kind = Node::Kind::Set;
            }
            if (!expectOp("="))
                return nullptr;
            n->expr = tupleOrExpression();
            if (!n->expr || !expectBlockEnd())
                return nullptr;
            return n;
        }
        if (k == "macro") {
            n->kind = Node::Kind::Macro;
            if (peek().kind != Token::Kind::Name)
                return fail("expected the macro's name"), nullptr;
            n->name = next().text;
            if (!parameters(n->params) || !expectBlockEnd())
                return nullptr;
            std::string stop;
            if (!parseBody(n->body, {"endmacro"}, stop) || !expectBlockEnd())
                return nullptr;
            return n;
        }
        if (k == "call") {
            n->kind = Node::Kind::CallBlock;
            if (isOp("(") && !parameters(n->params))
                return nullptr;
            n->expr = expression();
            if (!n->expr || n->expr->kind != Expr::Kind::Call)
                return fail("expected a macro call after call"), nullptr;
            if (!expectBlockEnd())
                return nullptr;
            std::string stop;
            if (!parseBody(n->body, {"endcall"}, stop) || !expectBlockEnd())
                return nullptr;
            return n;
        }
        if (k == "filter") {
            n->kind = Node::Kind::FilterBlock;
            n->filter = filterChainOnBody(true); // the chain starts at the filter's name

            if (!n->filter || !expectBlockEnd())
                return nullptr;
            std::string stop;
            if (!parseBody(n->body, {"endfilter"}, stop) || !expectBlockEnd())
                return nullptr;
            return n;
        }
        if (k == "generation") { // transformers' extension: marks the assistant's text; rendered as is
            n->kind = Node::Kind::Block;
            if (!expectBlockEnd())
                return nullptr;
            std::string stop;
            if (!parseBody(n->body, {"endgeneration"}, stop) || !expectBlockEnd())
                return nullptr;
            return n;
        }
        if (m_error.empty())
            m_error = errorAt(kw.at, k.rfind("end", 0) == 0 || k == "else" || k == "elif" ? "unexpected {% " + k + " %}: no block is open"
                                                                                         : "the statement '" + k + "' is not supported");
        return nullptr;
    }

    bool targetNames(std::vector<std::string> &names)
    {
        const bool paren = isOp("(");
        if (paren)
            ++m_pos;
        for (;;) {
            if (peek().kind != Token::Kind::Name)
                return fail("expected a name");
            names.push_back(next().text);
            if (!isOp(","))
                break;
            ++m_pos;
        }
        return paren ? expectOp(")") : true;
    }

    bool parameters(std::vector<std::pair<std::string, ExprPtr>> &params)
    {
        if (!expectOp("("))
            return false;
        while (!isOp(")")) {
            if (peek().kind != Token::Kind::Name)
                return fail("expected a parameter name");
            std::string p = next().text;
            ExprPtr def;
            if (isOp("=")) {
                ++m_pos;
                def = expression();
                if (!def)
                    return false;
            }
            params.emplace_back(std::move(p), def);
            if (isOp(","))
                ++m_pos;
            else if (!isOp(")"))
                return fail("expected ',' or ')'" + describeNext());
        }
        ++m_pos;
        return true;
    }

    // "| f(args) | g" applied to the rendered body (Name __body__).
    ExprPtr filterChainOnBody(bool first = false)
    {
        auto body = std::make_shared<Expr>();
        body->kind = Expr::Kind::Name;
        body->name = "__body__";
        ExprPtr e = body;
        while (first || isOp("|")) {
            if (!first)
                ++m_pos;
            first = false;
            e = filterOf(e);
            if (!e)
                return nullptr;
        }
        return e;
    }

    std::shared_ptr<Expr> make(Expr::Kind kind, Location at)
    {
        auto e = std::make_shared<Expr>();
        e->kind = kind;
        e->at = at;
        return e;
    }

    ExprPtr tupleOrExpression()
    {
        const Location at = peek().at;
        ExprPtr first = expression();
        if (!first || !isOp(","))
            return first;
        auto t = std::make_shared<Expr>();
        t->kind = Expr::Kind::Tuple;
        t->at = at;
        t->items.push_back(first);
        while (isOp(",")) {
            ++m_pos;
            ExprPtr e = expression();
            if (!e)
                return nullptr;
            t->items.push_back(e);
        }
        return t;
    }

    ExprPtr expression()
    {
        // A nested expression (in parentheses, brackets or arguments) takes its own filters.
        const int savedNoFilters = m_noFilters;
        m_noFilters = 0;
        ExprPtr e = conditional();
        m_noFilters = savedNoFilters;
        return e;
    }

    ExprPtr conditional()
    {
        ExprPtr value = orExpr();
        if (!value)
            return nullptr;
        if (isName("if")) {
            const Location at = peek().at;
            ++m_pos;
            ExprPtr cond = orExpr();
            if (!cond)
                return nullptr;
            ExprPtr otherwise;
            if (isName("else")) {
                ++m_pos;
                otherwise = expression();
                if (!otherwise)
                    return nullptr;
            }
            auto e = std::make_shared<Expr>();
            e->kind = Expr::Kind::Cond;
            e->at = at;
            e->a = value;
            e->b = cond;
            e->c = otherwise;
            return e;
        }
        return value;
    }

    // "a or b" and "a and b": left-associative chains of one keyword over the next level.
    ExprPtr logical(const char *keyword, Expr::Kind kind, ExprPtr (Parser::*nextLevel)())
    {
        ExprPtr left = (this->*nextLevel)();
        while (left && isName(keyword)) {
            auto e = make(kind, next().at);
            e->a = left;
            e->b = (this->*nextLevel)();
            if (!e->b)
                return nullptr;
            left = e;
        }
        return left;
    }
    ExprPtr orExpr() { return logical("or", Expr::Kind::Or, &Parser::andExpr); }
    ExprPtr andExpr() { return logical("and", Expr::Kind::And, &Parser::notExpr); }

    ExprPtr notExpr()
    {
        if (isName("not")) {
            auto e = std::make_shared<Expr>();
            e->kind = Expr::Kind::Not;
            e->at = next().at;
            e->a = notExpr();
            return e->a ? e : nullptr;
        }
        return compare();
    }

    ExprPtr compare()
    {
        ExprPtr left = concat();
        for (;;) {
            if (!left)
                return nullptr;
            std::string op;
            if (isOp("==") || isOp("!=") || isOp("<") || isOp("<=") || isOp(">") || isOp(">="))
                op = next().text;
            else if (isName("in"))
                op = (++m_pos, "in");
            else if (isName("not") && isName("in", 1))
                op = (m_pos += 2, "not in");
            else if (isName("is")) {
                const Location at = next().at;
                const bool negated = isName("not") ? (++m_pos, true) : false;
                if (peek().kind != Token::Kind::Name)
                    return fail("expected a test name after 'is'"), nullptr;
                auto e = std::make_shared<Expr>();
                e->kind = Expr::Kind::Test;
                e->at = at;
                e->a = left;
                e->name = next().text;
                e->negated = negated;
                if (isOp("(")) {
                    if (!callArgs(e->args))
                        return nullptr;
                } else if (peek().kind == Token::Kind::String || peek().kind == Token::Kind::Int || peek().kind == Token::Kind::Float
                           || (peek().kind == Token::Kind::Name && !isName("and") && !isName("or") && !isName("else") && !isName("if"))) {
                    ExprPtr arg = primary(); // "is divisibleby 3", "is equalto x"
                    if (!arg)
                        return nullptr;
                    e->args.positional.push_back(arg);
                }
                left = e;
                continue;
            } else
                return left;
            auto e = std::make_shared<Expr>();
            e->kind = Expr::Kind::Binary;
            e->at = peek().at;
            e->name = op;
            e->a = left;
            e->b = concat();
            if (!e->b)
                return nullptr;
            left = e;
        }
    }

    ExprPtr binaryLevel(const std::vector<const char *> &ops, ExprPtr (Parser::*nextLevel)())
    {
        ExprPtr left = (this->*nextLevel)();
        for (;;) {
            if (!left)
                return nullptr;
            const char *op = nullptr;
            for (const char *o : ops)
                if (isOp(o))
                    op = o;
            if (!op)
                return left;
            auto e = std::make_shared<Expr>();
            e->kind = Expr::Kind::Binary;
            e->at = next().at;
            e->name = op;
            e->a = left;
            e->b = (this->*nextLevel)();
            if (!e->b)
                return nullptr;
            left = e;
        }
    }
    ExprPtr concat() { return binaryLevel({"~"}, &Parser::sum); }
    ExprPtr sum() { return binaryLevel({"+", "-"}, &Parser::product); }
    ExprPtr product() { return binaryLevel({"*", "/", "//", "%"}, &Parser::power); }

    // Jinja's order: ** binds looser than unary minus (-3 ** 2 is 9) and is left-associative.
    ExprPtr power() { return binaryLevel({"**"}, &Parser::unaryWithFilters); }

    // Unary minus applies to the operand before its filters: "-2.5 | abs" is abs(-2.5).
    ExprPtr unaryWithFilters() { return unary(true); }

    ExprPtr unary(bool withFilters)
    {
        ExprPtr e;
        if (isOp("-") || isOp("+")) {
            auto u = std::make_shared<Expr>();
            u->kind = Expr::Kind::Unary;
            u->at = peek().at;
            u->name = next().text;
            u->a = unary(false);
            if (!u->a)
                return nullptr;
            e = u;
        } else {
            ++m_noFilters; // the operand's own postfix takes no filters here; they come below
            e = postfix();
            --m_noFilters;
        }
        while (e && withFilters && isOp("|")) {
            ++m_pos;
            e = filterOf(e);
        }
        return e;
    }

    bool callArgs(CallArgs &args)
    {
        if (!expectOp("("))
            return false;
        while (!isOp(")")) {
            if (peek().kind == Token::Kind::Name && isOp("=", 1)) {
                std::string key = next().text;
                ++m_pos;
                ExprPtr v = expression();
                if (!v)
                    return false;
                args.keywords.emplace_back(std::move(key), v);
            } else {
                if (!args.keywords.empty())
                    return fail("a positional argument follows a keyword argument");
                ExprPtr v = expression();
                if (!v)
                    return false;
                args.positional.push_back(v);
            }
            if (isOp(","))
                ++m_pos;
            else if (!isOp(")"))
                return fail("expected ',' or ')'" + describeNext());
        }
        ++m_pos;
        return true;
    }

    ExprPtr filterOf(ExprPtr value)
    {
        if (peek().kind != Token::Kind::Name)
            return fail("expected a filter name after '|'"), nullptr;
        auto e = std::make_shared<Expr>();
        e->kind = Expr::Kind::Filter;
        e->at = peek().at;
        e->name = next().text;
        e->a = value;
        if (isOp("(") && !callArgs(e->args))
            return nullptr;
        return e;
    }

    ExprPtr postfix()
    {
        ExprPtr e = primary();
        for (;;) {
            if (!e)
                return nullptr;
            if (isOp(".")) {
                ++m_pos;
                if (peek().kind != Token::Kind::Name && peek().kind != Token::Kind::Int)
                    return fail("expected an attribute name after '.'"), nullptr;
                auto a = std::make_shared<Expr>();
                a->kind = Expr::Kind::Attr;
                a->at = peek().at;
                a->name = next().text;
                a->a = e;
                e = a;
            } else if (isOp("[")) {
                const Location at = next().at;
                ExprPtr parts[3];
                int colons = 0;
                while (!isOp("]")) {
                    if (isOp(":")) {
                        ++m_pos;
                        if (++colons > 2)
                            return fail("too many ':' in a slice"), nullptr;
                        continue;
                    }
                    if (parts[colons])
                        return fail("expected ']'" + describeNext()), nullptr;
                    parts[colons] = expression();
                    if (!parts[colons])
                        return nullptr;
                }
                ++m_pos;
                auto x = std::make_shared<Expr>();
                x->at = at;
                x->a = e;
                if (colons == 0) {
                    if (!parts[0])
                        return fail("an empty subscript"), nullptr;
                    x->kind = Expr::Kind::Item;
                    x->b = parts[0];
                } else {
                    x->kind = Expr::Kind::Slice;
                    x->items = {parts[0], parts[1], parts[2]};
                }
                e = x;
            } else if (isOp("(")) {
                auto c = std::make_shared<Expr>();
                c->kind = Expr::Kind::Call;
                c->at = peek().at;
                c->a = e;
                if (!callArgs(c->args))
                    return nullptr;
                e = c;
            } else if (isOp("|") && m_noFilters == 0) {
                ++m_pos;
                e = filterOf(e);
            } else {
                return e;
            }
        }
    }

    ExprPtr primary()
    {
        const Token &t = peek();
        auto lit = [&](Value v) {
            auto e = std::make_shared<Expr>();
            e->kind = Expr::Kind::Literal;
            e->at = t.at;
            e->literal = std::move(v);
            ++m_pos;
            return e;
        };
        switch (t.kind) {
        case Token::Kind::String: {
            std::string joined = t.text;
            auto e = lit(Value::string({}));
            while (peek().kind == Token::Kind::String) // adjacent strings are one
                joined += next().text;
            e->literal = Value::string(joined);
            return e;
        }
        case Token::Kind::Int: return lit(Value::integer(std::stoll(t.text)));
        case Token::Kind::Float: return lit(Value::real(std::stod(t.text)));
        case Token::Kind::Name:
            if (t.text == "true" || t.text == "True")
                return lit(Value::boolean(true));
            if (t.text == "false" || t.text == "False")
                return lit(Value::boolean(false));
            if (t.text == "none" || t.text == "None")
                return lit(Value::none());
            {
                auto e = std::make_shared<Expr>();
                e->kind = Expr::Kind::Name;
                e->at = t.at;
                e->name = t.text;
                ++m_pos;
                return e;
            }
        case Token::Kind::Op:
            if (t.text == "(") {
                ++m_pos;
                if (isOp(")")) {
                    ++m_pos;
                    auto e = make(Expr::Kind::Tuple, t.at);
                    return e;
                }
                ExprPtr first = expression();
                if (!first)
                    return nullptr;
                if (isOp(",")) {
                    auto e = make(Expr::Kind::Tuple, t.at);
                    e->items.push_back(first);
                    while (isOp(",")) {
                        ++m_pos;
                        if (isOp(")"))
                            break;
                        ExprPtr x = expression();
                        if (!x)
                            return nullptr;
                        e->items.push_back(x);
                    }
                    if (!expectOp(")"))
                        return nullptr;
                    return e;
                }
                return expectOp(")") ? first : nullptr;
            }
            if (t.text == "[") {
                ++m_pos;
                auto e = make(Expr::Kind::List, t.at);
                while (!isOp("]")) {
                    ExprPtr x = expression();
                    if (!x)
                        return nullptr;
                    e->items.push_back(x);
                    if (isOp(","))
                        ++m_pos;
                    else if (!isOp("]"))
                        return fail("expected ',' or ']'" + describeNext()), nullptr;
                }
                ++m_pos;
                return e;
            }
            if (t.text == "{") {
                ++m_pos;
                auto e = make(Expr::Kind::Dict, t.at);
                while (!isOp("}")) {
                    ExprPtr k = expression();
                    if (!k || !expectOp(":"))
                        return nullptr;
                    ExprPtr v = expression();
                    if (!v)
                        return nullptr;
                    e->items.push_back(k);
                    e->items.push_back(v);
                    if (isOp(","))
                        ++m_pos;
                    else if (!isOp("}"))
                        return fail("expected ',' or '}'" + describeNext()), nullptr;
                }
                ++m_pos;
                return e;
            }
            break;
        default: break;
        }
        return fail("expected an expression" + describeNext()), nullptr;
    }

    const std::vector<Token> &m_t;
    std::string m_name;
    std::size_t m_pos = 0;
    int m_noFilters = 0;
    std::string m_error;
};

// --- Rendering ------------------------------------------------------------------------------------

struct RenderError {
    std::string message;
};

class Renderer {
public:
    Renderer(const std::string &name, const Options &opt) : m_name(name), m_opt(opt) {}

    Expected<std::string, std::string> run(const Body &body, Value context)
    {
        m_scopes.push_back({});
        for (auto &[k, v] : *context.o)
            m_scopes.back()[k] = v;
        addGlobals();
        std::string out;
        try {
            render(body, out);
        } catch (const RenderError &e) {
            return unexpected(e.message);
        }
        return out;
    }

private:
    using Scope = std::map<std::string, Value>;

    [[noreturn]] void raise(Location at, const std::string &why) const
    {
        throw RenderError{m_name + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " + why};
    }

    Value lookup(const std::string &n) const
    {
        for (auto it = m_scopes.rbegin(); it != m_scopes.rend(); ++it)
            if (auto f = it->find(n); f != it->end())
                return f->second;
        return Value::undefined(n);
    }

    void addGlobals()
    {
        Scope &g = m_scopes.front();
        g.try_emplace("range", Value::function([](Args &a) -> Expected<Value, std::string> {
            long long start = 0, stop = 0, step = 1;
            if (a.positional.size() == 1)
                stop = a.positional[0].i;
            else if (a.positional.size() >= 2) {
                start = a.positional[0].i;
                stop = a.positional[1].i;
                if (a.positional.size() > 2)
                    step = a.positional[2].i;
            }
            if (step == 0)
                return unexpected(std::string("range() arg 3 must not be zero"));
            Array out;
            for (long long k = start; step > 0 ? k < stop : k > stop; k += step) {
                if (out.size() > 10'000'000)
                    return unexpected(std::string("range() is too long"));
                out.push_back(Value::integer(k));
            }
            return Value::array(std::move(out));
        }));
        g.try_emplace("namespace", Value::function([](Args &a) -> Expected<Value, std::string> {
            Value ns = Value::object();
            ns.isNamespace = true;
            for (auto &p : a.positional)
                if (p.kind == Value::Kind::Object)
                    for (auto &[k, v] : *p.o)
                        ns.set(k, v);
            for (auto &[k, v] : a.keywords)
                ns.set(k, v);
            return ns;
        }));
        g.try_emplace("dict", Value::function([](Args &a) -> Expected<Value, std::string> {
            Value d = Value::object();
            for (auto &[k, v] : a.keywords)
                d.set(k, v);
            return d;
        }));
        g.try_emplace("raise_exception", Value::function([](Args &a) -> Expected<Value, std::string> {
            return unexpected("the template raised: " + str(a.get(0, "message")));
        }));
        g.try_emplace("strftime_now", Value::function([](Args &a) -> Expected<Value, std::string> {
            const std::time_t now = std::time(nullptr);
            std::tm local{};
            localtime_r(&now, &local);
            char buf[256];
            const std::string fmt = str(a.get(0, "format"));
            const std::size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &local);
            return Value::string(std::string(buf, n));
        }));
    }

    // --- statements ---

    void render(const Body &body, std::string &out)
    {
        for (const NodePtr &n : body)
            renderNode(*n, out);
    }

    void renderNode(const Node &n, std::string &out)
    {
        switch (n.kind) {
        case Node::Kind::Text: out += n.text; return;
        case Node::Kind::Output: {
            const Value v = eval(*n.expr);
            out += str(v);
            return;
        }
        case Node::Kind::If:
            for (const auto &[cond, body] : n.branches)
                if (!cond || truthy(eval(*cond))) {
                    render(body, out);
                    return;
                }
            return;
        case Node::Kind::For: renderFor(n, out); return;
        case Node::Kind::Set: {
            Value v = eval(*n.expr);
            if (n.attrTarget) {
                Value obj = eval(*n.attrTarget);
                if (obj.kind != Value::Kind::Object || !obj.isNamespace)
                    raise(n.at, "only a namespace() object's attributes can be set ('" + n.attrTarget->name + "." + n.attrName + "')");
                obj.set(n.attrName, v);
                return;
            }
            assign(n.targets, v, n.at);
            return;
        }
        case Node::Kind::SetBlock: {
            std::string body;
            m_scopes.emplace_back();
            render(n.body, body);
            m_scopes.pop_back();
            Value v = Value::string(body);
            if (n.filter)
                v = withBody(*n.filter, v);
            m_scopes.back()[n.name] = v;
            return;
        }
        case Node::Kind::Macro: m_scopes.back()[n.name] = macro(n, n.name); return;
        case Node::Kind::CallBlock: {
            Value caller = macro(n, "caller");
            m_scopes.emplace_back();
            m_scopes.back()["caller"] = caller;
            const Value v = eval(*n.expr);
            m_scopes.pop_back();
            out += str(v);
            return;
        }
        case Node::Kind::FilterBlock: {
            std::string body;
            render(n.body, body);
            out += str(withBody(*n.filter, Value::string(body)));
            return;
        }
        case Node::Kind::Block: render(n.body, out); return;
        }
    }

    Value withBody(const Expr &chain, const Value &body)
    {
        m_scopes.emplace_back();
        m_scopes.back()["__body__"] = body;
        Value v = eval(chain);
        m_scopes.pop_back();
        return v;
    }

    void assign(const std::vector<std::string> &targets, const Value &v, Location at)
    {
        if (targets.size() == 1) {
            m_scopes.back()[targets[0]] = v;
            return;
        }
        const Array items = iterate(v, at);
        if (items.size() != targets.size())
            raise(at, "cannot unpack " + std::to_string(items.size()) + " values into " + std::to_string(targets.size()) + " names");
        for (std::size_t k = 0; k < targets.size(); ++k)
            m_scopes.back()[targets[k]] = items[k];
    }

    Array iterate(const Value &v, Location at) const
    {
        switch (v.kind) {
        case Value::Kind::Array: return *v.a;
        case Value::Kind::Object: {
            Array keys;
            for (auto &[k, x] : *v.o)
                keys.push_back(Value::string(k));
            return keys;
        }
        case Value::Kind::String: {
            Array chars;
            for (std::size_t k = 0; k < v.s.size();) {
                std::size_t n = 1;
                const auto c = static_cast<unsigned char>(v.s[k]);
                if (c >= 0xF0)
                    n = 4;
                else if (c >= 0xE0)
                    n = 3;
                else if (c >= 0xC0)
                    n = 2;
                chars.push_back(Value::string(v.s.substr(k, n)));
                k += n;
            }
            return chars;
        }
        case Value::Kind::Undefined: raise(at, "'" + v.s + "' is undefined and cannot be iterated");
        default: raise(at, "a " + typeName(v) + " cannot be iterated");
        }
    }

    void renderFor(const Node &n, std::string &out)
    {
        Array items = iterate(eval(*n.expr), n.at);
        if (n.filter) { // the loop's condition filters before loop.* is counted
            Array kept;
            m_scopes.emplace_back();
            for (const Value &item : items) {
                assign(n.targets, item, n.at);
                if (truthy(eval(*n.filter)))
                    kept.push_back(item);
            }
            m_scopes.pop_back();
            items = std::move(kept);
        }
        if (items.empty()) {
            render(n.elseBody, out);
            return;
        }
        m_scopes.emplace_back();
        const long long length = static_cast<long long>(items.size());
        for (long long k = 0; k < length; ++k) {
            if (++m_steps > m_opt.maxSteps)
                raise(n.at, "the template ran past " + std::to_string(m_opt.maxSteps) + " loop steps");
            Value loop = Value::object();
            loop.set("index", Value::integer(k + 1));
            loop.set("index0", Value::integer(k));
            loop.set("revindex", Value::integer(length - k));
            loop.set("revindex0", Value::integer(length - k - 1));
            loop.set("first", Value::boolean(k == 0));
            loop.set("last", Value::boolean(k + 1 == length));
            loop.set("length", Value::integer(length));
            loop.set("previtem", k > 0 ? items[std::size_t(k - 1)] : Value::undefined("previtem"));
            loop.set("nextitem", k + 1 < length ? items[std::size_t(k + 1)] : Value::undefined("nextitem"));
            m_scopes.back()["loop"] = loop;
            assign(n.targets, items[std::size_t(k)], n.at);
            render(n.body, out);
        }
        m_scopes.pop_back();
    }

    Value macro(const Node &n, const std::string &name)
    {
        const Node *def = &n;
        return Value::function([this, def, name](Args &a) -> Expected<Value, std::string> {
            if (++m_depth > m_opt.maxDepth) {
                --m_depth;
                return unexpected("the macro '" + name + "' calls itself past the recursion limit of " + std::to_string(m_opt.maxDepth));
            }
            Scope frame;
            for (std::size_t k = 0; k < def->params.size(); ++k) {
                const auto &[p, dflt] = def->params[k];
                if (k < a.positional.size())
                    frame[p] = a.positional[k];
                else if (auto kw = a.keyword(p))
                    frame[p] = *kw;
                else
                    frame[p] = dflt ? eval(*dflt) : Value::undefined(p);
            }
            for (const auto &[k, v] : a.keywords) {
                bool known = false;
                for (const auto &[p, d] : def->params)
                    known = known || p == k;
                if (!known && k != "caller") {
                    --m_depth;
                    return unexpected("the macro '" + name + "' has no parameter '" + k + "'");
                }
            }
            if (auto c = lookup("caller"); !c.isUndefined() && name != "caller")
                frame["caller"] = c;
            // A macro sees the template's globals and its own parameters, not its caller's locals.
            std::vector<Scope> saved;
            saved.swap(m_scopes);
            m_scopes.push_back(saved.front());
            m_scopes.push_back(std::move(frame));
            std::string out;
            try {
                render(def->body, out);
            } catch (...) {
                m_scopes.swap(saved);
                --m_depth;
                throw;
            }
            m_scopes.swap(saved);
            --m_depth;
            return Value::string(out);
        });
    }

    // --- expressions ---

    static std::string typeName(const Value &v)
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

    Value call(const Value &f, Args &args, Location at, const std::string &what)
    {
        if (f.kind != Value::Kind::Function)
            raise(at, f.isUndefined() ? "'" + (f.s.empty() ? what : f.s) + "' is undefined and cannot be called" : "a " + typeName(f) + " cannot be called");
        auto r = (*f.fn)(args);
        if (!r) {
            if (r.error().rfind(m_name + ":", 0) == 0)
                throw RenderError{r.error()};
            raise(at, r.error());
        }
        return *r;
    }

    Args evalArgs(const CallArgs &c)
    {
        Args a;
        for (const auto &e : c.positional)
            a.positional.push_back(eval(*e));
        for (const auto &[k, e] : c.keywords)
            a.keywords.emplace_back(k, eval(*e));
        return a;
    }

    Value eval(const Expr &e)
    {
        if (++m_depth > m_opt.maxDepth * 50) {
            --m_depth;
            raise(e.at, "the expression is nested too deeply");
        }
        Value v = evalInner(e);
        --m_depth;
        return v;
    }

    Value evalInner(const Expr &e)
    {
        switch (e.kind) {
        case Expr::Kind::Literal: return e.literal;
        case Expr::Kind::Name: return lookup(e.name);
        case Expr::Kind::List:
        case Expr::Kind::Tuple: {
            Array items;
            for (const auto &x : e.items)
                items.push_back(eval(*x));
            Value v = Value::array(std::move(items));
            v.isTuple = e.kind == Expr::Kind::Tuple;
            return v;
        }
        case Expr::Kind::Dict: {
            Value d = Value::object();
            for (std::size_t k = 0; k + 1 < e.items.size(); k += 2)
                d.set(str(eval(*e.items[k])), eval(*e.items[k + 1]));
            return d;
        }
        case Expr::Kind::Attr: return attribute(eval(*e.a), e.name, e.at, *e.a);
        case Expr::Kind::Item: return item(eval(*e.a), eval(*e.b), e.at, *e.a);
        case Expr::Kind::Slice: return slice(eval(*e.a), e);
        case Expr::Kind::Call: {
            Value f = eval(*e.a);
            Args a = evalArgs(e.args);
            return call(f, a, e.at, e.a->kind == Expr::Kind::Name ? e.a->name : "the callee");
        }
        case Expr::Kind::Filter: {
            Value v = eval(*e.a);
            Args a = evalArgs(e.args);
            return filter(e.name, v, a, e.at);
        }
        case Expr::Kind::Test: {
            Value v = eval(*e.a);
            Args a = evalArgs(e.args);
            const bool r = test(e.name, v, a, e.at);
            return Value::boolean(e.negated ? !r : r);
        }
        case Expr::Kind::Unary: {
            Value v = eval(*e.a);
            if (!v.isNumber())
                raise(e.at, "bad operand for unary " + e.name + ": a " + typeName(v));
            if (e.name == "+")
                return v;
            return v.kind == Value::Kind::Float ? Value::real(-v.f) : Value::integer(-static_cast<long long>(v.number()));
        }
        case Expr::Kind::Not: return Value::boolean(!truthy(eval(*e.a)));
        case Expr::Kind::And: {
            Value a = eval(*e.a);
            return truthy(a) ? eval(*e.b) : a;
        }
        case Expr::Kind::Or: {
            Value a = eval(*e.a);
            return truthy(a) ? a : eval(*e.b);
        }
        case Expr::Kind::Cond:
            if (truthy(eval(*e.b)))
                return eval(*e.a);
            return e.c ? eval(*e.c) : Value::undefined();
        case Expr::Kind::Binary: return binary(e.name, eval(*e.a), eval(*e.b), e.at);
        }
        return Value::undefined();
    }

    Value binary(const std::string &op, const Value &a, const Value &b, Location at)
    {
        if (op == "==")
            return Value::boolean(equal(a, b));
        if (op == "!=")
            return Value::boolean(!equal(a, b));
        if (op == "in" || op == "not in") {
            bool found = false;
            if (b.kind == Value::Kind::String) {
                if (a.kind != Value::Kind::String)
                    raise(at, "'in <string>' needs a string on the left, not a " + typeName(a));
                found = b.s.find(a.s) != std::string::npos;
            } else if (b.kind == Value::Kind::Array) {
                for (const Value &x : *b.a)
                    found = found || equal(a, x);
            } else if (b.kind == Value::Kind::Object) {
                found = a.kind == Value::Kind::String && b.find(a.s);
            } else if (b.isUndefined()) {
                raise(at, "'" + b.s + "' is undefined");
            } else {
                raise(at, "a " + typeName(b) + " is not a container for 'in'");
            }
            return Value::boolean(op == "in" ? found : !found);
        }
        if (op == "~")
            return Value::string(str(a) + str(b));
        if (op == "<" || op == "<=" || op == ">" || op == ">=") {
            int c = 0;
            if (a.isNumber() && b.isNumber())
                c = a.number() < b.number() ? -1 : a.number() > b.number() ? 1 : 0;
            else if (a.kind == Value::Kind::String && b.kind == Value::Kind::String)
                c = a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
            else
                raise(at, "'" + op + "' is not supported between a " + typeName(a) + " and a " + typeName(b));
            return Value::boolean(op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0);
        }
        if (op == "+") {
            if (a.kind == Value::Kind::String && b.kind == Value::Kind::String)
                return Value::string(a.s + b.s);
            if (a.kind == Value::Kind::Array && b.kind == Value::Kind::Array) {
                Array out = *a.a;
                out.insert(out.end(), b.a->begin(), b.a->end());
                return Value::array(std::move(out));
            }
        }
        if (op == "*" && ((a.kind == Value::Kind::String && b.kind == Value::Kind::Int) || (a.kind == Value::Kind::Int && b.kind == Value::Kind::String))) {
            const Value &s = a.kind == Value::Kind::String ? a : b;
            const long long n = a.kind == Value::Kind::Int ? a.i : b.i;
            std::string out;
            for (long long k = 0; k < n && out.size() < (64u << 20); ++k)
                out += s.s;
            return Value::string(out);
        }
        if (!a.isNumber() || !b.isNumber())
            raise(at, "unsupported operand types for " + op + ": a " + typeName(a) + " and a " + typeName(b));
        const bool ints = a.kind != Value::Kind::Float && b.kind != Value::Kind::Float;
        const double x = a.number(), y = b.number();
        if (op == "+")
            return ints ? Value::integer(static_cast<long long>(x) + static_cast<long long>(y)) : Value::real(x + y);
        if (op == "-")
            return ints ? Value::integer(static_cast<long long>(x) - static_cast<long long>(y)) : Value::real(x - y);
        if (op == "*")
            return ints ? Value::integer(static_cast<long long>(x) * static_cast<long long>(y)) : Value::real(x * y);
        if (op == "**")
            return ints && y >= 0 ? Value::integer(static_cast<long long>(std::pow(x, y))) : Value::real(std::pow(x, y));
        if (y == 0)
            raise(at, "division by zero");
        if (op == "/")
            return Value::real(x / y);
        if (op == "//")
            return ints ? Value::integer(static_cast<long long>(std::floor(x / y))) : Value::real(std::floor(x / y));
        if (op == "%") {
            if (ints) {
                long long r = static_cast<long long>(x) % static_cast<long long>(y);
                if (r != 0 && ((r < 0) != (y < 0)))
                    r += static_cast<long long>(y);
                return Value::integer(r);
            }
            return Value::real(x - y * std::floor(x / y));
        }
        raise(at, "unknown operator " + op);
    }

    Value item(const Value &obj, const Value &key, Location at, const Expr &objExpr)
    {
        if (obj.kind == Value::Kind::Array || obj.kind == Value::Kind::String) {
            if (key.kind != Value::Kind::Int && key.kind != Value::Kind::Bool)
                return obj.kind == Value::Kind::String && key.kind == Value::Kind::String ? method(obj, key.s, at) : Value::undefined();
            const Array chars = obj.kind == Value::Kind::String ? iterate(obj, at) : Array();
            const Array &items = obj.kind == Value::Kind::String ? chars : *obj.a;
            long long k = static_cast<long long>(key.number());
            if (k < 0)
                k += static_cast<long long>(items.size());
            if (k < 0 || k >= static_cast<long long>(items.size()))
                return Value::undefined();
            return items[std::size_t(k)];
        }
        if (obj.kind == Value::Kind::Object) {
            if (const Value *v = obj.find(str(key)))
                return *v;
            return method(obj, str(key), at);
        }
        if (obj.isUndefined())
            raise(at, "'" + (obj.s.empty() ? describe(objExpr) : obj.s) + "' is undefined");
        return Value::undefined();
    }

    static std::string describe(const Expr &e)
    {
        if (e.kind == Expr::Kind::Name)
            return e.name;
        if (e.kind == Expr::Kind::Attr)
            return describe(*e.a) + "." + e.name;
        return "the value";
    }

    Value attribute(const Value &obj, const std::string &name, Location at, const Expr &objExpr)
    {
        if (obj.kind == Value::Kind::Object) {
            if (const Value *v = obj.find(name))
                return *v;
        }
        if (obj.isUndefined())
            raise(at, "'" + (obj.s.empty() ? describe(objExpr) : obj.s) + "' is undefined (reading ." + name + ")");
        if (obj.kind == Value::Kind::Array && !name.empty() && std::isdigit(static_cast<unsigned char>(name[0])))
            return item(obj, Value::integer(std::stoll(name)), at, objExpr);
        return method(obj, name, at);
    }

    Value slice(const Value &obj, const Expr &e)
    {
        auto part = [&](std::size_t k) -> std::optional<long long> {
            if (!e.items[k])
                return std::nullopt;
            const Value v = eval(*e.items[k]);
            if (v.kind == Value::Kind::None)
                return std::nullopt;
            if (v.kind != Value::Kind::Int)
                raise(e.at, "slice indices must be integers");
            return v.i;
        };
        const Array items = obj.kind == Value::Kind::String ? iterate(obj, e.at) : obj.kind == Value::Kind::Array ? *obj.a : Array();
        if (obj.kind != Value::Kind::String && obj.kind != Value::Kind::Array)
            raise(e.at, "a " + typeName(obj) + " cannot be sliced");
        const long long n = static_cast<long long>(items.size());
        const long long step = part(2).value_or(1);
        if (step == 0)
            raise(e.at, "slice step cannot be zero");
        auto clamp = [&](std::optional<long long> v, long long dflt) {
            if (!v)
                return dflt;
            long long x = *v < 0 ? *v + n : *v;
            if (step > 0)
                return std::clamp(x, 0LL, n);
            return std::clamp(x, -1LL, n - 1);
        };
        const long long start = clamp(part(0), step > 0 ? 0 : n - 1), stop = clamp(part(1), step > 0 ? n : -1);
        Array out;
        for (long long k = start; step > 0 ? k < stop : k > stop; k += step)
            out.push_back(items[std::size_t(k)]);
        if (obj.kind == Value::Kind::String) {
            std::string s;
            for (const Value &c : out)
                s += c.s;
            return Value::string(s);
        }
        return Value::array(std::move(out));
    }

    // --- methods of strings, mappings and lists ---

    static std::string stripChars(const std::string &s, const Value &chars, bool left, bool right)
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

    static std::string upper(std::string s)
    {
        for (char &c : s)
            c = char(std::toupper(static_cast<unsigned char>(c)));
        return s;
    }
    static std::string lower(std::string s)
    {
        for (char &c : s)
            c = char(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }
    static std::string title(std::string s)
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
    static std::string capitalize(std::string s)
    {
        s = lower(s);
        if (!s.empty())
            s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
        return s;
    }

    static std::vector<std::string> split(const std::string &s, const Value &sep, long long maxsplit)
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

    static Value strings(const std::vector<std::string> &parts)
    {
        Array a;
        for (const auto &p : parts)
            a.push_back(Value::string(p));
        return Value::array(std::move(a));
    }

    Value method(const Value &obj, const std::string &name, Location at)
    {
        const Value self = obj;
        auto fn = [](auto f) { return Value::function(f); };
        if (obj.kind == Value::Kind::String) {
            if (name == "startswith" || name == "endswith")
                return fn([self, name](Args &a) -> Expected<Value, std::string> {
                    const Value arg = a.get(0, "prefix");
                    std::vector<std::string> options;
                    if (arg.kind == Value::Kind::Array)
                        for (const Value &x : *arg.a)
                            options.push_back(x.s);
                    else
                        options.push_back(arg.s);
                    for (const auto &o : options) {
                        if (name == "startswith" ? self.s.compare(0, o.size(), o) == 0
                                                 : self.s.size() >= o.size() && self.s.compare(self.s.size() - o.size(), o.size(), o) == 0)
                            return Value::boolean(true);
                    }
                    return Value::boolean(false);
                });
            if (name == "strip" || name == "lstrip" || name == "rstrip")
                return fn([self, name](Args &a) -> Expected<Value, std::string> {
                    return Value::string(stripChars(self.s, a.get(0, "chars"), name != "rstrip", name != "lstrip"));
                });
            if (name == "split" || name == "rsplit")
                return fn([self, name](Args &a) -> Expected<Value, std::string> {
                    const Value sep = a.get(0, "sep");
                    const Value max = a.get(1, "maxsplit", Value::integer(-1));
                    if (name == "rsplit" && max.i >= 0 && sep.kind == Value::Kind::String) {
                        std::vector<std::string> parts;
                        std::string rest = self.s;
                        while (static_cast<long long>(parts.size()) < max.i) {
                            const auto f = rest.rfind(sep.s);
                            if (f == std::string::npos)
                                break;
                            parts.insert(parts.begin(), rest.substr(f + sep.s.size()));
                            rest = rest.substr(0, f);
                        }
                        parts.insert(parts.begin(), rest);
                        return strings(parts);
                    }
                    return strings(split(self.s, sep, max.i));
                });
            if (name == "upper")
                return fn([self](Args &) -> Expected<Value, std::string> { return Value::string(upper(self.s)); });
            if (name == "lower")
                return fn([self](Args &) -> Expected<Value, std::string> { return Value::string(lower(self.s)); });
            if (name == "title")
                return fn([self](Args &) -> Expected<Value, std::string> { return Value::string(title(self.s)); });
            if (name == "capitalize")
                return fn([self](Args &) -> Expected<Value, std::string> { return Value::string(capitalize(self.s)); });
            if (name == "replace")
                return fn([self](Args &a) -> Expected<Value, std::string> { return Value::string(replaceAll(self.s, str(a.get(0, "old")), str(a.get(1, "new")), a.get(2, "count", Value::integer(-1)).i)); });
            if (name == "find" || name == "count")
                return fn([self, name](Args &a) -> Expected<Value, std::string> {
                    const std::string sub = str(a.get(0, "sub"));
                    if (name == "find") {
                        const auto f = self.s.find(sub);
                        return Value::integer(f == std::string::npos ? -1 : static_cast<long long>(f));
                    }
                    long long n = 0;
                    for (std::size_t k = sub.empty() ? std::string::npos : self.s.find(sub); k != std::string::npos; k = self.s.find(sub, k + sub.size()))
                        ++n;
                    return Value::integer(n);
                });
            if (name == "join")
                return fn([self](Args &a) -> Expected<Value, std::string> {
                    const Value seq = a.get(0, "iterable");
                    std::string out;
                    if (seq.kind == Value::Kind::Array)
                        for (std::size_t k = 0; k < seq.a->size(); ++k)
                            out += (k ? self.s : "") + str((*seq.a)[k]);
                    return Value::string(out);
                });
        }
        if (obj.kind == Value::Kind::Object && !obj.isNamespace) {
            if (name == "items")
                return fn([self](Args &) -> Expected<Value, std::string> {
                    Array out;
                    for (const auto &[k, v] : *self.o) {
                        Value pair = Value::array({Value::string(k), v});
                        pair.isTuple = true;
                        out.push_back(pair);
                    }
                    return Value::array(std::move(out));
                });
            if (name == "keys" || name == "values")
                return fn([self, name](Args &) -> Expected<Value, std::string> {
                    Array out;
                    for (const auto &[k, v] : *self.o)
                        out.push_back(name == "keys" ? Value::string(k) : v);
                    return Value::array(std::move(out));
                });
            if (name == "get")
                return fn([self](Args &a) -> Expected<Value, std::string> {
                    if (const Value *v = self.find(str(a.get(0, "key"))))
                        return *v;
                    return a.get(1, "default", Value::none());
                });
        }
        (void)at;
        return Value::undefined(name);
    }

    static std::string replaceAll(const std::string &s, const std::string &from, const std::string &to, long long count)
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

    // --- filters and tests ---

    Value filter(const std::string &name, const Value &v, Args &a, Location at)
    {
        if (name == "safe" || name == "e" || name == "escape" || name == "string") {
            if (name == "safe")
                return v;
            if (name == "string")
                return Value::string(str(v));
            std::string out;
            for (char c : str(v)) {
                switch (c) {
                case '&': out += "&amp;"; break;
                case '<': out += "&lt;"; break;
                case '>': out += "&gt;"; break;
                case '"': out += "&#34;"; break;
                case '\'': out += "&#39;"; break;
                default: out += c;
                }
            }
            return Value::string(out);
        }
        if (name == "trim")
            return Value::string(stripChars(str(v), a.get(0, "chars"), true, true));
        if (name == "length" || name == "count") {
            if (v.kind == Value::Kind::String)
                return Value::integer(static_cast<long long>(iterate(v, at).size()));
            if (v.kind == Value::Kind::Array)
                return Value::integer(static_cast<long long>(v.a->size()));
            if (v.kind == Value::Kind::Object)
                return Value::integer(static_cast<long long>(v.o->size()));
            raise(at, "a " + typeName(v) + " has no length");
        }
        if (name == "tojson") {
            const Value indent = a.get(0, "indent");
            std::string out;
            toJson(v, out, indent.kind == Value::Kind::Int ? static_cast<int>(indent.i) : -1, 0, truthy(a.get(99, "sort_keys")));
            return Value::string(out);
        }
        if (name == "items") {
            if (v.kind != Value::Kind::Object)
                raise(at, "items needs a mapping, not a " + typeName(v));
            Args none;
            return call(method(v, "items", at), none, at, "items");
        }
        if (name == "default" || name == "d") {
            const bool boolean = truthy(a.get(1, "boolean", Value::boolean(false)));
            if (v.isUndefined() || (boolean && !truthy(v)))
                return a.get(0, "default_value", Value::string(""));
            return v;
        }
        if (name == "upper")
            return Value::string(upper(str(v)));
        if (name == "lower")
            return Value::string(lower(str(v)));
        if (name == "title")
            return Value::string(title(str(v)));
        if (name == "capitalize")
            return Value::string(capitalize(str(v)));
        if (name == "replace")
            return Value::string(replaceAll(str(v), str(a.get(0, "old")), str(a.get(1, "new")), a.get(2, "count", Value::integer(-1)).i));
        if (name == "join") {
            const Value attr = a.get(1, "attribute");
            std::string out;
            const Array items = iterate(v, at);
            for (std::size_t k = 0; k < items.size(); ++k) {
                const Value x = attr.isUndefined() ? items[k] : attribute(items[k], str(attr), at, Expr{});
                out += (k ? str(a.get(0, "d")) : "") + str(x);
            }
            return Value::string(out);
        }
        if (name == "list")
            return Value::array(iterate(v, at));
        if (name == "first" || name == "last") {
            const Array items = iterate(v, at);
            if (items.empty())
                return Value::undefined();
            return name == "first" ? items.front() : items.back();
        }
        if (name == "reverse") {
            Array items = iterate(v, at);
            std::reverse(items.begin(), items.end());
            if (v.kind == Value::Kind::String) {
                std::string s;
                for (const Value &c : items)
                    s += c.s;
                return Value::string(s);
            }
            return Value::array(std::move(items));
        }
        if (name == "map" || name == "select" || name == "reject" || name == "selectattr" || name == "rejectattr") {
            const Array items = iterate(v, at);
            Array out;
            if (name == "map") {
                if (auto attr = a.keyword("attribute")) {
                    for (const Value &x : items) {
                        Value y = attribute(x, str(*attr), at, Expr{});
                        if (y.isUndefined())
                            if (auto d = a.keyword("default"))
                                y = *d;
                        out.push_back(y);
                    }
                } else {
                    if (a.positional.empty())
                        raise(at, "map needs a filter name or attribute=");
                    Args rest;
                    rest.positional.assign(a.positional.begin() + 1, a.positional.end());
                    rest.keywords = a.keywords;
                    for (const Value &x : items)
                        out.push_back(filter(str(a.positional[0]), x, rest, at));
                }
                return Value::array(std::move(out));
            }
            const bool byAttr = name == "selectattr" || name == "rejectattr";
            const bool keep = name == "select" || name == "selectattr";
            const std::size_t first = byAttr ? 1 : 0;
            for (const Value &x : items) {
                const Value subject = byAttr ? attribute(x, str(a.get(0, "attribute")), at, Expr{}) : x;
                bool ok;
                if (a.positional.size() <= first) {
                    ok = truthy(subject);
                } else {
                    Args rest;
                    rest.positional.assign(a.positional.begin() + std::ptrdiff_t(first) + 1, a.positional.end());
                    ok = test(str(a.positional[first]), subject, rest, at);
                }
                if (ok == keep)
                    out.push_back(x);
            }
            return Value::array(std::move(out));
        }
        if (name == "unique") {
            Array out;
            for (const Value &x : iterate(v, at)) {
                bool seen = false;
                for (const Value &y : out)
                    seen = seen || equal(x, y);
                if (!seen)
                    out.push_back(x);
            }
            return Value::array(std::move(out));
        }
        if (name == "dictsort" || name == "sort") {
            Array items;
            if (name == "dictsort") {
                if (v.kind != Value::Kind::Object)
                    raise(at, "dictsort needs a mapping");
                Args none;
                items = *call(method(v, "items", at), none, at, "items").a;
            } else {
                items = iterate(v, at);
            }
            const bool reverse = truthy(a.keyword("reverse").value_or(name == "dictsort" ? a.get(2, "reverse", Value::boolean(false)) : a.get(0, "reverse", Value::boolean(false))));
            const bool caseSensitive = truthy(a.keyword("case_sensitive").value_or(Value::boolean(false)));
            const Value attr = a.keyword("attribute").value_or(Value::undefined());
            const bool byValue = name == "dictsort" && str(a.get(1, "by", Value::string("key"))) == "value";
            auto keyOf = [&](const Value &x) {
                Value k = name == "dictsort" ? (*x.a)[byValue ? 1 : 0] : attr.isUndefined() ? x : attribute(x, str(attr), at, Expr{});
                if (k.kind == Value::Kind::String && !caseSensitive)
                    k = Value::string(lower(k.s));
                return k;
            };
            std::stable_sort(items.begin(), items.end(), [&](const Value &x, const Value &y) {
                const Value kx = keyOf(x), ky = keyOf(y);
                const bool less = kx.isNumber() && ky.isNumber() ? kx.number() < ky.number() : str(kx) < str(ky);
                const bool greater = kx.isNumber() && ky.isNumber() ? kx.number() > ky.number() : str(kx) > str(ky);
                return reverse ? greater : less;
            });
            return Value::array(std::move(items));
        }
        if (name == "int") {
            if (v.kind == Value::Kind::String) {
                try {
                    std::size_t used = 0;
                    const long long x = std::stoll(stripChars(v.s, Value::undefined(), true, true), &used);
                    return Value::integer(x);
                } catch (...) {
                    return a.get(0, "default", Value::integer(0));
                }
            }
            return v.isNumber() ? Value::integer(static_cast<long long>(v.number())) : a.get(0, "default", Value::integer(0));
        }
        if (name == "float") {
            if (v.kind == Value::Kind::String) {
                try {
                    return Value::real(std::stod(v.s));
                } catch (...) {
                    return a.get(0, "default", Value::real(0));
                }
            }
            return v.isNumber() ? Value::real(v.number()) : a.get(0, "default", Value::real(0));
        }
        if (name == "abs") {
            if (!v.isNumber())
                raise(at, "abs needs a number");
            return v.kind == Value::Kind::Float ? Value::real(std::fabs(v.f)) : Value::integer(std::llabs(static_cast<long long>(v.number())));
        }
        if (name == "round") {
            const long long precision = a.get(0, "precision", Value::integer(0)).i;
            const std::string method = str(a.get(1, "method", Value::string("common")));
            const double scale = std::pow(10.0, double(precision));
            double x = v.number() * scale;
            // "common" is Python's round(): halves go to the even neighbour (round(2.5) is 2.0).
            x = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::nearbyint(x);
            return Value::real(x / scale);
        }
        if (name == "sum" || name == "min" || name == "max") {
            const Array items = iterate(v, at);
            if (name == "sum") {
                Value total = a.get(1, "start", Value::integer(0));
                for (const Value &x : items)
                    total = binary("+", total, x, at);
                return total;
            }
            if (items.empty())
                return Value::undefined();
            Value best = items.front();
            for (const Value &x : items)
                if (truthy(binary(name == "min" ? "<" : ">", x, best, at)))
                    best = x;
            return best;
        }
        if (name == "indent") {
            const Value w = a.get(0, "width", Value::integer(4));
            const std::string pad = w.kind == Value::Kind::String ? w.s : std::string(std::size_t(std::max(0LL, w.i)), ' ');
            const bool first = truthy(a.get(1, "first", Value::boolean(false)));
            const bool blank = truthy(a.get(2, "blank", Value::boolean(false)));
            const std::vector<std::string> lines = split(str(v), Value::string("\n"), -1);
            std::string out;
            for (std::size_t k = 0; k < lines.size(); ++k) {
                if (k)
                    out += "\n";
                if ((k > 0 || first) && (blank || !lines[k].empty()))
                    out += pad;
                out += lines[k];
            }
            return Value::string(out);
        }
        if (name == "wordcount")
            return Value::integer(static_cast<long long>(split(str(v), Value::undefined(), -1).size()));
        raise(at, "the filter '" + name + "' is not supported");
    }

    bool test(const std::string &name, const Value &v, Args &a, Location at)
    {
        if (name == "defined")
            return !v.isUndefined();
        if (name == "undefined")
            return v.isUndefined();
        if (name == "none")
            return v.kind == Value::Kind::None;
        if (name == "string")
            return v.kind == Value::Kind::String;
        if (name == "number")
            return v.kind == Value::Kind::Int || v.kind == Value::Kind::Float;
        if (name == "integer")
            return v.kind == Value::Kind::Int;
        if (name == "float")
            return v.kind == Value::Kind::Float;
        if (name == "boolean")
            return v.kind == Value::Kind::Bool;
        if (name == "true")
            return v.kind == Value::Kind::Bool && v.b;
        if (name == "false")
            return v.kind == Value::Kind::Bool && !v.b;
        if (name == "mapping")
            return v.kind == Value::Kind::Object;
        if (name == "iterable")
            return v.kind == Value::Kind::Array || v.kind == Value::Kind::Object || v.kind == Value::Kind::String;
        if (name == "sequence")
            return v.kind == Value::Kind::Array || v.kind == Value::Kind::Object || v.kind == Value::Kind::String;
        if (name == "callable")
            return v.kind == Value::Kind::Function;
        if (name == "odd" || name == "even" || name == "divisibleby") {
            if (v.kind != Value::Kind::Int)
                raise(at, "the test '" + name + "' needs an integer");
            const long long n = name == "divisibleby" ? a.get(0, "num").i : 2;
            if (n == 0)
                raise(at, "divisibleby 0");
            const bool divisible = v.i % n == 0;
            return name == "odd" ? !divisible : divisible;
        }
        if (name == "eq" || name == "equalto" || name == "==")
            return equal(v, a.get(0, "other"));
        if (name == "ne" || name == "!=")
            return !equal(v, a.get(0, "other"));
        if (name == "lt" || name == "le" || name == "gt" || name == "ge") {
            static const std::map<std::string, std::string> op{{"lt", "<"}, {"le", "<="}, {"gt", ">"}, {"ge", ">="}};
            return truthy(binary(op.at(name), v, a.get(0, "other"), at));
        }
        if (name == "in")
            return truthy(binary("in", v, a.get(0, "seq"), at));
        raise(at, "the test '" + name + "' is not supported");
    }

    std::string m_name;
    Options m_opt;
    std::vector<Scope> m_scopes;
    int m_depth = 0;
    long long m_steps = 0;
};

} // namespace

struct Template::Impl {
    Body body;
    std::string name;
    Options options;
};

Expected<Template, std::string> Template::parse(const std::string &source, const std::string &name, Options options)
{
    Lexed lexed = lex(source, name, options);
    if (!lexed.error.empty())
        return unexpected(lexed.error);
    Parser parser(lexed.tokens, name);
    auto body = parser.parseTemplate();
    if (!body)
        return unexpected(body.error());
    auto impl = std::make_shared<Impl>();
    impl->body = std::move(*body);
    impl->name = name;
    impl->options = options;
    Template t;
    t.d = impl;
    return t;
}

Expected<std::string, std::string> Template::render(const std::string &contextJson) const
{
    nlohmann::ordered_json j; // the keys keep their order, as in Python's dicts
    try {
        j = contextJson.empty() ? nlohmann::ordered_json::object() : nlohmann::ordered_json::parse(contextJson);
    } catch (const nlohmann::ordered_json::exception &e) {
        return unexpected(std::string("the template's variables are not valid JSON: ") + e.what());
    }
    if (!j.is_object())
        return unexpected(std::string("the template's variables must be a JSON object"));
    Renderer r(d->name, d->options);
    return r.run(d->body, fromJson(j));
}

} // namespace sdrt::model::jinja
