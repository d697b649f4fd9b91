#include "JinjaRenderer.h"

#include "JinjaStrings.h"

#include <algorithm>
#include <unordered_map>

namespace sdrt::model::jinja::detail {
namespace {

// How many lists and dicts deep `v` nests (0: neither), or -1 when it reaches the object `holder`.
// The walk stops `limit` levels down (a deeper value gives more than the limit it was asked
// about); parts shared by several lists are walked once.
int nesting(const Value &v, const Object *holder, int limit, std::unordered_map<const void *, int> &seen)
{
    const void *id = v.kind == Value::Kind::Array ? static_cast<const void *>(v.a.get())
                     : v.kind == Value::Kind::Object ? static_cast<const void *>(v.o.get())
                                                     : nullptr;
    if (!id)
        return 0;
    if (id == holder)
        return -1;
    if (const auto known = seen.find(id); known != seen.end())
        return known->second;
    int deepest = 0;
    auto visit = [&](const Value &x) {
        const int d = limit > 0 ? nesting(x, holder, limit - 1, seen) : 1;
        deepest = d < 0 || deepest < 0 ? -1 : std::max(deepest, d);
    };
    if (v.kind == Value::Kind::Array) {
        for (const Value &x : *v.a)
            visit(x);
    } else {
        for (const auto &[key, x] : *v.o)
            visit(x);
    }
    const int depth = deepest < 0 ? -1 : deepest + 1;
    seen[id] = depth;
    return depth;
}

} // namespace

Expected<std::string, std::string> Renderer::run(const Body &body, Value context)
{
    m_scopes.push_back({});
    for (auto &[k, v] : *context.o)
        m_scopes.back()[k] = v;
    addGlobals(m_scopes.front());
    std::string out;
    try {
        render(body, out);
    } catch (const RenderError &e) {
        return unexpected(e.message);
    }
    return out;
}

void Renderer::raise(Location at, const std::string &why) const
{
    throw RenderError{located(m_name, at, why)};
}

Renderer::Deeper::Deeper(Renderer &r, Location at) : m_renderer(r)
{
    if (++r.m_depth > r.m_opt.maxRenderDepth) {
        --r.m_depth;
        r.raise(at, "the template nests blocks, expressions and macro calls more than " + std::to_string(r.m_opt.maxRenderDepth)
                        + " levels deep while rendering");
    }
}

Value Renderer::lookup(const std::string &n) const
{
    for (auto it = m_scopes.rbegin(); it != m_scopes.rend(); ++it)
        if (auto f = it->find(n); f != it->end())
            return f->second;
    return Value::undefined(n);
}

Array Renderer::iterate(const Value &v, Location at) const
{
    switch (v.kind) {
    case Value::Kind::Array: return *v.a;
    case Value::Kind::Object: {
        Array keys;
        for (auto &[k, x] : *v.o)
            keys.push_back(Value::string(k));
        return keys;
    }
    case Value::Kind::String: return characters(v.s);
    case Value::Kind::Undefined: raise(at, "'" + v.s + "' is undefined and cannot be iterated");
    default: raise(at, "a " + typeName(v) + " cannot be iterated");
    }
}

// --- Statements ----------------------------------------------------------------------------------

void Renderer::render(const Body &body, std::string &out)
{
    for (const NodePtr &n : body)
        renderNode(*n, out);
}

void Renderer::renderNode(const Node &n, std::string &out)
{
    const Deeper deeper(*this, n.at);
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
    case Node::Kind::Set:
    case Node::Kind::SetBlock: renderSet(n); return;
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

// {% set names = value %}, {% set ns.attr = value %} and {% set name %}…{% endset %}.
void Renderer::renderSet(const Node &n)
{
    if (n.kind == Node::Kind::SetBlock) {
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
    Value v = eval(*n.expr);
    if (n.attrTarget) {
        Value obj = eval(*n.attrTarget);
        if (obj.kind != Value::Kind::Object || !obj.isNamespace)
            raise(n.at, "only a namespace() object's attributes can be set ('" + n.attrTarget->name + "." + n.attrName + "')");
        checkStorable(v, n, &obj);
        obj.set(n.attrName, v);
        return;
    }
    checkStorable(v, n, nullptr);
    assign(n.targets, v, n.at);
}

// A value set is the only one that lives from one loop step to the next, so the only way to
// build a value without bound (each step wrapping the last), or, through a namespace's
// attribute, one that holds itself: printing, comparing or freeing either recurses past the
// stack. Expressions alone nest no deeper than the template does.
void Renderer::checkStorable(const Value &v, const Node &set, const Value *into) const
{
    std::unordered_map<const void *, int> seen;
    const int depth = nesting(v, into ? into->o.get() : nullptr, m_opt.maxRenderDepth, seen);
    if (depth < 0)
        raise(set.at, "'" + set.attrTarget->name + "." + set.attrName + "' cannot hold its own namespace");
    if (depth > m_opt.maxRenderDepth)
        raise(set.at, "the value set nests lists and dicts more than " + std::to_string(m_opt.maxRenderDepth) + " levels deep");
}

Value Renderer::withBody(const Expr &chain, const Value &body)
{
    m_scopes.emplace_back();
    m_scopes.back()["__body__"] = body;
    Value v = eval(chain);
    m_scopes.pop_back();
    return v;
}

void Renderer::assign(const std::vector<std::string> &targets, const Value &v, Location at)
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

void Renderer::renderFor(const Node &n, std::string &out)
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

// --- Macros --------------------------------------------------------------------------------------

// A {% macro %} (or a {% call %} block's caller) as a function value. The node outlives the
// function: both live no longer than the render.
Value Renderer::macro(const Node &n, const std::string &name)
{
    const Node *def = &n;
    return Value::function([this, def, name](Args &a) { return callMacro(*def, name, a); });
}

Expected<Value, std::string> Renderer::callMacro(const Node &def, const std::string &name, Args &a)
{
    if (m_macros >= m_opt.maxDepth)
        return unexpected("the macro '" + name + "' calls itself past the recursion limit of " + std::to_string(m_opt.maxDepth));
    ++m_macros;
    struct Leave {
        int &macros;
        ~Leave() { --macros; }
    } leave{m_macros};
    Scope frame;
    for (std::size_t k = 0; k < def.params.size(); ++k) {
        const auto &[p, dflt] = def.params[k];
        if (k < a.positional.size())
            frame[p] = a.positional[k];
        else if (auto kw = a.keyword(p))
            frame[p] = *kw;
        else
            frame[p] = dflt ? eval(*dflt) : Value::undefined(p);
    }
    for (const auto &[k, v] : a.keywords) {
        bool known = false;
        for (const auto &[p, d] : def.params)
            known = known || p == k;
        if (!known && k != "caller")
            return unexpected("the macro '" + name + "' has no parameter '" + k + "'");
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
        render(def.body, out);
    } catch (...) {
        m_scopes.swap(saved);
        throw;
    }
    m_scopes.swap(saved);
    return Value::string(out);
}

} // namespace sdrt::model::jinja::detail
