// Normalizers: the text between added tokens, changed before it is pre-tokenized.

#include "HfTokenizerParts.h"

#include <utf8proc.h>

#include <cstdlib>

namespace sdrt::model::hf {
namespace {

struct UnicodeForm final : Normalizer {
    utf8proc_option_t options;
    explicit UnicodeForm(utf8proc_option_t o) : options(o) {}
    void apply(std::string &s) const override
    {
        if (s.empty())
            return;
        utf8proc_uint8_t *out = nullptr;
        const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t *>(s.data()), utf8proc_ssize_t(s.size()), &out,
                                    utf8proc_option_t(options | UTF8PROC_STABLE));
        if (n >= 0 && out)
            s.assign(reinterpret_cast<const char *>(out), std::size_t(n));
        std::free(out);
    }
};

struct Lowercase final : Normalizer {
    void apply(std::string &s) const override
    {
        std::string out;
        out.reserve(s.size());
        for (const CodePoint &c : codePoints(s)) {
            if (c.value == 0x130) // İ: the one unconditional full mapping (Rust's char::to_lowercase gives "i̇")
                out += "i\xCC\x87";
            else
                appendUtf8(out, char32_t(utf8proc_tolower(utf8proc_int32_t(c.value))));
        }
        s = std::move(out);
    }
};

struct ReplaceN final : Normalizer {
    Replacement replacement;
    explicit ReplaceN(Replacement r) : replacement(std::move(r)) {}
    void apply(std::string &s) const override { s = replacement.apply(s); }
};

struct PrependN final : Normalizer {
    std::string prefix;
    void apply(std::string &s) const override
    {
        if (!s.empty())
            s.insert(0, prefix);
    }
};

struct StripN final : Normalizer {
    bool left = true, right = true;
    void apply(std::string &s) const override
    {
        constexpr std::size_t all = std::string::npos;
        s = trimCodePoints(s, left ? all : 0, right ? all : 0, isWhitespace);
    }
};

struct SequenceN final : Normalizer {
    static constexpr const char *key = "normalizers";
    std::vector<NormalizerPtr> parts;
    void apply(std::string &s) const override
    {
        for (const auto &p : parts)
            p->apply(s);
    }
};

template <int Options>
Expected<NormalizerPtr, std::string> readUnicodeForm(const json &, const std::string &)
{
    return NormalizerPtr(std::make_shared<UnicodeForm>(utf8proc_option_t(Options)));
}

Expected<NormalizerPtr, std::string> readPrepend(const json &j, const std::string &)
{
    auto n = std::make_shared<PrependN>();
    n->prefix = text(j, "prepend");
    return NormalizerPtr(n);
}

Expected<NormalizerPtr, std::string> readStrip(const json &j, const std::string &)
{
    auto n = std::make_shared<StripN>();
    n->left = flag(j, "strip_left", true);
    n->right = flag(j, "strip_right", true);
    return NormalizerPtr(n);
}

// In the order the message of an unsupported type lists them.
constexpr std::array<Kind<NormalizerPtr>, 9> kNormalizers{{
    {"NFC", readUnicodeForm<UTF8PROC_COMPOSE>},
    {"NFD", readUnicodeForm<UTF8PROC_DECOMPOSE>},
    {"NFKC", readUnicodeForm<UTF8PROC_COMPOSE | UTF8PROC_COMPAT>},
    {"NFKD", readUnicodeForm<UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT>},
    {"Lowercase", readPlain<NormalizerPtr, Lowercase>},
    {"Replace", readReplace<NormalizerPtr, ReplaceN>},
    {"Prepend", readPrepend},
    {"Strip", readStrip},
    {"Sequence", readSequence<SequenceN, normalizerOf>},
}};

} // namespace

Expected<NormalizerPtr, std::string> normalizerOf(const json &j, const std::string &path)
{
    return readKind(j, path, "normalizer", kNormalizers);
}

} // namespace sdrt::model::hf
