#include "support/SyntheticTraces.h"

#include "sdrt/store/AssetRepository.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/PromptRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>

namespace sdrt::testing {
namespace {

std::uint64_t mix(std::uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

QString sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

Result<store::Id> photoAsset(store::Workspace &ws)
{
    QImage img(160, 120, QImage::Format_RGB888);
    img.fill(QColor(90, 96, 104));
    {
        QPainter p(&img);
        p.setRenderHint(QPainter::Antialiasing);
        p.setBrush(QColor(180, 184, 188));
        p.drawRect(30, 25, 100, 70);
        p.setBrush(QColor(30, 30, 30));
        for (const QPoint c : {QPoint(45, 40), QPoint(115, 40), QPoint(45, 80), QPoint(115, 80)})
            p.drawEllipse(c, 6, 6);
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    img.save(&buffer, "PNG");
    const QString rel = QStringLiteral("assets/synthetic-part.png");
    const QString abs = ws.absolutePath(rel);
    QFile f(abs);
    if (!f.open(QIODevice::WriteOnly) || f.write(png) != png.size())
        return fail(QStringLiteral("Cannot write %1").arg(abs));
    f.close();
    store::AssetRepository assets(ws.db());
    const QString hash = sha256(png);
    auto existing = assets.findBySha(hash, 0);
    if (!existing)
        return fail(existing.error());
    if (*existing)
        return (**existing).id;
    store::Asset a;
    a.kind = store::AssetKind::Photo;
    a.originalName = QStringLiteral("synthetic-part.png");
    a.sha256 = hash;
    a.storedPath = rel;
    a.mime = QStringLiteral("image/png");
    a.sizeBytes = png.size();
    a.width = img.width();
    a.height = img.height();
    return assets.insert(a);
}

} // namespace

Result<SyntheticSummary> addSyntheticTraces(store::Workspace &ws, const SyntheticParams &params)
{
    store::Database &db = ws.db();
    auto photo = photoAsset(ws);
    if (!photo)
        return fail(photo.error());
    std::vector<store::Id> promptIds;
    store::PromptRepository prompts(db);
    for (const QString &name : params.prompts) {
        store::PromptVersion p;
        p.name = name;
        p.version = 900; // apart from the shipped library's versions of the same names
        p.body = QStringLiteral("synthetic prompt ") + name;
        p.contentHash = sha256(p.body.toUtf8());
        auto id = prompts.registerVersion(p);
        if (!id)
            return fail(id.error());
        promptIds.push_back(*id);
    }
    store::ModelRecord model;
    model.name = QStringLiteral("synthetic-teacher");
    model.path = QStringLiteral("models/synthetic-teacher");
    model.contentHash = sha256(QByteArray("synthetic-teacher"));
    model.role = store::ModelRole::Base;
    model.config = QStringLiteral("{}");
    auto modelId = store::ModelRepository(db).ensure(model);
    if (!modelId)
        return fail(modelId.error());
    store::TraceRepository traces(db);
    store::GenerationRun run;
    run.modelId = *modelId;
    run.seed = params.seed;
    auto runId = traces.createRun(run);
    if (!runId)
        return fail(runId.error());

    static const char *families[] = {"counting", "defect", "note_check", "drawing_check", "drawing_value"};
    static const char *regions[] = {"none", "top-left", "top-right", "centre", "bottom-left", "bottom-right"};
    static const char *materials[] = {"SS400", "S45C", "SUS304", "A5052"};
    SyntheticSummary summary;
    const int batch = 500;
    for (int first = 0; first < params.items; first += batch) {
        const int end = std::min(params.items, first + batch);
        std::vector<store::Id> itemIds;
        std::vector<store::Item> made;
        {
            store::Transaction tx(db);
            if (auto r = tx.begin(); !r)
                return fail(r.error());
            store::ItemRepository items(db);
            for (int i = first; i < end; ++i) {
                const std::uint64_t h = mix(params.seed * 1000003ull + std::uint64_t(i));
                store::Item item;
                item.externalId = QStringLiteral("syn%1").arg(i + 1, 6, 10, QLatin1Char('0'));
                item.taskFamily = QString::fromLatin1(families[i % 5]);
                item.split = (h % 4 == 0) ? store::Split::Eval : store::Split::Train;
                const int holes = 2 + int(h % 5);
                if (item.taskFamily == QLatin1String("counting")) {
                    item.question = QStringLiteral("How many holes does the part have?");
                    item.referenceAnswer = QString::number(holes);
                    item.answerType = QStringLiteral("number");
                } else if (item.taskFamily == QLatin1String("defect")) {
                    item.question = QStringLiteral("Where is the defect on the part? Answer with the region or none.");
                    item.referenceAnswer = QString::fromLatin1(regions[(h >> 8) % 6]);
                    item.answerType = QStringLiteral("region");
                } else if (item.taskFamily == QLatin1String("drawing_value")) {
                    item.question = QStringLiteral("What material does the drawing specify?");
                    item.referenceAnswer = QString::fromLatin1(materials[(h >> 8) % 4]);
                    item.answerType = QStringLiteral("text");
                } else {
                    item.question = QStringLiteral("Does the number of holes on the part match the work order?");
                    item.referenceAnswer = ((h >> 8) & 1) ? QStringLiteral("yes") : QStringLiteral("no");
                    item.answerType = QStringLiteral("yesno");
                    item.noteText = QStringLiteral("作業指示 WO-%1\n穴数: %2").arg(1000 + i).arg(holes + int((h >> 9) & 1));
                }
                item.fingerprint = sha256(QByteArray("synthetic:") + QByteArray::number(params.seed) + ':' + QByteArray::number(i));
                store::ItemAsset ia;
                ia.asset.id = *photo;
                ia.role = store::AssetKind::Photo;
                item.assets.push_back(ia);
                auto id = items.insert(item);
                if (!id)
                    return fail(id.error());
                item.id = *id;
                itemIds.push_back(*id);
                made.push_back(std::move(item));
            }
            if (auto r = tx.commit(); !r)
                return fail(r.error());
        }
        std::vector<store::Trace> rows;
        for (const store::Item &item : made) {
            for (std::size_t p = 0; p < promptIds.size(); ++p) {
                const std::uint64_t h = mix(std::uint64_t(item.id) * 131ull + p + params.seed);
                const bool wrong = double(h % 10000) / 10000.0 < params.wrongShare;
                QString answer = *item.referenceAnswer;
                if (wrong) {
                    if (item.answerType == QLatin1String("number"))
                        answer = QString::number(answer.toInt() + 1);
                    else if (item.answerType == QLatin1String("yesno"))
                        answer = answer == QLatin1String("yes") ? QStringLiteral("no") : QStringLiteral("yes");
                    else if (item.answerType == QLatin1String("region"))
                        answer = answer == QLatin1String("centre") ? QStringLiteral("none") : QStringLiteral("centre");
                    else
                        answer = QStringLiteral("S45C") == answer ? QStringLiteral("SS400") : QStringLiteral("S45C");
                }
                store::Trace t;
                t.itemId = item.id;
                t.promptId = promptIds[p];
                t.runId = *runId;
                t.modelId = *modelId;
                t.seed = h;
                t.step1Text = QStringLiteral("1. The photo shows a plate with four holes; no crack is visible. 2. The question is about "
                                             "%1. The work order lists the part and its holes. The answer should be %2.")
                                  .arg(item.taskFamily, answer);
                t.step2Text = answer + QLatin1Char('.');
                t.parsedAnswer = answer;
                t.step1Tokens = 30;
                t.step2Tokens = 2;
                t.meanLogprob = -double(h % 1000) / 1000.0;
                t.finishReason = store::FinishReason::Eos;
                rows.push_back(std::move(t));
            }
        }
        auto n = traces.insert(rows);
        if (!n)
            return fail(n.error());
        summary.items += end - first;
        summary.traces += *n;
        if (params.progress)
            params.progress(end, params.items);
    }
    if (auto r = traces.finishRun(*runId, store::RunStatus::Done, QString()); !r)
        return fail(r.error());
    return summary;
}

} // namespace sdrt::testing
