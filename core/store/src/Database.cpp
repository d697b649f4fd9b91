#include "sdrt/store/Database.h"

#include "sdrt/store/ProcessLock.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include <sys/statvfs.h>

namespace sdrt::store {

Statement::Statement(Statement &&other) noexcept
    : m_stmt(other.m_stmt), m_db(other.m_db), m_bindError(std::move(other.m_bindError)), m_columns(std::move(other.m_columns))
{
    other.m_stmt = nullptr;
}

Statement &Statement::operator=(Statement &&other) noexcept
{
    if (this != &other) {
        sqlite3_finalize(m_stmt);
        m_stmt = other.m_stmt;
        m_db = other.m_db;
        m_bindError = std::move(other.m_bindError);
        m_columns = std::move(other.m_columns);
        other.m_stmt = nullptr;
    }
    return *this;
}

Statement::~Statement()
{
    sqlite3_finalize(m_stmt);
}

void Statement::checkBind(int index, int rc)
{
    if (rc == SQLITE_OK || !m_bindError.isEmpty())
        return;
    m_bindError = QCoreApplication::translate("sdrt::store", "SQLite error in %1: cannot bind parameter %2 of \"%3\": %4")
                      .arg(m_db ? m_db->fileName() : QString())
                      .arg(index)
                      .arg(QString::fromUtf8(sqlite3_sql(m_stmt)).left(80), QString::fromUtf8(sqlite3_errstr(rc)));
}

Statement &Statement::bind(int index, std::int64_t value)
{
    checkBind(index, sqlite3_bind_int64(m_stmt, index, value));
    return *this;
}

Statement &Statement::bind(int index, double value)
{
    checkBind(index, sqlite3_bind_double(m_stmt, index, value));
    return *this;
}

Statement &Statement::bind(int index, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    checkBind(index, sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT));
    return *this;
}

Statement &Statement::bind(int index, const QByteArray &blob)
{
    checkBind(index, sqlite3_bind_blob(m_stmt, index, blob.constData(), int(blob.size()), SQLITE_TRANSIENT));
    return *this;
}

Statement &Statement::bind(int index, const char *utf8)
{
    checkBind(index, sqlite3_bind_text(m_stmt, index, utf8, -1, SQLITE_TRANSIENT));
    return *this;
}

Statement &Statement::bind(int index, std::nullopt_t)
{
    checkBind(index, sqlite3_bind_null(m_stmt, index));
    return *this;
}

Statement &Statement::bind(int index, const std::optional<QString> &value)
{
    return value ? bind(index, *value) : bind(index, std::nullopt);
}

Statement &Statement::bind(int index, const std::optional<std::int64_t> &value)
{
    return value ? bind(index, *value) : bind(index, std::nullopt);
}

Result<bool> Statement::step()
{
    // A value that could not be bound (index out of range, too big) fails the statement here
    // instead of running it with NULL in its place.
    if (!m_bindError.isEmpty())
        return fail(m_bindError);
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    QString message = m_db->lastError();
    sqlite3_reset(m_stmt);
    return fail(message);
}

Result<void> Statement::run()
{
    for (;;) {
        auto r = step();
        if (!r)
            return fail(r.error());
        if (!*r)
            break;
    }
    sqlite3_reset(m_stmt);
    return {};
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    m_bindError.clear();
}

int Statement::parameterIndex(const char *name)
{
    const int index = sqlite3_bind_parameter_index(m_stmt, name);
    if (index == 0 && m_bindError.isEmpty())
        m_bindError = QCoreApplication::translate("sdrt::store", "SQLite error in %1: the statement \"%2\" has no parameter %3")
                          .arg(m_db ? m_db->fileName() : QString(), QString::fromUtf8(sqlite3_sql(m_stmt)).left(80), QString::fromUtf8(name));
    return index;
}

int Statement::column(const char *name) const
{
    if (m_columns.empty()) {
        const int n = sqlite3_column_count(m_stmt);
        for (int i = 0; i < n; ++i)
            m_columns.emplace_back(sqlite3_column_name(m_stmt, i));
    }
    for (std::size_t i = 0; i < m_columns.size(); ++i) {
        if (m_columns[i] == name)
            return int(i);
    }
    return -1;
}

bool Statement::isNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const
{
    return sqlite3_column_double(m_stmt, column);
}

QString Statement::text(int column) const
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? QString::fromUtf8(p, n) : QString();
}

QByteArray Statement::blob(int column) const
{
    const auto *p = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    const int n = sqlite3_column_bytes(m_stmt, column);
    return p ? QByteArray(p, n) : QByteArray();
}

std::optional<QString> Statement::optText(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return text(column);
}

std::optional<std::int64_t> Statement::optInt64(int column) const
{
    if (isNull(column))
        return std::nullopt;
    return int64(column);
}

Result<Database> Database::open(const QString &file, Mode mode)
{
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    switch (mode) {
    case Mode::ReadOnly: flags |= SQLITE_OPEN_READONLY; break;
    case Mode::ReadWrite: flags |= SQLITE_OPEN_READWRITE; break;
    case Mode::ReadWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE; break;
    }
    sqlite3 *handle = nullptr;
    const int rc = sqlite3_open_v2(file.toUtf8().constData(), &handle, flags, nullptr);
    if (rc != SQLITE_OK) {
        QString message = QCoreApplication::translate("sdrt::store", "Cannot open database %1: %2")
                              .arg(file, QString::fromUtf8(handle ? sqlite3_errmsg(handle) : sqlite3_errstr(rc)));
        sqlite3_close(handle);
        return fail(message);
    }
    sqlite3_busy_timeout(handle, kBusyTimeoutMs);
    sqlite3_extended_result_codes(handle, 1);
    Database db;
    db.m_db = handle;
    db.m_file = file;
    return db;
}

