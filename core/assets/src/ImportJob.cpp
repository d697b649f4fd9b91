#include "sdrt/assets/ImportJob.h"

#include "sdrt/assets/ContentStore.h"
#include "sdrt/assets/Manifest.h"
#include "sdrt/common/Log.h"
#include "sdrt/store/AssetRepository.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>

namespace sdrt::assets {
namespace {

QString fingerprintOf(const ItemSpec &spec, const std::vector<std::pair<store::AssetKind, PreparedAsset>> &assets,
                      const std::optional<PreparedAsset> &note)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    auto add = [&h](const QString &s) {
        h.addData(s.toUtf8());
        h.addData(QByteArrayView("\x1f", 1));
    };
    add(spec.externalId.value_or(QString()));
    add(spec.question);
    add(spec.referenceAnswer.value_or(QStringLiteral("\x01none")));
    add(spec.answerType);
    add(spec.taskFamily);
    add(store::toString(spec.split));
    for (const auto &[role, a] : assets) {
        add(store::toString(role));
        add(a.sha256);
        add(QString::number(a.page));
    }
    add(note ? note->sha256 : QString());
    return QString::fromLatin1(h.result().toHex());
}

// An item's files, read and checked; nothing is written yet.
struct PreparedItem {
    std::vector<std::pair<store::AssetKind, PreparedAsset>> assets;
    std::optional<PreparedAsset> note;
};

// Reads and checks every file of the item. A bad file fails the whole item, but the others are
// still checked so that one pass names them all (each through `failFile`).
std::optional<PreparedItem> prepareItem(const ItemSpec &spec, const DecodeLimits &limits,
                                        const std::function<void(const QString &, const QString &)> &failFile)
{
    PreparedItem item;
    bool ok = true;
    for (const AssetSpec &a : spec.assets) {
        auto r = prepareAsset(a.path, a.role, limits);
        if (!r) {
            failFile(a.relative, r.error());
            ok = false;
            item.assets.clear(); // not stored; no need to hold decoded pages
            continue;
        }
        if (!ok)
            continue;
        for (PreparedAsset &p : *r)
            item.assets.emplace_back(a.role, std::move(p));
    }
    if (spec.noteFile) {
        auto r = prepareAsset(spec.noteFile->path, store::AssetKind::Note, limits);
        if (!r) {
            failFile(spec.noteFile->relative, r.error());
            ok = false;
        } else {
            item.note = std::move(r->front());
        }
    } else if (ok && spec.noteText) {
        item.note = std::move(*prepareNoteText(*spec.noteText, spec.label + QStringLiteral(" (note)")));
    }
    return ok ? std::optional<PreparedItem>(std::move(item)) : std::nullopt;
}

store::Item itemRow(const ItemSpec &spec, const QString &fingerprint, const PreparedItem &prepared)
{
    store::Item item;
    item.externalId = spec.externalId;
    item.question = spec.question;
    item.referenceAnswer = spec.referenceAnswer;
    item.answerType = spec.answerType;
    item.taskFamily = spec.taskFamily;
    item.split = spec.split;
    item.tags = spec.tags;
    item.fingerprint = fingerprint;
    item.noteText = prepared.note ? prepared.note->text : QString();
    return item;
}

// Writes an item: each asset's files into the content store (an asset already known by its
// content is reused), the asset rows and the item row.
class ItemWriter {
public:
    ItemWriter(store::Database &db, ContentStore &content) : m_assets(db), m_items(db), m_content(content) {}

    Result<void> write(store::Item item, const PreparedItem &prepared, qint64 batchId)
    {
        for (const auto &[role, p] : prepared.assets)
            if (auto r = add(item, role, p); !r)
                return r;
        if (prepared.note)
            if (auto r = add(item, store::AssetKind::Note, *prepared.note); !r)
                return r;
        if (auto id = m_items.insert(item, batchId); !id)
            return fail(id.error());
        return {};
    }

private:
    Result<void> add(store::Item &item, store::AssetKind role, const PreparedAsset &p)
    {
        auto asset = assetFor(p);
        if (!asset)
            return fail(asset.error());
        item.assets.push_back({*asset, role, int(item.assets.size())});
        return {};
    }

