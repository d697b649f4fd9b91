#include "sdrt/teacher/TraceSink.h"

#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/PromptRepository.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUuid>

#include <limits>

namespace sdrt::teacher {
namespace {

QString hiddenDirOf(const QString &modelHash)
{
    return QStringLiteral("hidden/") + modelHash.left(12);
}

// Copies each record into the out store through `add` (which reuses an identical one there) and
// maps the record's id to the out store's.
template <typename Record, typename Add>
Result<void> mapInto(const std::vector<Record> &records, std::map<store::Id, store::Id> &ids, Add add)
{
    for (const Record &r : records) {
        auto id = add(r);
        if (!id)
            return fail(id.error());
        ids[r.id] = *id;
    }
    return {};
}

Result<void> registerPrompts(store::Database &out, const std::vector<store::PromptVersion> &prompts, std::map<store::Id, store::Id> &ids)
{
    return mapInto(prompts, ids, [&out](const store::PromptVersion &v) { return store::PromptRepository(out).registerVersion(v); });
}

} // namespace

store::Id TraceSink::mapped(const std::map<store::Id, store::Id> &map, store::Id id)
{
    if (map.empty())
        return id;
    auto it = map.find(id);
    return it == map.end() ? 0 : it->second;
}

Result<std::unique_ptr<TraceSink>> TraceSink::intoWorkspace(store::Workspace &ws)
{
    std::unique_ptr<TraceSink> sink(new TraceSink);
    sink->m_out = &ws;
    return sink;
}

Result<std::unique_ptr<TraceSink>> TraceSink::intoShardFolder(store::Workspace &src, const QString &dir, const store::ModelRecord &model,
                                                              const std::vector<store::PromptVersion> &prompts,
                                                              const std::vector<store::Id> &items)
{
    auto ws = store::Workspace::looksLikeWorkspace(dir) ? store::Workspace::open(dir) : store::Workspace::create(dir);
    if (!ws)
        return fail(ws.error());
    std::unique_ptr<TraceSink> sink(new TraceSink);
    sink->m_ownedOut = std::make_unique<store::Workspace>(std::move(*ws));
    sink->m_out = sink->m_ownedOut.get();
    store::Database &out = sink->m_out->db();
    auto m = store::ModelRepository(out).ensure(model);
    if (!m)
        return fail(m.error());
    sink->m_models[model.id] = *m;
    if (auto r = registerPrompts(out, prompts, sink->m_prompts); !r)
        return fail(r.error());
    store::ItemRepository srcItems(src.db()), outItems(out);
    for (store::Id id : items) {
        auto item = srcItems.get(id);
        if (!item)
            return fail(item.error());
        auto found = outItems.findByFingerprint(item->fingerprint);
        if (!found)
            return fail(found.error());
        if (*found) {
            sink->m_items[id] = **found;
            continue;
        }
        item->assets.clear(); // the shard needs the item's identity, not its files
        auto inserted = outItems.insert(*item);
        if (!inserted)
            return fail(inserted.error());
        sink->m_items[id] = *inserted;
    }
    return sink;
}

Result<std::unique_ptr<TraceSink>> TraceSink::fromShardFolder(store::Workspace &ws, store::Workspace &shard)
{
    std::unique_ptr<TraceSink> sink(new TraceSink);
    sink->m_out = &ws;
    sink->m_copyHiddenFrom = shard.root();
    auto models = store::ModelRepository(shard.db()).list();
    if (!models)
        return fail(models.error());
    const auto ensureModel = [&ws](const store::ModelRecord &m) { return store::ModelRepository(ws.db()).ensure(m); };
    if (auto r = mapInto(*models, sink->m_models, ensureModel); !r)
        return fail(r.error());
    auto promptRows = store::PromptRepository(shard.db()).list();
    if (!promptRows)
        return fail(promptRows.error());
    if (auto r = registerPrompts(ws.db(), *promptRows, sink->m_prompts); !r)
        return fail(r.error());
    store::ItemRepository shardItems(shard.db()), wsItems(ws.db());
    auto rows = shardItems.list({}, 0, std::numeric_limits<std::int32_t>::max());
    if (!rows)
        return fail(rows.error());
    for (const auto &r : *rows) {
        auto item = shardItems.get(r.id);
        if (!item)
            return fail(item.error());
        auto found = wsItems.findByFingerprint(item->fingerprint);
        if (!found)
            return fail(found.error());
        if (!*found)
            return fail(QCoreApplication::translate("sdrt::teacher", "Item \"%1\" of the shard is not in the workspace %2 (fingerprint %3); merge a shard into the workspace it was made from.")
                            .arg(item->externalId.value_or(item->question), ws.root(), item->fingerprint.left(12)));
        sink->m_items[r.id] = **found;
    }
    return sink;
}

Result<std::set<store::TraceKey>> TraceSink::completed(store::Id model) const
{
    auto keys = store::TraceRepository(m_out->db()).completed(modelId(model));
    if (!keys || (m_items.empty() && m_prompts.empty()))
        return keys;
    std::map<store::Id, store::Id> itemBack, promptBack;
    for (const auto &[a, b] : m_items)
        itemBack[b] = a;
    for (const auto &[a, b] : m_prompts)
        promptBack[b] = a;
    std::set<store::TraceKey> out;
    for (const auto &[item, prompt, sample] : *keys) {
        if (itemBack.count(item) && promptBack.count(prompt))
            out.emplace(itemBack[item], promptBack[prompt], sample);
    }
    return out;
}

Result<int> TraceSink::write(TraceBatch &batch, const QString &modelHash)
{
    if (!batch.hidden.empty()) {
        const QString dir = hiddenDirOf(modelHash);
        if (!QDir(m_out->root()).mkpath(dir))
            return fail(QCoreApplication::translate("sdrt::teacher", "Cannot create the folder %1.").arg(QDir(m_out->root()).filePath(dir)));
        const QString rel = dir + QLatin1Char('/') + QUuid::createUuid().toString(QUuid::WithoutBraces) + QStringLiteral(".safetensors");
        auto bytes = model::writeHiddenStateFile(m_out->absolutePath(rel).toStdString(), batch.hidden,
                                                 {{"model_content_hash", modelHash.toStdString()},
                                                  {"positions", "step-2 answer tokens as inputs, teacher-forced"}});
        if (!bytes)
            return fail(QCoreApplication::translate("sdrt::teacher", "Cannot write hidden states: %1").arg(QString::fromStdString(bytes.error())));
        for (std::size_t h = 0; h < batch.hiddenOf.size(); ++h) {
            store::Trace &t = batch.traces[batch.hiddenOf[h]];
            t.hiddenRef = rel + QLatin1Char('#') + QString::fromStdString(batch.hidden[h].name);
            t.hiddenBytes = std::int64_t((*bytes)[h]);
            m_hiddenBytes += t.hiddenBytes;
        }
    }
    for (store::Trace &t : batch.traces) {
        t.itemId = itemId(t.itemId);
        t.promptId = promptId(t.promptId);
        t.modelId = modelId(t.modelId);
        if (m_copyHiddenFrom.isEmpty() || t.hiddenRef.isEmpty())
            continue;
        const QString rel = t.hiddenRef.section(QLatin1Char('#'), 0, 0);
        const QString target = m_out->absolutePath(rel);
        if (QFileInfo::exists(target))
            continue;
        const QString from = QDir(m_copyHiddenFrom).filePath(rel);
        QDir().mkpath(QFileInfo(target).absolutePath());
        if (!QFile::copy(from, target))
            return fail(QCoreApplication::translate("sdrt::teacher", "Cannot copy %1 to %2.").arg(from, target));
        m_copied << target;
    }
    return store::TraceRepository(m_out->db()).insert(batch.traces);
}

void TraceSink::removeCopiedFiles()
{
    for (const QString &f : m_copied)
        QFile::remove(f);
    m_copied.clear();
}

} // namespace sdrt::teacher
