#include "JinjaSyntax.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace sdrt::model::jinja::detail {
namespace {

Location locate(const std::string &src, std::size_t offset)
{
    Location l;
    for (std::size_t k = 0; k < offset && k < src.size(); ++k) {
        if (src[k] == '\n') {
            ++l.line;
            l.column = 1;
        } else if ((static_cast<unsigned char>(src[k]) & 0xC0) != 0x80) {
            ++l.column;
        }
    }
    return l;
}

bool isDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)); }

void appendUtf8(std::string &out, unsigned long cp)
{
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

// One pass over the source: text between tags, then the tokens inside each tag. Whitespace
// control is settled here, so the parser sees only the text that is rendered.
class Lexer {
public:
    Lexer(const std::string &src, const std::string &name, const Options &opt) : m_src(src), m_name(name), m_opt(opt) {}

    Lexed run()
    {
        while (m_pos <= m_src.size()) {
            const std::size_t open = nextTag(m_pos);
            std::string text = m_src.substr(m_pos, (open == std::string::npos ? m_src.size() : open) - m_pos);
            const bool atLineStart = trimLeadingText(text);
            if (open == std::string::npos) {
                pushText(text);
                break;
            }
            if (!tag(open, text, atLineStart))
                return m_out;
        }
        m_out.tokens.push_back({Token::Kind::End, {}, locate(m_src, m_src.size())});
        return m_out;
    }

private:
    bool fail(std::size_t at, const std::string &why)
    {
        m_out.error = located(m_name, locate(m_src, at), why);
        return false;
    }

    void push(Token::Kind kind, std::string text, std::size_t at) { m_out.tokens.push_back({kind, std::move(text), locate(m_src, at)}); }

    void pushText(const std::string &text)
    {
        if (!text.empty())
            push(Token::Kind::Text, text, m_pos);
    }

    // The '{' of the next "{{", "{%" or "{#" from `from`, or npos.
    std::size_t nextTag(std::size_t from) const
    {
        std::size_t open = m_src.find('{', from);
        while (open != std::string::npos && open + 1 < m_src.size() && m_src[open + 1] != '{' && m_src[open + 1] != '%' && m_src[open + 1] != '#')
            open = m_src.find('{', open + 1);
        if (open != std::string::npos && open + 1 >= m_src.size())
            open = std::string::npos;
        return open;
    }

    // What the previous tag asks of the text after it: trim_blocks' newline and a "-" before its
    // end. Returns whether the text starts a line, for lstrip_blocks.
    bool trimLeadingText(std::string &text)
    {
        bool atLineStart = m_pos == 0 || m_src[m_pos - 1] == '\n';
        if (m_trimNewline && !text.empty() && text[0] == '\n') {
            text.erase(0, 1);
            atLineStart = true;
        } else if (m_trimNewline && text.size() >= 2 && text[0] == '\r' && text[1] == '\n') {
            text.erase(0, 2);
            atLineStart = true;
        }
        if (m_stripNextText) {
            const auto first = text.find_first_not_of(" \t\r\n\v\f");
            text.erase(0, first == std::string::npos ? text.size() : first);
            atLineStart = false;
        }
        m_trimNewline = false;
        m_stripNextText = false;
        return atLineStart;
    }

    // The text before the tag at `open`, the tag's opening and its contents.
    bool tag(std::size_t open, std::string &text, bool atLineStart)
    {
        const char kind = m_src[open + 1];
        const bool minus = open + 2 < m_src.size() && m_src[open + 2] == '-';
        const bool plus = open + 2 < m_src.size() && m_src[open + 2] == '+';
        if (minus) {
            const auto keep = text.find_last_not_of(" \t\r\n\v\f");
            text.erase(keep == std::string::npos ? 0 : keep + 1);
        } else if (m_opt.lstripBlocks && (kind == '%' || kind == '#') && !plus) {
            // Spaces and tabs alone between the start of the line and the tag: removed.
            const auto lineStart = text.find_last_of('\n');
            const std::size_t from = lineStart == std::string::npos ? 0 : lineStart + 1;
            if (text.find_first_not_of(" \t", from) == std::string::npos && (lineStart != std::string::npos || atLineStart))
                text.erase(from);
        }
        pushText(text);
        const std::size_t p = open + 2 + ((minus || plus) ? 1 : 0);
        if (kind == '#')
            return comment(open, p);
        push(kind == '{' ? Token::Kind::ExprStart : Token::Kind::BlockStart, {}, open);
        return tagTokens(open, kind, p);
    }

    bool comment(std::size_t open, std::size_t p)
    {
        const auto end = m_src.find("#}", p);
        if (end == std::string::npos)
            return fail(open, "the comment is not closed with #}");
        m_stripNextText = end > p && m_src[end - 1] == '-';
        m_trimNewline = m_opt.trimBlocks;
        m_pos = end + 2;
        return true;
    }

    // The tokens of a "{{ … }}" or "{% … %}" tag from `p` to its end.
    bool tagTokens(std::size_t open, char kind, std::size_t p)
    {
        const std::string close = kind == '{' ? "}}" : "%}";
        for (;;) {
            while (p < m_src.size() && std::isspace(static_cast<unsigned char>(m_src[p])))
                ++p;
            if (p >= m_src.size())
                return fail(open, "the tag is not closed with " + close);
            if (m_src[p] == '-' && m_src.compare(p + 1, 2, close) == 0) {
                m_stripNextText = true;
                p += 1;
            }
            if (m_src.compare(p, 2, close) == 0) {
                push(kind == '{' ? Token::Kind::ExprEnd : Token::Kind::BlockEnd, {}, p);
                m_trimNewline = kind == '%' && m_opt.trimBlocks;
                m_pos = p + 2;
                return true;
            }
            if (!token(p))
                return false;
        }
    }

    // One token at `p`, which moves past it.
    bool token(std::size_t &p)
    {
        const char c = m_src[p];
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            std::size_t e = p;
            while (e < m_src.size() && (std::isalnum(static_cast<unsigned char>(m_src[e])) || m_src[e] == '_'))
                ++e;
            push(Token::Kind::Name, m_src.substr(p, e - p), p);
            p = e;
            return true;
        }
        if (isDigit(c)) {
            number(p);
            return true;
        }
        if (c == '"' || c == '\'')
            return string(p);
        return op(p);
    }

    void number(std::size_t &p)
    {
        std::size_t e = p;
        bool isFloat = false;
        auto digits = [&] {
            while (e < m_src.size() && isDigit(m_src[e]))
                ++e;
        };
        while (e < m_src.size() && (isDigit(m_src[e]) || m_src[e] == '_'))
            ++e;
        if (e + 1 < m_src.size() && m_src[e] == '.' && isDigit(m_src[e + 1])) {
            isFloat = true;
            ++e;
            digits();
        }
        if (e < m_src.size() && (m_src[e] == 'e' || m_src[e] == 'E')) {
            std::size_t k = e + 1;
            if (k < m_src.size() && (m_src[k] == '+' || m_src[k] == '-'))
                ++k;
            if (k < m_src.size() && isDigit(m_src[k])) {
                isFloat = true;
                e = k;
                digits();
            }
        }
        std::string num = m_src.substr(p, e - p);
        num.erase(std::remove(num.begin(), num.end(), '_'), num.end());
        push(isFloat ? Token::Kind::Float : Token::Kind::Int, num, p);
        p = e;
    }

    // A quoted string with Python's backslash escapes.
    bool string(std::size_t &p)
    {
        const char quote = m_src[p];
        std::string value;
        std::size_t e = p + 1;
        for (; e < m_src.size() && m_src[e] != quote; ++e) {
            if (m_src[e] != '\\' || e + 1 >= m_src.size()) {
                value += m_src[e];
                continue;
            }
            const char n = m_src[++e];
            if (const char control = escapedControl(n)) {
                value += control;
            } else if (n == '\\' || n == '\'' || n == '"') {
                value += n;
            } else if (n == 'u' || n == 'x') {
                if (!hexEscape(e, n, value))
                    return false;
            } else if (n != '\n') { // a backslash before a newline joins the lines
                value += '\\';
                value += n;
            }
        }
        if (e >= m_src.size())
            return fail(p, "the string is not closed");
        push(Token::Kind::String, value, p);
        p = e + 1;
        return true;
    }

    // \uXXXX or \xXX, `e` at its letter.
    bool hexEscape(std::size_t &e, char letter, std::string &value)
    {
        const std::size_t len = letter == 'u' ? 4 : 2;
        if (e + len >= m_src.size())
            return fail(e, "an incomplete \\" + std::string(1, letter) + " escape");
        appendUtf8(value, std::strtoul(m_src.substr(e + 1, len).c_str(), nullptr, 16));
        e += len;
        return true;
    }

    bool op(std::size_t &p)
    {
        static const char *ops[] = {"**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]",
                                    "{", "}", ",", ".", ":", "|"};
        for (const char *o : ops) {
            if (m_src.compare(p, std::strlen(o), o) == 0) {
                push(Token::Kind::Op, o, p);
                p += std::strlen(o);
                return true;
            }
        }
        return fail(p, std::string("unexpected character '") + m_src[p] + "'");
    }

    const std::string &m_src;
    const std::string &m_name;
    const Options &m_opt;
    std::size_t m_pos = 0;
    bool m_stripNextText = false; // a "-" before the previous tag's end
    bool m_trimNewline = false;   // trim_blocks after a block tag or comment
    Lexed m_out;
};

} // namespace

std::string located(const std::string &templateName, Location at, const std::string &why)
{
    return templateName + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": " + why;
}

Lexed lex(const std::string &src, const std::string &name, const Options &opt)
{
    return Lexer(src, name, opt).run();
}

} // namespace sdrt::model::jinja::detail
