#include "sdrt/model/IncrementalDecoder.h"

#include <algorithm>

namespace sdrt::model {
namespace {

const std::string kSpaceSymbol = "\xe2\x96\x81"; // U+2581, SentencePiece's space in pieces

std::string withSpaces(const std::string &piece)
{
    std::string out;
    out.reserve(piece.size());
    for (std::size_t at = 0; at < piece.size();) {
        if (piece.compare(at, kSpaceSymbol.size(), kSpaceSymbol) == 0) {
            out += ' ';
            at += kSpaceSymbol.size();
        } else {
            out += piece[at++];
        }
    }
    return out;
}

// The byte of a byte-fallback piece ("<0xE3>").
int byteOf(const std::string &piece)
{
    if (piece.size() != 6 || piece.compare(0, 3, "<0x") != 0 || piece[5] != '>')
        return -1;
    return std::stoi(piece.substr(3, 2), nullptr, 16);
}

// How many bytes SentencePiece's UTF-8 reader looks at for a character that begins with `lead`
// (util.cc DecodeUTF8); 1 for a byte that cannot begin one.
std::size_t charLength(int lead)
{
    if (lead < 0x80)
        return 1;
    if ((lead & 0xE0) == 0xC0)
        return 2;
    if ((lead & 0xF0) == 0xE0)
        return 3;
    if ((lead & 0xF8) == 0xF0)
        return 4;
    return 1;
}

} // namespace

IncrementalDecoder::IncrementalDecoder(const Tokenizer &tokenizer) : m_tokenizer(&tokenizer) {}

std::size_t IncrementalDecoder::push(int id)
{
    const Tokenizer &t = *m_tokenizer;
    if (!t.isText(id))
        return m_text.size(); // decode() leaves it out
    if (t.m_hf) {
        // tokenizer.json: its decoders are not all piecewise (Strip, Metaspace's first space,
        // byte fallback), so the tokens so far are decoded whole (generation is short; exact).
        m_ids.push_back(id);
        std::string now = t.decode(m_ids);
        std::size_t same = 0;
        while (same < now.size() && same < m_text.size() && now[same] == m_text[same])
            ++same;
        m_text = std::move(now);
        return same;
    }
    const Tokenizer::PieceKind kind = t.pieceKind(id);
    if (!m_begun) {
        if (kind != Tokenizer::PieceKind::Byte) {
            // Whether this piece loses its leading space depends on the pieces before it:
            // SentencePiece decides, on all of them (their text is empty, so they are few).
            m_empty.push_back(id);
            m_text = t.decodeText(m_empty);
            if (!m_text.empty()) {
                m_begun = true;
                m_final = m_text.size();
                m_empty.clear();
            }
            return 0;
        }
        // Bytes never lose a space, and after them the text is not empty.
        m_begun = true;
        m_empty.clear();
    }
    const std::size_t unchanged = m_final;
    if (kind == Tokenizer::PieceKind::Byte) {
        m_bytes.push_back(id);
        writeFinishedCharacters();
        return unchanged;
    }
    // The run of bytes ends here: what is left of it reads as it stands.
    m_text.resize(m_final);
    if (!m_bytes.empty()) {
        m_text += t.decodeText(m_bytes);
        m_bytes.clear();
    }
    if (kind == Tokenizer::PieceKind::Unknown)
        m_text += t.decodeText({id}); // SentencePiece's unknown surface, " ⁇ "
    else if (kind == Tokenizer::PieceKind::Ordinary)
        m_text += withSpaces(t.piece(id));
    // A control piece has no text.
    m_final = m_text.size();
    return unchanged;
}

void IncrementalDecoder::writeFinishedCharacters()
{
    const Tokenizer &t = *m_tokenizer;
    m_text.resize(m_final);
    std::size_t used = 0;
    while (used < m_bytes.size()) {
        const int lead = byteOf(t.piece(m_bytes[used]));
        const std::size_t length = charLength(lead);
        if (m_bytes.size() - used < length)
            break; // its last byte has not come yet
        // SentencePiece reads a character from these bytes alone, as it does within a longer run:
        // either it writes them as they are, or the first byte reads U+FFFD and the next one
        // begins the next character.
        const std::vector<int> window(m_bytes.begin() + long(used), m_bytes.begin() + long(used + length));
        const std::string read = t.decodeText(window);
        std::string raw;
        for (int b : window)
            raw += char(byteOf(t.piece(b)));
        if (read == raw) {
            m_text += raw;
            used += length;
        } else {
            m_text += t.decodeText({m_bytes[used]}); // the byte alone: U+FFFD
            used += 1;
        }
    }
    m_bytes.erase(m_bytes.begin(), m_bytes.begin() + long(used));
    m_final = m_text.size();
    if (!m_bytes.empty())
        m_text += t.decodeText(m_bytes);
}

std::size_t findStopString(const std::string &text, std::size_t unchanged, const std::vector<std::string> &stops)
{
    for (const auto &stop : stops) {
        if (stop.empty())
            continue;
        // An occurrence within the unchanged bytes would have been found before.
        const std::size_t from = unchanged >= stop.size() ? unchanged - stop.size() + 1 : 0;
        if (const std::size_t at = text.find(stop, from); at != std::string::npos)
            return at;
    }
    return std::string::npos;
}

} // namespace sdrt::model
