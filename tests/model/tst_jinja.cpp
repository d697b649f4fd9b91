// The Jinja engine construct by construct, on hand-written cases whose expected output is what
// Python's Jinja2 (with trim_blocks and lstrip_blocks, as transformers renders chat templates)
// gives; and its errors: syntax errors with file, line and column, raise_exception's own message,
// unsupported filters and statements by name, runaway recursion, and what a hostile template
// (numbers past 64 bits, nesting past the stack) does: an error, not a crash.

#include "sdrt/model/Jinja.h"

#include <QTest>

using sdrt::model::jinja::Options;
using sdrt::model::jinja::Template;

namespace {

// Templates written with ' where JSON would need escaping are kept as they are; contexts use '
// for " (replaced before parsing).
std::string json(const char *text)
{
    std::string s = text;
    for (char &c : s)
        if (c == '\'')
            c = '"';
    return s;
}

// `text` `n` times over.
QString times(const char *text, int n)
{
    return QString::fromUtf8(text).repeated(n);
}

} // namespace

class TestJinja : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void renders_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("context");
        QTest::addColumn<QString>("expected");
        auto row = [](const char *name, const char *src, const char *ctx, const char *out) {
            QTest::newRow(name) << QString::fromUtf8(src) << QString::fromStdString(json(ctx)) << QString::fromUtf8(out);
        };
        // Text, output, comments, whitespace control.
        row("text", "hello", "{}", "hello");
        row("variable", "{{ name }}!", "{'name': '世界'}", "世界!");
        row("undefined prints nothing", "[{{ nothing }}]", "{}", "[]");
        row("comment", "a{# note #}b", "{}", "ab");
        row("minus trims around", "a  {{- 'x' -}}  b", "{}", "axb");
        row("trim_blocks", "{% if true %}\nyes\n{% endif %}\nend", "{}", "yes\nend");
        row("lstrip_blocks", "  {% if true %}\n  x\n  {% endif %}\n", "{}", "  x\n");
        row("plus keeps leading space", "  {%+ if true %}x{% endif %}", "{}", "  x");
        // Literals and operators.
        row("integers", "{{ 7 // 2 }} {{ 7 % 3 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }}", "{}", "3 1 -4 2 1024");
        row("floats", "{{ 7 / 2 }} {{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e-05 }} {{ 1e16 }}", "{}", "3.5 1.0 0.30000000000000004 1e-05 1e+16");
        row("precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ -3 ** 2 }} {{ -2.5 | abs }} {{ 2 ** 3 ** 2 }}", "{}", "7 9 9 2.5 64");
        row("concat", "{{ 'a' ~ 1 ~ none ~ true }}", "{}", "a1NoneTrue");
        row("string repeat and add", "{{ 'ab' * 3 }} {{ 'a' + 'b' }} {{ [1] + [2] }}", "{}", "ababab ab [1, 2]");
        row("comparisons", "{{ 1 < 2 }} {{ 'a' >= 'b' }} {{ 1 == 1.0 }} {{ [1, 2] == [1, 2] }} {{ none != false }}", "{}", "True False True True True");
        row("in", "{{ 'b' in 'abc' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }}", "{}", "True True True True");
        row("and or not", "{{ 0 or 'x' }} {{ 1 and 'y' }} {{ not [] }} {{ '' or none }}", "{}", "x y True None");
        row("conditional expression", "{{ 'a' if x else 'b' }} {{ 'c' if not x }}|", "{'x': false}", "b c|");
        row("lists tuples dicts", "{{ [1, 'a', none, true] }} {{ (1,) }} {{ {'a': [1.5], 'b': 'it\\'s'} }}", "{}", "[1, 'a', None, True] (1,) {'a': [1.5], 'b': \"it's\"}");
        row("strings with escapes", "{{ 'a\\nb' | length }} {{ \"q\\\"\" }}", "{}", "3 q\"");
        // Access.
        row("attribute and item", "{{ m.role }} {{ m['content'] }} {{ m.missing is defined }}", "{'m': {'role': 'user', 'content': 'hi'}}", "user hi False");
        row("negative index", "{{ xs[-1] }} {{ xs[0] }} {{ 'abc'[1] }}", "{'xs': [1, 2, 3]}", "3 1 b");
        row("slices", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ xs[::2] }} {{ '日本語'[::-1] }}", "{'xs': [1, 2, 3, 4]}", "[2, 3, 4] [1, 2, 3] [4, 3, 2, 1] [1, 3] 語本日");
        // Statements.
        row("if elif else", "{% if n > 2 %}big{% elif n > 0 %}small{% else %}none{% endif %}", "{'n': 1}", "small");
        row("for with loop", "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}",
            "{'xs': ['a', 'b']}", "1021TrueFalse2;2110FalseTrue2;");
        row("previtem nextitem", "{% for x in xs %}{{ loop.previtem | default('-') }}{{ x }}{{ loop.nextitem | default('-') }} {% endfor %}", "{'xs': [1, 2, 3]}",
            "-12 123 23- ");
        row("for else", "{% for x in xs %}{{ x }}{% else %}empty{% endfor %}", "{'xs': []}", "empty");
        row("for with a condition", "{% for x in xs if x > 1 %}{{ x }}{{ loop.index }} {% endfor %}", "{'xs': [1, 2, 3]}", "21 32 ");
        row("for over items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "{'d': {'b': 1, 'a': 2}}", "b=1;a=2;");
        row("for over a dict", "{% for k in d %}{{ k }}{% endfor %}", "{'d': {'x': 1, 'y': 2}}", "xy");
        row("set does not leave the loop", "{% set n = 0 %}{% for x in xs %}{% set n = n + x %}{% endfor %}{{ n }}", "{'xs': [1, 2]}", "0");
        row("namespace", "{% set ns = namespace(n=0, last=none) %}{% for x in xs %}{% set ns.n = ns.n + x %}{% set ns.last = x %}{% endfor %}{{ ns.n }} {{ ns.last }}",
            "{'xs': [1, 2, 3]}", "6 3");
        row("set tuple", "{% set a, b = [1, 2] %}{{ b }}{{ a }}", "{}", "21");
        row("block set", "{% set x %}in {{ 'side' }}{% endset %}[{{ x }}]", "{}", "[in side]");
        row("block set with filter", "{% set x | upper %}abc{% endset %}{{ x }}", "{}", "ABC");
        row("macro defaults and keywords", "{% macro m(a, b='B', c='C') %}{{ a }}{{ b }}{{ c }}{% endmacro %}{{ m(1) }} {{ m(1, c=3) }} {{ m(a=0, b=2) }}", "{}",
            "1BC 1B3 02C");
        row("macro sees globals, not the caller's locals", "{% macro m() %}{{ g }}{{ local | default('-') }}{% endmacro %}{% for local in [1] %}{{ m() }}{% endfor %}",
            "{'g': 'G'}", "G-");
        row("call", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}{% call wrap('b') %}bold{% endcall %}", "{}", "<b>bold</b>");
        row("recursive macro", "{% macro f(n) %}{{ n }}{% if n > 0 %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}", "{}", "3210");
        row("filter block", "{% filter upper %}shout {{ 'it' }}{% endfilter %}", "{}", "SHOUT IT");
        row("generation block", "{% generation %}kept{% endgeneration %}", "{}", "kept");
        // Tests.
        row("tests", "{{ x is defined }}{{ y is undefined }}{{ none is none }}{{ 's' is string }}{{ 1 is number }}{{ 1 is integer }}{{ 1.5 is float }}"
                     "{{ true is boolean }}{{ true is true }}{{ false is false }}{{ {} is mapping }}{{ [] is iterable }}{{ 'x' is sequence }}",
            "{'x': 1}", "TrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrue");
        row("is not and arguments", "{{ 3 is not even }} {{ 9 is divisibleby(3) }} {{ 9 is divisibleby 4 }} {{ 'a' is eq 'a' }} {{ 2 is gt(1) }}", "{}", "True True False True True");
        // Filters.
        row("trim length upper lower", "{{ '  x y  ' | trim }}|{{ 'abc' | length }}{{ [1, 2] | count }}{{ 'Ab' | upper }}{{ 'Ab' | lower }}", "{}", "x y|32ABab");
        row("title capitalize", "{{ 'hello wORLD' | title }} {{ 'hELLO world' | capitalize }}", "{}", "Hello World Hello world");
        row("default", "{{ missing | default('d') }} {{ '' | default('e') }} {{ '' | default('f', true) }} {{ none | d('g') }}", "{}", "d  f None");
        row("replace join list", "{{ 'a-b-c' | replace('-', '+') }} {{ [1, 2, 3] | join(', ') }} {{ 'ab' | list }}", "{}", "a+b+c 1, 2, 3 ['a', 'b']");
        row("map select reject", "{{ ms | map(attribute='role') | join(',') }} {{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3] | reject('odd') | list }} {{ ['a', 'b'] | map('upper') | join }}",
            "{'ms': [{'role': 'user'}, {'role': 'assistant'}]}", "user,assistant [1, 3] [2] AB");
        row("selectattr rejectattr", "{{ ms | selectattr('type', 'equalto', 'image') | list | length }} {{ ms | rejectattr('type', 'equalto', 'image') | map(attribute='text') | join }}",
            "{'ms': [{'type': 'image'}, {'type': 'text', 'text': 'hi'}, {'type': 'image'}]}", "2 hi");
        row("first last unique sort reverse", "{{ [3, 1, 2] | first }}{{ [3, 1, 2] | last }} {{ [1, 1, 2] | unique | list }} {{ ['b', 'A', 'c'] | sort | join }} {{ [1, 2] | reverse | list }}",
            "{}", "32 [1, 2] Abc [2, 1]");
        row("dictsort items", "{{ d | dictsort }} {{ d | items | list }}", "{'d': {'b': 1, 'a': 2}}", "[('a', 2), ('b', 1)] [('b', 1), ('a', 2)]");
        row("string int float", "{{ 5 | string ~ '!' }} {{ '42' | int + 1 }} {{ 'x' | int }} {{ '2.5' | float * 2 }}", "{}", "5! 43 0 5.0");
        row("abs round sum min max", "{{ -3 | abs }} {{ 2.567 | round(2) }} {{ 2.5 | round }} {{ 3.5 | round }} {{ 2.1 | round(0, 'ceil') }} {{ [1, 2, 3] | sum }} {{ [4, 2, 9] | min }}{{ [4, 2, 9] | max }}",
            "{}", "3 2.57 2.0 4.0 3.0 6 29");
        row("indent wordcount safe", "{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'one two  three' | wordcount }}{{ '<b>' | safe }}", "{}", "a\n  b\n\n  c|3<b>");
        row("tojson", "{{ d | tojson }}", "{'d': {'name': '穴', 'n': [1, 2.5, true, null], 'q': 'say \\'hi\\'\\n'}}",
            "{\"name\": \"穴\", \"n\": [1, 2.5, true, null], \"q\": \"say \\\"hi\\\"\\n\"}");
        row("tojson indent", "{{ {'a': [1, {}], 'b': 'x'} | tojson(indent=2) }}", "{}", "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": \"x\"\n}");
        // Methods.
        row("string methods", "{{ 'a,b,,c'.split(',') }} {{ ' x '.strip() }}|{{ 'xxaxx'.strip('x') }} {{ '\\n\\tx'.lstrip('\\n') | length }} {{ 'ab'.startswith('a') }}{{ 'ab'.endswith(('x', 'b')) }}",
            "{}", "['a', 'b', '', 'c'] x|a 2 TrueTrue");
        row("more string methods", "{{ 'a b  c'.split() }} {{ 'k=v=w'.split('=', 1) }} {{ 'a-b'.upper() }} {{ 'aXa'.replace('a', 'b') }} {{ 'hi there'.title() }}", "{}",
            "['a', 'b', 'c'] ['k', 'v=w'] A-B bXb Hi There");
        row("dict methods", "{{ d.keys() | list }} {{ d.values() | list }} {{ d.get('a') }} {{ d.get('z', 0) }}", "{'d': {'a': 1, 'b': 2}}", "['a', 'b'] [1, 2] 1 0");
        // Globals.
        row("range", "{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(3, 0, -1) | list }}", "{}", "[0, 1, 2] [1, 3, 5] [3, 2, 1]");
        row("dict", "{{ dict(a=1, b='x') }}", "{}", "{'a': 1, 'b': 'x'}");
        row("an index past 64 bits is past the end", "[{{ x.99999999999999999999999 }}]", "{'x': [1]}", "[]");
        row("Japanese text in and out", "{{ messages[0].content | replace('穴', 'ホール') }}", "{'messages': [{'content': '穴の数は？'}]}", "ホールの数は？");
    }

    void renders()
    {
        QFETCH(QString, source);
        QFETCH(QString, context);
        QFETCH(QString, expected);
        auto t = Template::parse(source.toStdString(), "t.jinja");
        QVERIFY2(t, t ? "" : t.error().c_str());
        auto out = t->render(context.toStdString());
        QVERIFY2(out, out ? "" : out.error().c_str());
        QCOMPARE(QString::fromStdString(*out), expected);
    }

    void refuses_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("says");
        QTest::newRow("unclosed tag") << QStringLiteral("line one\n  {{ name ") << QStringLiteral("t.jinja:2:3: the tag is not closed with }}");
        QTest::newRow("missing endif") << QStringLiteral("{% if x %}a") << QStringLiteral("{% endif %} is missing");
        QTest::newRow("unknown statement") << QStringLiteral("\n\n{% include 'x' %}") << QStringLiteral("t.jinja:3:4: the statement 'include' is not supported");
        QTest::newRow("bad expression") << QStringLiteral("{{ 1 + }}") << QStringLiteral("t.jinja:1:8: expected an expression before }}");
        QTest::newRow("unclosed string") << QStringLiteral("{{ 'abc }}") << QStringLiteral("t.jinja:1:4: the string is not closed");
        QTest::newRow("stray endfor") << QStringLiteral("{% endfor %}") << QStringLiteral("t.jinja:1:4: unexpected {% endfor %}: no block is open");
        // Python's integers have no bound; ours are 64-bit, and a literal past them is refused.
        QTest::newRow("integer past 64 bits") << QStringLiteral("{{ 99999999999999999999999 }}")
                                              << QStringLiteral("t.jinja:1:4: the integer 99999999999999999999999 does not fit in 64 bits");
        QTest::newRow("float past a double") << QStringLiteral("x {{ 1.5e999 }}") << QStringLiteral("t.jinja:1:6: the number 1.5e999 is out of the range of a double");
        // Nesting past Options::maxDepth (200), which the parser's recursion would take past the stack.
        const QString deep = QStringLiteral("more than 200 levels deep");
        QTest::newRow("brackets nested 3000 deep") << QStringLiteral("{{ ") + times("[", 3000) + times("]", 3000) + QStringLiteral(" }}") << deep;
        QTest::newRow("parentheses nested 3000 deep") << QStringLiteral("{{ ") + times("(", 3000) + QStringLiteral("1") + times(")", 3000) + QStringLiteral(" }}")
                                                      << deep;
        QTest::newRow("3000 not") << QStringLiteral("{{ ") + times("not ", 3000) + QStringLiteral("x }}") << deep;
        QTest::newRow("3000 unary minus") << QStringLiteral("{{ ") + times("-", 3000) + QStringLiteral("1 }}") << deep;
        QTest::newRow("a chain of 3000 additions") << QStringLiteral("{{ 1") + times(" + 1", 3000) + QStringLiteral(" }}") << deep;
        QTest::newRow("a chain of 3000 filters") << QStringLiteral("{{ x") + times(" | trim", 3000) + QStringLiteral(" }}") << deep;
        QTest::newRow("blocks nested 3000 deep") << times("{% if x %}", 3000) + times("{% endif %}", 3000) << deep;
    }

    void refuses()
    {
        QFETCH(QString, source);
        QFETCH(QString, says);
        auto t = Template::parse(source.toStdString(), "t.jinja");
        QVERIFY(!t);
        QVERIFY2(QString::fromStdString(t.error()).contains(says), t.error().c_str());
    }

    void failsWhileRendering_data()
    {
        QTest::addColumn<QString>("source");
        QTest::addColumn<QString>("says");
        QTest::newRow("raise_exception") << QStringLiteral("{{ raise_exception('Roles must alternate') }}") << QStringLiteral("the template raised: Roles must alternate");
        QTest::newRow("unknown filter") << QStringLiteral("{{ x | frobnicate }}") << QStringLiteral("t.jinja:1:8: the filter 'frobnicate' is not supported");
        QTest::newRow("unknown test") << QStringLiteral("{{ x is prime }}") << QStringLiteral("the test 'prime' is not supported");
        QTest::newRow("attribute of undefined") << QStringLiteral("{{ missing.role }}") << QStringLiteral("'missing' is undefined");
        QTest::newRow("string plus list") << QStringLiteral("{{ 'a' + [1] }}") << QStringLiteral("unsupported operand types for +: a string and a list");
        QTest::newRow("set on a dict") << QStringLiteral("{% set d = {} %}{% set d.x = 1 %}") << QStringLiteral("only a namespace() object's attributes can be set");
        QTest::newRow("runaway recursion") << QStringLiteral("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}") << QStringLiteral("past the recursion limit");
        QTest::newRow("runaway loop") << QStringLiteral("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")
                                      << QStringLiteral("loop steps");
        QTest::newRow("division by zero") << QStringLiteral("{{ 1 / 0 }}") << QStringLiteral("division by zero");
        // Each body nests within the parser's limit; recursion multiplies them past Options::maxRenderDepth.
        QTest::newRow("a macro recursing through 150 nested blocks")
            << QStringLiteral("{% macro f(n) %}") + times("{% if x %}", 150) + QStringLiteral("{{ f(n + 1) }}") + times("{% endif %}", 150)
                   + QStringLiteral("{% endmacro %}{{ f(0) }}")
            << QStringLiteral("more than 1000 levels deep while rendering");
        // Values a loop builds up step by step, or a namespace that holds itself, would recurse
        // without bound when printed, compared or freed.
        QTest::newRow("a namespace holding itself") << QStringLiteral("{% set ns = namespace(a=1) %}{% set ns.a = [ns] %}{{ ns | tojson }}")
                                                    << QStringLiteral("t.jinja:1:33: 'ns.a' cannot hold its own namespace");
        QTest::newRow("a list nested by a loop") << QStringLiteral("{% set ns = namespace(a=0) %}{% for i in range(100000) %}{% set ns.a = [ns.a] %}{% endfor %}")
                                                 << QStringLiteral("nests lists and dicts more than 1000 levels deep");
        QTest::newRow("a list nested by a loop variable") << QStringLiteral("{% set x = 0 %}{% for i in range(100000) %}{% set x = [x, x] %}{% endfor %}")
                                                          << QStringLiteral("nests lists and dicts more than 1000 levels deep");
    }

    void failsWhileRendering()
    {
        QFETCH(QString, source);
        QFETCH(QString, says);
        Options o;
        o.maxSteps = 1'000'000;
        auto t = Template::parse(source.toStdString(), "t.jinja", o);
        QVERIFY2(t, t ? "" : t.error().c_str());
        auto out = t->render("{\"x\": 1}");
        QVERIFY(!out);
        QVERIFY2(QString::fromStdString(out.error()).contains(says), out.error().c_str());
    }
};

QTEST_GUILESS_MAIN(TestJinja)
#include "tst_jinja.moc"