    Result<store::Asset> assetFor(const PreparedAsset &p)
    {
        auto found = m_assets.findBySha(p.sha256, p.page);
        if (!found)
            return fail(found.error());
        if (*found)
            return **found;
        auto stored = m_content.put(p.storedBytes, p.sha256, p.storedSuffix);
        if (!stored)
            return fail(stored.error());
        store::Asset asset;
        asset.kind = p.kind;
        asset.originalName = p.originalName;
        asset.sha256 = p.sha256;
        asset.page = p.page;
        asset.storedPath = *stored;
        asset.mime = p.mime;
        asset.sizeBytes = p.storedBytes.size();
        asset.width = p.width;
        asset.height = p.height;
        asset.dpi = p.dpi;
        if (!p.sourceBytes.isEmpty()) {
            auto source = m_content.put(p.sourceBytes, p.sha256, p.sourceSuffix);
            if (!source)
                return fail(source.error());
            asset.sourcePath = *source;
        }
        auto id = m_assets.insert(asset);
        if (!id)
            return fail(id.error());
        asset.id = *id;
        return asset;
    }

    store::AssetRepository m_assets;
    store::ItemRepository m_items;
    ContentStore &m_content;
};

// Where an import's items go: one transaction per batch of items, committed when the policy says
// so (ImportParams::commitEveryItems, commitEveryMs), with the import batch row updated to the
// counts at each commit. A commit that fails rolls back and removes the files written since the
// last one.
class ImportCommits {
public:
    ImportCommits(store::Database &db, const ImportParams &params)
        : m_params(params), m_items(db), m_content(params.workspaceRoot), m_writer(db, m_content), m_tx(db)
    {
    }

    ContentStore &content() { return m_content; }
    ItemWriter &writer() { return m_writer; }

    // Opens the first transaction and, in it, the import batch row; returns its id.
    Result<qint64> begin(const QString &source)
    {
        if (auto r = m_tx.begin(); !r)
            return fail(r.error());
        auto batch = m_items.beginImportBatch(QFileInfo(source).absoluteFilePath());
        if (!batch)
            return fail(batch.error());
        m_sinceCommitTimer.start();
        return *batch;
    }

    // Before each item: commits what is done when it is time to.
    Result<void> beforeItem(const ImportReport &report)
    {
        if (m_sinceCommit >= std::max(1, m_params.commitEveryItems) || m_sinceCommitTimer.elapsed() >= m_params.commitEveryMs) {
            if (auto r = commit(report, false); !r)
                return r;
        }
        ++m_sinceCommit;
        return {};
    }

    // The last commit; no transaction is opened after it.
    Result<void> finish(const ImportReport &report) { return commit(report, true); }

private:
    Result<void> commit(const ImportReport &report, bool last)
    {
        auto r = commitAndReopen(report, last);
        if (!r) {
            m_tx.rollback();
            m_content.removeWritten();
        }
        return r;
    }

    // Commits what is done (every item is whole: its files are written before its rows) and,
    // unless `last`, opens the next transaction.
    Result<void> commitAndReopen(const ImportReport &report, bool last)
    {
        if (auto r = m_items.finishImportBatch(report.batchId, report.imported, report.duplicates, report.failed); !r)
            return r;
        if (auto r = m_tx.commit(); !r)
            return r;
        m_content.forgetWritten();
        m_sinceCommit = 0;
        m_sinceCommitTimer.restart();
        if (!last)
            return m_tx.begin();
        return {};
    }

