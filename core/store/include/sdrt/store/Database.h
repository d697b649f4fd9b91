#pragma once
// Thin RAII layer over the SQLite C API. Every statement is prepared; values are bound.
//
// Thread rule: a Database (one sqlite3 connection) belongs to the thread that uses it; open a
// connection per thread with Workspace::connect(). Statements die before their Database.

#include "sdrt/common/Result.h"

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace sdrt::store {

class Database;

class Statement {
public:
    Statement() = default;
    Statement(Statement &&other) noexcept;
    Statement &operator=(Statement &&other) noexcept;
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;
    ~Statement();

    // Parameters are 1-based, as in SQLite. A bind that SQLite refuses is remembered and makes
    // the next step()/run() fail with a message naming the parameter (reset() clears it).
    Statement &bind(int index, std::int64_t value);
    Statement &bind(int index, int value) { return bind(index, std::int64_t(value)); }
    Statement &bind(int index, double value);
    Statement &bind(int index, const QString &value);
    Statement &bind(int index, const QByteArray &blob);
    Statement &bind(int index, const char *utf8);
    Statement &bind(int index, std::nullopt_t);
    Statement &bind(int index, const std::optional<QString> &value);
    Statement &bind(int index, const std::optional<std::int64_t> &value);

    // By name (":item_id" in the SQL): a name the statement does not have is a bind error.
    template <typename T>
    Statement &bind(const char *name, const T &value)
    {
        return bind(parameterIndex(name), value);
    }
    int parameterIndex(const char *name);

    // true when a row is available, false when done.
    Result<bool> step();
    // Runs to completion, for statements that return no rows.
    Result<void> run();
    void reset();

    bool isNull(int column) const;
    std::int64_t int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    QByteArray blob(int column) const;
    std::optional<QString> optText(int column) const;
    std::optional<std::int64_t> optInt64(int column) const;
    // The index of the result column called `name` (its AS name), -1 when there is none. Row
    // readers map columns by name, so a SELECT and its reader cannot drift apart.
    int column(const char *name) const;
    // (A name the result does not have reads as 0 or empty: a reader's bug, caught by its tests.)
    std::int64_t int64(const char *name) const { const int c = column(name); return c < 0 ? 0 : int64(c); }
    double real(const char *name) const { const int c = column(name); return c < 0 ? 0.0 : real(c); }
    QString text(const char *name) const { const int c = column(name); return c < 0 ? QString() : text(c); }

private:
    friend class Database;
    Statement(sqlite3_stmt *stmt, Database *db) : m_stmt(stmt), m_db(db) {}
    void checkBind(int index, int rc);
    sqlite3_stmt *m_stmt = nullptr;
    Database *m_db = nullptr;
    QString m_bindError;
    mutable std::vector<QByteArray> m_columns; // result column names, read once
};

class Database {
public:
    // How long a statement waits for another connection's write lock before it fails with a
    // message naming the programs that have the workspace open (ProcessLock). Writers commit
    // in short transactions (an import per batch, a teacher run per batch, a review per key).
    static constexpr int kBusyTimeoutMs = 20000;

    enum class Mode { ReadWrite, ReadWriteCreate, ReadOnly };

    static Result<Database> open(const QString &file, Mode mode);

    Database() = default;
    Database(Database &&other) noexcept;
    Database &operator=(Database &&other) noexcept;
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;
    ~Database();

    bool isOpen() const { return m_db != nullptr; }
    const QString &fileName() const { return m_file; }

    Result<void> exec(const char *sql);
    // Folds the write-ahead log back into the database file (after a large write, while idle).
    Result<void> checkpointWal();
    Result<Statement> prepare(const char *sql);
    // Prepared with `args` bound to ?1, ?2, ... in order.
    template <typename... Args>
    Result<Statement> query(const char *sql, const Args &...args)
    {
        auto s = prepare(sql);
        if (s) {
            int index = 0;
            (s->bind(++index, args), ...);
        }
        return s;
    }
    // Prepared, bound as query() does, and run to completion.
    template <typename... Args>
    Result<void> run(const char *sql, const Args &...args)
    {
        auto s = query(sql, args...);
        if (!s)
            return fail(s.error());
        return s->run();
    }
    std::int64_t lastInsertId() const;
    int changes() const;

    // Integer pragmas such as user_version.
    Result<std::int64_t> pragmaInt(const char *name);

    // Message for the last error on this connection, naming the database file.
    QString lastError() const;
    // True when the last error was SQLITE_BUSY/SQLITE_LOCKED.
    bool lastErrorWasBusy() const;

    sqlite3 *handle() const { return m_db; }

private:
    sqlite3 *m_db = nullptr;
    QString m_file;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back on destruction unless committed. Begun while the
// connection is already in a transaction, it is a savepoint of that one (nothing is durable
// before the outer COMMIT).
class Transaction {
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    Result<void> begin();
    Result<void> commit();
    void rollback();

private:
    Database &m_db;
    bool m_active = false;
    bool m_nested = false;
};

// SAVEPOINT inside a transaction, so one bad item can be undone without losing the batch.
class Savepoint {
public:
    Savepoint(Database &db, const char *name);
    ~Savepoint();
    Savepoint(const Savepoint &) = delete;
    Savepoint &operator=(const Savepoint &) = delete;

    Result<void> begin();
    Result<void> release();
    void rollback();

private:
    Database &m_db;
    QByteArray m_name;
    bool m_active = false;
};

} // namespace sdrt::store
