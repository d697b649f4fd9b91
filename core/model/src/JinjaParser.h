#pragma once
// The parser: recursive descent over the lexer's tokens, one function a statement
// (JinjaStatementParser.cpp) and one a level of Jinja's operator precedence
// (JinjaExpressionParser.cpp). A function that fails returns false or null; the first error's
// message is the one kept. Nesting (brackets, operator chains, blocks) is counted against
// Options::maxDepth: the descent recurses once a level, and the renderer walks the tree it builds
// the same way, so an untrusted template must not nest without bound. Private to the Jinja engine.

#include "JinjaSyntax.h"

#include <algorithm>
#include <functional>

namespace sdrt::model::jinja::detail {

class Parser {
public:
    Parser(const std::vector<Token> &tokens, const std::string &name, int maxDepth) : m_t(tokens), m_name(name), m_maxDepth(maxDepth) {}

    Expected<Body, std::string> parseTemplate();

private:
    // --- Tokens (JinjaStatementParser.cpp) -------------------------------------------------------

    const Token &peek(std::size_t k = 0) const { return m_t[std::min(m_pos + k, m_t.size() - 1)]; }
    const Token &next() { return m_t[std::min(m_pos++, m_t.size() - 1)]; }
    bool isOp(const char *op, std::size_t k = 0) const { return peek(k).kind == Token::Kind::Op && peek(k).text == op; }
    bool isName(const char *n, std::size_t k = 0) const { return peek(k).kind == Token::Kind::Name && peek(k).text == n; }
    bool fail(const std::string &why);
    bool expectOp(const char *op);
    bool expectBlockEnd();
    std::string describeNext() const;
    // One level deeper; false (with the error) past the limit. The depth a function reached is
    // given back when it returns (a Nesting made on entry).
    bool deeper();
    class Nesting {
    public:
        explicit Nesting(Parser &p) : m_parser(p), m_saved(p.m_depth) {}
        ~Nesting() { m_parser.m_depth = m_saved; }
        Nesting(const Nesting &) = delete;
        Nesting &operator=(const Nesting &) = delete;

    private:
        Parser &m_parser;
        int m_saved;
    };
    // Items up to the closing `close`, separated by commas (one may trail), each read by `item`;
    // the opening bracket is already read.
    bool commaSeparated(const char *close, const std::function<bool()> &item);

    // --- Statements (JinjaStatementParser.cpp) ---------------------------------------------------

    bool parseBody(Body &body, const std::vector<std::string> &stops, std::string &stop);
    bool blockBody(Body &body, const char *end);
    NodePtr statement(const Token &kw);
    bool ifStatement(Node &n, const Token &kw);
    bool forStatement(Node &n, const Token &kw);
    bool setStatement(Node &n, const Token &kw);
    bool macroStatement(Node &n, const Token &kw);
    bool callStatement(Node &n, const Token &kw);
    bool filterStatement(Node &n, const Token &kw);
    bool generationStatement(Node &n, const Token &kw);
    bool targetNames(std::vector<std::string> &names);
    bool parameters(std::vector<std::pair<std::string, ExprPtr>> &params);
    ExprPtr filterChainOnBody(bool first = false);

    // --- Expressions (JinjaExpressionParser.cpp), loosest binding first --------------------------

    static std::shared_ptr<Expr> make(Expr::Kind kind, Location at);
    // When `present`, reads that token and the expression after it into `out`; false if that fails.
    bool optionalExpression(bool present, ExprPtr &out, ExprPtr (Parser::*level)() = &Parser::expression);
    ExprPtr tupleOrExpression();
    ExprPtr expression();
    ExprPtr conditional();
    ExprPtr logical(const char *keyword, Expr::Kind kind, ExprPtr (Parser::*nextLevel)());
    ExprPtr orExpr();
    ExprPtr andExpr();
    ExprPtr notExpr();
    ExprPtr compare();
    ExprPtr isTest(ExprPtr value);
    ExprPtr binaryLevel(const std::vector<const char *> &ops, ExprPtr (Parser::*nextLevel)());
    ExprPtr concat();
    ExprPtr sum();
    ExprPtr product();
    ExprPtr power();
    ExprPtr unaryWithFilters();
    ExprPtr unary(bool withFilters);
    bool callArgs(CallArgs &args);
    ExprPtr filterOf(ExprPtr value);
    ExprPtr postfix();
    ExprPtr subscript(ExprPtr value);
    ExprPtr primary();
    ExprPtr literal(const Token &t);
    ExprPtr number(const Token &t);
    ExprPtr parenthesised(const Token &open);
    ExprPtr list(const Token &open);
    ExprPtr dict(const Token &open);

    const std::vector<Token> &m_t;
    std::string m_name;
    std::size_t m_pos = 0;
    int m_noFilters = 0;
    int m_maxDepth;
    int m_depth = 0;
    std::string m_error;
};

} // namespace sdrt::model::jinja::detail
