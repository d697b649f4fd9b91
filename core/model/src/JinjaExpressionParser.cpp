#include "JinjaParser.h"

#include <charconv>

namespace sdrt::model::jinja::detail {

std::shared_ptr<Expr> Parser::make(Expr::Kind kind, Location at)
{
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->at = at;
    return e;
}

bool Parser::optionalExpression(bool present, ExprPtr &out, ExprPtr (Parser::*level)())
{
    if (!present)
        return true;
    ++m_pos;
    out = (this->*level)();
    return out != nullptr;
}

ExprPtr Parser::tupleOrExpression()
{
    const Location at = peek().at;
    ExprPtr first = expression();
    if (!first || !isOp(","))
        return first;
    auto t = make(Expr::Kind::Tuple, at);
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

ExprPtr Parser::expression()
{
    const Nesting nesting(*this);
    if (!deeper())
        return nullptr;
    // A nested expression (in parentheses, brackets or arguments) takes its own filters.
    const int savedNoFilters = m_noFilters;
    m_noFilters = 0;
    ExprPtr e = conditional();
    m_noFilters = savedNoFilters;
    return e;
}

ExprPtr Parser::conditional()
{
    ExprPtr value = orExpr();
    if (!value)
        return nullptr;
    if (!isName("if"))
        return value;
    auto e = make(Expr::Kind::Cond, next().at);
    ExprPtr cond = orExpr();
    if (!cond)
        return nullptr;
    ExprPtr otherwise;
    if (!optionalExpression(isName("else"), otherwise))
        return nullptr;
    e->a = value;
    e->b = cond;
    e->c = otherwise;
    return e;
}

// "a or b" and "a and b": left-associative chains of one keyword over the next level. Each link
// of a chain is a level of the tree, so it counts as one of nesting.
ExprPtr Parser::logical(const char *keyword, Expr::Kind kind, ExprPtr (Parser::*nextLevel)())
{
    const Nesting nesting(*this);
    ExprPtr left = (this->*nextLevel)();
    while (left && isName(keyword)) {
        if (!deeper())
            return nullptr;
        auto e = make(kind, next().at);
        e->a = left;
        e->b = (this->*nextLevel)();
        if (!e->b)
            return nullptr;
        left = e;
    }
    return left;
}
ExprPtr Parser::orExpr() { return logical("or", Expr::Kind::Or, &Parser::andExpr); }
ExprPtr Parser::andExpr() { return logical("and", Expr::Kind::And, &Parser::notExpr); }

ExprPtr Parser::notExpr()
{
    if (isName("not")) {
        const Nesting nesting(*this);
        if (!deeper())
            return nullptr;
        auto e = make(Expr::Kind::Not, next().at);
        e->a = notExpr();
        return e->a ? e : nullptr;
    }
    return compare();
}

ExprPtr Parser::compare()
{
    const Nesting nesting(*this);
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
            left = deeper() ? isTest(left) : nullptr;
            continue;
        } else
            return left;
        if (!deeper())
            return nullptr;
        auto e = make(Expr::Kind::Binary, peek().at);
        e->name = op;
        e->a = left;
        e->b = concat();
        if (!e->b)
            return nullptr;
        left = e;
    }
}

// "value is [not] name", with arguments in parentheses or one without them.
ExprPtr Parser::isTest(ExprPtr value)
{
    auto e = make(Expr::Kind::Test, next().at);
    e->negated = isName("not") ? (++m_pos, true) : false;
    if (peek().kind != Token::Kind::Name)
        return fail("expected a test name after 'is'"), nullptr;
    e->a = value;
    e->name = next().text;
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
    return e;
}

ExprPtr Parser::binaryLevel(const std::vector<const char *> &ops, ExprPtr (Parser::*nextLevel)())
{
    const Nesting nesting(*this);
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
        if (!deeper())
            return nullptr;
        auto e = make(Expr::Kind::Binary, next().at);
        e->name = op;
        e->a = left;
        e->b = (this->*nextLevel)();
        if (!e->b)
            return nullptr;
        left = e;
    }
}
ExprPtr Parser::concat() { return binaryLevel({"~"}, &Parser::sum); }
ExprPtr Parser::sum() { return binaryLevel({"+", "-"}, &Parser::product); }
ExprPtr Parser::product() { return binaryLevel({"*", "/", "//", "%"}, &Parser::power); }

// Jinja's order: ** binds looser than unary minus (-3 ** 2 is 9) and is left-associative.
ExprPtr Parser::power() { return binaryLevel({"**"}, &Parser::unaryWithFilters); }

// Unary minus applies to the operand before its filters: "-2.5 | abs" is abs(-2.5).
ExprPtr Parser::unaryWithFilters() { return unary(true); }

ExprPtr Parser::unary(bool withFilters)
{
    const Nesting nesting(*this);
    ExprPtr e;
    if (isOp("-") || isOp("+")) {
        if (!deeper())
            return nullptr;
        auto u = make(Expr::Kind::Unary, peek().at);
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
        if (!deeper())
            return nullptr;
        ++m_pos;
        e = filterOf(e);
    }
    return e;
}

bool Parser::callArgs(CallArgs &args)
{
    if (!expectOp("("))
        return false;
    return commaSeparated(")", [&] {
        const bool keyword = peek().kind == Token::Kind::Name && isOp("=", 1);
        std::string key;
        if (keyword) {
            key = next().text;
            ++m_pos;
        } else if (!args.keywords.empty()) {
            return fail("a positional argument follows a keyword argument");
        }
        ExprPtr v = expression();
        if (!v)
            return false;
        if (keyword)
            args.keywords.emplace_back(std::move(key), v);
        else
            args.positional.push_back(v);
        return true;
    });
}

