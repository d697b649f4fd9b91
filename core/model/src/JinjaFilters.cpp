#include "JinjaRenderer.h"

#include "JinjaStrings.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <initializer_list>

namespace sdrt::model::jinja::detail {
namespace {

// One use of a filter or a test: its name (several names share a function), the value it applies
// to and its arguments.
struct Use {
    Renderer &r;
    const std::string &name;
    const Value &v;
    Args &a;
    Location at;
};

// --- Filters of text -----------------------------------------------------------------------------

Value safe(const Use &u) { return u.v; }

Value asString(const Use &u) { return Value::string(str(u.v)); }

Value htmlEscape(const Use &u)
{
    std::string out;
    for (char c : str(u.v)) {
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

Value trimmed(const Use &u) { return Value::string(stripChars(str(u.v), u.a.get(0, "chars"), true, true)); }

Value changeCase(const Use &u) { return Value::string(caseChange(u.name)(str(u.v))); }

Value replaceText(const Use &u) { return replaced(str(u.v), u.a); }

Value indentLines(const Use &u)
{
    const Value w = u.a.get(0, "width", Value::integer(4));
    const std::string pad = w.kind == Value::Kind::String ? w.s : std::string(std::size_t(std::max(0LL, w.i)), ' ');
    const bool first = truthy(u.a.get(1, "first", Value::boolean(false)));
    const bool blank = truthy(u.a.get(2, "blank", Value::boolean(false)));
    const std::vector<std::string> lines = split(str(u.v), Value::string("\n"), -1);
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

Value wordcount(const Use &u) { return Value::integer(static_cast<long long>(split(str(u.v), Value::undefined(), -1).size())); }

Value toJsonText(const Use &u)
{
    const Value indent = u.a.get(0, "indent");
    std::string out;
    toJson(u.v, out, indent.kind == Value::Kind::Int ? static_cast<int>(indent.i) : -1, 0, truthy(u.a.get(99, "sort_keys")));
    return Value::string(out);
}

Value withDefault(const Use &u)
{
    const bool boolean = truthy(u.a.get(1, "boolean", Value::boolean(false)));
    if (u.v.isUndefined() || (boolean && !truthy(u.v)))
        return u.a.get(0, "default_value", Value::string(""));
    return u.v;
}

// --- Filters of sequences ------------------------------------------------------------------------

Value lengthOf(const Use &u)
{
    if (u.v.kind == Value::Kind::String)
        return Value::integer(static_cast<long long>(u.r.iterate(u.v, u.at).size()));
    if (u.v.kind == Value::Kind::Array)
        return Value::integer(static_cast<long long>(u.v.a->size()));
    if (u.v.kind == Value::Kind::Object)
        return Value::integer(static_cast<long long>(u.v.o->size()));
    u.r.raise(u.at, "a " + typeName(u.v) + " has no length");
}

Value asList(const Use &u) { return Value::array(u.r.iterate(u.v, u.at)); }

Value firstOrLast(const Use &u)
{
    const Array items = u.r.iterate(u.v, u.at);
    if (items.empty())
        return Value::undefined();
    return u.name == "first" ? items.front() : items.back();
}

Value reversed(const Use &u)
{
    Array items = u.r.iterate(u.v, u.at);
    std::reverse(items.begin(), items.end());
    if (u.v.kind == Value::Kind::String)
        return Value::string(concatenated(items));
    return Value::array(std::move(items));
}

Value joinItems(const Use &u)
{
    const Value attr = u.a.get(1, "attribute");
    std::string out;
    const Array items = u.r.iterate(u.v, u.at);
    for (std::size_t k = 0; k < items.size(); ++k) {
        const Value x = attr.isUndefined() ? items[k] : u.r.attribute(items[k], str(attr), u.at);
        out += (k ? str(u.a.get(0, "d")) : "") + str(x);
    }
    return Value::string(out);
}

Value unique(const Use &u)
{
    Array out;
    for (const Value &x : u.r.iterate(u.v, u.at)) {
        bool seen = false;
        for (const Value &y : out)
            seen = seen || equal(x, y);
        if (!seen)
            out.push_back(x);
    }
    return Value::array(std::move(out));
}

Value total(const Use &u)
{
    Value total = u.a.get(1, "start", Value::integer(0));
    for (const Value &x : u.r.iterate(u.v, u.at))
        total = u.r.binary("+", total, x, u.at);
    return total;
}

Value minOrMax(const Use &u)
{
    const Array items = u.r.iterate(u.v, u.at);
    if (items.empty())
        return Value::undefined();
    Value best = items.front();
    for (const Value &x : items)
        if (truthy(u.r.binary(u.name == "min" ? "<" : ">", x, best, u.at)))
            best = x;
    return best;
}

// --- Filters that select, map and sort -----------------------------------------------------------

Value mapItems(const Use &u)
{
    const Array items = u.r.iterate(u.v, u.at);
    Array out;
    if (auto attr = u.a.keyword("attribute")) {
        for (const Value &x : items) {
            Value y = u.r.attribute(x, str(*attr), u.at);
            if (y.isUndefined())
                if (auto d = u.a.keyword("default"))
                    y = *d;
            out.push_back(y);
        }
        return Value::array(std::move(out));
    }
    if (u.a.positional.empty())
        u.r.raise(u.at, "map needs a filter name or attribute=");
    Args rest;
    rest.positional.assign(u.a.positional.begin() + 1, u.a.positional.end());
    rest.keywords = u.a.keywords;
    for (const Value &x : items)
        out.push_back(u.r.filter(str(u.a.positional[0]), x, rest, u.at));
    return Value::array(std::move(out));
}

// select and reject by a test (truthiness without one); selectattr and rejectattr test an attribute.
Value selectOrReject(const Use &u)
{
    const Array items = u.r.iterate(u.v, u.at);
    Array out;
    const bool byAttr = u.name == "selectattr" || u.name == "rejectattr";
    const bool keep = u.name == "select" || u.name == "selectattr";
    const std::size_t first = byAttr ? 1 : 0;
    for (const Value &x : items) {
        const Value subject = byAttr ? u.r.attribute(x, str(u.a.get(0, "attribute")), u.at) : x;
        bool ok;
        if (u.a.positional.size() <= first) {
            ok = truthy(subject);
        } else {
            Args rest;
            rest.positional.assign(u.a.positional.begin() + std::ptrdiff_t(first) + 1, u.a.positional.end());
            ok = u.r.test(str(u.a.positional[first]), subject, rest, u.at);
        }
        if (ok == keep)
            out.push_back(x);
    }
    return Value::array(std::move(out));
}

Value mappingItems(const Use &u)
{
    if (u.v.kind != Value::Kind::Object)
        u.r.raise(u.at, "items needs a mapping, not a " + typeName(u.v));
    return Value::array(itemsOf(u.v));
}

// sort (by the item or an attribute) and dictsort (a mapping's items by key or by value); strings
// compare without case unless case_sensitive.
Value sortItems(const Use &u)
{
    const bool dictsort = u.name == "dictsort";
    if (dictsort && u.v.kind != Value::Kind::Object)
        u.r.raise(u.at, "dictsort needs a mapping");
    Array items = dictsort ? itemsOf(u.v) : u.r.iterate(u.v, u.at);
    const Args &a = u.a;
    const bool reverse = truthy(a.keyword("reverse").value_or(dictsort ? a.get(2, "reverse", Value::boolean(false)) : a.get(0, "reverse", Value::boolean(false))));
    const bool caseSensitive = truthy(a.keyword("case_sensitive").value_or(Value::boolean(false)));
    const Value attr = a.keyword("attribute").value_or(Value::undefined());
    const bool byValue = dictsort && str(a.get(1, "by", Value::string("key"))) == "value";
    auto keyOf = [&](const Value &x) {
        Value k = dictsort ? (*x.a)[byValue ? 1 : 0] : attr.isUndefined() ? x : u.r.attribute(x, str(attr), u.at);
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

// --- Filters of numbers --------------------------------------------------------------------------

Value toInt(const Use &u)
{
    if (u.v.kind == Value::Kind::String) {
        try {
            std::size_t used = 0;
            return Value::integer(std::stoll(stripChars(u.v.s, Value::undefined(), true, true), &used));
        } catch (...) {
            return u.a.get(0, "default", Value::integer(0));
        }
    }
    return u.v.isNumber() ? Value::integer(static_cast<long long>(u.v.number())) : u.a.get(0, "default", Value::integer(0));
}

Value toFloat(const Use &u)
{
    if (u.v.kind == Value::Kind::String) {
        try {
            return Value::real(std::stod(u.v.s));
        } catch (...) {
            return u.a.get(0, "default", Value::real(0));
        }
    }
    return u.v.isNumber() ? Value::real(u.v.number()) : u.a.get(0, "default", Value::real(0));
}

Value absolute(const Use &u)
{
    if (!u.v.isNumber())
        u.r.raise(u.at, "abs needs a number");
    return u.v.kind == Value::Kind::Float ? Value::real(std::fabs(u.v.f)) : Value::integer(std::llabs(static_cast<long long>(u.v.number())));
}

Value rounded(const Use &u)
{
    const long long precision = u.a.get(0, "precision", Value::integer(0)).i;
    const std::string method = str(u.a.get(1, "method", Value::string("common")));
    const double scale = std::pow(10.0, double(precision));
    double x = u.v.number() * scale;
    // "common" is Python's round(): halves go to the even neighbour (round(2.5) is 2.0).
    x = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::nearbyint(x);
    return Value::real(x / scale);
}

using Filter = Value (*)(const Use &);

// Function-local, so a render during another file's static initialisation still finds it.
const std::map<std::string, Filter> &filters()
{
    static const std::map<std::string, Filter> table{
        {"safe", safe}, {"string", asString}, {"e", htmlEscape}, {"escape", htmlEscape}, {"trim", trimmed},
        {"upper", changeCase}, {"lower", changeCase}, {"title", changeCase}, {"capitalize", changeCase},
        {"replace", replaceText}, {"indent", indentLines}, {"wordcount", wordcount}, {"tojson", toJsonText},
        {"default", withDefault}, {"d", withDefault},
        {"length", lengthOf}, {"count", lengthOf}, {"list", asList}, {"first", firstOrLast}, {"last", firstOrLast},
        {"reverse", reversed}, {"join", joinItems}, {"unique", unique}, {"sum", total}, {"min", minOrMax}, {"max", minOrMax},
        {"map", mapItems}, {"select", selectOrReject}, {"reject", selectOrReject}, {"selectattr", selectOrReject},
        {"rejectattr", selectOrReject}, {"items", mappingItems}, {"sort", sortItems}, {"dictsort", sortItems},
        {"int", toInt}, {"float", toFloat}, {"abs", absolute}, {"round", rounded},
    };
    return table;
}

// --- Tests ---------------------------------------------------------------------------------------

bool isKind(const Value &v, std::initializer_list<Value::Kind> kinds) { return std::find(kinds.begin(), kinds.end(), v.kind) != kinds.end(); }

// odd, even and divisibleby, on integers.
bool divisibility(const Use &u)
{
    if (u.v.kind != Value::Kind::Int)
        u.r.raise(u.at, "the test '" + u.name + "' needs an integer");
    const long long n = u.name == "divisibleby" ? u.a.get(0, "num").i : 2;
    if (n == 0)
        u.r.raise(u.at, "divisibleby 0");
    const bool divisible = u.v.i % n == 0;
    return u.name == "odd" ? !divisible : divisible;
}

// lt, le, gt, ge and in: the operator's answer.
bool comparison(const Use &u)
{
    static const std::map<std::string, std::string> op{{"lt", "<"}, {"le", "<="}, {"gt", ">"}, {"ge", ">="}, {"in", "in"}};
    return truthy(u.r.binary(op.at(u.name), u.v, u.a.get(0, u.name == "in" ? "seq" : "other"), u.at));
}

bool equalTo(const Use &u) { return equal(u.v, u.a.get(0, "other")); }
bool notEqualTo(const Use &u) { return !equal(u.v, u.a.get(0, "other")); }

using Test = bool (*)(const Use &);
using K = Value::Kind;

const std::map<std::string, Test> &tests()
{
    static const std::map<std::string, Test> table{
        {"defined", [](const Use &u) { return !u.v.isUndefined(); }},
        {"undefined", [](const Use &u) { return u.v.isUndefined(); }},
        {"none", [](const Use &u) { return u.v.kind == K::None; }},
        {"string", [](const Use &u) { return u.v.kind == K::String; }},
        {"number", [](const Use &u) { return isKind(u.v, {K::Int, K::Float}); }},
        {"integer", [](const Use &u) { return u.v.kind == K::Int; }},
        {"float", [](const Use &u) { return u.v.kind == K::Float; }},
        {"boolean", [](const Use &u) { return u.v.kind == K::Bool; }},
        {"true", [](const Use &u) { return u.v.kind == K::Bool && u.v.b; }},
        {"false", [](const Use &u) { return u.v.kind == K::Bool && !u.v.b; }},
        {"mapping", [](const Use &u) { return u.v.kind == K::Object; }},
        {"iterable", [](const Use &u) { return isKind(u.v, {K::Array, K::Object, K::String}); }},
        {"sequence", [](const Use &u) { return isKind(u.v, {K::Array, K::Object, K::String}); }},
        {"callable", [](const Use &u) { return u.v.kind == K::Function; }},
        {"odd", divisibility}, {"even", divisibility}, {"divisibleby", divisibility},
        {"eq", equalTo}, {"equalto", equalTo}, {"==", equalTo}, {"ne", notEqualTo}, {"!=", notEqualTo},
        {"lt", comparison}, {"le", comparison}, {"gt", comparison}, {"ge", comparison}, {"in", comparison},
    };
    return table;
}

} // namespace

Value Renderer::filter(const std::string &name, const Value &v, Args &a, Location at)
{
    const auto it = filters().find(name);
    if (it == filters().end())
        raise(at, "the filter '" + name + "' is not supported");
    return it->second(Use{*this, name, v, a, at});
}

bool Renderer::test(const std::string &name, const Value &v, Args &a, Location at)
{
    const auto it = tests().find(name);
    if (it == tests().end())
        raise(at, "the test '" + name + "' is not supported");
    return it->second(Use{*this, name, v, a, at});
}

} // namespace sdrt::model::jinja::detail
