// The synthetic factory world and the demo teacher's curriculum: determinism, the manifest
// import round trip, well-formed two-step examples, and training on them lowering the loss.

#include "sdrt/assets/ImportJob.h"
#include "sdrt/demo/FactoryWorld.h"
#include "sdrt/demo/TeacherCurriculum.h"
#include "sdrt/demo/TeacherEvaluation.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/model/Training.h"
#include "sdrt/prompts/PromptLibrary.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <map>

using namespace sdrt;

namespace {

QByteArray treeHash(const QString &dir)
{
    QStringList files;
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    files.sort();
    QCryptographicHash h(QCryptographicHash::Sha256);
    for (const QString &f : files) {
        QFile file(f);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        h.addData(QDir(dir).relativeFilePath(f).toUtf8());
        h.addData(file.readAll());
    }
    return h.result().toHex();
}

} // namespace

// What the demo teacher reads for a request or example: its chat turn through the LLaVA 1.5
// template the bundled teacher ships.
template <typename R>
std::string shown(const R &r)
{
    static const auto llava = model::ChatTemplate::builtin(model::ChatTemplate::Default::Llava15);
    if (!r.chat)
        return r.prompt;
    auto text = llava.render(*r.chat);
    if (!text)
        throw std::runtime_error(text.error());
    return *text;
}

