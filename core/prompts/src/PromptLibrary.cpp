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
    // System: broken links and FIFOs are listed too, to be refused by name rather than skipped.
    const QStringList files = d.entryList({QStringLiteral("*.prompt")}, QDir::Files | QDir::System, QDir::Name);
    if (files.isEmpty())
        return fail(QCoreApplication::translate("sdrt::prompts", "The prompt folder %1 holds no .prompt files.").arg(dir));

    const QString canonicalDir = QFileInfo(dir).canonicalFilePath();
    PromptLibrary lib;
    QStringList errors;
    std::map<QString, QString> seen; // name -> file
    for (const QString &file : files) {
        const QFileInfo info(d.filePath(file));
        if (info.isSymLink()) {
            // Judged by where the link leads, before anything is opened.
            const QString target = info.canonicalFilePath();
            if (target.isEmpty()) {
                errors << QCoreApplication::translate("sdrt::prompts", "%1: a symbolic link to %2, which does not exist.")
                              .arg(file, info.symLinkTarget());
                continue;
            }
            if (!target.startsWith(canonicalDir + QLatin1Char('/'))) {
                errors << QCoreApplication::translate("sdrt::prompts", "%1: a symbolic link to %2, outside the prompt folder; it was not read.")
                              .arg(file, target);
                continue;
            }
        }
        auto p = loadPromptFile(info.filePath());
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
