// Teacher runs end to end with the real CLI, a real (tiny, random) LLaVA and real workspaces:
// provenance and hidden states, the stored seed regenerates its trace, resume after kill -9,
// per-item failures, and a two-shard run equal to a single-process run.

#include "sdrt/model/HiddenStateFile.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/GenerationJob.h"
#include "sdrt/teacher/GenerationPlan.h"
#include "sdrt/teacher/TeacherSampling.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <map>
#include <set>
#include <thread>

#include "support/CliRun.h"

using namespace sdrt;

namespace {

using Run = testing::CliRun;
using testing::sdrtBinary;
using testing::sdrtRun;

const QStringList kGenerateArgs = {QStringLiteral("--model"), QStringLiteral("tiny"), QStringLiteral("--step1-tokens"), QStringLiteral("20"),
                                   QStringLiteral("--step2-tokens"), QStringLiteral("6"), QStringLiteral("--temperature"),
                                   QStringLiteral("0.8"), QStringLiteral("--seed"), QStringLiteral("5"), QStringLiteral("--quiet")};

// (fingerprint, prompt, sample) -> (step1, step2, parsed) of the completed traces.
std::map<std::tuple<QString, QString, int>, std::tuple<QString, QString, QString>> traceSet(const QString &ws)
{
    std::map<std::tuple<QString, QString, int>, std::tuple<QString, QString, QString>> out;
    auto w = store::Workspace::open(ws);
    if (!w)
        return out;
    store::ItemRepository items(w->db());
    store::TraceRepository traces(w->db());
    auto rows = items.list({}, 0, 100000);
    for (const auto &r : *rows) {
        auto item = items.get(r.id);
        auto list = traces.forItem(r.id);
        for (const auto &t : *list) {
            if (t.isOk())
                out[{item->fingerprint, t.promptName, t.sampleIndex}] = {t.step1Text, t.step2Text, t.parsedAnswer};
        }
    }
    return out;
}

std::int64_t okCount(const QString &ws)
{
    auto w = store::Workspace::open(ws);
    return w ? *store::TraceRepository(w->db()).count(std::nullopt, store::TraceStatus::Ok) : -1;
}

} // namespace

