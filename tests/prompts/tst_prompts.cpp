// Prompt library: the shipped files, parsing and validation errors (file and line), rendering,
// answer extraction, immutable versions in the workspace.

#include "sdrt/prompts/Ensemble.h"
#include "sdrt/prompts/PromptLibrary.h"
#include "sdrt/store/PromptRepository.h"
#include "sdrt/store/Workspace.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <sys/stat.h>

using namespace sdrt::prompts;

namespace {

const char *kGood = "name: sample\n"
                    "version: 2\n"
                    "description: A test prompt.\n"
                    "answer: after Answer:\n"
                    "step1.prefix: Analysis:\n"
                    "step2.prefix: Answer:\n"
                    "\n"
                    "[step1]\n"
                    "{images}\n"
                    "Look first. Question: {question} Note: {note} {{literal}}\n"
                    "[step2]\n"
                    "{images}\n"
                    "Analysis: {query1_answer}\n"
                    "Question: {question}\n";

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

// A line that parsing would quote in its error ("found '…'"): a message about a file refused
// unread must not hold it.
const char *kSecret = "SECRET-7f3a is not a key line\n";

// kGood renamed, with header comment lines in front so that the file is exactly `size` bytes.
QByteArray paddedPrompt(const char *name, qint64 size)
{
    const QByteArray body = QByteArray(kGood).replace("sample", name);
    QByteArray pad;
    for (qint64 left = size - body.size(); left > 0;) {
        const qint64 line = std::min<qint64>(left, 1000);
        pad += line >= 2 ? '#' + QByteArray(line - 2, 'p') + '\n' : QByteArray("\n");
        left -= line;
    }
    return pad + body;
}

} // namespace

