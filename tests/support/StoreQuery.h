#pragma once
// One number from a workspace's database (a count, an id), for tests that check what a command
// stored; -1 when the workspace or the query fails.

#include "sdrt/store/Workspace.h"

#include <QString>

#include <cstdint>

namespace sdrt::testing {

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

} // namespace sdrt::testing
