// The student's modules and their training, in process on a tiny random model: the adapter is
// the identity at initialisation and keeps orthonormal rows, the base weights never change,
// the skip gate and the ensemble weights receive gradients, a few steps lower the loss, a
// resumed run continues exactly as the uninterrupted one, and the adapter file round-trips and
// refuses other bases and damaged files.

#include "ChatText.h"
#include "StudentModules.h" // white box: the modules
#include "RuntimeImpl.h"
#include "sdrt/model/Student.h"
#include "sdrt/model/StudentTraining.h"
#include "sdrt/model/HiddenStateFile.h"
#include "sdrt/model/TinyModel.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <fstream>

using namespace sdrt;
using sdrt::testing::chatText;

namespace {

model::RgbImage image(int seed)
{
    model::RgbImage img;
    img.width = img.height = 32;
    img.pixels.resize(32 * 32 * 3);
    for (std::size_t i = 0; i < img.pixels.size(); ++i)
        img.pixels[i] = std::uint8_t((i * 7 + std::size_t(seed) * 31) % 251);
    return img;
}

double baseChecksum(model::VlmRuntime &rt)
{
    torch::NoGradGuard g;
    double s = 0;
    int k = 1;
    for (const auto &p : model::RuntimeAccess::impl(rt).model->parameters())
        s += (p.to(torch::kFloat64) * double(k++)).sum().item<double>();
    return s;
}

// A run's files in a temporary folder, as the distillation job names them.
model::StudentTrainingFiles files(const QTemporaryDir &run)
{
    return {run.filePath(QStringLiteral("checkpoints/checkpoint.safetensors")).toStdString(),
            run.filePath(QStringLiteral("training_log.jsonl")).toStdString()};
}

} // namespace

