#include "sdrt/store/Workspace.h"

#include "sdrt/common/Log.h"
#include "sdrt/store/Migrations.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace sdrt::store {
namespace {

const char *const kSubdirs[] = {"assets", "models", "runs", "exports"};

// Pragmas that change nothing on disk; run before the version check.
Result<void> connectionPragmas(Database &db)
{
    if (auto r = db.exec("PRAGMA foreign_keys = ON"); !r)
        return r;
    return db.exec("PRAGMA synchronous = NORMAL");
}

// A writer's connection: the write-ahead log, the connection's pragmas, the schema brought up
// to date.
Result<void> setUp(Database &db)
{
    if (auto r = db.exec("PRAGMA journal_mode = WAL"); !r)
        return r;
    if (auto r = connectionPragmas(db); !r)
        return r;
    return migrate(db);
}

Result<void> checkIsDatabase(Database &db)
{
    // Reading the schema fails cleanly for a file that is not a database, or is locked.
    auto stmt = db.prepare("SELECT count(*) FROM sqlite_schema");
    if (!stmt)
        return fail(stmt.error());
    auto row = stmt->step();
    if (!row)
        return fail(row.error());
    return {};
}

} // namespace

Workspace::Workspace(QString root, Database db)
    : m_root(std::move(root)), m_db(std::make_unique<Database>(std::move(db)))
{
    auto lock = ProcessLock::registerProgram(m_root);
    if (lock)
        m_openLock = std::move(*lock);
    else // a read-only folder: the workspace works, only a busy message cannot name us
        sdrt::log::get("store")->debug("{}", lock.error().toStdString());
}

bool Workspace::looksLikeWorkspace(const QString &dir)
{
    return QFileInfo(QDir(dir).filePath(QString::fromLatin1(kDatabaseFile))).isFile();
}

Result<Workspace> Workspace::create(const QString &dir)
{
    QDir root(dir);
    if (looksLikeWorkspace(dir))
        return fail(QCoreApplication::translate("sdrt::store::Workspace", "%1 already holds a workspace.").arg(QDir::toNativeSeparators(dir)));
    if (!root.mkpath(QStringLiteral(".")))
        return fail(QCoreApplication::translate("sdrt::store::Workspace", "Cannot create the folder %1.").arg(QDir::toNativeSeparators(dir)));
    for (const char *sub : kSubdirs) {
        if (!root.mkpath(QString::fromLatin1(sub)))
            return fail(QCoreApplication::translate("sdrt::store::Workspace", "Cannot create the folder %1.").arg(root.filePath(QString::fromLatin1(sub))));
    }
    auto db = Database::open(root.filePath(QString::fromLatin1(kDatabaseFile)), Database::Mode::ReadWriteCreate);
    if (!db)
        return fail(db.error());
    if (auto r = setUp(*db); !r)
        return fail(r.error());
    sdrt::log::get("store")->info("created workspace {}", root.absolutePath().toStdString());
    return Workspace(root.absolutePath(), std::move(*db));
}

Result<Workspace> Workspace::open(const QString &dir)
{
    QDir root(dir);
    const QString file = root.filePath(QString::fromLatin1(kDatabaseFile));
    const QFileInfo info(file);
    if (info.exists() && !info.isFile())
        return fail(QCoreApplication::translate("sdrt::store::Workspace", "%1 is not a workspace: %2 there is %3, not a database file.")
                        .arg(QDir::toNativeSeparators(dir), QString::fromLatin1(kDatabaseFile),
                             info.isDir() ? QCoreApplication::translate("sdrt::store::Workspace", "a folder")
                                          : QCoreApplication::translate("sdrt::store::Workspace", "a device, pipe or socket")));
    if (!info.exists())
        return fail(QCoreApplication::translate("sdrt::store::Workspace", "%1 is not a workspace: %2 is missing.")
                        .arg(QDir::toNativeSeparators(dir), QString::fromLatin1(kDatabaseFile)));
    // SQLite reads an empty file as an empty database and would make a new workspace of it;
    // a 0-byte workspace.sqlite is a truncated or emptied one (unless its write-ahead log still
    // holds the data, as after a kill right after `sdrt init`).
    if (info.size() == 0 && QFileInfo(file + QStringLiteral("-wal")).size() == 0)
        return fail(QCoreApplication::translate("sdrt::store::Workspace",
                                                "%1 is empty (0 bytes): it is not a workspace database, and it is not made into a new, "
                                                "empty one. Restore it from a backup, or create a workspace in another folder with sdrt init.")
                        .arg(QDir::toNativeSeparators(file)));
    auto db = Database::open(file, Database::Mode::ReadWrite);
    if (!db)
        return fail(db.error());
    if (auto r = checkIsDatabase(*db); !r)
        return fail(r.error());
    // The version check comes before anything that could write to the file.
    auto version = db->pragmaInt("user_version");
    if (!version)
        return fail(version.error());
    if (*version > currentSchemaVersion())
        return fail(migrate(*db).error());
    if (auto r = setUp(*db); !r)
        return fail(r.error());
    for (const char *sub : kSubdirs)
        root.mkpath(QString::fromLatin1(sub));
    return Workspace(root.absolutePath(), std::move(*db));
}

QString Workspace::databasePath() const
{
    return QDir(m_root).filePath(QString::fromLatin1(kDatabaseFile));
}

QString Workspace::assetsDir() const { return QDir(m_root).filePath(QStringLiteral("assets")); }
QString Workspace::modelsDir() const { return QDir(m_root).filePath(QStringLiteral("models")); }
QString Workspace::runsDir() const { return QDir(m_root).filePath(QStringLiteral("runs")); }
QString Workspace::exportsDir() const { return QDir(m_root).filePath(QStringLiteral("exports")); }

QString Workspace::absolutePath(const QString &relative) const
{
    return QDir(m_root).filePath(relative);
}

Result<Database> Workspace::connect() const
{
    return connect(databasePath());
}

Result<Database> Workspace::connect(const QString &databasePath)
{
    auto db = Database::open(databasePath, Database::Mode::ReadWrite);
    if (!db)
        return db;
    if (auto r = connectionPragmas(*db); !r)
        return fail(r.error());
    if (auto r = checkIsDatabase(*db); !r)
        return fail(r.error());
    return db;
}

} // namespace sdrt::store
