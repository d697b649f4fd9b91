#pragma once
// A Jinja template engine for the chat templates checkpoints ship (chat_template.jinja,
// chat_template.json, tokenizer_config.json), rendering them as Hugging Face transformers does
// (Jinja2 with trim_blocks and lstrip_blocks, its tojson, raise_exception and strftime_now).
// There is no C++ Jinja package in Debian 12, so this is ours: one module with its own tests.
//
// Supported: text, {{ expressions }}, {# comments #}, whitespace control (-), and the statements
// if/elif/else, for (loop.index, index0, revindex, revindex0, first, last, length, previtem,
// nextitem; else; a condition; tuple unpacking), set (names, namespace attributes, tuples, block
// set), macro (defaults, keyword arguments, caller) and call, filter blocks and generation blocks
// (rendered as their body). Expressions: literals (strings, numbers, true/false/none, lists,
// tuples, dicts), attribute and item access, slices with steps, calls with keyword arguments,
// filters, tests (is / is not), in / not in, and / or / not, comparisons, ~ + - * / // % **,
// conditional expressions. Filters: abs, capitalize, count, d/default, dictsort, e/escape, first,
// float, indent, int, items, join, last, length, list, lower, map, max, min, reject, rejectattr,
// replace, reverse, round, safe, select, selectattr, sort, string, sum, title, tojson, trim,
// unique, upper, wordcount. Tests: boolean, callable, defined, divisibleby, eq/equalto, even,
// false, float, ge, gt, in, integer, iterable, le, lt, mapping, ne, none, number, odd, sequence,
// string, true, undefined. Methods: str.startswith/endswith/split/rsplit/strip/lstrip/rstrip/
// upper/lower/replace/title/capitalize/find/count/join/format-free; dict.items/keys/values/get;
// list.index/count. Globals: range, namespace, dict, raise_exception, strftime_now.
// Anything else is refused by name when the template is parsed or rendered, never rendered
// wrongly. Errors name the template, line and column.
//
// Thread rule: a parsed Template is immutable; render() may be called from several threads.

#include "sdrt/common/Expected.h"

#include <memory>
#include <string>

namespace sdrt::model::jinja {

struct Options {
    bool trimBlocks = true;   // the first newline after a block tag is removed (as transformers sets)
    bool lstripBlocks = true; // spaces and tabs before a block tag on its line are removed
    // Past each limit, an error (templates are untrusted input: a checkpoint's files).
    int maxDepth = 200; // nesting a template writes (brackets, operator chains, blocks); macro calls in progress
    // Blocks, expressions and macro calls nested while rendering (a macro recursing through nested
    // blocks multiplies the two), and how deeply a value a template sets may nest lists and
    // dicts: each level is a stack frame or more, and this many fit a thread's stack with room.
    int maxRenderDepth = 1000;
    long long maxSteps = 50'000'000; // loop iterations in one render
};

class Template {
public:
    static Expected<Template, std::string> parse(const std::string &source, const std::string &name = "chat template", Options options = {});
    // `contextJson`: a JSON object whose keys are the template's variables (messages,
    // add_generation_prompt, bos_token, …).
    Expected<std::string, std::string> render(const std::string &contextJson) const;

private:
    struct Impl;
    std::shared_ptr<const Impl> d;
};

} // namespace sdrt::model::jinja