class TestDemo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sameSeedSameBytes()
    {
        QTemporaryDir a, b, c;
        QVERIFY(demo::makeData({a.path(), 25, 11}));
        QVERIFY(demo::makeData({b.path(), 25, 11}));
        QVERIFY(demo::makeData({c.path(), 25, 12}));
        QCOMPARE(treeHash(a.path()), treeHash(b.path()));
        QVERIFY(treeHash(a.path()) != treeHash(c.path()));
        // A slice of the world equals the same items generated as part of the whole.
        auto whole = demo::generateItems(11, 0, 10, 0.25, 48);
        auto slice = demo::generateItems(11, 6, 2, 0.25, 48);
        QCOMPARE(slice[0].question, whole[6].question);
        QCOMPARE(slice[1].photoRgb, whole[7].photoRgb);
    }

    void worldCoversFamiliesKindsAndContradictions()
    {
        auto items = demo::generateItems(3, 0, 400);
        std::map<std::string, int> families, kinds;
        int contradictions = 0, japanese = 0, eval = 0;
        for (const auto &i : items) {
            ++families[i.family];
            ++kinds[i.part.kind];
            contradictions += i.usesNote && i.part.noteHoles != i.part.photoHoles;
            japanese += i.part.japaneseNote;
            eval += i.split == "eval";
            if (i.family == "counting")
                QCOMPARE(i.answer, std::to_string(i.part.photoHoles));
            if (i.family == "drawing_check")
                QCOMPARE(i.answer, std::string(i.part.photoHoles == i.part.drawingHoles ? "yes" : "no"));
        }
        QCOMPARE(families.size(), size_t(5));
        QCOMPARE(kinds.size(), size_t(3));
        for (const auto &[f, n] : families)
            QVERIFY2(n > 40, f.c_str());
        QVERIFY(contradictions > 10);
        QVERIFY(japanese > 60);
        QVERIFY(eval > 50 && eval < 150);
    }

    void manifestImportRoundTrip()
    {
        QTemporaryDir data, ws;
        auto made = demo::makeData({data.path(), 30, 5});
        QVERIFY(made);
        QVERIFY(store::Workspace::create(ws.path()));
        assets::ImportParams params;
        params.workspaceRoot = ws.path();
        params.source = made->manifest;
        auto report = assets::ImportJob(params).run();
        QVERIFY(report);
        QCOMPARE(report->imported, 30);
        QCOMPARE(report->failed, 0);
        auto w = store::Workspace::open(ws.path());
        store::ItemRepository repo(w->db());
        auto items = demo::generateItems(5, 0, 30);
        std::map<std::string, int> expected;
        for (const auto &i : items)
            ++expected[i.family];
        for (const auto &[family, n] : expected)
            QCOMPARE(*repo.count({{}, QString::fromStdString(family), {}}), std::int64_t(n));
        // Japanese notes and file names survive the trip.
        QVERIFY(*repo.count({{}, {}, QStringLiteral("作業指示")}) > 0);
    }

    void curriculumExamplesAreWellFormed()
    {
        auto library = prompts::PromptLibrary::loadDir(QStringLiteral(SDRT_SOURCE_PROMPTS_DIR));
        QVERIFY(library);
        demo::TeacherCurriculum curriculum(*library);
        auto items = demo::generateItems(2, 0, 60, 0.25, 32);
        int direct = 0, step1 = 0, step2 = 0, focus = 0;
        const std::vector<std::string> focusQuestions = {
            demo::withFamily(items[0], "defect").question, demo::withFamily(items[0], "note_check").question,
            demo::withFamily(items[0], "drawing_check").question, demo::TeacherCurriculum::presenceQuestion(items[0]).question,
            demo::TeacherCurriculum::readingQuestion(items[0]).question};
        for (const auto &item : items) {
            for (std::uint64_t v = 0; v < 8; ++v) {
                const auto e = curriculum.example(item, v);
                int marks = 0;
                for (std::size_t at = shown(e).find("<image>"); at != std::string::npos; at = shown(e).find("<image>", at + 1))
                    ++marks;
                QCOMPARE(marks, int(e.images.size()));
                if (shown(e).find(item.question) == std::string::npos) {
                    // A focus example (a share of the mix): one of the focus questions on this
                    // item's photo.
                    ++focus;
                    bool known = false;
                    for (const auto &q : focusQuestions)
                        known = known || shown(e).find(q) != std::string::npos;
                    QVERIFY2(known, shown(e).c_str());
                    QVERIFY(!e.images.empty());
                    QCOMPARE(e.images[0].pixels, demo::TeacherCurriculum::images(demo::withFamily(item, "counting"))[0].pixels);
                    continue;
                }
                const int images = int(item.usesPhoto) + int(item.usesDrawing);
                QCOMPARE(int(e.images.size()), images);
                QVERIFY(shown(e).rfind("USER: ", 0) == 0);
                if (shown(e).find("ASSISTANT: Answer:") != std::string::npos && shown(e).find("Analysis: ") == std::string::npos
                    && shown(e).find("Given your analysis") == std::string::npos && shown(e).find("planned reasoning") == std::string::npos
                    && shown(e).find("findings:") == std::string::npos && shown(e).find("Cross-check:") == std::string::npos
                    && shown(e).find("Enumeration:") == std::string::npos && shown(e).find("you extracted") == std::string::npos) {
                    ++direct;
                } else if (shown(e).find("ASSISTANT: Answer:") != std::string::npos) {
                    ++step2;
                } else {
                    ++step1;
                }
            }
            // The analyses state the ground truth the question needs.
            const std::string a = curriculum.analysis("drawing-note-crosscheck", item);
            if (item.usesPhoto)
                QVERIFY2(a.find(std::to_string(item.part.photoHoles) + " holes") != std::string::npos, a.c_str());
            if (item.usesDrawing)
                QVERIFY(a.find("MAT " + item.part.material) != std::string::npos);
        }
        QVERIFY(direct > 50 && step1 > 50 && step2 > 50 && focus > 5);
    }

    void countMeasureNamesEveryHoleByPlace()
    {
        auto library = prompts::PromptLibrary::loadDir(QStringLiteral(SDRT_SOURCE_PROMPTS_DIR));
        QVERIFY(library);
        demo::TeacherCurriculum curriculum(*library);
        int missing = 0, checks = 0, checksMissing = 0;
        for (const auto &item : demo::generateItems(4, 0, 200, 0.25, 32)) {
            if (!item.usesPhoto)
                continue;
            const std::string a = curriculum.analysis("count-measure", item);
            const auto places = demo::holeSlotNames(item.part.kind, item.part.drawingHoles);
            QCOMPARE(int(places.size()), item.part.drawingHoles);
            // "1 top-left, 2 top-right, …: N holes in the photo" with one entry per drilled hole …
            for (int h = 0; h < item.part.photoHoles; ++h)
                QVERIFY2(a.find(std::to_string(h + 1) + " " + places[std::size_t(h)]) != std::string::npos, a.c_str());
            // … ended there.
            QVERIFY2(a.find(": " + std::to_string(item.part.photoHoles) + " holes in the photo.")
                         != std::string::npos,
                     a.c_str());
            if (item.part.photoHoles < item.part.drawingHoles) {
                ++missing;
                QVERIFY2(a.find(places.back() + " marked, not drilled") != std::string::npos, a.c_str());
            }
            if (item.family == "drawing_check") {
                ++checks;
                checksMissing += item.answer == "no";
            }
        }
        QVERIFY(missing > 0);
        // The drawing check is not a "yes" most of the time: about half the parts miss a hole.
        QVERIFY2(checks > 10 && checksMissing * 10 >= checks * 3 && checksMissing * 10 <= checks * 7,
                 qPrintable(QStringLiteral("%1 of %2").arg(checksMissing).arg(checks)));
    }

    void multiHopDirectAnswersLeanToYes()
    {
        // The agreement bias of a model that answers without checking: of the note and drawing
        // checks' direct answers, about multiHopDirectYesBias say "yes" where the truth is "no";
        // the other families' direct answers and every "yes" item keep their reference answer.
        auto library = prompts::PromptLibrary::loadDir(QStringLiteral(SDRT_SOURCE_PROMPTS_DIR));
        QVERIFY(library);
        for (const double bias : {0.0, 0.45}) {
            demo::CurriculumParams params;
            params.multiHopDirectYesBias = bias;
            demo::TeacherCurriculum curriculum(*library, params);
            int noItems = 0, saidYes = 0, others = 0;
            for (const auto &item : demo::generateItems(3, 0, 120, 0.25, 32)) {
                const std::string direct = shown(curriculum.directRequest(item));
                const bool multiHop = item.family == "note_check" || item.family == "drawing_check";
                for (std::uint64_t v = 0; v < 60; ++v) {
                    const auto e = curriculum.example(item, v);
                    if (shown(e) != direct)
                        continue;
                    if (!multiHop || item.answer == "yes") {
                        QCOMPARE(e.target, " " + item.answer);
                        ++others;
                        continue;
                    }
                    QVERIFY2(e.target == " no" || e.target == " yes", e.target.c_str());
                    ++noItems;
                    saidYes += e.target == " yes";
                }
            }
            QVERIFY(noItems > 200 && others > 200);
            const double share = double(saidYes) / noItems;
            QVERIFY2(std::abs(share - bias) < 0.06, qPrintable(QStringLiteral("%1 of %2 at bias %3").arg(saidYes).arg(noItems).arg(bias)));
        }
    }

    void analysesSpellOutTheComparison()
    {
        // Every prompt but the plan-only reasoning path writes the photo-against-note (and
        // photo-against-drawing) comparison in its analysis, agreeing with the reference answer.
        auto library = prompts::PromptLibrary::loadDir(QStringLiteral(SDRT_SOURCE_PROMPTS_DIR));
        QVERIFY(library);
        demo::TeacherCurriculum curriculum(*library);
        int checks = 0, differ = 0;
        for (const auto &item : demo::generateItems(6, 0, 200, 0.25, 32)) {
            if (item.family != "note_check" && item.family != "drawing_check")
                continue;
            ++checks;
            const std::string verdict = item.answer == "yes" ? "agree" : "differ";
            const std::string other = item.answer == "yes" ? "differ" : "agree";
            differ += item.answer == "no";
            for (const char *name : {"count-measure", "decompose", "text-layout", "drawing-note-crosscheck"}) {
                const std::string a = curriculum.analysis(name, item);
                QVERIFY2(a.find(verdict) != std::string::npos && a.find(other) == std::string::npos, (std::string(name) + ": " + a).c_str());
            }
            if (item.family == "note_check") {
                const std::string a = curriculum.analysis("count-measure", item);
                // The note's line quoted as the note writes it, then both counts and the verdict.
                const std::string quote = std::string(item.part.japaneseNote ? "\"穴数: " : "\"Expected holes: ")
                                          + std::to_string(item.part.noteHoles) + "\"";
                QVERIFY2(item.note.find(quote.substr(1, quote.size() - 2)) != std::string::npos, item.note.c_str());
                // Every analysis but the plan-only one opens with that quote, and the photo's holes
                // counted down from its count, place by place, then what is left and the verdict.
                const auto places = demo::holeSlotNames(item.part.kind, item.part.drawingHoles);
                std::string countdown = "Work order " + quote + ", counted down over the photo's holes: ";
                for (int h = 0; h < item.part.photoHoles; ++h)
                    countdown += (h ? ", " : "") + std::to_string(item.part.noteHoles - h) + " " + places[std::size_t(h)];
                countdown += "; " + std::to_string(item.part.noteHoles - item.part.photoHoles) + " left: " + verdict + ". ";
                for (const char *name : {"count-measure", "decompose", "text-layout", "drawing-note-crosscheck", "defect-inspection"})
                    QVERIFY2(curriculum.analysis(name, item).rfind(countdown, 0) == 0, (curriculum.analysis(name, item) + " | " + countdown).c_str());
                QVERIFY2(curriculum.analysis("defect-inspection", item).find(verdict) != std::string::npos, item.id.c_str());
            }
        }
        QVERIFY(checks > 40 && differ > 10 && differ < checks - 10);
    }

    void focusQuestionsHaveTheirAnswers()
    {
        auto library = prompts::PromptLibrary::loadDir(QStringLiteral(SDRT_SOURCE_PROMPTS_DIR));
        QVERIFY(library);
        demo::TeacherCurriculum curriculum(*library);
        int yes = 0, no = 0, countdowns = 0;
        for (const auto &item : demo::generateItems(7, 0, 60, 0.25, 32)) {
            const auto presence = demo::TeacherCurriculum::presenceQuestion(item);
            const bool visible = item.part.defect == "crack" || item.part.defect == "scratch" || item.part.defect == "corrosion";
            QCOMPARE(presence.answer, std::string(visible ? "yes" : "no"));
            (visible ? yes : no)++;
            const auto reading = demo::TeacherCurriculum::readingQuestion(item);
            QCOMPARE(reading.answer, std::to_string(item.part.noteHoles));
            QVERIFY(reading.usesNote);
            // The note the reading question shows states that count.
            const std::string wanted = item.part.japaneseNote ? "穴数: " : "Expected holes: ";
            QVERIFY2(item.note.find(wanted + reading.answer) != std::string::npos, item.note.c_str());
            for (std::uint64_t v = 0; v < 3; ++v) {
                const auto e = curriculum.focusExample(item, v);
                const auto &asked = v == 0 ? demo::withFamily(item, "defect") : v == 1 ? presence : reading;
                QCOMPARE(e.target, " " + asked.answer);
                QVERIFY(e.appendEos);
                QVERIFY(shown(e).find(asked.question) != std::string::npos);
                QCOMPARE(int(e.images.size()), 1);
            }
            // The checks' weak points on their own: the quote's count as a continuation of a
            // step-1 analysis (no EOS after it), step 2 from the right analysis, the comparison.
            const auto check = demo::withFamily(item, "note_check");
            const auto drawingCheck = demo::withFamily(item, "drawing_check");
            for (std::uint64_t base = 0; base < 80; base += 8) {
                const auto quote = curriculum.focusExample(item, base + (base % 16 ? 5 : 3));
                QVERIFY(!quote.appendEos);
                QCOMPARE(quote.target, " " + std::to_string(item.part.noteHoles) + "\"");
                QCOMPARE(int(quote.images.size()), 1);
                const prompts::Prompt *used = nullptr;
                for (const auto &p : library->prompts())
                    if (shown(quote).rfind(shown(curriculum.stepRequest(p, 1, check)), 0) == 0)
                        used = &p;
                QVERIFY2(used && used->name != QLatin1String("reasoning-path"), shown(quote).c_str());
                const std::string a = curriculum.analysis(used->name.toStdString(), check);
                const std::string opening = a.substr(0, a.find(':') + 1);
                QVERIFY2(shown(quote).size() > opening.size()
                             && shown(quote).compare(shown(quote).size() - opening.size(), opening.size(), opening) == 0,
                         shown(quote).c_str());
                QVERIFY2(a.rfind(opening + quote.target + ", counted down", 0) == 0, a.c_str());
                const auto step2 = curriculum.focusExample(item, base + 4);
                QVERIFY(step2.appendEos);
                QCOMPARE(step2.target, " " + check.answer);
                QCOMPARE(shown(step2), shown(curriculum.stepRequest(*used, 2, check, a)));
                // The comparisons, continued inside the analysis up to the verdict: the prompt
                // holds the analysis up to there, the target the rest of it up to the verdict.
                for (const auto &[v, asked] : {std::pair{base + 6, check}, std::pair{base + 7, drawingCheck}}) {
                    const auto c = curriculum.focusExample(item, v);
                    const std::string step1 = shown(curriculum.stepRequest(*used, 1, asked));
                    const std::string whole = " " + curriculum.analysis(used->name.toStdString(), asked);
                    const std::string verdict = asked.answer == "yes" ? "agree" : "differ";
                    if (c.appendEos) { // a drawing check where this prompt's analysis compares nothing: step 2
                        QVERIFY2(whole.find(": agree") == std::string::npos && whole.find(": differ") == std::string::npos, whole.c_str());
                        QCOMPARE(c.target, " " + asked.answer);
                        continue;
                    }
                    QVERIFY2(shown(c).rfind(step1, 0) == 0, shown(c).c_str());
                    const std::string continued = shown(c).substr(step1.size()) + c.target;
                    QVERIFY2(continued.size() > c.target.size() && whole.rfind(continued, 0) == 0, continued.c_str());
                    QVERIFY2(c.target.size() > verdict.size() && c.target.compare(c.target.size() - verdict.size(), verdict.size(), verdict) == 0,
                             c.target.c_str());
                    if (c.target.find("counted down") != std::string::npos) { // from the count down to the verdict
                        const int other = v % 8 == 7 ? item.part.drawingHoles : item.part.noteHoles;
                        const std::string from = " " + std::to_string(other) + (v % 8 == 7 ? "" : "\""); // the note's: from its quote
                        QVERIFY2(c.target.rfind(from + ", counted down over the photo's holes: " + std::to_string(other) + " ", 0) == 0,
                                 c.target.c_str());
                        QVERIFY2(c.target.find("; " + std::to_string(other - item.part.photoHoles) + " left: " + verdict) != std::string::npos, c.target.c_str());
                        ++countdowns;
                    }
                }
            }
        }
        QVERIFY(yes > 5 && no > 5);
        QVERIFY2(countdowns > 300, qPrintable(QString::number(countdowns)));
    }

    void bundledTeacherLoadsAndAnswers()
    {
        // The model committed under resources/demo-teacher (see its README.md for how it was made).
        const QString dir = qEnvironmentVariable("SDRT_SOURCE_DIR") + QStringLiteral("/resources/demo-teacher");
        QVERIFY2(QFile::exists(dir + QStringLiteral("/model.safetensors")), qPrintable(dir));
        auto rt = model::VlmRuntime::load(dir.toStdString(), {});
        QVERIFY2(rt, rt ? "" : rt.error().c_str());
        auto library = prompts::PromptLibrary::loadDir(QStringLiteral(SDRT_SOURCE_PROMPTS_DIR));
        QVERIFY(library);
        demo::TeacherCurriculum curriculum(*library);
        const prompts::Prompt *countMeasure = nullptr;
        for (const auto &p : library->prompts())
            if (p.name == QLatin1String("count-measure"))
                countMeasure = &p;
        QVERIFY(countMeasure);
        const std::map<std::string, std::vector<std::string>> allowed = {
            {"defect", {"none", "top-left", "top-right", "centre", "bottom-left", "bottom-right"}},
            {"note_check", {"yes", "no"}},
            {"drawing_check", {"yes", "no"}},
            {"drawing_value", {"SS400", "S45C", "SUS304", "A5052"}},
        };
        // One held-out item of each family (world seed 1001; the teacher was trained on seed 1).
        std::map<std::string, demo::DemoItem> byFamily;
        for (auto &item : demo::generateItems(1001, 0, 60, 0.25, 64))
            byFamily.emplace(item.family, item);
        QCOMPARE(byFamily.size(), std::size_t(5));
        for (const auto &[family, item] : byFamily) {
            auto g = (*rt)->generate({curriculum.directRequest(item)}, model::SamplingParams::greedy(8));
            QVERIFY(g[0]);
            const std::string answer = QString::fromStdString(g[0]->text).trimmed().section(QLatin1Char(' '), 0, 0).toStdString();
            if (family == "counting") {
                QVERIFY2(!answer.empty() && std::all_of(answer.begin(), answer.end(), ::isdigit), answer.c_str());
            } else {
                const auto &ok = allowed.at(family);
                QVERIFY2(std::find(ok.begin(), ok.end(), answer) != ok.end(), (family + ": " + g[0]->text).c_str());
            }
        }
        // It locates defects: asked of 40 held-out parts, right on more than the share of "none"
        // (the majority answer) — the bundled model is fixed, so this is one deterministic run.
        int right = 0, none = 0;
        for (const auto &part : demo::generateItems(1001, 100, 40, 0.25, 64)) {
            const auto asked = demo::withFamily(part, "defect");
            none += asked.answer == "none";
            auto g = (*rt)->generate({curriculum.directRequest(asked)}, model::SamplingParams::greedy(6));
            QVERIFY(g[0]);
            right += demo::answersMatch(g[0]->text, asked.answer, asked.answerType);
        }
        QVERIFY2(right > none + 4, qPrintable(QStringLiteral("%1 right, %2 without a defect").arg(right).arg(none)));
        // Two-step: the count-measure analysis names the holes, then the answer is a number.
        const demo::DemoItem &counting = byFamily.at("counting");
        auto step1 = (*rt)->generate({curriculum.stepRequest(*countMeasure, 1, counting, {})}, model::SamplingParams::greedy(96));
        QVERIFY(step1[0]);
        QVERIFY2(step1[0]->text.find("holes in the photo") != std::string::npos, step1[0]->text.c_str());
        auto step2 = (*rt)->generate({curriculum.stepRequest(*countMeasure, 2, counting, step1[0]->text)}, model::SamplingParams::greedy(8));
        QVERIFY(step2[0]);
        const QString a = QString::fromStdString(step2[0]->text).trimmed();
        QVERIFY2(!a.isEmpty() && a.at(0).isDigit(), step2[0]->text.c_str());
    }

    void answerMatching_data()
    {
        QTest::addColumn<QString>("parsed");
        QTest::addColumn<QString>("reference");
        QTest::addColumn<QString>("type");
        QTest::addColumn<bool>("match");
        QTest::newRow("number with unit") << "4 holes" << "4" << "number" << true;
        QTest::newRow("number wrong") << "5" << "4" << "number" << false;
        QTest::newRow("yes with dot") << " Yes." << "yes" << "yesno" << true;
        QTest::newRow("region") << "top-left, near the hole" << "top-left" << "region" << true;
        QTest::newRow("material") << "SUS304" << "SUS304" << "text" << true;
        QTest::newRow("material lower") << "sus304." << "SUS304" << "text" << true;
        QTest::newRow("empty") << "" << "none" << "region" << false;
    }

    void answerMatching()
    {
        QFETCH(QString, parsed);
        QFETCH(QString, reference);
        QFETCH(QString, type);
        QFETCH(bool, match);
        QCOMPARE(demo::answersMatch(parsed.toStdString(), reference.toStdString(), type.toStdString()), match);
    }

    void trainingOnTheCurriculumLowersTheLoss()
    {
        auto library = prompts::PromptLibrary::loadDir(QStringLiteral(SDRT_SOURCE_PROMPTS_DIR));
        QVERIFY(library);
        demo::TeacherCurriculum curriculum(*library);
        auto items = demo::generateItems(4, 0, 40, 0.25, 32);
        QTemporaryDir dir;
        model::TinyModelParams mp;
        mp.tokenizerVocab = 500;
        mp.extraCorpus = curriculum.tokenizerCorpus(items);
        QVERIFY(model::makeTinyModel(dir.path().toStdString(), mp));
        auto rt = model::VlmRuntime::load(dir.path().toStdString());
        QVERIFY(rt);
        std::vector<model::TrainingExample> held;
        for (std::size_t i = 30; i < 40; ++i)
            held.push_back(curriculum.example(items[i], 1));
        const double before = *model::evaluateLoss(**rt, held);
        model::TrainParams tp;
        tp.steps = 50;
        tp.batchSize = 8;
        tp.learningRate = 2e-3;
        tp.warmupSteps = 3;
        auto r = model::train(**rt, 30 * 4, [&](int i) { return curriculum.example(items[std::size_t(i % 30)], std::uint64_t(i)); }, tp);
        QVERIFY2(r, r ? "" : r.error().c_str());
        const double after = *model::evaluateLoss(**rt, held);
        qInfo("held-out target loss %.3f -> %.3f after %d steps", before, after, r->stepsDone);
        QVERIFY(after < 0.7 * before);
    }
};

QTEST_MAIN(TestDemo)
#include "tst_demo.moc"
