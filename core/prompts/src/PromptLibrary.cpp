#include "sdrt/prompts/PromptLibrary.h"

#include "sdrt/common/Log.h"
#include "sdrt/store/Database.h"
#include "sdrt/store/PromptRepository.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <map>

namespace sdrt::prompts {

Result<PromptLibrary> PromptLibrary::loadDir(const QString &dir)
{
    QDir d(dir);
    if (!d.exists())
        return fail(QCoreApplication::translate("sdrt::prompts", "The prompt folder %1 does not exist.").arg(dir));
    const QStringList files = d.entryList({QStringLiteral("*.prompt")}, QDir::Files, QDir::Name);
    if (files.isEmpty())
        return fail(QCoreApplication::translate("sdrt::prompts", "The prompt folder %1 holds no .prompt files.").arg(dir));

    PromptLibrary lib;
    QStringList errors;
    std::map<QString, QString> seen; // name -> file
    for (const QString &file : files) {
        auto p = loadPromptFile(d.filePath(file));
        if (!p) {
            errors << p.error();
            continue;
        }
        auto [it, inserted] = seen.emplace(p->name, file);
        if (!inserted) {
            errors << QCoreApplication::translate("sdrt::prompts", "%1: duplicate prompt name '%2' (also in %3).")
                          .arg(file, p->name, it->second);
            continue;
        }
        lib.m_prompts.push_back(std::move(*p));
    }
    if (!errors.isEmpty())
        return fail(errors.join(QLatin1Char('\n')));
    return lib;
}

QString PromptLibrary::defaultDir()
{
    // Installed next to the binary (share/sdrt-workbench/prompts), else the source tree.
    const QString app = QCoreApplication::applicationDirPath();
    const QStringList candidates = {
        QDir(app).filePath(QStringLiteral("../share/sdrt-workbench/prompts")),
        QStringLiteral(SDRT_SOURCE_PROMPTS_DIR),
    };
    for (const QString &c : candidates) {
        if (QFileInfo(c).isDir())
            return QDir(c).absolutePath();
    }
    return QStringLiteral(SDRT_SOURCE_PROMPTS_DIR);
}

const Prompt *PromptLibrary::find(const QString &name) const
{
    for (const Prompt &p : m_prompts) {
        if (p.name == name)
            return &p;
    }
    return nullptr;
}

Result<std::vector<store::Id>> PromptLibrary::registerIn(store::Database &db) const
{
    store::PromptRepository repo(db);
    store::Transaction tx(db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    std::vector<store::Id> ids;
    for (const Prompt &p : m_prompts) {
        auto id = repo.registerVersion({0, p.name, p.version, p.contentHash, p.description, p.text});
        if (!id)
            return fail(id.error());
        ids.push_back(*id);
    }
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return ids;
}

} // namespace sdrt::prompts
