#pragma once
// A workspace is a folder: workspace.sqlite, assets/ (content-addressed copies), models/,
// runs/, exports/, hidden/ (teacher hidden states) and .locks/ (see ProcessLock.h). Opening it
// migrates an older schema and refuses a newer one. While a Workspace object lives, this
// process is registered in .locks/ as having it open, so that a writer that finds the database
// busy can name the program holding it.
//
// Thread rule: the Workspace's own connection (db()) belongs to the thread that opened it.
// Any other thread calls connect() and keeps its own Database.

#include "sdrt/common/Result.h"
#include "sdrt/store/Database.h"
#include "sdrt/store/ProcessLock.h"

#include <QString>

#include <memory>

namespace sdrt::store {

class Workspace {
public:
    static constexpr const char *kDatabaseFile = "workspace.sqlite";

    // Creates the folder layout and an empty, current-schema database. Fails when the folder
    // already holds a workspace.
    static Result<Workspace> create(const QString &dir);
    // Opens an existing workspace (migrating an older schema).
    static Result<Workspace> open(const QString &dir);
    static bool looksLikeWorkspace(const QString &dir);

    Workspace(Workspace &&) noexcept = default;
    Workspace &operator=(Workspace &&) noexcept = default;

    const QString &root() const { return m_root; }
    QString databasePath() const;
    QString assetsDir() const;
    QString modelsDir() const;
    QString runsDir() const;
    QString exportsDir() const;
    // Absolute path of a workspace-relative path stored in the database.
    QString absolutePath(const QString &relative) const;

    Database &db() { return *m_db; }

    // A new connection to this workspace's database with the workspace pragmas set.
    Result<Database> connect() const;
    static Result<Database> connect(const QString &databasePath);

private:
    Workspace(QString root, Database db);
    QString m_root;
    std::unique_ptr<Database> m_db;
    ProcessLock m_openLock;
};

} // namespace sdrt::store
