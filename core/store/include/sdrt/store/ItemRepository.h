#pragma once

#include "sdrt/common/Result.h"
#include "sdrt/store/Types.h"

namespace sdrt::store {

class Database;

class ItemRepository {
public:
    explicit ItemRepository(Database &db) : m_db(db) {}

    Result<std::optional<Id>> findByFingerprint(const QString &fingerprint);
    // Inserts the item and its asset links (item.assets[i].asset.id must be set).
    Result<Id> insert(const Item &item, std::optional<Id> importBatch = std::nullopt);
    Result<Item> get(Id id);

    Result<std::int64_t> count(const ItemFilter &filter = {});
    // Rows in id order; `offset`/`limit` page through them for lazy views.
    Result<std::vector<ItemSummary>> list(const ItemFilter &filter, std::int64_t offset, std::int64_t limit);
    Result<QStringList> taskFamilies();

    Result<Id> beginImportBatch(const QString &source);
    Result<void> finishImportBatch(Id batch, int imported, int duplicates, int failed);

private:
    Database &m_db;
};

} // namespace sdrt::store
