// Prompt library: the shipped files, parsing and validation errors (file and line), rendering,
// answer extraction, immutable versions in the workspace.

#include "sdrt/prompts/PromptLibrary.h"
#include "sdrt/store/PromptRepository.h"
#include "sdrt/store/Workspace.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

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
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
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
