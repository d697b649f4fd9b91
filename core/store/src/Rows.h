#pragma once
// Row readers shared by the repositories (private to the store library).

#include "sdrt/store/Database.h"
#include "sdrt/store/Types.h"

#include <QStringList>

#include <optional>
#include <vector>

namespace sdrt::store::rows {

// Columns: id, kind, original_name, sha256, page, stored_path, source_path, mime, size_bytes,
// width, height, dpi — starting at `first`.
constexpr const char *kAssetColumns =
    "a.id, a.kind, a.original_name, a.sha256, a.page, a.stored_path, a.source_path, a.mime, a.size_bytes, a.width,"
    " a.height, a.dpi";

Asset readAsset(const Statement &s, int first);

// Every row of a prepared (and bound) statement, each made by `read(statement)`.
template <typename T, typename Read>
Result<std::vector<T>> readAll(Statement &s, Read read)
{
    std::vector<T> out;
    for (;;) {
        auto row = s.step();
        if (!row)
            return fail(row.error());
        if (!*row)
            return out;
        out.push_back(read(s));
    }
}

// The first row of a prepared (and bound) statement, if there is one.
template <typename T, typename Read>
Result<std::optional<T>> readOne(Statement &s, Read read)
{
    auto row = s.step();
    if (!row)
        return fail(row.error());
    return *row ? std::optional<T>(read(s)) : std::nullopt;
}

// The same, for a statement as Database::query() returns it.
template <typename T, typename Read>
Result<std::vector<T>> readAll(Result<Statement> s, Read read)
{
    if (!s)
        return fail(s.error());
    return readAll<T>(*s, read);
}

template <typename T, typename Read>
Result<std::optional<T>> readOne(Result<Statement> s, Read read)
{
    if (!s)
        return fail(s.error());
    return readOne<T>(*s, read);
}

// Calls `each(statement)` for every row.
template <typename Each>
Result<void> forEach(Result<Statement> s, Each each)
{
    if (!s)
        return fail(s.error());
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            return {};
        each(*s);
    }
}

// The first row, or the error `missing` when there is none.
template <typename T, typename Read>
Result<T> readRequired(Result<Statement> s, Read read, const QString &missing)
{
    auto one = readOne<T>(std::move(s), read);
    if (!one)
        return fail(one.error());
    if (!*one)
        return fail(missing);
    return std::move(**one);
}

// The first column of the first row as an integer (a count), 0 when there is no row.
inline Result<std::int64_t> integer(Result<Statement> s)
{
    auto one = readOne<std::int64_t>(std::move(s), [](const Statement &st) { return st.int64(0); });
    if (!one)
        return fail(one.error());
    return one->value_or(0);
}

// The first column of every row of a parameterless query.
Result<QStringList> texts(Database &db, const char *sql);

} // namespace sdrt::store::rows
