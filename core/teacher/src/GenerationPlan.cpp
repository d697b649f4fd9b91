#include "sdrt/teacher/GenerationPlan.h"

#include "sdrt/store/PromptRepository.h"

#include <QCoreApplication>

#include <algorithm>

namespace sdrt::teacher {

Result<std::vector<PromptEntry>> loadPromptEntries(store::Database &db, const std::vector<store::Id> &versionIds)
{
    store::PromptRepository repo(db);
    auto versions = versionIds.empty() ? repo.newestVersions() : repo.list();
    if (!versions)
        return fail(versions.error());
    std::vector<PromptEntry> out;
    for (const store::PromptVersion &v : *versions) {
        if (!versionIds.empty() && std::find(versionIds.begin(), versionIds.end(), v.id) == versionIds.end())
            continue;
        auto parsed = prompts::parsePrompt(v.body, v.name);
        if (!parsed)
            return fail(QCoreApplication::translate("sdrt::teacher", "Stored prompt %1 v%2 does not parse: %3").arg(v.name).arg(v.version).arg(parsed.error()));
        out.push_back({v, std::move(*parsed)});
    }
    for (store::Id id : versionIds) {
        if (std::none_of(out.begin(), out.end(), [id](const PromptEntry &e) { return e.version.id == id; }))
            return fail(QCoreApplication::translate("sdrt::teacher", "No prompt version with id %1 in the workspace.").arg(id));
    }
    if (out.empty())
        return fail(QCoreApplication::translate("sdrt::teacher", "The workspace has no prompts registered (sdrt prompts register WS)."));
    return out;
}

std::vector<WorkUnit> GenerationPlan::batch(std::size_t first, std::size_t size) const
{
    if (first >= units.size())
        return {};
    return std::vector<WorkUnit>(units.begin() + long(first), units.begin() + long(std::min(units.size(), first + size)));
}

GenerationPlan planGeneration(std::vector<store::Id> items, const std::vector<store::Id> &promptVersionIds, int samples, int shardIndex,
                              int shardCount, const std::set<store::TraceKey> &done)
{
    GenerationPlan plan;
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (shardCount <= 1 || int(i % std::size_t(shardCount)) == shardIndex)
            plan.items.push_back(items[i]);
    }
    for (store::Id item : plan.items) {
        for (std::size_t k = 0; k < promptVersionIds.size(); ++k) {
            for (int s = 0; s < samples; ++s) {
                if (done.count({item, promptVersionIds[k], s}))
                    ++plan.skipped;
                else
                    plan.units.push_back({item, k, s});
            }
        }
    }
    return plan;
}

} // namespace sdrt::teacher