Database::Database(Database &&other) noexcept : m_db(other.m_db), m_file(std::move(other.m_file))
{
    other.m_db = nullptr;
}

Database &Database::operator=(Database &&other) noexcept
{
    if (this != &other) {
        sqlite3_close_v2(m_db);
        m_db = other.m_db;
        m_file = std::move(other.m_file);
        other.m_db = nullptr;
    }
    return *this;
}

Database::~Database()
{
    sqlite3_close_v2(m_db);
}

Result<void> Database::checkpointWal()
{
    return exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

Result<void> Database::exec(const char *sql)
{
    char *err = nullptr;
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        QString message = QCoreApplication::translate("sdrt::store", "SQLite error in %1: %2")
                              .arg(m_file, QString::fromUtf8(err ? err : sqlite3_errstr(rc)));
        sqlite3_free(err);
        return fail(message);
    }
    return {};
}

Result<Statement> Database::prepare(const char *sql)
{
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql, -1, 0, &stmt, nullptr);
    if (rc != SQLITE_OK)
        return fail(lastError());
    return Statement(stmt, this);
}

std::int64_t Database::lastInsertId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const
{
    return sqlite3_changes(m_db);
}

Result<std::int64_t> Database::pragmaInt(const char *name)
{
    auto stmt = prepare(QByteArray("PRAGMA ").append(name).constData());
    if (!stmt)
        return fail(stmt.error());
    auto row = stmt->step();
    if (!row)
        return fail(row.error());
    return *row ? stmt->int64(0) : std::int64_t(0);
}

QString Database::lastError() const
{
    if (lastErrorWasBusy()) {
        QStringList who;
        for (const LockHolder &h : ProcessLock::holders(QFileInfo(m_file).absolutePath()))
            who << h.describe();
        const QString waited = QCoreApplication::translate("sdrt::store", "waited %1 s").arg(kBusyTimeoutMs / 1000);
        if (who.isEmpty())
            return QCoreApplication::translate("sdrt::store", "The workspace database %1 is locked by another program (%2): %3")
                .arg(m_file, waited, QString::fromUtf8(sqlite3_errmsg(m_db)));
        return QCoreApplication::translate("sdrt::store", "The workspace database %1 is locked by another program (%2); open in: %3")
            .arg(m_file, waited, who.join(QStringLiteral("; ")));
    }
    // A full disk often surfaces as a plain "disk I/O error" (the write-ahead log or its index
    // could not grow); say what it is when the disk has no room left.
    const int code = sqlite3_errcode(m_db) & 0xff;
    if (code == SQLITE_FULL || code == SQLITE_IOERR) {
        struct statvfs fs {};
        const QByteArray folder = QFile::encodeName(QFileInfo(m_file).absolutePath());
        if (::statvfs(folder.constData(), &fs) == 0 && (code == SQLITE_FULL || quint64(fs.f_bavail) * fs.f_frsize < (1u << 20)))
            return QCoreApplication::translate("sdrt::store", "The disk holding %1 is full (%2 KiB free): the change was not saved, and "
                                                              "what was saved before is intact. Free some space and try again. (SQLite: %3)")
                .arg(m_file)
                .arg(quint64(fs.f_bavail) * fs.f_frsize / 1024)
                .arg(QString::fromUtf8(sqlite3_errmsg(m_db)));
    }
    return QCoreApplication::translate("sdrt::store", "SQLite error in %1: %2")
        .arg(m_file, QString::fromUtf8(sqlite3_errmsg(m_db)));
}

bool Database::lastErrorWasBusy() const
{
    const int primary = sqlite3_errcode(m_db) & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

Transaction::Transaction(Database &db) : m_db(db) {}

Transaction::~Transaction()
{
    rollback();
}

Result<void> Transaction::begin()
{
    // Inside an open transaction this one is a savepoint of it, so repositories that write in
    // a transaction of their own compose into one outer transaction (a merge, for example).
    m_nested = m_db.handle() && sqlite3_get_autocommit(m_db.handle()) == 0;
    auto r = m_db.exec(m_nested ? "SAVEPOINT sdrt_nested" : "BEGIN IMMEDIATE");
    if (r)
        m_active = true;
    return r;
}

Result<void> Transaction::commit()
{
    auto r = m_db.exec(m_nested ? "RELEASE sdrt_nested" : "COMMIT");
    if (r)
        m_active = false;
    return r;
}

void Transaction::rollback()
{
    if (m_active) {
        if (m_nested) {
            (void)m_db.exec("ROLLBACK TO sdrt_nested");
            (void)m_db.exec("RELEASE sdrt_nested");
        } else {
            (void)m_db.exec("ROLLBACK");
        }
        m_active = false;
    }
}

Savepoint::Savepoint(Database &db, const char *name) : m_db(db), m_name(name) {}

Savepoint::~Savepoint()
{
    rollback();
}

Result<void> Savepoint::begin()
{
    auto r = m_db.exec(QByteArray("SAVEPOINT ").append(m_name).constData());
    if (r)
        m_active = true;
    return r;
}

Result<void> Savepoint::release()
{
    auto r = m_db.exec(QByteArray("RELEASE ").append(m_name).constData());
    if (r)
        m_active = false;
    return r;
}

void Savepoint::rollback()
{
    if (m_active) {
        (void)m_db.exec(QByteArray("ROLLBACK TO ").append(m_name).constData());
        (void)m_db.exec(QByteArray("RELEASE ").append(m_name).constData());
        m_active = false;
    }
}

} // namespace sdrt::store
