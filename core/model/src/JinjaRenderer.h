#pragma once
// The interpreter: walks a parsed template's tree over a context of values. Statements and macros
// are in JinjaRenderer.cpp, expressions in JinjaEval.cpp, filters and tests in JinjaFilters.cpp.
// A failure throws RenderError up to run(), which returns its message. One Renderer serves one
// render() call. Private to the Jinja engine.

#include "JinjaBuiltins.h"
#include "JinjaSyntax.h"

namespace sdrt::model::jinja::detail {

struct RenderError {
    std::string message;
};

class Renderer {
public:
    Renderer(const std::string &name, const Options &opt) : m_name(name), m_opt(opt) {}

    Expected<std::string, std::string> run(const Body &body, Value context);

    // What filters and tests build on; a failure is raised at `at`.
    [[noreturn]] void raise(Location at, const std::string &why) const;
    Array iterate(const Value &v, Location at) const;
    Value call(const Value &f, Args &args, Location at, const std::string &what);
    Value binary(const std::string &op, const Value &a, const Value &b, Location at);
    // `objExpr` names an undefined object in the error.
    Value attribute(const Value &obj, const std::string &name, Location at, const Expr &objExpr = Expr{});
    Value filter(const std::string &name, const Value &v, Args &a, Location at);
    bool test(const std::string &name, const Value &v, Args &a, Location at);

private:
    // One level of rendering deeper for its lifetime; past Options::maxRenderDepth, an error at `at`.
    class Deeper {
    public:
        Deeper(Renderer &r, Location at);
        ~Deeper() { --m_renderer.m_depth; }
        Deeper(const Deeper &) = delete;
        Deeper &operator=(const Deeper &) = delete;

    private:
        Renderer &m_renderer;
    };

    // --- Statements (JinjaRenderer.cpp) ----------------------------------------------------------
    Value lookup(const std::string &n) const;
    void render(const Body &body, std::string &out);
    void renderNode(const Node &n, std::string &out);
    void renderSet(const Node &n);
    void renderFor(const Node &n, std::string &out);
    Value withBody(const Expr &chain, const Value &body);
    void assign(const std::vector<std::string> &targets, const Value &v, Location at);
    // Refuses to set a value that nests past the limit or, set into namespace `into`, holds it.
    void checkStorable(const Value &v, const Node &set, const Value *into) const;
    Value macro(const Node &n, const std::string &name);
    Expected<Value, std::string> callMacro(const Node &def, const std::string &name, Args &a);

    // --- Expressions (JinjaEval.cpp) -------------------------------------------------------------
    Args evalArgs(const CallArgs &c);
    Value eval(const Expr &e);
    Value evalInner(const Expr &e);
    Value unaryMinus(const Expr &e);
    bool contains(const Value &container, const Value &x, Location at) const;
    Value compareOrder(const std::string &op, const Value &a, const Value &b, Location at) const;
    Value arithmetic(const std::string &op, const Value &a, const Value &b, Location at) const;
    Value item(const Value &obj, const Value &key, Location at, const Expr &objExpr);
    Value slice(const Value &obj, const Expr &e);

    std::string m_name;
    Options m_opt;
    std::vector<Scope> m_scopes;
    int m_depth = 0;  // rendering levels in progress (Deeper)
    int m_macros = 0; // macro calls in progress
    long long m_steps = 0;
};

} // namespace sdrt::model::jinja::detail
