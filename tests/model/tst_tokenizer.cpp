// Decoding generated tokens one at a time (IncrementalDecoder) against decoding every prefix
// whole (Tokenizer::decode, what generation did before): the same text after every token, on
// English and Japanese text, byte-fallback characters (finished, unfinished, invalid), the
// U+2581 space marker at the start, special tokens and random token sequences; and stop strings
// found at the same token and cut at the same place as before, one spanning two tokens
// included. Two tokenizers: ours (SentencePiece's default whitespace handling) and one like
// Llama's (remove_extra_whitespaces off, so only the first leading space is dropped; with a
// control piece of its own besides BOS and EOS).

#include "sdrt/model/IncrementalDecoder.h"
#include "sdrt/model/Tokenizer.h"

#include <QTest>

#include <algorithm>
#include <cstdio>
#include <random>

using namespace sdrt::model;

namespace {

const std::vector<std::string> kCorpus = {
    "The plate has six holes. The bracket has four holes and a crack near the top left hole.",
    "Count the holes in the photo, then compare the count with the work order and the drawing.",
    "Answer: yes. Answer: no. The counts agree. The counts differ: 6 against 5.",
    "作業指示 WO-1002 部品番号: PN-5678 材質: SUS304 穴数: 6 備考: 外観検査を実施すること。",
    "穴はいくつありますか？ 図面と写真の穴数は一致していますか？ はい いいえ",
};

// What generation did before: decode every prefix whole and look for each stop string in it.
struct Stopped {
    int token = -1; // index of the token after which it stopped; -1: never
    std::string text;
};

Stopped decodeEveryPrefix(const Tokenizer &t, const std::vector<int> &ids, const std::vector<std::string> &stops)
{
    std::vector<int> sofar;
    std::string text;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        sofar.push_back(ids[i]);
        text = t.decode(sofar);
        for (const auto &stop : stops) {
            const auto at = stop.empty() ? std::string::npos : text.find(stop);
            if (at != std::string::npos)
                return {int(i), text.substr(0, at)};
        }
    }
    return {-1, text};
}

Stopped decodeIncrementally(const Tokenizer &t, const std::vector<int> &ids, const std::vector<std::string> &stops)
{
    IncrementalDecoder d(t);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::size_t unchanged = d.push(ids[i]);
        if (const auto at = findStopString(d.text(), unchanged, stops); at != std::string::npos)
            return {int(i), d.text().substr(0, at)};
    }
    return {-1, d.text()};
}

