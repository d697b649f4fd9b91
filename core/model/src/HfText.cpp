#include "HfText.h"

#include <utf8proc.h>

namespace sdrt::model::hf {
namespace {

utf8proc_category_t category(char32_t c)
{
    return utf8proc_category(utf8proc_int32_t(c));
}

bool isAlphabetic(char32_t c)
{
    const auto k = category(c);
    return k == UTF8PROC_CATEGORY_LU || k == UTF8PROC_CATEGORY_LL || k == UTF8PROC_CATEGORY_LT || k == UTF8PROC_CATEGORY_LM
           || k == UTF8PROC_CATEGORY_LO || k == UTF8PROC_CATEGORY_NL;
}

// How many bytes from_utf8_lossy replaces with one U+FFFD: the longest prefix of a valid
// sequence that is there (at least one byte).
std::size_t lossyInvalidLength(const std::string &b, std::size_t i)
{
    const auto c = static_cast<unsigned char>(b[i]);
    std::size_t need = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (need == 1 || c == 0xC0 || c == 0xC1 || c > 0xF4)
        return 1;
    std::size_t k = 1;
    for (; k < need && i + k < b.size(); ++k) {
        const auto x = static_cast<unsigned char>(b[i + k]);
        unsigned lo = 0x80, hi = 0xBF;
        if (k == 1) {
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
            else if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        }
        if (x < lo || x > hi)
            break;
    }
    return k;
}

} // namespace

std::size_t utf8Length(std::string_view s, std::size_t i)
{
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size())
        return 0;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
            return 0;
    utf8proc_int32_t cp = 0;
    if (utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t *>(s.data() + i), utf8proc_ssize_t(n), &cp) != utf8proc_ssize_t(n))
        return 0; // overlong forms, surrogates, beyond U+10FFFF
    return n;
}

std::size_t firstInvalidUtf8(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = utf8Length(s, i);
        if (n == 0)
            return i;
        i += n;
    }
    return std::string_view::npos;
}

std::string fromUtf8Lossy(const std::string &bytes)
{
    std::string out;
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t n = utf8Length(bytes, i);
        if (n) {
            out.append(bytes, i, n);
            i += n;
        } else {
            out += "\xEF\xBF\xBD";
            i += lossyInvalidLength(bytes, i);
        }
    }
    return out;
}

std::vector<CodePoint> codePoints(std::string_view s)
{
    std::vector<CodePoint> out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        utf8proc_int32_t cp = 0;
        const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t *>(s.data() + i), utf8proc_ssize_t(s.size() - i), &cp);
        const std::size_t len = n > 0 ? std::size_t(n) : 1;
        out.push_back({i, len, char32_t(n > 0 ? cp : 0xFFFD)});
        i += len;
    }
    return out;
}

void appendUtf8(std::string &out, char32_t cp)
{
    utf8proc_uint8_t buf[4];
    const auto n = utf8proc_encode_char(utf8proc_int32_t(cp), buf);
    out.append(reinterpret_cast<const char *>(buf), std::size_t(n));
}

bool isWhitespace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
           || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool isNumeric(char32_t c)
{
    const auto k = category(c);
    return k == UTF8PROC_CATEGORY_ND || k == UTF8PROC_CATEGORY_NL || k == UTF8PROC_CATEGORY_NO;
}

bool isWordChar(char32_t c)
{
    const auto k = category(c);
    return isAlphabetic(c) || k == UTF8PROC_CATEGORY_MN || k == UTF8PROC_CATEGORY_MC || k == UTF8PROC_CATEGORY_ME || k == UTF8PROC_CATEGORY_ND
           || k == UTF8PROC_CATEGORY_PC || c == 0x200C || c == 0x200D;
}

bool isPunctuation(char32_t c)
{
    if (c < 0x80)
        return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
    const auto k = category(c);
    return k >= UTF8PROC_CATEGORY_PC && k <= UTF8PROC_CATEGORY_PO;
}

ByteAlphabet::ByteAlphabet()
{
    std::array<char32_t, 256> cs{};
    std::array<bool, 256> printable{};
    for (int b = '!'; b <= '~'; ++b)
        printable[std::size_t(b)] = true;
    for (int b = 0xA1; b <= 0xAC; ++b)
        printable[std::size_t(b)] = true;
    for (int b = 0xAE; b <= 0xFF; ++b)
        printable[std::size_t(b)] = true;
    int n = 0;
    for (int b = 0; b < 256; ++b)
        cs[std::size_t(b)] = printable[std::size_t(b)] ? char32_t(b) : char32_t(256 + n++);
    for (int b = 0; b < 256; ++b) {
        appendUtf8(toChar[std::size_t(b)], cs[std::size_t(b)]);
        toByte[cs[std::size_t(b)]] = static_cast<unsigned char>(b);
    }
}

const ByteAlphabet &byteAlphabet()
{
    static const ByteAlphabet a;
    return a;
}

} // namespace sdrt::model::hf
