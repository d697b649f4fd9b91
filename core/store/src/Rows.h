#pragma once
// Row readers shared by the repositories (private to the store library).

#include "sdrt/store/Database.h"
#include "sdrt/store/Types.h"

#include <QStringList>

namespace sdrt::store::rows {

// Columns: id, kind, original_name, sha256, page, stored_path, source_path, mime, size_bytes,
// width, height, dpi — starting at `first`.
constexpr const char *kAssetColumns =
    "a.id, a.kind, a.original_name, a.sha256, a.page, a.stored_path, a.source_path, a.mime, a.size_bytes, a.width,"
    " a.height, a.dpi";

Asset readAsset(const Statement &s, int first);

// The first column of every row of a parameterless query.
Result<QStringList> texts(Database &db, const char *sql);

} // namespace sdrt::store::rows
