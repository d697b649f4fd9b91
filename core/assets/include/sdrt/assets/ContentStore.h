#pragma once
// Content-addressed files under <workspace>/assets/<first two hex digits>/<sha256><suffix>.
// Files are written to a temporary name and renamed into place, so a crash never leaves a
// half-written asset under its final name.

#include "sdrt/common/Result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace sdrt::assets {

class ContentStore {
public:
    explicit ContentStore(QString workspaceRoot) : m_root(std::move(workspaceRoot)) {}

    // Returns the workspace-relative path. Writes only when the file is not there yet, or is there
    // with other bytes (damaged: written again); files this call created are remembered so that
    // an aborted batch can remove them again (a damaged file written again is not: items already
    // stored point at it).
    Result<QString> put(const QByteArray &bytes, const QString &sha256, const QString &suffix);

    // Removes the files this store wrote since the last forgetWritten().
    void removeWritten();
    void forgetWritten() { m_written.clear(); }
    const QStringList &written() const { return m_written; }

private:
    QString m_root;
    QStringList m_written;
};

} // namespace sdrt::assets
