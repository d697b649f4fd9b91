#pragma once
// One value from a workspace's database (a count, an id, a status), for tests that check what a
// command stored.

#include "sdrt/store/Workspace.h"

#include <QString>

#include <cstdint>

namespace sdrt::testing {

// -1 when the workspace or the query fails.
inline std::int64_t sqlScalar(const QString &workspace, const char *sql)
{
    auto w = store::Workspace::open(workspace);
    if (!w)
        return -1;
    auto s = w->db().prepare(sql);
    if (!s)
        return -1;
    auto row = s->step();
    if (!row || !*row)
        return -1;
    return s->int64(0);
}

// One text from a workspace's database; empty when the workspace or the query fails.
inline QString sqlText(const QString &workspace, const char *sql)
{
    auto w = store::Workspace::open(workspace);
    if (!w)
        return {};
    auto s = w->db().prepare(sql);
    if (!s)
        return {};
    auto row = s->step();
    if (!row || !*row)
        return {};
    return s->text(0);
}

} // namespace sdrt::testing
