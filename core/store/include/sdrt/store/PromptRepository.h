#pragma once

#include "sdrt/common/Result.h"
#include "sdrt/store/Types.h"

namespace sdrt::store {

class Database;

// Prompt versions are immutable: registering a (name, version) that exists with another
// content hash is refused, so a changed prompt needs a new version number.
class PromptRepository {
public:
    explicit PromptRepository(Database &db) : m_db(db) {}

    // Returns the id of the stored version (existing or new).
    Result<Id> registerVersion(const PromptVersion &prompt);
    Result<std::vector<PromptVersion>> list(); // by name, then version
    // The newest version of every prompt, by name: what a run uses when no version is named.
    Result<std::vector<PromptVersion>> newestVersions();
    Result<std::optional<PromptVersion>> find(const QString &name, int version);

private:
    Database &m_db;
};

} // namespace sdrt::store
