#pragma once
// Schema migrations keyed on PRAGMA user_version. Migration N takes the schema from version
// N-1 to N; each runs in its own transaction together with the user_version bump, so a failed
// migration leaves the database at the previous version, unchanged.

#include "sdrt/common/Result.h"

#include <vector>

namespace sdrt::store {

class Database;

struct Migration {
    int version;       // the user_version after this migration
    const char *sql;   // one or more statements
    // Rebuilds a table that others reference (SQLite's "12-step" table change): runs with
    // foreign keys off, then checks them all (PRAGMA foreign_key_check) before COMMIT.
    bool rebuildsReferencedTable = false;
};

// The project's migrations, in order. The last entry's version is the current schema version.
const std::vector<Migration> &migrations();
int currentSchemaVersion();

// Brings `db` up to the last version in `list`. Refuses (and changes nothing) when the database
// is newer than the list knows.
Result<void> migrate(Database &db, const std::vector<Migration> &list = migrations());

} // namespace sdrt::store
