#include "JinjaParser.h"

#include <map>

namespace sdrt::model::jinja::detail {

Expected<Body, std::string> parse(const std::vector<Token> &tokens, const std::string &name, int maxDepth)
{
    return Parser(tokens, name, maxDepth).parseTemplate();
}

Expected<Body, std::string> Parser::parseTemplate()
{
    Body body;
    std::string stop;
    if (!parseBody(body, {}, stop))
        return unexpected(m_error);
    if (peek().kind != Token::Kind::End)
        return unexpected(located(m_name, peek().at, "unexpected {% " + stop + " %}"));
    return body;
}

// --- Tokens --------------------------------------------------------------------------------------

bool Parser::fail(const std::string &why)
{
    if (m_error.empty())
        m_error = located(m_name, peek().at, why);
    return false;
}

bool Parser::expectOp(const char *op)
{
    if (!isOp(op))
        return fail(std::string("expected '") + op + "'" + describeNext());
    ++m_pos;
    return true;
}

bool Parser::expectBlockEnd()
{
    if (peek().kind != Token::Kind::BlockEnd)
        return fail("expected %}" + describeNext());
    ++m_pos;
    return true;
}

bool Parser::deeper()
{
    if (++m_depth <= m_maxDepth)
        return true;
    return fail("the template nests brackets, operators or blocks more than " + std::to_string(m_maxDepth) + " levels deep");
}

std::string Parser::describeNext() const
{
    const Token &t = peek();
    switch (t.kind) {
    case Token::Kind::BlockEnd: return " before %}";
    case Token::Kind::ExprEnd: return " before }}";
    case Token::Kind::End: return " before the end of the template";
    default: return ", found '" + t.text + "'";
    }
}

bool Parser::commaSeparated(const char *close, const std::function<bool()> &item)
{
    while (!isOp(close)) {
        if (!item())
            return false;
        if (isOp(","))
            ++m_pos;
        else if (!isOp(close))
            return fail(std::string("expected ',' or '") + close + "'" + describeNext());
    }
    ++m_pos;
    return true;
}

// --- Statements ----------------------------------------------------------------------------------

// Parses nodes until a block tag whose keyword is in `stops` (left for the caller, which reads
// `stop`), or the end.
bool Parser::parseBody(Body &body, const std::vector<std::string> &stops, std::string &stop)
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
            m_pos += 2;
            if (std::find(stops.begin(), stops.end(), kw.text) != stops.end()) {
                stop = kw.text;
                return true;
            }
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

// A block's body up to its {% `end` %}, the tag included.
bool Parser::blockBody(Body &body, const char *end)
{
    std::string stop;
    return parseBody(body, {end}, stop) && expectBlockEnd();
}

NodePtr Parser::statement(const Token &kw)
{
    using Statement = bool (Parser::*)(Node &, const Token &);
    static const std::map<std::string, Statement> statements{
        {"if", &Parser::ifStatement},         {"for", &Parser::forStatement},       {"set", &Parser::setStatement},
        {"macro", &Parser::macroStatement},   {"call", &Parser::callStatement},     {"filter", &Parser::filterStatement},
        {"generation", &Parser::generationStatement},
    };
    const std::string &k = kw.text;
    if (const auto it = statements.find(k); it != statements.end()) {
        const Nesting nesting(*this);
        if (!deeper())
            return nullptr;
        auto n = std::make_shared<Node>();
        n->at = kw.at;
        return (this->*it->second)(*n, kw) ? n : nullptr;
    }
    if (m_error.empty())
        m_error = located(m_name, kw.at, k.rfind("end", 0) == 0 || k == "else" || k == "elif" ? "unexpected {% " + k + " %}: no block is open"
                                                                                             : "the statement '" + k + "' is not supported");
    return nullptr;
}

bool Parser::ifStatement(Node &n, const Token &)
{
    n.kind = Node::Kind::If;
    ExprPtr cond = expression();
    if (!cond || !expectBlockEnd())
        return false;
    for (;;) {
        Body body;
        std::string stop;
        if (!parseBody(body, {"elif", "else", "endif"}, stop))
            return false;
        n.branches.emplace_back(cond, std::move(body));
        if (stop == "endif")
            break;
        if (stop == "else") {
            if (!expectBlockEnd())
                return false;
            Body elseBody;
            if (!parseBody(elseBody, {"endif"}, stop))
                return false;
            n.branches.emplace_back(nullptr, std::move(elseBody));
            break;
        }
        cond = expression(); // elif
        if (!cond || !expectBlockEnd())
            return false;
    }
    return expectBlockEnd();
}

bool Parser::forStatement(Node &n, const Token &)
{
    n.kind = Node::Kind::For;
    if (!targetNames(n.targets))
        return false;
    if (!isName("in"))
        return fail("expected 'in' in the for statement");
    ++m_pos;
    n.expr = orExpr(); // no conditional expression here: "if" starts the loop filter
    if (!n.expr)
        return false;
    if (!optionalExpression(isName("if"), n.filter, &Parser::orExpr))
        return false;
    if (isName("recursive"))
        return fail("recursive for loops are not supported");
    if (!expectBlockEnd())
        return false;
    std::string stop;
    if (!parseBody(n.body, {"else", "endfor"}, stop))
        return false;
    if (stop == "else")
        return expectBlockEnd() && blockBody(n.elseBody, "endfor");
    return expectBlockEnd();
}

bool Parser::setStatement(Node &n, const Token &kw)
{
    if (peek().kind != Token::Kind::Name)
        return fail("expected a name after set");
    if (isOp(".", 1)) { // set ns.attr = value
        n.kind = Node::Kind::Set;
        auto obj = make(Expr::Kind::Name, kw.at);
        obj->name = next().text;
        ++m_pos;
        if (peek().kind != Token::Kind::Name)
            return fail("expected an attribute name");
        n.attrTarget = obj;
        n.attrName = next().text;
    } else {
        if (!targetNames(n.targets))
            return false;
        if (peek().kind == Token::Kind::BlockEnd || isOp("|")) { // block set
            n.kind = Node::Kind::SetBlock;
            if (n.targets.size() != 1)
                return fail("a block set assigns one name");
            n.name = n.targets[0];
            if (isOp("|"))
                n.filter = filterChainOnBody();
            return expectBlockEnd() && blockBody(n.body, "endset");
        }
        n.kind = Node::Kind::Set;
    }
    if (!expectOp("="))
        return false;
    n.expr = tupleOrExpression();
    return n.expr && expectBlockEnd();
}

bool Parser::macroStatement(Node &n, const Token &)
{
    n.kind = Node::Kind::Macro;
    if (peek().kind != Token::Kind::Name)
        return fail("expected the macro's name");
    n.name = next().text;
    return parameters(n.params) && expectBlockEnd() && blockBody(n.body, "endmacro");
}

bool Parser::callStatement(Node &n, const Token &)
{
    n.kind = Node::Kind::CallBlock;
    if (isOp("(") && !parameters(n.params))
        return false;
    n.expr = expression();
    if (!n.expr || n.expr->kind != Expr::Kind::Call)
        return fail("expected a macro call after call");
    return expectBlockEnd() && blockBody(n.body, "endcall");
}

bool Parser::filterStatement(Node &n, const Token &)
{
    n.kind = Node::Kind::FilterBlock;
    n.filter = filterChainOnBody(true); // the chain starts at the filter's name
    return n.filter && expectBlockEnd() && blockBody(n.body, "endfilter");
}

// transformers' extension: marks the assistant's text; rendered as is.
bool Parser::generationStatement(Node &n, const Token &)
{
    n.kind = Node::Kind::Block;
    return expectBlockEnd() && blockBody(n.body, "endgeneration");
}

bool Parser::targetNames(std::vector<std::string> &names)
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

bool Parser::parameters(std::vector<std::pair<std::string, ExprPtr>> &params)
{
    if (!expectOp("("))
        return false;
    return commaSeparated(")", [&] {
        if (peek().kind != Token::Kind::Name)
            return fail("expected a parameter name");
        std::string p = next().text;
        ExprPtr def;
        if (!optionalExpression(isOp("="), def))
            return false;
        params.emplace_back(std::move(p), def);
        return true;
    });
}

// "| f(args) | g" applied to the rendered body (Name __body__).
ExprPtr Parser::filterChainOnBody(bool first)
{
    const Nesting nesting(*this);
    auto body = make(Expr::Kind::Name, Location{});
    body->name = "__body__";
    ExprPtr e = body;
    while (first || isOp("|")) {
        if (!first)
            ++m_pos;
        first = false;
        if (!deeper())
            return nullptr;
        e = filterOf(e);
        if (!e)
            return nullptr;
    }
    return e;
}

} // namespace sdrt::model::jinja::detail