class TestTeacher : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_model;
    QString m_data;
    int m_items = 4;
    int m_prompts = 0;

    QString makeWorkspace(const QString &name)
    {
        const QString ws = m_tmp.filePath(name);
        testing::sdrtMakeWorkspace(ws, m_data, m_model);
        return ws;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_model = m_tmp.filePath(QStringLiteral("model"));
        model::TinyModelParams mp;
        mp.maxPositions = 400; // small, so that a long note overflows the context
        auto made = model::makeTinyModel(m_model.toStdString(), mp);
        QVERIFY2(made, made ? "" : made.error().c_str());
        m_data = m_tmp.filePath(QStringLiteral("data"));
        Run r = sdrtRun({QStringLiteral("demo"), QStringLiteral("make-data"), m_data, QStringLiteral("--items"), QString::number(m_items),
                         QStringLiteral("--seed"), QStringLiteral("3")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QDir prompts(QStringLiteral(SDRT_SOURCE_PROMPTS_DIR));
        m_prompts = int(prompts.entryList({QStringLiteral("*.prompt")}).size());
        QVERIFY(m_prompts >= 3);
    }

    void planTakesTheShardAndSkipsWhatIsDone()
    {
        // Items 5, 1, 3, 9 (any order), prompts 10 and 11, two samples; shard 1 of 2 takes the
        // second and fourth item in id order: 3 and 9. (3, 10, 0) and (9, 11, 1) are done.
        const std::set<store::TraceKey> done{{3, 10, 0}, {9, 11, 1}, {1, 10, 0}};
        const teacher::GenerationPlan plan = teacher::planGeneration({5, 1, 3, 9}, {10, 11}, 2, 1, 2, done);
        QCOMPARE(plan.items, (std::vector<store::Id>{3, 9}));
        QCOMPARE(plan.skipped, 2);
        const std::vector<teacher::WorkUnit> expected{{3, 0, 1}, {3, 1, 0}, {3, 1, 1}, {9, 0, 0}, {9, 0, 1}, {9, 1, 0}};
        QVERIFY(plan.units == expected);
        QVERIFY(plan.batch(4, 4) == (std::vector<teacher::WorkUnit>{{9, 0, 1}, {9, 1, 0}}));
        QVERIFY(plan.batch(6, 4).empty());
        // The whole run: every item, nothing done.
        const teacher::GenerationPlan whole = teacher::planGeneration({2, 1}, {7}, 1, 0, 1, {});
        QCOMPARE(whole.items, (std::vector<store::Id>{1, 2}));
        QCOMPARE(int(whole.units.size()), 2);
        QCOMPARE(whole.skipped, 0);
    }

    void samplingHasOneStoredForm()
    {
        teacher::TeacherSampling s;
        s.temperature = 0.7f;
        s.topK = 40;
        s.topP = 0.9f;
        s.step1MaxTokens = 99;
        s.step2MaxTokens = 7;
        const QString json = s.toJson(3, 8);
        const teacher::TeacherSampling back = teacher::TeacherSampling::fromJson(json);
        QCOMPARE(back.temperature, 0.7f);
        QCOMPARE(back.topK, 40);
        QCOMPARE(back.topP, 0.9f);
        QCOMPARE(back.forStep(1).maxNewTokens, 99);
        QCOMPARE(back.forStep(2).maxNewTokens, 7);
        QVERIFY(teacher::TeacherSampling::sameTraces(json, s.toJson(3, 1)));  // the batch changes no trace
        QVERIFY(!teacher::TeacherSampling::sameTraces(json, s.toJson(2, 8))); // the samples do
        // An older run's JSON without budgets gets the defaults.
        QCOMPARE(teacher::TeacherSampling::fromJson(QStringLiteral("{\"temperature\":0}")).forStep(1).maxNewTokens,
                 teacher::TeacherSampling{}.step1MaxTokens);
        s.topP = 2;
        QVERIFY(s.check().contains(QStringLiteral("top-p")));
        // Step seeds: step 1 is the trace's own seed, step 2 the next stream.
        const std::uint64_t seed = teacher::traceSeed(5, QStringLiteral("fp"), QStringLiteral("hash"), 1);
        QCOMPARE(teacher::stepSeed(seed, 1), seed);
        QCOMPARE(teacher::stepSeed(seed, 2), seed + 1);
        QVERIFY(seed != teacher::traceSeed(5, QStringLiteral("fp"), QStringLiteral("hash"), 2));
        QVERIFY(seed < (std::uint64_t(1) << 63));
    }

    void generateStoresTracesWithProvenanceAndHiddenStates()
    {
        const QString ws = makeWorkspace(QStringLiteral("ws-main"));
        Run r = sdrtRun(QStringList{QStringLiteral("generate"), ws, QStringLiteral("--batch"), QStringLiteral("4")} + kGenerateArgs);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("bytes per trace")), qPrintable(r.out));
        auto w = store::Workspace::open(ws);
        QVERIFY(w);
        store::TraceRepository traces(w->db());
        QCOMPARE(*traces.count(std::nullopt, store::TraceStatus::Ok), std::int64_t(m_items * m_prompts));
        auto model = store::ModelRepository(w->db()).findByName(QStringLiteral("tiny"));
        QVERIFY(model && *model);
        auto runs = traces.runs();
        QCOMPARE(runs->size(), std::size_t(1));
        QCOMPARE(runs->front().status, store::RunStatus::Done);
        QVERIFY(runs->front().sampling.contains(QStringLiteral("\"temperature\":0.8")));
        QCOMPARE(runs->front().hiddenLayers, QStringLiteral("[1,2]")); // tiny model: 2 layers -> middle and last
        store::ItemRepository items(w->db());
        std::set<std::uint64_t> seeds;
        auto rows = items.list({}, 0, 100);
        for (const auto &row : *rows) {
            auto list = traces.forItem(row.id);
            for (const store::Trace &t : *list) {
                QCOMPARE(t.status, store::TraceStatus::Ok);
                QCOMPARE(t.modelId, (*model)->id);
                QVERIFY(t.step1Tokens > 0 && t.step1PromptTokens > t.step1Tokens);
                QVERIFY(t.step2PromptTokens > t.step1Tokens); // step 2 carries the analysis
                QVERIFY(t.meanLogprob < 0 && t.latencyMs > 0);
                seeds.insert(t.seed);
                if (t.step2Tokens == 0)
                    continue;
                // The hidden-state file is aligned with the answer tokens.
                QVERIFY(!t.hiddenRef.isEmpty());
                const QString file = w->absolutePath(t.hiddenRef.section(QLatin1Char('#'), 0, 0));
                auto h = model::readHiddenStates(file.toStdString(), t.hiddenRef.section(QLatin1Char('#'), 1).toStdString());
                QVERIFY2(h, h ? "" : h.error().c_str());
                QCOMPARE(h->layers, (std::vector<int>{1, 2}));
                QCOMPARE(h->positions, t.step2Tokens);
                QCOMPARE(h->hiddenSize, 64);
                QCOMPARE(t.hiddenBytes, std::int64_t(2) * 2 * t.step2Tokens * 64);
            }
        }
        QCOMPARE(int(seeds.size()), m_items * m_prompts); // every trace has its own stream

        // The stored seed regenerates the same trace, alone (the run used batches of 4).
        auto all = traces.forItem(items.list({}, 0, 1)->front().id);
        for (int k = 0; k < 3; ++k) {
            const store::Trace &t = (*all)[std::size_t(k)];
            auto again = teacher::regenerateTrace(ws, t.id);
            QVERIFY2(again, again ? "" : qPrintable(again.error()));
            QCOMPARE(again->first, t.step1Text);
            QCOMPARE(again->second, t.step2Text);
        }

        // Rerunning finds everything done.
        r = sdrtRun(QStringList{QStringLiteral("generate"), ws} + kGenerateArgs);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("0 traces planned (%1 already done)").arg(m_items * m_prompts)), qPrintable(r.out));
    }

    void resumeAfterKill()
    {
        const QString ws = makeWorkspace(QStringLiteral("ws-kill"));
        const int total = m_items * m_prompts * 3;
        QProcess child;
        child.start(sdrtBinary(), QStringList{QStringLiteral("generate"), ws, QStringLiteral("--batch"), QStringLiteral("1"),
                                              QStringLiteral("--samples"), QStringLiteral("3")} + kGenerateArgs);
        QVERIFY(child.waitForStarted());
        QElapsedTimer timer;
        timer.start();
        std::int64_t seen = 0;
        while (timer.elapsed() < 120000 && child.state() == QProcess::Running) {
            seen = okCount(ws);
            if (seen >= 5)
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        QVERIFY2(child.state() == QProcess::Running, "the run finished before it could be killed");
        child.kill(); // SIGKILL
        child.waitForFinished();
        const std::int64_t afterKill = okCount(ws);
        QVERIFY(afterKill >= 5 && afterKill < total);

        Run r = sdrtRun(QStringList{QStringLiteral("generate"), ws, QStringLiteral("--batch"), QStringLiteral("4"), QStringLiteral("--samples"),
                                    QStringLiteral("3")} + kGenerateArgs);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("already done")), qPrintable(r.out));
        QCOMPARE(okCount(ws), std::int64_t(total));
        auto w = store::Workspace::open(ws);
        auto dup = w->db().prepare("SELECT count(*) FROM (SELECT 1 FROM traces WHERE status='ok'"
                                   " GROUP BY item_id, prompt_id, model_id, sample_index HAVING count(*) > 1)");
        QVERIFY(dup && *dup->step());
        QCOMPARE(dup->int64(0), std::int64_t(0));
        auto check = w->db().prepare("PRAGMA integrity_check");
        QVERIFY(check && *check->step());
        QCOMPARE(check->text(0), QStringLiteral("ok"));
        // Every stored hidden-state reference reads back.
        auto refs = w->db().prepare("SELECT hidden_ref, step2_tokens FROM traces WHERE hidden_ref IS NOT NULL");
        int read = 0;
        while (*refs->step()) {
            const QString ref = refs->text(0);
            auto h = model::readHiddenStates(w->absolutePath(ref.section(QLatin1Char('#'), 0, 0)).toStdString(),
                                             ref.section(QLatin1Char('#'), 1).toStdString());
            QVERIFY2(h, h ? "" : h.error().c_str());
            QCOMPARE(h->positions, int(refs->int64(1)));
            ++read;
        }
        QVERIFY(read > total / 2);
        // The same traces as an uninterrupted run with the same seed.
        const QString clean = makeWorkspace(QStringLiteral("ws-clean"));
        r = sdrtRun(QStringList{QStringLiteral("generate"), clean, QStringLiteral("--batch"), QStringLiteral("4"), QStringLiteral("--samples"),
                                QStringLiteral("3"), QStringLiteral("--no-hidden")} + kGenerateArgs);
        QCOMPARE(r.code, 0);
        QVERIFY(traceSet(clean) == traceSet(ws));
    }

    void failuresAreRecordedPerItem()
    {
        // One item whose photo is gone from the workspace, one whose note overflows the context.
        const QString data = m_tmp.filePath(QStringLiteral("data-bad"));
        QVERIFY(QDir().mkpath(data));
        Run r = sdrtRun({QStringLiteral("demo"), QStringLiteral("make-data"), data, QStringLiteral("--items"), QStringLiteral("4"),
                         QStringLiteral("--seed"), QStringLiteral("9")});
        QCOMPARE(r.code, 0);
        QFile note(data + QStringLiteral("/notes/part00002.txt"));
        QVERIFY(note.open(QIODevice::WriteOnly));
        for (int i = 0; i < 300; ++i)
            note.write("検査記録: 穴の位置と寸法を確認すること。 ");
        note.close();
        const QString ws = m_tmp.filePath(QStringLiteral("ws-bad"));
        QCOMPARE(sdrtRun({QStringLiteral("import"), ws, data, QStringLiteral("--init")}).code, 0);
        QCOMPARE(sdrtRun({QStringLiteral("prompts"), QStringLiteral("register"), ws}).code, 0);
        QCOMPARE(sdrtRun({QStringLiteral("model"), QStringLiteral("register"), ws, m_model, QStringLiteral("--name"), QStringLiteral("tiny")}).code, 0);
        store::Id brokenItem = 0, longItem = 0;
        {
            auto w = store::Workspace::open(ws);
            store::ItemRepository items(w->db());
            auto rows = items.list({}, 0, 10);
            for (const auto &row : *rows) {
                auto item = items.get(row.id);
                if (item->externalId == QStringLiteral("part00002"))
                    longItem = row.id;
                if (item->externalId == QStringLiteral("part00003")) {
                    brokenItem = row.id;
                    for (const auto &a : item->assets) {
                        if (a.role == store::AssetKind::Photo)
                            QVERIFY(QFile::remove(w->absolutePath(a.asset.storedPath)));
                    }
                }
            }
        }
        QVERIFY(brokenItem && longItem);
        r = sdrtRun(QStringList{QStringLiteral("generate"), ws} + kGenerateArgs);
        QCOMPARE(r.code, 1); // some failed
        auto w = store::Workspace::open(ws);
        store::TraceRepository traces(w->db());
        auto broken = traces.forItem(brokenItem);
        QCOMPARE(int(broken->size()), m_prompts);
        for (const store::Trace &t : *broken) {
            QCOMPARE(t.status, store::TraceStatus::Failed);
            QVERIFY2(t.error.contains(QStringLiteral("part00003.png")), qPrintable(t.error));
        }
        // Prompts that show the note overflow the context; the others run.
        auto tooLong = traces.forItem(longItem);
        QCOMPARE(int(tooLong->size()), m_prompts);
        int longFailed = 0;
        for (const store::Trace &t : *tooLong) {
            if (t.status == store::TraceStatus::Failed) {
                ++longFailed;
                QVERIFY2(t.error.contains(QStringLiteral("context")), qPrintable(t.error));
            }
        }
        QVERIFY(longFailed > 0);
        QCOMPARE(*traces.count(std::nullopt, store::TraceStatus::Ok), std::int64_t(3 * m_prompts - longFailed));
        QVERIFY2(r.err.contains(QStringLiteral("part00003")), qPrintable(r.err));
    }

    void twoShardsEqualOneRun()
    {
        const QString single = makeWorkspace(QStringLiteral("ws-single"));
        Run r = sdrtRun(QStringList{QStringLiteral("generate"), single, QStringLiteral("--batch"), QStringLiteral("3")} + kGenerateArgs);
        QCOMPARE(r.code, 0);
        const QString sharded = makeWorkspace(QStringLiteral("ws-sharded"));
        // Two processes at once, each into its own shard folder.
        QProcess a, b;
        const QString shardA = m_tmp.filePath(QStringLiteral("shard-0")), shardB = m_tmp.filePath(QStringLiteral("shard-1"));
        a.start(sdrtBinary(), QStringList{QStringLiteral("generate"), sharded, QStringLiteral("--shard"), QStringLiteral("0/2"),
                                          QStringLiteral("--out"), shardA, QStringLiteral("--batch"), QStringLiteral("5")} + kGenerateArgs);
        b.start(sdrtBinary(), QStringList{QStringLiteral("generate"), sharded, QStringLiteral("--shard"), QStringLiteral("1/2"),
                                          QStringLiteral("--out"), shardB, QStringLiteral("--batch"), QStringLiteral("2")} + kGenerateArgs);
        QVERIFY(a.waitForFinished(300000) && b.waitForFinished(300000));
        QVERIFY2(a.exitCode() == 0, a.readAllStandardError().constData());
        QVERIFY2(b.exitCode() == 0, b.readAllStandardError().constData());
        QCOMPARE(okCount(sharded), std::int64_t(0)); // nothing written until the merge
        r = sdrtRun({QStringLiteral("merge"), sharded, shardA, shardB});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("merged: %1 traces added").arg(m_items * m_prompts)), qPrintable(r.out));
        const auto one = traceSet(single), two = traceSet(sharded);
        QCOMPARE(int(one.size()), m_items * m_prompts);
        QVERIFY(one == two);
        // Merging again adds nothing; hidden states came along.
        r = sdrtRun({QStringLiteral("merge"), sharded, shardA, shardB});
        QVERIFY(r.out.contains(QStringLiteral("merged: 0 traces added")));
        auto w = store::Workspace::open(sharded);
        auto refs = w->db().prepare("SELECT hidden_ref FROM traces WHERE hidden_ref IS NOT NULL LIMIT 1");
        QVERIFY(*refs->step());
        QVERIFY(QFile::exists(w->absolutePath(refs->text(0).section(QLatin1Char('#'), 0, 0))));
        // A shard does not merge into a workspace without its items.
        const QString other = m_tmp.filePath(QStringLiteral("ws-other"));
        QCOMPARE(sdrtRun({QStringLiteral("init"), other}).code, 0);
        r = sdrtRun({QStringLiteral("merge"), other, shardA});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("not in the workspace")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestTeacher)
#include "tst_teacher.moc"