QByteArray printable(const std::string &s)
{
    return QByteArray::fromStdString(s).toPercentEncoding(" ");
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

    std::vector<Tokenizer> m_tokenizers; // 0: ours, 1: like Llama's

    const Tokenizer &tokenizer(int which) const { return m_tokenizers[std::size_t(which)]; }

    int byteId(const Tokenizer &t, int byte) const
    {
        char piece[8];
        std::snprintf(piece, sizeof piece, "<0x%02X>", byte);
        return t.tokenId(piece);
    }

    // Pushes the ids one at a time; after each, the text must equal decode() of the prefix and
    // the bytes reported unchanged must be.
    void compareEveryPrefix(const Tokenizer &t, const std::vector<int> &ids)
    {
        IncrementalDecoder d(t);
        std::vector<int> sofar;
        std::string before;
        for (int id : ids) {
            sofar.push_back(id);
            const std::size_t unchanged = d.push(id);
            const std::string whole = t.decode(sofar);
            QVERIFY2(d.text() == whole, qPrintable(QStringLiteral("after %1 tokens: incremental \"%2\", whole \"%3\"")
                                                       .arg(sofar.size())
                                                       .arg(QString::fromLatin1(printable(d.text())),
                                                            QString::fromLatin1(printable(whole)))));
            QVERIFY(unchanged <= before.size() && unchanged <= whole.size());
            QVERIFY2(before.compare(0, unchanged, whole, 0, unchanged) == 0, "bytes reported unchanged changed");
            before = whole;
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        const std::vector<std::vector<std::pair<std::string, std::string>>> options = {
            {}, {{"remove_extra_whitespaces", "false"}, {"control_symbols", "<ctrl>"}}};
        for (const auto &o : options) {
            auto proto = trainSentencePiece(kCorpus, 400, o);
            QVERIFY2(proto, proto ? "" : proto.error().c_str());
            auto plain = Tokenizer::fromSerialized(*proto, {});
            QVERIFY2(plain, plain ? "" : plain.error().c_str());
            // Added tokens after the pieces, as in a LLaVA checkpoint.
            const int n = plain->vocabSize();
            auto t = Tokenizer::fromSerialized(*proto, {{"<image>", n}, {"<pad>", n + 1}});
            QVERIFY2(t, t ? "" : t.error().c_str());
            m_tokenizers.push_back(std::move(*t));
        }
        // The cases below need byte-fallback pieces and the lone space marker.
        for (const auto &t : m_tokenizers) {
            QVERIFY(byteId(t, 0xE3) > 0);
            QVERIFY(t.tokenId("\xe2\x96\x81") > 0);
        }
    }

    void encodedTextDecodesAsWhole_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("bos");
        QTest::addColumn<bool>("bytes"); // true: some characters must come as byte-fallback pieces
        struct Row {
            const char *name;
            QString text;
            bool bytes;
        };
        const std::vector<Row> texts = {
            {"English", QStringLiteral("The plate has six holes. The counts agree."), false},
            {"English, spaces", QStringLiteral("  two  leading spaces,  double  spaces and a trailing one "), false},
            {"English, new lines and digits", QStringLiteral("Answer: 6\n\nholes: 1234567890\ttab"), false},
            {"Japanese, pieces", QStringLiteral("作業指示 WO-1002: 穴数は 6、材質 SUS304。"), false},
            {"Japanese, byte fallback", QStringLiteral("鋼鉄の溶接部に亀裂。錆あり、要交換。"), true},
            {"Japanese only, unseen first", QStringLiteral("溶接"), true},
            {"mixed, emoji", QStringLiteral("bolt 🔩 ボルト 🔩🔩 done"), true},
            {"special tokens", QStringLiteral("USER: <image>\n穴は？<pad><pad> ASSISTANT: 6"), false},
            {"special token first", QStringLiteral("<image> holes"), false},
        };
        for (int which = 0; which < 2; ++which) {
            for (const auto &row : texts) {
                for (bool bos : {false, true})
                    QTest::addRow("%s, %s%s", which == 0 ? "ours" : "llama", row.name, bos ? ", BOS" : "")
                        << which << row.text << bos << row.bytes;
            }
        }
    }

    void encodedTextDecodesAsWhole()
    {
        QFETCH(int, which);
        QFETCH(QString, text);
        QFETCH(bool, bos);
        QFETCH(bool, bytes);
        const Tokenizer &t = tokenizer(which);
        std::vector<int> ids = t.encode(text.toStdString(), bos);
        const auto isByte = [&](int id) { return t.piece(id).rfind("<0x", 0) == 0; };
        if (bytes)
            QVERIFY(std::any_of(ids.begin(), ids.end(), isByte));
        ids.push_back(t.eosId());
        compareEveryPrefix(t, ids);
        QVERIFY(!QTest::currentTestFailed());
        IncrementalDecoder d(t);
        for (int id : ids)
            d.push(id);
        QCOMPARE(d.text(), t.decode(ids));
    }

    void handMadeSequences()
    {
        for (const Tokenizer &t : m_tokenizers) {
            const int space = t.tokenId("\xe2\x96\x81");
            const int s = t.tokenId("s"); // a piece without the space marker
            QVERIFY(s > 0);
            auto b = [&](int byte) { return byteId(t, byte); };
            // A word's pieces, the first with the space marker.
            const std::vector<int> word = t.encode("holes", false);
            QVERIFY(!word.empty() && t.piece(word.front()).rfind("\xe2\x96\x81", 0) == 0);
            constexpr int W = -2; // stands for the word's pieces
            const std::vector<std::vector<int>> withWords = {
                {space, W, space, W},                                    // lone space marker first
                {space, space, W},                                       // two of them
                {t.bosId(), space, W, t.eosId(), W},                     // after BOS; EOS in between
                {t.imageTokenId(), space, W},                            // after an added token
                {t.unkId(), W, t.unkId()},                               // unknown pieces
                {t.tokenId("<ctrl>"), space, W, t.tokenId("<ctrl>"), W}, // a control piece (llama-like only)
                {b(0xE3), b(0x81), b(0x82)},                             // one character: ぁ
                {b(0xE3), b(0x81)},                                      // unfinished at the end
                {b(0xE3), b(0x81), W},                                   // unfinished, then a piece
                {b(0xE3), b(0x41), b(0x81), b(0x82)},                    // broken, then bytes that begin nothing
                {b(0xFF), b(0x80), b(0xBF), b(0xF8)},                    // bytes that never begin a character
                {b(0xC3), b(0xA9), b(0xC3)},                             // é, then an unfinished one
                {b(0xEF), b(0xBF), b(0xBD)},                             // U+FFFD itself, written as bytes
                {b(0xF0), b(0x9F), b(0x94), b(0xA9), space, W},          // 🔩 (four bytes), then a word
                {b(0xF0), b(0x9F), b(0x94), b(0x41)},                    // four-byte lead, broken at the end
                {b(0xED), b(0xA0), b(0x80)},                             // a surrogate: invalid
                {b(0xC0), b(0x80), b(0xE0), b(0x80), b(0x80)},           // overlong forms: invalid
                {b(0x20), W, b(0x20)},                                   // a space as a byte, first
                {space, b(0xE3), b(0x81), b(0x82), s},                   // space marker, then bytes
                {s, b(0xE3), space, b(0xE3), b(0x81), b(0x82)},          // a run cut short by a piece
            };
            std::vector<std::vector<int>> cases;
            for (const auto &c : withWords) {
                cases.emplace_back();
                for (int id : c) {
                    if (id == W)
                        cases.back().insert(cases.back().end(), word.begin(), word.end());
                    else
                        cases.back().push_back(id);
                }
            }
            for (const auto &ids : cases) {
                compareEveryPrefix(t, ids);
                if (QTest::currentTestFailed())
                    return;
            }
        }
    }

    void randomSequences()
    {
        for (const Tokenizer &t : m_tokenizers) {
            std::mt19937 rng(17);
            std::vector<int> bytes;
            for (int v = 0; v < 256; ++v)
                bytes.push_back(byteId(t, v));
            std::uniform_int_distribution<int> anyId(-1, t.vocabSize() + 1); // out of range included
            std::uniform_int_distribution<int> anyByte(0, 255), length(1, 30), kind(0, 3);
            for (int n = 0; n < 400; ++n) {
                std::vector<int> ids;
                const int len = length(rng);
                for (int i = 0; i < len; ++i) {
                    // Half the tokens bytes, many of them UTF-8 leads, so runs form characters.
                    switch (kind(rng)) {
                    case 0:
                        ids.push_back(bytes[std::size_t(anyByte(rng))]);
                        break;
                    case 1:
                        ids.push_back(bytes[std::size_t(0xE0 + anyByte(rng) % 5)]);
                        ids.push_back(bytes[std::size_t(0x80 + anyByte(rng) % 64)]);
                        break;
                    default:
                        ids.push_back(anyId(rng));
                        break;
                    }
                }
                compareEveryPrefix(t, ids);
                if (QTest::currentTestFailed())
                    return;
            }
        }
    }

    void stopStringSpanningTwoTokens()
    {
        for (const Tokenizer &t : m_tokenizers) {
            const std::vector<std::string> texts = {"The plate has six holes. The counts agree.",
                                                    "図面と写真の穴数は一致していますか？ はい"};
            for (const std::string &text : texts) {
                const std::vector<int> ids = t.encode(text, false);
                // A boundary with at least two bytes of text on each side; the stop string is
                // the last two bytes before it and the first two after (whole UTF-8 characters:
                // Japanese characters are three bytes, so take whole characters there).
                std::size_t k = 0;
                std::string head, stop;
                for (k = 1; k + 1 < ids.size(); ++k) {
                    head = t.decode({ids.begin(), ids.begin() + long(k)});
                    const std::string next = t.decode({ids.begin(), ids.begin() + long(k + 1)}).substr(head.size());
                    const std::size_t take = static_cast<unsigned char>(text[0]) >= 0x80 ? 3 : 2;
                    if (head.size() >= take && next.size() >= take && text.compare(0, head.size(), head) == 0 &&
                        text.compare(head.size(), take, next, 0, take) == 0) {
                        stop = head.substr(head.size() - take) + next.substr(0, take);
                        break;
                    }
                }
                QVERIFY2(!stop.empty(), text.c_str());
                QVERIFY(text.find(stop) != std::string::npos);
                const Stopped before = decodeEveryPrefix(t, ids, {stop});
                const Stopped now = decodeIncrementally(t, ids, {stop});
                // Found when its second token arrives, cut where it begins: in the first token.
                QCOMPARE(now.token, before.token);
                QCOMPARE(now.text, before.text);
                QCOMPARE(now.token, int(k));
                QCOMPARE(now.text, text.substr(0, text.find(stop)));
                QVERIFY(now.text.size() < head.size());
            }
        }
    }

    void stopStringsAsBefore_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QStringList>("stops");
        QTest::newRow("none found") << QStringLiteral("The plate has six holes.")
                                    << QStringList{QStringLiteral("crack")};
        QTest::newRow("first listed, later in the text")
            << QStringLiteral("The counts agree. Answer: yes.")
            << QStringList{QStringLiteral("Answer"), QStringLiteral("counts")};
        QTest::newRow("empty stop ignored")
            << QStringLiteral("six holes") << QStringList{QString(), QStringLiteral("holes")};
        QTest::newRow("at the very start") << QStringLiteral("The plate") << QStringList{QStringLiteral("Th")};
        QTest::newRow("a space at the start") << QStringLiteral(" holes") << QStringList{QStringLiteral(" h")};
        QTest::newRow("Japanese") << QStringLiteral("穴数は 6、材質 SUS304。") << QStringList{QStringLiteral("6、材")};
        QTest::newRow("byte-fallback character") << QStringLiteral("鋼鉄の溶接部") << QStringList{QStringLiteral("溶")};
        QTest::newRow("new line") << QStringLiteral("Step 1: count\n\nStep 2") << QStringList{QStringLiteral("\n\n")};
        QTest::newRow("replacement character of an unfinished one")
            << QStringLiteral("鋼鉄") << QStringList{QString(QChar(0xFFFD))};
    }

    void stopStringsAsBefore()
    {
        QFETCH(QString, text);
        QFETCH(QStringList, stops);
        std::vector<std::string> list;
        for (const auto &s : stops)
            list.push_back(s.toStdString());
        for (const Tokenizer &t : m_tokenizers) {
            const std::vector<int> ids = t.encode(text.toStdString(), false);
            const Stopped before = decodeEveryPrefix(t, ids, list);
            const Stopped now = decodeIncrementally(t, ids, list);
            QCOMPARE(now.token, before.token);
            QCOMPARE(now.text, before.text);
        }
    }

    void randomStopStrings()
    {
        // Random token sequences and stop strings cut from their text anywhere (inside UTF-8
        // characters too), one to three of them: the same token and the same cut as before.
        for (const Tokenizer &t : m_tokenizers) {
            std::mt19937 rng(5);
            std::uniform_int_distribution<int> anyId(0, t.vocabSize() - 1), length(1, 24), count(1, 3);
            int stopped = 0;
            for (int n = 0; n < 400; ++n) {
                std::vector<int> ids;
                const int len = length(rng);
                for (int i = 0; i < len; ++i)
                    ids.push_back(anyId(rng));
                const std::string whole = t.decode(ids);
                std::vector<std::string> stops;
                for (int s = count(rng); s > 0 && !whole.empty(); --s) {
                    const std::size_t at = std::uniform_int_distribution<std::size_t>(0, whole.size() - 1)(rng);
                    const std::size_t len = std::uniform_int_distribution<std::size_t>(1, 6)(rng);
                    stops.push_back(whole.substr(at, len));
                }
                const Stopped before = decodeEveryPrefix(t, ids, stops);
                const Stopped now = decodeIncrementally(t, ids, stops);
                QCOMPARE(now.token, before.token);
                QCOMPARE(now.text, before.text);
                stopped += before.token >= 0;
            }
            QVERIFY(stopped > 200); // the cases mostly stop
        }
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "tst_tokenizer.moc"
