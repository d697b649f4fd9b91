#include "JinjaRenderer.h"

#include "JinjaStrings.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace sdrt::model::jinja::detail {
namespace {

std::string describe(const Expr &e)
{
    if (e.kind == Expr::Kind::Name)
        return e.name;
    if (e.kind == Expr::Kind::Attr)
        return describe(*e.a) + "." + e.name;
    return "the value";
}

} // namespace

Value Renderer::call(const Value &f, Args &args, Location at, const std::string &what)
{
    if (f.kind != Value::Kind::Function)
        raise(at, f.isUndefined() ? "'" + (f.s.empty() ? what : f.s) + "' is undefined and cannot be called" : "a " + typeName(f) + " cannot be called");
    auto r = (*f.fn)(args);
    if (!r) {
        if (r.error().rfind(m_name + ":", 0) == 0) // already located, by a macro's body
            throw RenderError{r.error()};
        raise(at, r.error());
    }
    return *r;
}

Args Renderer::evalArgs(const CallArgs &c)
{
    Args a;
    for (const auto &e : c.positional)
        a.positional.push_back(eval(*e));
    for (const auto &[k, e] : c.keywords)
        a.keywords.emplace_back(k, eval(*e));
    return a;
}

Value Renderer::eval(const Expr &e)
{
    const Deeper deeper(*this, e.at);
    return evalInner(e);
}

Value Renderer::evalInner(const Expr &e)
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
    case Expr::Kind::Unary: return unaryMinus(e);
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

// "-x" and "+x".
Value Renderer::unaryMinus(const Expr &e)
{
    Value v = eval(*e.a);
    if (!v.isNumber())
        raise(e.at, "bad operand for unary " + e.name + ": a " + typeName(v));
    if (e.name == "+")
        return v;
    return v.kind == Value::Kind::Float ? Value::real(-v.f) : Value::integer(-static_cast<long long>(v.number()));
}

// --- Operators -----------------------------------------------------------------------------------

Value Renderer::binary(const std::string &op, const Value &a, const Value &b, Location at)
{
    if (op == "==")
        return Value::boolean(equal(a, b));
    if (op == "!=")
        return Value::boolean(!equal(a, b));
    if (op == "in" || op == "not in") {
        const bool found = contains(b, a, at);
        return Value::boolean(op == "in" ? found : !found);
    }
    if (op == "~")
        return Value::string(str(a) + str(b));
    if (op == "<" || op == "<=" || op == ">" || op == ">=")
        return compareOrder(op, a, b, at);
    return arithmetic(op, a, b, at);
}

// "x in container": a substring, a list's item or a mapping's key.
bool Renderer::contains(const Value &container, const Value &x, Location at) const
{
    bool found = false;
    if (container.kind == Value::Kind::String) {
        if (x.kind != Value::Kind::String)
            raise(at, "'in <string>' needs a string on the left, not a " + typeName(x));
        found = container.s.find(x.s) != std::string::npos;
    } else if (container.kind == Value::Kind::Array) {
        for (const Value &y : *container.a)
            found = found || equal(x, y);
    } else if (container.kind == Value::Kind::Object) {
        found = x.kind == Value::Kind::String && container.find(x.s);
    } else if (container.isUndefined()) {
        raise(at, "'" + container.s + "' is undefined");
    } else {
        raise(at, "a " + typeName(container) + " is not a container for 'in'");
    }
    return found;
}

// < <= > >= between numbers or between strings.
Value Renderer::compareOrder(const std::string &op, const Value &a, const Value &b, Location at) const
{
    int c = 0;
    if (a.isNumber() && b.isNumber())
        c = a.number() < b.number() ? -1 : a.number() > b.number() ? 1 : 0;
    else if (a.kind == Value::Kind::String && b.kind == Value::Kind::String)
        c = a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
    else
        raise(at, "'" + op + "' is not supported between a " + typeName(a) + " and a " + typeName(b));
    return Value::boolean(op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0);
}

// + - * / // % **: on numbers as Python's int and float; + also joins strings and lists, and
// * repeats a string.
Value Renderer::arithmetic(const std::string &op, const Value &a, const Value &b, Location at) const
{
    const auto isString = [](const Value &v) { return v.kind == Value::Kind::String; };
    if (op == "+" && isString(a) && isString(b))
        return Value::string(a.s + b.s);
    if (op == "+" && a.kind == Value::Kind::Array && b.kind == Value::Kind::Array) {
        Array out = *a.a;
        out.insert(out.end(), b.a->begin(), b.a->end());
        return Value::array(std::move(out));
    }
    if (op == "*" && ((isString(a) && b.kind == Value::Kind::Int) || (a.kind == Value::Kind::Int && isString(b)))) {
        const Value &s = isString(a) ? a : b;
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
    const auto whole = [](double v) { return static_cast<long long>(v); };
    if (op == "+")
        return ints ? Value::integer(whole(x) + whole(y)) : Value::real(x + y);
    if (op == "-")
        return ints ? Value::integer(whole(x) - whole(y)) : Value::real(x - y);
    if (op == "*")
        return ints ? Value::integer(whole(x) * whole(y)) : Value::real(x * y);
    if (op == "**")
        return ints && y >= 0 ? Value::integer(whole(std::pow(x, y))) : Value::real(std::pow(x, y));
    if (y == 0)
        raise(at, "division by zero");
    if (op == "/")
        return Value::real(x / y);
    if (op == "//")
        return ints ? Value::integer(whole(std::floor(x / y))) : Value::real(std::floor(x / y));
    if (op == "%") {
        if (!ints)
            return Value::real(x - y * std::floor(x / y));
        long long r = whole(x) % whole(y);
        if (r != 0 && ((r < 0) != (y < 0)))
            r += whole(y);
        return Value::integer(r);
    }
    raise(at, "unknown operator " + op);
}

// --- Access --------------------------------------------------------------------------------------

Value Renderer::item(const Value &obj, const Value &key, Location at, const Expr &objExpr)
{
    if (obj.kind == Value::Kind::Array || obj.kind == Value::Kind::String) {
        if (key.kind != Value::Kind::Int && key.kind != Value::Kind::Bool)
            return obj.kind == Value::Kind::String && key.kind == Value::Kind::String ? method(obj, key.s) : Value::undefined();
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
        return method(obj, str(key));
    }
    if (obj.isUndefined())
        raise(at, "'" + (obj.s.empty() ? describe(objExpr) : obj.s) + "' is undefined");
    return Value::undefined();
}

Value Renderer::attribute(const Value &obj, const std::string &name, Location at, const Expr &objExpr)
{
    if (obj.kind == Value::Kind::Object) {
        if (const Value *v = obj.find(name))
            return *v;
    }
    if (obj.isUndefined())
        raise(at, "'" + (obj.s.empty() ? describe(objExpr) : obj.s) + "' is undefined (reading ." + name + ")");
    if (obj.kind == Value::Kind::Array && !name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) {
        // "x.0" is x[0]; an index past 64 bits is past any list's end.
        long long index = std::numeric_limits<long long>::max();
        std::from_chars(name.data(), name.data() + name.size(), index);
        return item(obj, Value::integer(index), at, objExpr);
    }
    return method(obj, name);
}

Value Renderer::slice(const Value &obj, const Expr &e)
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
    if (obj.kind == Value::Kind::String)
        return Value::string(concatenated(out));
    return Value::array(std::move(out));
}

} // namespace sdrt::model::jinja::detail
