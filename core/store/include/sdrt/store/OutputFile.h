#pragma once
// Files the user asks for (exports, comparison CSV/HTML) and files of the workspace's own runs
// (configs), written through the one writer (sdrt/common/FileWriter.h): a regular file only,
// via a temporary file in the same folder, every write and the rename checked, the old file kept
// on any failure. Messages are translated and name the path.
//
// An *export* target is checked further: it is never a file of a workspace's own data (its
// database, assets/, hidden/, models/, runs/, .locks/), of this or any workspace above it.

#include "sdrt/common/FileWriter.h"
#include "sdrt/common/Result.h"

#include <QByteArray>
#include <QString>

namespace sdrt::store {

// Why `path` may not be written by an export (empty when it may): part of a workspace's data, an
// existing file without `overwrite`, a folder, a device or other non-regular file, a missing
// parent folder.
QString checkExportTarget(const QString &path, bool overwrite);

// Where the bytes written to `path` would land: links followed, and for a file not there yet
// its folder's real path with its name (two names of one file give the same answer).
QString writtenPath(const QString &path);

// The translated sentence for a writer's error.
QString describeWriteError(const common::WriteError &e);

// An export (checkExportTarget, then the atomic write).
class ExportFile {
public:
    static Result<ExportFile> open(const QString &path, bool overwrite);
    Result<void> write(const QByteArray &bytes);
    Result<void> commit();
    const QString &path() const { return m_path; }

private:
    QString m_path;
    common::AtomicFile m_file;
};

Result<void> writeExport(const QString &path, const QByteArray &bytes, bool overwrite);

// A file the workspace keeps for itself (a run's config.json): atomic, regular, replaced.
Result<void> writeWorkspaceFile(const QString &path, const QByteArray &bytes);

} // namespace sdrt::store
