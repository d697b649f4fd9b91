// Training: a few steps lower the loss, the trained model generates what it learned, a run
// resumed from its checkpoint ends exactly where an uninterrupted run ends, save() writes a
// folder that loads again, and every way out of train() leaves requires_grad as it found it.

#include "ChatText.h"
#include "sdrt/model/Runtime.h"
#include "SafetensorsTorch.h"
#include "sdrt/model/TinyModel.h"
#include "sdrt/model/Training.h"

#include "RuntimeImpl.h" // white box: the parameters' requires_grad

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <random>

#include <torch/torch.h>

using namespace sdrt::model;
using sdrt::testing::chatText;

namespace {

RgbImage dots(int count, int seed)
{
    RgbImage img;
    img.width = img.height = 32;
    img.pixels.assign(32 * 32 * 3, std::uint8_t(180 + seed % 20));
    for (int k = 0; k < count; ++k) {
        const int cx = 6 + (k % 3) * 10, cy = 8 + (k / 3) * 14;
        for (int y = cy - 2; y <= cy + 2; ++y)
            for (int x = cx - 2; x <= cx + 2; ++x)
                for (int c = 0; c < 3; ++c)
                    img.pixels[std::size_t((y * 32 + x) * 3 + c)] = 20;
    }
    return img;
}

std::vector<TrainingExample> examples(VlmRuntime &rt)
{
    std::vector<TrainingExample> out;
    for (int i = 0; i < 6; ++i) {
        TrainingExample e;
        e.images = {dots(i + 1, i)};
        e.prompt = chatText(rt, "<image>\nHow many holes does the part have?", "Answer:");
        e.target = std::to_string(i + 1) + " holes";
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace

class TestTraining : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::string m_tiny;

private Q_SLOTS:
    void initTestCase()
    {
        configureThreads(0);
        m_tiny = m_tmp.filePath(QStringLiteral("tiny")).toStdString();
        QVERIFY(makeTinyModel(m_tiny, {}));
    }

    void fewStepsLowerTheLossAndTheModelAnswers()
    {
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        auto data = examples(**rt);
        const double before = *evaluateLoss(**rt, data);
        TrainParams p;
        p.steps = 300;
        p.batchSize = 6;
        p.learningRate = 1e-3; // 3e-3 stalls at the guessing plateau on this tiny model
        p.warmupSteps = 5;
        int progressCalls = 0;
        p.progress = [&](const TrainProgress &pr) {
            ++progressCalls;
            QVERIFY(pr.step >= 1 && pr.step <= 300 && pr.lr > 0);
        };
        auto r = train(**rt, int(data.size()), [&](int i) { return data[std::size_t(i)]; }, p);
        QVERIFY2(r, r ? "" : r.error().c_str());
        QCOMPARE(progressCalls, 300);
        QCOMPARE(r->stepsDone, 300);
        const double after = *evaluateLoss(**rt, data);
        qInfo("target loss %.3f -> %.3f", before, after);
        QVERIFY(after < 0.2 * before);
        // The model now answers the training question for every seen image.
        for (std::size_t i = 0; i < data.size(); ++i) {
            auto gi = (*rt)->generate({GenerationRequest{data[i].images, data[i].prompt}}, SamplingParams::greedy(8));
            QVERIFY(gi[0]);
            QCOMPARE(QString::fromStdString(gi[0]->text), QString::fromStdString(data[i].target));
        }
        auto g = (*rt)->generate({GenerationRequest{data[2].images, data[2].prompt}}, SamplingParams::greedy(8));
        QVERIFY(g[0]);
        QCOMPARE(g[0]->text, std::string("3 holes"));
        QCOMPARE(g[0]->finishReason, std::string("eos"));

        // save() writes a folder that loads and answers the same.
        const std::string saved = m_tmp.filePath(QStringLiteral("saved")).toStdString();
        QVERIFY((*rt)->save(saved));
        auto again = VlmRuntime::load(saved);
        QVERIFY2(again, again ? "" : again.error().c_str());
        auto g2 = (*again)->generate({GenerationRequest{data[2].images, data[2].prompt}}, SamplingParams::greedy(8));
        QVERIFY(g2[0]);
        QCOMPARE(g2[0]->tokens, g[0]->tokens);
    }

    void continuationTargetsLearnNoEos()
    {
        // A target marked as the start of a longer answer is scored on its own tokens only: the
        // loss equals the mean negative log-probability of those tokens, with no EOS after them.
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        TrainingExample e = examples(**rt)[2];
        const auto ids = (*rt)->tokenizer().encode(e.target, false);
        QVERIFY(ids.size() >= 2);
        auto scored = (*rt)->score(GenerationRequest{e.images, e.prompt}, ids);
        QVERIFY2(scored, scored ? "" : scored.error().c_str());
        double nll = 0;
        for (float lp : scored->logprobs)
            nll -= lp;
        nll /= double(ids.size());
        e.appendEos = false;
        const double continuation = *evaluateLoss(**rt, {e});
        QVERIFY2(std::abs(continuation - nll) < 1e-3 * std::max(1.0, nll), qPrintable(QStringLiteral("%1 vs %2").arg(continuation).arg(nll)));
        // With the EOS the loss covers one token more, so it differs.
        e.appendEos = true;
        const double whole = *evaluateLoss(**rt, {e});
        QVERIFY(std::abs(whole - nll) > 1e-4);
        // Nothing to learn is an error, not a NaN loss.
        e.target.clear();
        e.appendEos = false;
        auto empty = evaluateLoss(**rt, {e});
        QVERIFY(!empty);
        QVERIFY2(QString::fromStdString(empty.error()).contains(QStringLiteral("nothing to learn")), empty.error().c_str());
    }

    void patchLabelsTrainTheVisionTower()
    {
        // Dense labels: which of the 4x4 patches of a 32x32 image holds a dark dot. The answer
        // text is constant, so the loss left after training is the patch loss; a head that only
        // knows the share of dot patches (~0.19) cannot go below its entropy, 0.49.
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        std::vector<TrainingExample> data;
        std::mt19937 rng(3);
        for (int i = 0; i < 48; ++i) {
            TrainingExample e;
            const int count = 1 + int(rng() % 6);
            e.images = {dots(count, i)};
            e.prompt = chatText(**rt, "<image>\nLook.", "Answer:");
            e.target = "ok";
            std::vector<std::uint8_t> labels(16, 0);
            for (int k = 0; k < count; ++k) {
                const int cx = 6 + (k % 3) * 10, cy = 8 + (k / 3) * 14;
                labels[std::size_t((cy / 8) * 4 + cx / 8)] = 1;
            }
            e.patchLabels = {labels};
            data.push_back(std::move(e));
        }
        TrainParams p;
        p.steps = 150;
        p.batchSize = 8;
        p.learningRate = 2e-3;
        p.warmupSteps = 5;
        p.patchClasses = 1;
        p.checkpointDir = m_tmp.filePath(QStringLiteral("patch-ckpt")).toStdString();
        p.checkpointEvery = 100;
        auto r = train(**rt, int(data.size()), [&](int i) { return data[std::size_t(i)]; }, p);
        QVERIFY2(r, r ? "" : r.error().c_str());
        double tail = 0;
        for (std::size_t k = r->losses.size() - 10; k < r->losses.size(); ++k)
            tail += r->losses[k] / 10;
        QVERIFY2(tail < 0.3, qPrintable(QString::number(tail)));
        // The head is kept in the checkpoint (for resuming), not in the model.
        auto ckpt = SafetensorsFile::open(p.checkpointDir + "/checkpoint.safetensors");
        QVERIFY(ckpt);
        QVERIFY(ckpt->find("aux.patch_head.weight") != nullptr);
        QVERIFY(ckpt->find("adam_m.patch_head.weight") != nullptr);
        const std::string saved = m_tmp.filePath(QStringLiteral("patch-model")).toStdString();
        QVERIFY((*rt)->save(saved));
        auto weights = SafetensorsFile::open(saved + "/model.safetensors");
        QVERIFY(weights);
        for (const auto &t : weights->tensors())
            QVERIFY2(t.name.find("patch_head") == std::string::npos, t.name.c_str());
        // Resuming picks the head up again; labels of the wrong size are refused clearly.
        p.steps = 160;
        auto more = train(**rt, int(data.size()), [&](int i) { return data[std::size_t(i)]; }, p);
        QVERIFY2(more, more ? "" : more.error().c_str());
        QCOMPARE(more->startStep, 150);
        data[0].patchLabels = {std::vector<std::uint8_t>(5, 0)};
        p.steps = 1;
        p.checkpointDir.clear();
        auto bad = train(**rt, 1, [&](int i) { return data[std::size_t(i)]; }, p);
        QVERIFY(!bad);
        QVERIFY2(bad.error().find("patch labels") != std::string::npos, bad.error().c_str());
    }

    void resumedRunEndsWhereAnUninterruptedRunEnds()
    {
        TrainParams p;
        p.steps = 12;
        p.batchSize = 4;
        p.learningRate = 2e-3;
        p.warmupSteps = 2;
        p.checkpointEvery = 4;
        p.seed = 5;

        // Uninterrupted.
        auto a = VlmRuntime::load(m_tiny);
        QVERIFY(a);
        auto data = examples(**a);
        auto fn = [&](int i) { return data[std::size_t(i)]; };
        p.checkpointDir = m_tmp.filePath(QStringLiteral("ckpt-a")).toStdString();
        auto ra = train(**a, int(data.size()), fn, p);
        QVERIFY(ra && ra->stepsDone == 12);

        // Interrupted after step 6 (the checkpoint at step 4 and the final one at cancel), then
        // resumed by a fresh process-like runtime.
        std::atomic_bool cancel = false;
        auto b = VlmRuntime::load(m_tiny);
        QVERIFY(b);
        p.checkpointDir = m_tmp.filePath(QStringLiteral("ckpt-b")).toStdString();
        p.cancel = &cancel;
        p.progress = [&](const TrainProgress &pr) {
            if (pr.step == 6)
                cancel = true;
        };
        auto rb = train(**b, int(data.size()), fn, p);
        QVERIFY(rb && rb->cancelled && rb->stepsDone == 6);
        p.cancel = nullptr;
        p.progress = {};
        auto c = VlmRuntime::load(m_tiny);
        QVERIFY(c);
        auto rc = train(**c, int(data.size()), fn, p);
        QVERIFY2(rc, rc ? "" : rc.error().c_str());
        QCOMPARE(rc->startStep, 6);
        QCOMPARE(rc->stepsDone, 12);
        // Same weights at the end.
        auto fa = SafetensorsFile::open(m_tmp.filePath(QStringLiteral("ckpt-a/checkpoint.safetensors")).toStdString());
        auto fc = SafetensorsFile::open(m_tmp.filePath(QStringLiteral("ckpt-b/checkpoint.safetensors")).toStdString());
        QVERIFY(fa && fc);
        QCOMPARE(fa->metadata().at("step"), std::string("12"));
        QCOMPARE(fc->metadata().at("step"), std::string("12"));
        double diff = 0;
        for (const auto &t : fa->tensors())
            diff = std::max(diff, (*loadTensor(*fa, t.name) - *loadTensor(*fc, t.name)).abs().max().item<double>());
        QVERIFY2(diff < 1e-6, std::to_string(diff).c_str());
        QCOMPARE(rc->lastLoss, ra->lastLoss);
    }
    void everyExitRestoresRequiresGrad()
    {
        auto rt = VlmRuntime::load(m_tiny);
        QVERIFY(rt);
        std::vector<torch::Tensor> params = RuntimeAccess::impl(**rt).model->parameters(true);
        QVERIFY(params.size() > 10);
        // Loaded for inference: no parameter needs gradients.
        for (const auto &t : params)
            QVERIFY(!t.requires_grad());
        // A pattern train() would never leave by itself.
        std::vector<bool> pattern;
        for (std::size_t i = 0; i < params.size(); ++i) {
            params[i].set_requires_grad(i % 3 == 1);
            pattern.push_back(i % 3 == 1);
        }
        auto state = [&] {
            std::vector<bool> now;
            for (const auto &t : params)
                now.push_back(t.requires_grad());
            return now;
        };
        auto data = examples(**rt);
        auto good = [&](int i) { return data[std::size_t(i)]; };
        TrainParams p;
        p.steps = 2;
        p.batchSize = 2;
        p.warmupSteps = 1;

        // An example that fails validation at the first step.
        TrainingExample nothing = data[0];
        nothing.target.clear();
        nothing.appendEos = false;
        auto bad = train(**rt, 2, [&](int) { return nothing; }, p);
        QVERIFY(!bad);
        QVERIFY2(bad.error().find("nothing to learn") != std::string::npos, bad.error().c_str());
        QCOMPARE(state(), pattern);

        // A checkpoint that cannot be written after the first step (its folder is a file).
        const QString blocker = m_tmp.filePath(QStringLiteral("not-a-folder"));
        {
            QFile f(blocker);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        TrainParams unwritable = p;
        unwritable.checkpointDir = blocker.toStdString();
        unwritable.checkpointEvery = 1;
        auto failed = train(**rt, int(data.size()), good, unwritable);
        QVERIFY(!failed);
        QCOMPARE(state(), pattern);

        // Cancelled before the first step.
        std::atomic_bool cancel = true;
        TrainParams cancelled = p;
        cancelled.cancel = &cancel;
        auto c = train(**rt, int(data.size()), good, cancelled);
        QVERIFY(c && c->cancelled && c->stepsDone == 0);
        QCOMPARE(state(), pattern);

        // A run that ends normally, with and without the vision tower.
        auto ok = train(**rt, int(data.size()), good, p);
        QVERIFY2(ok, ok ? "" : ok.error().c_str());
        QCOMPARE(ok->stepsDone, 2);
        QCOMPARE(state(), pattern);
        TrainParams frozen = p;
        frozen.trainVision = false;
        QVERIFY(train(**rt, int(data.size()), good, frozen));
        QCOMPARE(state(), pattern);
    }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "tst_training.moc"