class TestStudent : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::string m_tiny;
    std::unique_ptr<model::VlmRuntime> m_rt;
    model::StudentData m_data;

    model::StudentSettings settings(bool adapter = true, bool skip = true, bool ensemble = true) const
    {
        model::StudentSettings s;
        s.layers = {1};
        s.rank = 3;
        s.positions = 3;
        s.adapter = adapter;
        s.skip = skip;
        s.ensemble = ensemble;
        s.promptVersions = {"a v1", "b v1"};
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        model::configureThreads(0);
        m_tiny = m_tmp.filePath(QStringLiteral("tiny")).toStdString();
        QVERIFY(model::makeTinyModel(m_tiny, {}));
        auto rt = model::VlmRuntime::load(m_tiny);
        QVERIFY2(rt, rt ? "" : rt.error().c_str());
        m_rt = std::move(*rt);
        // A data set as buildDataset makes it: direct questions, answers, the "teacher's" hidden
        // states at layers 1 and 2 (here the base's own states under another prompt, perturbed).
        std::vector<model::NamedHiddenStates> hidden;
        const char *answers[] = {" yes", " no", " 3 holes", " scratch", " yes", " 5"};
        for (int i = 0; i < 6; ++i) {
            model::StudentExample e;
            e.traceId = i + 1;
            e.promptIndex = i % 2;
            e.direct.images = {image(i)};
            e.direct.prompt = chatText(*m_rt, "<image>\nIs the part within tolerance?", "Answer:");
            e.answer = answers[i];
            model::GenerationRequest teacherCtx = e.direct;
            teacherCtx.prompt = chatText(*m_rt, "<image>\nAnalysis: look at the holes.\nIs the part within tolerance?", "Answer:");
            const auto y = m_rt->tokenizer().encode(e.answer, false);
            model::HiddenCaptureSpec cap;
            cap.layers = {1, 2};
            cap.generatedTokens = true;
            auto scored = m_rt->score(teacherCtx, y, cap);
            QVERIFY2(scored, scored ? "" : scored.error().c_str());
            hidden.push_back({"trace-" + std::to_string(i), scored->hidden});
            e.hiddenFile = m_tmp.filePath(QStringLiteral("hidden.safetensors")).toStdString();
            e.hiddenName = "trace-" + std::to_string(i);
            e.hiddenLayers = {1, 2};
            m_data.examples.push_back(std::move(e));
        }
        QVERIFY(model::writeHiddenStateFile(m_data.examples[0].hiddenFile, hidden, {{"model_content_hash", "x"}}));
        m_data.storedLayers = {1, 2};
    }

    void adapterIsTheIdentityAtInitialisation()
    {
        auto st = model::Student::create(*m_rt, settings());
        QVERIFY(st);
        auto &m = model::StudentAccess::modules(**st);
        const auto D = m_rt->info().config.text.hiddenSize;
        QCOMPARE(m.layers.at(1).R.sizes(), (c10::IntArrayRef{3, D}));
        // Orthonormal rows: R Rᵀ = I.
        QVERIFY(torch::allclose(torch::matmul(m.layers.at(1).R, m.layers.at(1).R.t()), torch::eye(3), 1e-5, 1e-5));
        torch::NoGradGuard g;
        auto h = torch::randn({2, 5, D});
        auto edit = torch::ones({2, 5});
        auto visual = torch::randn({2, D});
        QVERIFY(torch::allclose(m.apply(1, h, edit, visual), h, 1e-5, 1e-5));
        // Away from the identity, Φ(h) = h + Rᵀ(W h + b − R h), and only where edit is 1.
        m.layers.at(1).W.add_(0.1);
        m.layers.at(1).b.fill_(0.5);
        m.layers.at(1).gate.fill_(0.0);
        const auto &R = m.layers.at(1).R, &W = m.layers.at(1).W, &b = m.layers.at(1).b;
        auto expected = h + torch::matmul(torch::matmul(h, W.t()) + b - torch::matmul(h, R.t()), R);
        edit[1].zero_();
        auto got = m.apply(1, h, edit, visual);
        QVERIFY(torch::allclose(got[0], expected[0], 1e-4, 1e-4));
        QVERIFY(torch::allclose(got[1], h[1]));
        // The edit has rank ≤ r: the differences lie in R's row space.
        auto diff = (got[0] - h[0]);
        auto projected = torch::matmul(torch::matmul(diff, R.t()), R);
        QVERIFY(torch::allclose(diff, projected, 1e-4, 1e-4));
        // The skip's gate: with g ≠ 0 and no adapter, h + g U V v at edited positions.
        auto sk = model::Student::create(*m_rt, settings(false, true, false));
        auto &ms = model::StudentAccess::modules(**sk);
        QVERIFY(torch::allclose(ms.apply(1, h, torch::ones({2, 5}), visual), h));
        ms.layers.at(1).gate.fill_(2.0);
        auto s = torch::matmul(torch::matmul(visual, ms.layers.at(1).V.t()), ms.layers.at(1).U.t()) * 2.0;
        QVERIFY(torch::allclose(ms.apply(1, h, torch::ones({2, 5}), visual), h + s.unsqueeze(1), 1e-4, 1e-4));
    }

    void studentAtInitialisationGeneratesWhatTheBaseGenerates()
    {
        model::SamplingParams sp;
        sp.maxNewTokens = 6;
        const auto before = m_rt->generate({m_data.examples[0].direct}, sp);
        auto st = model::Student::create(*m_rt, settings());
        (*st)->attach(*m_rt);
        const auto with = m_rt->generate({m_data.examples[0].direct}, sp);
        model::Student::detach(*m_rt);
        QVERIFY(before[0] && with[0]);
        QCOMPARE(with[0]->tokens, before[0]->tokens);
        for (std::size_t i = 0; i < before[0]->logprobs.size(); ++i)
            QVERIFY(std::abs(with[0]->logprobs[i] - before[0]->logprobs[i]) < 1e-4);
    }

    void trainingLowersTheLossAndLeavesTheBaseAlone()
    {
        const double checksum = baseChecksum(*m_rt);
        auto st = model::Student::create(*m_rt, settings());
        model::StudentTrainingSettings c;
        c.steps = 80;
        c.batch = 4;
        c.learningRate = 5e-2;
        c.warmupSteps = 2;
        c.checkpointEvery = 100;
        QTemporaryDir run;
        auto r = model::trainStudent(*m_rt, **st, m_data, c, files(run));
        QVERIFY2(r, r ? "" : r.error().c_str());
        QCOMPARE(int(r->losses.size()), 80);
        const double first = (r->losses[0] + r->losses[1]) / 2, last = (r->losses[78] + r->losses[79]) / 2;
        // A rank-3 edit of one layer of a random 2-layer model: the loss falls, by far less than
        // full fine-tuning would (6.35 -> 5.69 when this was written).
        QVERIFY2(last < first - 0.3, qPrintable(QStringLiteral("loss %1 -> %2").arg(first).arg(last)));
        QCOMPARE(baseChecksum(*m_rt), checksum); // the base's weights did not change
        auto &m = model::StudentAccess::modules(**st);
        // The gate and the ensemble logits moved: they received gradients.
        QVERIFY(m.layers.at(1).gate.abs().item<double>() > 0);
        QVERIFY(m.ensembleLogits.abs().sum().item<double>() > 0);
        // R's rows are still orthonormal after training.
        QVERIFY(torch::allclose(torch::matmul(m.layers.at(1).R, m.layers.at(1).R.t()), torch::eye(3), 1e-4, 1e-4));
        QVERIFY(std::ifstream(run.filePath(QStringLiteral("training_log.jsonl")).toStdString()).good());
    }

    void resumedRunContinuesLikeTheUninterruptedOne()
    {
        model::StudentTrainingSettings c;
        c.steps = 8;
        c.batch = 4;
        c.checkpointEvery = 100;
        QTemporaryDir a, b;
        auto s1 = model::Student::create(*m_rt, settings());
        auto full = model::trainStudent(*m_rt, **s1, m_data, c, files(a));
        QVERIFY(full);
        // Stopped after step 3 (cancel), then resumed by a fresh student from the checkpoint.
        std::atomic_bool cancel{false};
        model::DistillCallbacks cb;
        cb.cancel = &cancel;
        cb.progress = [&](const model::DistillProgress &p) { cancel = p.step >= 3; };
        auto s2 = model::Student::create(*m_rt, settings());
        auto part = model::trainStudent(*m_rt, **s2, m_data, c, files(b), cb);
        QVERIFY(part && part->cancelled);
        QCOMPARE(part->stepsDone, 4); // the cancel is seen after the step in flight
        auto s3 = model::Student::create(*m_rt, settings());
        auto rest = model::trainStudent(*m_rt, **s3, m_data, c, files(b));
        QVERIFY2(rest, rest ? "" : rest.error().c_str());
        QCOMPARE(rest->startStep, 4);
        QCOMPARE(int(rest->losses.size()), 4);
        for (int i = 0; i < 4; ++i)
            QVERIFY2(std::abs(rest->losses[std::size_t(i)] - full->losses[std::size_t(i + 4)]) < 1e-5,
                     qPrintable(QStringLiteral("step %1: %2 vs %3").arg(i + 5).arg(rest->losses[std::size_t(i)]).arg(full->losses[std::size_t(i + 4)])));
        // The log holds each step once.
        std::ifstream log(b.filePath(QStringLiteral("training_log.jsonl")).toStdString());
        int lines = 0;
        for (std::string l; std::getline(log, l);)
            ++lines;
        QCOMPARE(lines, 8);
    }

    void adapterFileRoundTripsAndRefusesOthers()
    {
        auto st = model::Student::create(*m_rt, settings());
        auto &m = model::StudentAccess::modules(**st);
        {
            torch::NoGradGuard g;
            m.layers.at(1).b.fill_(0.25);
            m.layers.at(1).gate.fill_(0.5);
        }
        const std::string file = m_tmp.filePath(QStringLiteral("adapter.safetensors")).toStdString();
        QVERIFY((*st)->save(file, "hash-a"));
        auto back = model::Student::load(file, *m_rt, "hash-a");
        QVERIFY2(back, back ? "" : back.error().c_str());
        QVERIFY(torch::equal(model::StudentAccess::modules(**back).layers.at(1).b, m.layers.at(1).b));
        QCOMPARE((*back)->settings().promptVersions, settings().promptVersions);
        auto other = model::Student::load(file, *m_rt, "hash-b");
        QVERIFY(!other);
        QVERIFY2(QString::fromStdString(other.error()).contains(QStringLiteral("another")) || QString::fromStdString(other.error()).contains(QStringLiteral("not on this")),
                 other.error().c_str());
        // Truncated.
        QFile f(QString::fromStdString(file));
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.resize(f.size() - 10));
        f.close();
        QVERIFY(!model::Student::load(file, *m_rt, "hash-a"));
        QVERIFY(!model::Student::load(m_tmp.filePath(QStringLiteral("missing.safetensors")).toStdString(), *m_rt, "hash-a"));
    }
};

QTEST_GUILESS_MAIN(TestStudent)
#include "tst_student.moc"