    const ImportParams &m_params;
    store::ItemRepository m_items;
    ContentStore m_content;
    ItemWriter m_writer;
    store::Transaction m_tx;
    int m_sinceCommit = 0;
    QElapsedTimer m_sinceCommitTimer;
};

void logReport(const QString &source, const ImportReport &report, double seconds)
{
    auto log = sdrt::log::get("assets");
    log->info("imported {}: {} items, {} duplicates, {} failed in {:.1f} s", source.toStdString(), report.imported, report.duplicates,
              report.failed, seconds);
    for (const ImportFailure &f : report.failures)
        log->warn("import failed: {}", f.toString().toStdString());
}

// Imports one item inside the open transaction and counts it in `report`: imported, duplicate
// or failed (with its files' reasons). Fails only when the workspace cannot be written.
Result<void> importOne(const ItemSpec &spec, const ImportParams &params, store::Database &db, ContentStore &content, ItemWriter &writer,
                       ImportReport &report)
{
    auto failItem = [&](const QString &file, const QString &reason) {
        report.failures.push_back({file, spec.line, reason});
        if (spec.line > 0)
            report.failures.back().file = QStringLiteral("%1 (%2)").arg(spec.label, file);
    };

    // 1. Read and check every file of the item; nothing is written yet.
    auto prepared = prepareItem(spec, params.limits, failItem);
    if (!prepared) {
        ++report.failed;
        return {};
    }
    // 2. Duplicate items are counted, not stored again.
    const QString fingerprint = fingerprintOf(spec, prepared->assets, prepared->note);
    auto existing = store::ItemRepository(db).findByFingerprint(fingerprint);
    if (!existing)
        return fail(existing.error());
    if (*existing) {
        ++report.duplicates;
        return {};
    }
    // 3. Store files and rows under a savepoint, so this item can be undone alone.
    store::Savepoint sp(db, "import_item");
    if (auto r = sp.begin(); !r)
        return fail(r.error());
    const qsizetype writtenBefore = content.written().size();
    if (auto written = writer.write(itemRow(spec, fingerprint, *prepared), *prepared, report.batchId); written) {
        if (auto r = sp.release(); !r)
            return fail(r.error());
        ++report.imported;
    } else {
        sp.rollback();
        // Remove only the files this item added; earlier items keep theirs.
        const QStringList files = content.written();
        for (qsizetype i = writtenBefore; i < files.size(); ++i)
            QFile::remove(files.at(i));
        failItem(spec.label, written.error());
        ++report.failed;
    }
    return {};
}

} // namespace

QString ImportFailure::toString() const
{
    if (line > 0 && !file.contains(QLatin1Char(':')))
        return QStringLiteral("%1:%2: %3").arg(file).arg(line).arg(reason);
    return QStringLiteral("%1: %2").arg(file, reason);
}

QString ImportReport::summary() const
{
    if (cancelled && imported == 0)
        return QCoreApplication::translate("sdrt::assets", "Import cancelled: nothing was imported.");
    if (cancelled)
        return QCoreApplication::translate("sdrt::assets", "Import cancelled: %1 items imported before the cancel stay (duplicates %2, failed %3); "
                                                           "import again to go on.")
            .arg(imported)
            .arg(duplicates)
            .arg(failed);
    return QCoreApplication::translate("sdrt::assets", "Imported %1, duplicates %2, failed %3.").arg(imported).arg(duplicates).arg(failed);
}

Result<ImportReport> ImportJob::run()
{
    QElapsedTimer timer;
    timer.start();

    auto plan = planImport(m_params.source);
    if (!plan)
        return fail(plan.error());

    ImportReport report;
    for (const SpecProblem &p : plan->problems)
        report.failures.push_back({p.file, p.line, p.reason});

    auto db = store::Workspace::connect(QDir(m_params.workspaceRoot).filePath(QString::fromLatin1(store::Workspace::kDatabaseFile)));
    if (!db)
        return fail(db.error());
    ImportCommits commits(*db, m_params);
    auto batch = commits.begin(m_params.source);
    if (!batch)
        return fail(batch.error());
    report.batchId = *batch;

    const int total = int(plan->items.size());
    int done = 0;
    for (const ItemSpec &spec : plan->items) {
        if (m_params.cancel && m_params.cancel->load()) {
            report.cancelled = true;
            sdrt::log::get("assets")->info("import of {} cancelled after {} of {} items", m_params.source.toStdString(), done, total);
            break;
        }
        if (auto r = commits.beforeItem(report); !r)
            return fail(r.error());
        if (auto r = importOne(spec, m_params, *db, commits.content(), commits.writer(), report); !r)
            return fail(r.error());
        ++done;
        if (m_params.progress)
            m_params.progress({done, total, spec.label});
    }

    std::stable_sort(report.failures.begin(), report.failures.end(),
                     [](const ImportFailure &a, const ImportFailure &b) { return a.line < b.line; });
    report.failed += int(plan->problems.size());
    if (auto r = commits.finish(report); !r)
        return fail(r.error());
    // A large batch leaves a large WAL; fold it back into the database now, while idle.
    (void)db->checkpointWal(); // an optimisation: the data is committed either way
    logReport(m_params.source, report, timer.elapsed() / 1000.0);
    return report;
}

} // namespace sdrt::assets
