#pragma once

#include "sdrt/common/Result.h"
#include "sdrt/store/Types.h"

namespace sdrt::store {

class Database;

class AssetRepository {
public:
    explicit AssetRepository(Database &db) : m_db(db) {}

    Result<std::optional<Asset>> findBySha(const QString &sha256, int page);
    Result<Id> insert(const Asset &asset);
    Result<Asset> get(Id id);
    Result<std::int64_t> count();
    // Every stored path the database references (for consistency checks and cleanup).
    Result<QStringList> storedPaths();

private:
    Database &m_db;
};

} // namespace sdrt::store