ExprPtr Parser::filterOf(ExprPtr value)
{
    if (peek().kind != Token::Kind::Name)
        return fail("expected a filter name after '|'"), nullptr;
    auto e = make(Expr::Kind::Filter, peek().at);
    e->name = next().text;
    e->a = value;
    if (isOp("(") && !callArgs(e->args))
        return nullptr;
    return e;
}

ExprPtr Parser::postfix()
{
    const Nesting nesting(*this);
    ExprPtr e = primary();
    for (;;) {
        if (!e)
            return nullptr;
        const bool filter = isOp("|") && m_noFilters == 0;
        if (!isOp(".") && !isOp("[") && !isOp("(") && !filter)
            return e;
        if (!deeper())
            return nullptr;
        if (isOp(".")) {
            ++m_pos;
            if (peek().kind != Token::Kind::Name && peek().kind != Token::Kind::Int)
                return fail("expected an attribute name after '.'"), nullptr;
            auto a = make(Expr::Kind::Attr, peek().at);
            a->name = next().text;
            a->a = e;
            e = a;
        } else if (isOp("[")) {
            e = subscript(e);
        } else if (isOp("(")) {
            auto c = make(Expr::Kind::Call, peek().at);
            c->a = e;
            if (!callArgs(c->args))
                return nullptr;
            e = c;
        } else { // filter
            ++m_pos;
            e = filterOf(e);
        }
    }
}

// "[item]" or "[start:stop:step]", any part of a slice left out.
ExprPtr Parser::subscript(ExprPtr value)
{
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
    if (colons == 0 && !parts[0])
        return fail("an empty subscript"), nullptr;
    auto x = make(colons == 0 ? Expr::Kind::Item : Expr::Kind::Slice, at);
    x->a = value;
    if (colons == 0)
        x->b = parts[0];
    else
        x->items = {parts[0], parts[1], parts[2]};
    return x;
}

ExprPtr Parser::primary()
{
    const Token &t = peek();
    switch (t.kind) {
    case Token::Kind::String:
    case Token::Kind::Int:
    case Token::Kind::Float:
    case Token::Kind::Name: return literal(t);
    case Token::Kind::Op:
        if (t.text == "(")
            return parenthesised(t);
        if (t.text == "[")
            return list(t);
        if (t.text == "{")
            return dict(t);
        break;
    default: break;
    }
    return fail("expected an expression" + describeNext()), nullptr;
}

// A string, a number, true/false/none or a variable's name.
ExprPtr Parser::literal(const Token &t)
{
    if (t.kind == Token::Kind::Int || t.kind == Token::Kind::Float)
        return number(t);
    ++m_pos;
    if (t.kind == Token::Kind::Name
        && !(t.text == "true" || t.text == "True" || t.text == "false" || t.text == "False" || t.text == "none" || t.text == "None")) {
        auto e = make(Expr::Kind::Name, t.at);
        e->name = t.text;
        return e;
    }
    auto e = make(Expr::Kind::Literal, t.at);
    if (t.kind == Token::Kind::String) {
        std::string joined = t.text;
        while (peek().kind == Token::Kind::String) // adjacent strings are one
            joined += next().text;
        e->literal = Value::string(joined);
    } else {
        e->literal = t.text == "none" || t.text == "None" ? Value::none() : Value::boolean(t.text == "true" || t.text == "True");
    }
    return e;
}

// An integer or a float. Python's integers have no bound and its floats overflow to inf; here a
// literal that does not fit a 64-bit integer or a double is an error, not a wrong number.
ExprPtr Parser::number(const Token &t)
{
    const char *first = t.text.data();
    const char *last = first + t.text.size();
    auto e = make(Expr::Kind::Literal, t.at);
    std::from_chars_result read{};
    if (t.kind == Token::Kind::Int) {
        long long x = 0;
        read = std::from_chars(first, last, x);
        e->literal = Value::integer(x);
    } else {
        double x = 0;
        read = std::from_chars(first, last, x);
        e->literal = Value::real(x);
    }
    if (read.ec != std::errc() || read.ptr != last)
        return fail(t.kind == Token::Kind::Int ? "the integer " + t.text + " does not fit in 64 bits"
                                               : "the number " + t.text + " is out of the range of a double"),
               nullptr;
    ++m_pos;
    return e;
}

// "(x)" is x; "()", "(x,)" and "(x, y)" are tuples.
ExprPtr Parser::parenthesised(const Token &open)
{
    ++m_pos;
    if (isOp(")")) {
        ++m_pos;
        return make(Expr::Kind::Tuple, open.at);
    }
    ExprPtr first = expression();
    if (!first)
        return nullptr;
    if (!isOp(","))
        return expectOp(")") ? first : nullptr;
    auto e = make(Expr::Kind::Tuple, open.at);
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

ExprPtr Parser::list(const Token &open)
{
    ++m_pos;
    auto e = make(Expr::Kind::List, open.at);
    const bool ok = commaSeparated("]", [&] {
        ExprPtr x = expression();
        if (x)
            e->items.push_back(x);
        return x != nullptr;
    });
    return ok ? e : nullptr;
}

ExprPtr Parser::dict(const Token &open)
{
    ++m_pos;
    auto e = make(Expr::Kind::Dict, open.at);
    const bool ok = commaSeparated("}", [&] {
        ExprPtr k = expression();
        if (!k || !expectOp(":"))
            return false;
        ExprPtr v = expression();
        if (!v)
            return false;
        e->items.push_back(k);
        e->items.push_back(v);
        return true;
    });
    return ok ? e : nullptr;
}

} // namespace sdrt::model::jinja::detail
