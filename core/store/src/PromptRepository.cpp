#include "sdrt/store/PromptRepository.h"

#include "sdrt/store/Database.h"

#include "Rows.h"

#include <QCoreApplication>

namespace sdrt::store {
namespace {

constexpr const char *kPromptColumns = "SELECT id, name, version, content_hash, description, body FROM prompts";

PromptVersion readPrompt(const Statement &s)
{
    return {s.int64(0), s.text(1), int(s.int64(2)), s.text(3), s.text(4), s.text(5)};
}

} // namespace

Result<Id> PromptRepository::registerVersion(const PromptVersion &p)
{
    auto existing = find(p.name, p.version);
    if (!existing)
        return fail(existing.error());
    if (*existing) {
        if ((*existing)->contentHash == p.contentHash)
            return (*existing)->id;
        return fail(QCoreApplication::translate(
                        "sdrt::store",
                        "Prompt \"%1\" version %2 is already stored with different content (hash %3, now %4). "
                        "Stored prompt versions are immutable: give the changed prompt a new version number.")
                        .arg(p.name)
                        .arg(p.version)
                        .arg((*existing)->contentHash.left(12), p.contentHash.left(12)));
    }
    auto s = m_db.query("INSERT INTO prompts (name, version, content_hash, description, body) VALUES (?,?,?,?,?)",
                        p.name, p.version, p.contentHash, p.description, p.body);
    if (!s)
        return fail(s.error());
    if (auto r = s->run(); !r)
        return fail(r.error());
    return m_db.lastInsertId();
}

Result<std::vector<PromptVersion>> PromptRepository::list()
{
    auto s = m_db.prepare((QByteArray(kPromptColumns) + " ORDER BY name, version").constData());
    if (!s)
        return fail(s.error());
    return rows::readAll<PromptVersion>(*s, readPrompt);
}

Result<std::vector<PromptVersion>> PromptRepository::newestVersions()
{
    auto s = m_db.prepare((QByteArray(kPromptColumns) + " WHERE version = (SELECT max(o.version) FROM prompts o WHERE o.name = prompts.name)"
                                                       " ORDER BY name")
                              .constData());
    if (!s)
        return fail(s.error());
    return rows::readAll<PromptVersion>(*s, readPrompt);
}

Result<std::optional<PromptVersion>> PromptRepository::find(const QString &name, int version)
{
    return rows::readOne<PromptVersion>(m_db.query((QByteArray(kPromptColumns) + " WHERE name = ? AND version = ?").constData(), name, version), readPrompt);
}

} // namespace sdrt::store
