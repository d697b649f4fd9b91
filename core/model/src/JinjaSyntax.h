#pragma once
// A template's syntax: the tokens the lexer cuts it into (JinjaLexer.cpp) and the tree the parser
// builds from them (JinjaParser.h); the renderer (JinjaRenderer.h) walks the tree. Private to the
// Jinja engine.

#include "JinjaValue.h"
#include "sdrt/model/Jinja.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sdrt::model::jinja::detail {

// --- Tokens (JinjaLexer.cpp) ---------------------------------------------------------------------

struct Location {
    int line = 1, column = 1;
};

// "template:line:column: why", the form of every error a template gives.
std::string located(const std::string &templateName, Location at, const std::string &why);

struct Token {
    enum class Kind { Text, ExprStart, ExprEnd, BlockStart, BlockEnd, Name, String, Int, Float, Op, End } kind;
    std::string text;
    Location at;
};

struct Lexed {
    std::vector<Token> tokens;
    std::string error;
};

// Text and tags with whitespace control applied; Lexed::error says where lexing stopped.
Lexed lex(const std::string &src, const std::string &name, const Options &opt);

// --- Syntax tree (JinjaParser.h) -----------------------------------------------------------------

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

// The tree of a whole template, or the first syntax error (JinjaStatementParser.cpp); nesting
// deeper than `maxDepth` levels is an error.
Expected<Body, std::string> parse(const std::vector<Token> &tokens, const std::string &name, int maxDepth);

} // namespace sdrt::model::jinja::detail