class TestPrompts : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shippedLibraryLoads()
    {
        auto lib = PromptLibrary::loadDir(QStringLiteral(SDRT_SOURCE_PROMPTS_DIR));
        QVERIFY2(lib, lib ? "" : qPrintable(lib.error()));
        QVERIFY(lib->prompts().size() >= 5);
        for (const char *name : {"decompose", "reasoning-path", "text-layout", "defect-inspection", "drawing-note-crosscheck"})
            QVERIFY2(lib->find(QString::fromLatin1(name)), name);
        for (const Prompt &p : lib->prompts()) {
            QVERIFY(!p.steps[0].templateText.isEmpty());
            QVERIFY(p.steps[1].templateText.contains(QStringLiteral("{query1_answer}")));
            QCOMPARE(p.contentHash.size(), 64);
        }
        // The published wording of the Decompose prompt is kept.
        QVERIFY(lib->find(QStringLiteral("decompose"))->steps[0].templateText.contains(
            QStringLiteral("1. What objects/regions are important?")));
        QCOMPARE(lib->find(QStringLiteral("reasoning-path"))->steps[0].assistantPrefix, QStringLiteral("Reasoning path:"));
    }

    void parsesAllFields()
    {
        auto p = parsePrompt(QString::fromUtf8(kGood), QStringLiteral("sample.prompt"));
        QVERIFY2(p, p ? "" : qPrintable(p.error()));
        QCOMPARE(p->name, QStringLiteral("sample"));
        QCOMPARE(p->version, 2);
        QCOMPARE(p->description, QStringLiteral("A test prompt."));
        QCOMPARE(p->answerRule.kind, AnswerRule::Kind::After);
        QCOMPARE(p->answerRule.argument, QStringLiteral("Answer:"));
        QCOMPARE(p->steps[0].assistantPrefix, QStringLiteral("Analysis:"));
        QCOMPARE(p->steps[0].firstLine, 9);
        QCOMPARE(p->steps[1].firstLine, 12);
    }

    void rejectsBadFiles_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        const QString good = QString::fromUtf8(kGood);
        QTest::newRow("unknown placeholder") << QString(good).replace(QStringLiteral("Note: {note}"), QStringLiteral("Note: {notes}"))
                                             << QStringLiteral("bad.prompt:10: unknown placeholder {notes}");
        QTest::newRow("missing step 2") << good.left(good.indexOf(QStringLiteral("[step2]")))
                                        << QStringLiteral("bad.prompt: the prompt has no [step2] section");
        QTest::newRow("step 1 uses query1") << QString(good).replace(QStringLiteral("Look first."), QStringLiteral("{query1_answer}"))
                                            << QStringLiteral("bad.prompt:10: step 1 cannot use {query1_answer}");
        QTest::newRow("step 2 without query1") << QString(good).replace(QStringLiteral("Analysis: {query1_answer}"), QStringLiteral("Analysis:"))
                                               << QStringLiteral("[step2] must use {query1_answer}");
        QTest::newRow("unknown key") << QString(good).replace(QStringLiteral("description:"), QStringLiteral("summary:"))
                                     << QStringLiteral("bad.prompt:3: unknown key 'summary'");
        QTest::newRow("bad version") << QString(good).replace(QStringLiteral("version: 2"), QStringLiteral("version: two"))
                                     << QStringLiteral("bad.prompt:2: version must be a whole number");
        QTest::newRow("no name") << QString(good).replace(QStringLiteral("name: sample\n"), QString())
                                 << QStringLiteral("the prompt has no 'name:'");
        QTest::newRow("no answer rule") << QString(good).replace(QStringLiteral("answer: after Answer:\n"), QString())
                                        << QStringLiteral("no answer-extraction rule");
        QTest::newRow("third step") << good + QStringLiteral("[step3]\nmore\n") << QStringLiteral("unknown section [step3]");
        QTest::newRow("lone brace") << QString(good).replace(QStringLiteral("Look first."), QStringLiteral("Look } first."))
                                    << QStringLiteral("bad.prompt:10: a lone '}'");
        QTest::newRow("unclosed brace") << QString(good).replace(QStringLiteral("Look first."), QStringLiteral("Look {first."))
                                        << QStringLiteral("bad.prompt:10: '{' does not start a placeholder");
        QTest::newRow("empty step") << QString(good).replace(QStringLiteral("{images}\nLook first. Question: {question} Note: {note} {{literal}}\n"), QStringLiteral("\n"))
                                    << QStringLiteral("[step1] is empty");
        QTest::newRow("bad regex") << QString(good).replace(QStringLiteral("answer: after Answer:"), QStringLiteral("answer: regex ("))
                                   << QStringLiteral("bad.prompt:4: invalid answer regex");
    }

    void rejectsBadFiles()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        auto p = parsePrompt(text, QStringLiteral("bad.prompt"));
        QVERIFY(!p);
        QVERIFY2(p.error().contains(expected), qPrintable(p.error()));
    }

    void rejectsDuplicateNamesAndInvalidUtf8()
    {
        QTemporaryDir tmp;
        writeFile(tmp.filePath(QStringLiteral("a.prompt")), kGood);
        writeFile(tmp.filePath(QStringLiteral("b.prompt")), kGood);
        writeFile(tmp.filePath(QStringLiteral("c.prompt")), QByteArray(kGood).replace("sample", "other").append("\xff\xfe\n"));
        auto lib = PromptLibrary::loadDir(tmp.path());
        QVERIFY(!lib);
        QVERIFY2(lib.error().contains(QStringLiteral("b.prompt: duplicate prompt name 'sample' (also in a.prompt)")), qPrintable(lib.error()));
        QVERIFY2(lib.error().contains(QStringLiteral("c.prompt: the file is not valid UTF-8")), qPrintable(lib.error()));
    }

    // Each row puts one unsafe bad.prompt beside a good a.prompt.
    void refusesUnsafeFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("over the size limit") << "oversized" << QStringLiteral("over the limit of 262144 bytes for a prompt; it was not read");
        QTest::newRow("NUL byte") << "nul" << QStringLiteral("the file holds a NUL byte (at byte 41)");
        QTest::newRow("link leaving the folder") << "outside" << QStringLiteral("outside the prompt folder; it was not read");
        QTest::newRow("link up and back in by ..") << "dotdot" << QStringLiteral("outside the prompt folder; it was not read");
        QTest::newRow("broken link") << "broken" << QStringLiteral("which does not exist");
        QTest::newRow("FIFO") << "fifo" << QStringLiteral("not a regular file; it was not read");
    }

    void refusesUnsafeFiles()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QTemporaryDir tmp, elsewhere;
        const QString dir = tmp.filePath(QStringLiteral("prompts"));
        writeFile(QDir(dir).filePath(QStringLiteral("a.prompt")), kGood);
        const QString bad = QDir(dir).filePath(QStringLiteral("bad.prompt"));
        const QByteArray secretPrompt = QByteArray(kSecret) + QByteArray(kGood).replace("sample", "bad");
        if (kind == QLatin1String("oversized")) {
            writeFile(bad, QByteArray(kSecret) + paddedPrompt("bad", kMaxPromptFileBytes + 1 - qint64(qstrlen(kSecret))));
            QCOMPARE(QFileInfo(bad).size(), kMaxPromptFileBytes + 1);
        } else if (kind == QLatin1String("nul")) {
            writeFile(bad, QByteArray(secretPrompt).insert(40, '\0'));
        } else if (kind == QLatin1String("outside")) {
            const QString target = elsewhere.filePath(QStringLiteral("secret.prompt"));
            writeFile(target, secretPrompt);
            QVERIFY(QFile::link(target, bad));
        } else if (kind == QLatin1String("dotdot")) {
            // A relative link that climbs out of the folder to a file beside it.
            writeFile(tmp.filePath(QStringLiteral("beside.prompt")), secretPrompt);
            QVERIFY(QFile::link(QStringLiteral("../beside.prompt"), bad));
        } else if (kind == QLatin1String("broken")) {
            QVERIFY(QFile::link(elsewhere.filePath(QStringLiteral("gone.prompt")), bad));
        } else if (kind == QLatin1String("fifo")) {
            QCOMPARE(::mkfifo(QFile::encodeName(bad).constData(), 0600), 0);
        }
        auto lib = PromptLibrary::loadDir(dir);
        QVERIFY2(!lib, "the library loaded despite an unsafe file");
        QVERIFY2(lib.error().contains(QStringLiteral("bad.prompt: ")), qPrintable(lib.error()));
        QVERIFY2(lib.error().contains(expected), qPrintable(lib.error()));
        QVERIFY2(!lib.error().contains(QStringLiteral("SECRET")), qPrintable(lib.error()));
        // One message, for bad.prompt alone: the good file is not blamed.
        QVERIFY2(!lib.error().contains(QLatin1Char('\n')), qPrintable(lib.error()));
    }

    void acceptsLinksInsideAndFilesAtTheLimit()
    {
        QTemporaryDir tmp;
        const QDir dir(tmp.path());
        writeFile(dir.filePath(QStringLiteral("real/inner.txt")), kGood);
        QVERIFY(QFile::link(QStringLiteral("real/inner.txt"), dir.filePath(QStringLiteral("a.prompt"))));
        writeFile(dir.filePath(QStringLiteral("b.prompt")), paddedPrompt("at-limit", kMaxPromptFileBytes));
        QCOMPARE(QFileInfo(dir.filePath(QStringLiteral("b.prompt"))).size(), kMaxPromptFileBytes);
        auto lib = PromptLibrary::loadDir(tmp.path());
        QVERIFY2(lib, lib ? "" : qPrintable(lib.error()));
        QCOMPARE(lib->prompts().size(), size_t(2));
        QVERIFY(lib->find(QStringLiteral("sample")));
        QVERIFY(lib->find(QStringLiteral("at-limit")));
    }

    // What an error quotes of a malformed file is short and free of control characters.
    void quotesOnlyASafeSnippet_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QString>("forbidden");
        const QString good = QString::fromUtf8(kGood);
        QTest::newRow("escape sequence in a header line")
            << QString(good).replace(QStringLiteral("description: A test prompt."), QStringLiteral("\x1b]0;owned\x07 title"))
            << QStringLiteral("bad.prompt:3: expected 'key: value' or a [step1]/[step2] section, found '\\u001B]0;owned\\u0007 title'")
            << QString();
        QTest::newRow("long header line")
            << QString(good).replace(QStringLiteral("description: A test prompt."), QString(60, QLatin1Char('x')) + QStringLiteral("TAIL") + QString(500, QLatin1Char('y')))
            << QStringLiteral("found '") + QString(60, QLatin1Char('x')) + QChar(0x2026) + QLatin1Char('\'')
            << QStringLiteral("TAIL");
        QTest::newRow("escape sequence in a section name")
            << QString(good).replace(QStringLiteral("[step2]"), QStringLiteral("[step\x1b[2J]"))
            << QStringLiteral("unknown section [step\\u001B[2J]")
            << QString();
        QTest::newRow("escape sequence in the name")
            << QString(good).replace(QStringLiteral("name: sample"), QStringLiteral("name: \x1b[31mred"))
            << QStringLiteral("bad.prompt:1: prompt name '\\u001B[31mred'")
            << QString();
        QTest::newRow("line separator in the version")
            << QString(good).replace(QStringLiteral("version: 2"), QStringLiteral("version: 2\u2028three"))
            << QStringLiteral("found '2\\u2028three'")
            << QString();
        QTest::newRow("emoji is kept")
            << QString(good).replace(QStringLiteral("answer: after Answer:"), QStringLiteral("answer: 😀 rule"))
            << QStringLiteral("unknown answer rule '😀 rule'")
            << QString();
    }

    void quotesOnlyASafeSnippet()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QFETCH(QString, forbidden);
        auto p = parsePrompt(text, QStringLiteral("bad.prompt"));
        QVERIFY(!p);
        QVERIFY2(p.error().contains(expected), qPrintable(p.error()));
        if (!forbidden.isEmpty())
            QVERIFY2(!p.error().contains(forbidden), qPrintable(p.error()));
        for (const QChar c : p.error())
            QVERIFY2(c.category() != QChar::Other_Control && c.category() != QChar::Separator_Line,
                     qPrintable(QStringLiteral("control character U+%1 in the message").arg(c.unicode(), 4, 16, QLatin1Char('0'))));
    }

    void rendersBothSteps()
    {
        auto p = parsePrompt(QString::fromUtf8(kGood), QStringLiteral("sample.prompt"));
        QVERIFY(p);
        RenderContext ctx;
        ctx.imageCount = 2;
        ctx.question = QStringLiteral("穴はいくつ？");
        ctx.note = QStringLiteral("穴数: 4");
        ctx.query1Answer = QStringLiteral("four holes, one crack top-left");
        const RenderedStep s1 = p->render(1, ctx);
        QCOMPARE(s1.user, QStringLiteral("<image>\n<image>\nLook first. Question: 穴はいくつ？ Note: 穴数: 4 {literal}"));
        QCOMPARE(s1.assistantPrefix, QStringLiteral("Analysis:"));
        const RenderedStep s2 = p->render(2, ctx);
        // Step 2's template has no {note}: the note follows the images.
        QCOMPARE(s2.user, QStringLiteral("<image>\n<image>\nNote: 穴数: 4\nAnalysis: four holes, one crack top-left\nQuestion: 穴はいくつ？"));
        QCOMPARE(s2.assistantPrefix, QStringLiteral("Answer:"));
        ctx.note.clear();
        QCOMPARE(p->render(2, ctx).user, QStringLiteral("<image>\n<image>\nAnalysis: four holes, one crack top-left\nQuestion: 穴はいくつ？"));
        ctx.imageToken = QStringLiteral("[IMG]");
        ctx.imageCount = 1;
        QVERIFY(p->render(1, ctx).user.startsWith(QStringLiteral("[IMG]\nLook")));

        // The same steps as parts for the model's chat template: images, then the text without
        // the newlines that joined it to them; text the user wrote that looks like an image
        // token stays text.
        const RenderedPart image{true, {}};
        QCOMPARE(s1.parts, (QList<RenderedPart>{image, image, {false, QStringLiteral("Look first. Question: 穴はいくつ？ Note: 穴数: 4 {literal}")}}));
        QCOMPARE(s2.parts, (QList<RenderedPart>{image, image,
                                                {false, QStringLiteral("Note: 穴数: 4\nAnalysis: four holes, one crack top-left\nQuestion: 穴はいくつ？")}}));
        ctx.question = QStringLiteral("Is <image> in the text?");
        ctx.imageToken = QStringLiteral("<image>");
        QCOMPARE(p->render(1, ctx).parts, (QList<RenderedPart>{image, {false, QStringLiteral("Look first. Question: Is <image> in the text? Note:  {literal}")}}));
        ctx.imageCount = 0;
        QCOMPARE(p->render(1, ctx).parts.size(), 1);
        QVERIFY(!p->render(1, ctx).parts.first().image);
    }

    void extractsAnswers_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("response");
        QTest::addColumn<QString>("expected");
        QTest::newRow("after, first line") << "after Answer:" << "Answer: 4\nbecause four holes" << "4";
        QTest::newRow("after, last marker") << "after Answer:" << "Answer: maybe\nAnswer: top-left" << "top-left";
        QTest::newRow("after, missing") << "after Answer:" << "I think 4" << "";
        QTest::newRow("first line") << "first-line" << "\n  yes \nno" << "yes";
        QTest::newRow("regex group") << "regex count=(\\d+)" << "holes: count=6 total" << "6";
        QTest::newRow("regex no match") << "regex count=(\\d+)" << "none" << "";
    }

    void extractsAnswers()
    {
        QFETCH(QString, rule);
        QFETCH(QString, response);
        QFETCH(QString, expected);
        const QString text = QString::fromUtf8(kGood).replace(QStringLiteral("answer: after Answer:"), QStringLiteral("answer: ") + rule);
        auto p = parsePrompt(text, QStringLiteral("x.prompt"));
        QVERIFY2(p, p ? "" : qPrintable(p.error()));
        QCOMPARE(p->answerRule.extract(response), expected);
    }

    void ensembleVotes()
    {
        auto trace = [](const QString &answer, double lp) {
            sdrt::store::Trace t;
            t.parsedAnswer = answer;
            t.meanLogprob = lp;
            return t;
        };
        // Two confident-less "4" against one very confident "5": the majority says 4, the
        // weighted vote 5 (exp(-0.05) > 2 exp(-2)).
        std::vector<sdrt::store::Trace> ts = {trace(QStringLiteral("4 holes."), -2.0), trace(QStringLiteral(" 4"), -2.0),
                                              trace(QStringLiteral("5"), -0.05), trace(QString(), 0)};
        sdrt::store::Trace failed = trace(QStringLiteral("5"), 0);
        failed.status = sdrt::store::TraceStatus::Failed;
        ts.push_back(failed);
        const Ensemble e = ensemble(ts, QStringLiteral("number"));
        QCOMPARE(e.votes, 3);
        QCOMPARE(e.majority, QStringLiteral("4"));
        QCOMPARE(e.weighted, QStringLiteral("5"));
        QVERIFY(qAbs(e.agreement - 2.0 / 3.0) < 1e-9);
        QCOMPARE(ensemble(std::vector<sdrt::store::Trace>{}, QStringLiteral("text")).votes, 0);
        // The same votes given as answers and log-probabilities.
        const Ensemble v = ensemble(std::vector<Vote>{{QStringLiteral("4 holes."), -2.0}, {QStringLiteral(" 4"), -2.0}, {QStringLiteral("5"), -0.05}},
                                    QStringLiteral("number"));
        QCOMPARE(v.majority, e.majority);
        QCOMPARE(v.weighted, e.weighted);
        QCOMPARE(v.votes, e.votes);
    }

    void agreementWithTheEnsemble_data()
    {
        QTest::addColumn<QString>("answerType");
        QTest::addColumn<QStringList>("votes");
        QTest::addColumn<QString>("answer");
        QTest::addColumn<bool>("agrees");
        const QStringList holes{QStringLiteral("4"), QStringLiteral("4 holes"), QStringLiteral("5")};
        QTest::newRow("majority, as parsed") << "number" << holes << "4 holes." << true;
        QTest::newRow("minority") << "number" << holes << "5" << false;
        QTest::newRow("no answer") << "number" << holes << "" << false;
        QTest::newRow("nobody voted") << "number" << QStringList{QString(), QString()} << "" << false;
        QTest::newRow("text, case and full stop") << "text" << QStringList{QStringLiteral("SUS304"), QStringLiteral("sus304.")} << "Sus304" << true;
        QTest::newRow("text, whole answer counts") << "text" << QStringList{QStringLiteral("SUS304"), QStringLiteral("sus304")} << "SUS304, as drawn" << false;
    }

    void agreementWithTheEnsemble()
    {
        QFETCH(QString, answerType);
        QFETCH(QStringList, votes);
        QFETCH(QString, answer);
        QFETCH(bool, agrees);
        std::vector<Vote> v;
        for (const QString &a : votes)
            v.push_back({a, -1.0});
        QCOMPARE(ensemble(v, answerType).agreesWith(answer), agrees);
    }

    void versionsAreImmutableInAWorkspace()
    {
        QTemporaryDir prompts, wsDir;
        writeFile(prompts.filePath(QStringLiteral("a.prompt")), kGood);
        auto ws = sdrt::store::Workspace::create(wsDir.path());
        QVERIFY(ws);
        auto lib = PromptLibrary::loadDir(prompts.path());
        QVERIFY(lib);
        auto ids = lib->registerIn(ws->db());
        QVERIFY(ids);
        QCOMPARE(ids->size(), size_t(1));
        // The same file again: the same stored version.
        auto again = lib->registerIn(ws->db());
        QVERIFY(again);
        QCOMPARE(again->front(), ids->front());
        // Edited text under the same version: refused, naming the prompt.
        writeFile(prompts.filePath(QStringLiteral("a.prompt")), QByteArray(kGood).replace("Look first.", "Look carefully."));
        auto edited = PromptLibrary::loadDir(prompts.path());
        QVERIFY(edited);
        QVERIFY(edited->prompts().front().contentHash != lib->prompts().front().contentHash);
        auto refused = edited->registerIn(ws->db());
        QVERIFY(!refused);
        QVERIFY2(refused.error().contains(QStringLiteral("\"sample\" version 2")), qPrintable(refused.error()));
        sdrt::store::PromptRepository repo(ws->db());
        QCOMPARE(repo.list()->size(), size_t(1));
        QCOMPARE(repo.list()->front().body, QString::fromUtf8(kGood));
    }
};

QTEST_GUILESS_MAIN(TestPrompts)
#include "tst_prompts.moc"
