#pragma once
// The values a template computes with, shaped as Python's (Jinja2 hands templates Python objects):
// undefined, None, bool, int, float, str, list/tuple, dict in insertion order, callables. Printing,
// truthiness and equality follow Python, so templates render as transformers renders them.
// Private to the Jinja engine (sdrt/model/Jinja.h).

#include "sdrt/common/Expected.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sdrt::model::jinja::detail {

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

// The arguments of a call, a filter or a test.
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

// --- JinjaValue.cpp ------------------------------------------------------------------------------

bool truthy(const Value &v);
// Python's str(v), or repr(v) with `repr`.
std::string str(const Value &v, bool repr = false);
// Python's ==: numbers by value across int, float and bool; lists and dicts item by item.
bool equal(const Value &a, const Value &b);
// Python's json.dumps(x, ensure_ascii=False, indent=indent, separators=default, sort_keys=sort);
// indent < 0 is none.
void toJson(const Value &v, std::string &out, int indent, int level, bool sortKeys);
// What error messages call the value's type ("a string cannot be called").
std::string typeName(const Value &v);

// The letter of a control character's backslash escape (\n, \t, \r, \b, \f), or 0: the ones
// JSON and Jinja's string literals share.
char escapeLetter(char control);
// The control character a backslash escape's letter stands for, or 0.
char escapedControl(char letter);

} // namespace sdrt::model::jinja::detail
