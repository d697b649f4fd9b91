// A C interface to SentencePiece, built as its own shared library and loaded with
// dlopen(RTLD_LOCAL | RTLD_DEEPBIND) by Tokenizer.cpp.
//
// Why: Debian's libsentencepiece carries its own copy of protobuf (3.14) and exports its
// symbols, while LibTorch loads the system libprotobuf (3.21). Linked into one process the two
// bind to each other's code and the program crashes at start-up. Loaded locally and bound
// deeply, SentencePiece uses only its own copy.

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

void setError(char *err, std::size_t errLen, const std::string &message)
{
    if (err && errLen > 0)
        std::snprintf(err, errLen, "%s", message.c_str());
}

class ListIterator final : public sentencepiece::SentenceIterator {
public:
    ListIterator(const char *const *sentences, int count) : m_s(sentences), m_n(count) {}
    bool done() const override { return m_i >= m_n; }
    void Next() override
    {
        ++m_i;
        load();
    }
    const std::string &value() const override { return m_value; }
    sentencepiece::util::Status status() const override { return {}; }
    void load()
    {
        if (m_i < m_n)
            m_value = m_s[m_i];
    }

private:
    const char *const *m_s;
    int m_n;
    int m_i = 0;
    std::string m_value;
};

} // namespace

extern "C" {

__attribute__((visibility("default"))) void *sdrt_spm_load(const char *proto, std::size_t len, char *err, std::size_t errLen)
{
    auto *sp = new sentencepiece::SentencePieceProcessor();
    const auto status = sp->LoadFromSerializedProto(std::string(proto, len));
    if (!status.ok()) {
        setError(err, errLen, status.ToString());
        delete sp;
        return nullptr;
    }
    return sp;
}

__attribute__((visibility("default"))) void sdrt_spm_free(void *handle)
{
    delete static_cast<sentencepiece::SentencePieceProcessor *>(handle);
}

// Writes up to `cap` ids; returns how many there are (call again with a larger buffer when
// the return value exceeds cap), or -1 on error.
__attribute__((visibility("default"))) int sdrt_spm_encode(void *handle, const char *text, std::size_t len, int *out, int cap)
{
    std::vector<int> ids;
    if (!static_cast<sentencepiece::SentencePieceProcessor *>(handle)->Encode(std::string(text, len), &ids).ok())
        return -1;
    for (int i = 0; i < int(ids.size()) && i < cap; ++i)
        out[i] = ids[std::size_t(i)];
    return int(ids.size());
}

// Writes up to `cap` bytes (not terminated); returns the decoded length, or -1 on error.
__attribute__((visibility("default"))) long sdrt_spm_decode(void *handle, const int *ids, int n, char *out, long cap)
{
    std::string text;
    if (!static_cast<sentencepiece::SentencePieceProcessor *>(handle)->Decode(std::vector<int>(ids, ids + n), &text).ok())
        return -1;
    std::memcpy(out, text.data(), std::size_t(std::min<long>(cap, long(text.size()))));
    return long(text.size());
}

__attribute__((visibility("default"))) int sdrt_spm_info(void *handle, int what)
{
    auto *sp = static_cast<sentencepiece::SentencePieceProcessor *>(handle);
    switch (what) {
    case 0: return sp->GetPieceSize();
    case 1: return sp->bos_id();
    case 2: return sp->eos_id();
    case 3: return sp->unk_id();
    case 4: return sp->pad_id();
    }
    return -1;
}

// What kind of piece `id` is, for decoding one token at a time: 0 an ordinary piece (normal,
// user-defined or unused: its text is the piece with U+2581 as a space), 1 control (no text),
// 2 unknown, 3 byte fallback; -1 when out of range.
__attribute__((visibility("default"))) int sdrt_spm_piece_kind(void *handle, int id)
{
    auto *sp = static_cast<sentencepiece::SentencePieceProcessor *>(handle);
    if (id < 0 || id >= sp->GetPieceSize())
        return -1;
    if (sp->IsControl(id))
        return 1;
    if (sp->IsUnknown(id))
        return 2;
    if (sp->IsByte(id))
        return 3;
    return 0;
}

__attribute__((visibility("default"))) long sdrt_spm_id_to_piece(void *handle, int id, char *out, long cap)
{
    const std::string p = static_cast<sentencepiece::SentencePieceProcessor *>(handle)->IdToPiece(id);
    std::memcpy(out, p.data(), std::size_t(std::min<long>(cap, long(p.size()))));
    return long(p.size());
}

__attribute__((visibility("default"))) int sdrt_spm_piece_to_id(void *handle, const char *piece, std::size_t len)
{
    return static_cast<sentencepiece::SentencePieceProcessor *>(handle)->PieceToId(std::string(piece, len));
}

// Trains a model; on success *out holds the serialized proto (free with sdrt_spm_free_buffer).
__attribute__((visibility("default"))) int sdrt_spm_train(const char *const *sentences, int count, const char *const *keys,
                                                          const char *const *values, int nargs, char **out, std::size_t *outLen,
                                                          char *err, std::size_t errLen)
{
    std::unordered_map<std::string, std::string> args;
    for (int i = 0; i < nargs; ++i)
        args[keys[i]] = values[i];
    ListIterator it(sentences, count);
    it.load();
    std::string proto;
    const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &proto);
    if (!status.ok()) {
        setError(err, errLen, status.ToString());
        return 1;
    }
    *out = static_cast<char *>(std::malloc(proto.size()));
    std::memcpy(*out, proto.data(), proto.size());
    *outLen = proto.size();
    return 0;
}

__attribute__((visibility("default"))) void sdrt_spm_free_buffer(char *buffer)
{
    std::free(buffer);
}

} // extern "C"
