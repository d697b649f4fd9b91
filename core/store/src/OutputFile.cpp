#include "sdrt/store/OutputFile.h"

#include "sdrt/store/Workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <cerrno>

namespace sdrt::store {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("sdrt::store", text);
}

QString native(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

std::string local(const QString &path)
{
    return QFile::encodeName(path).toStdString();
}

} // namespace

QString describeWriteError(const common::WriteError &e)
{
    const QString path = native(QFile::decodeName(QByteArray::fromStdString(e.path)));
    const QString detail = QString::fromLocal8Bit(e.detail.c_str());
    switch (e.kind) {
    case common::WriteError::Kind::NotRegular:
        return tr("%1 is not a regular file (a device, pipe, socket or a link to nothing); only regular files are written.").arg(path);
    case common::WriteError::Kind::Folder:
        return tr("%1 is a folder; give a file name.").arg(path);
    case common::WriteError::Kind::MissingFolder:
        return tr("Cannot write %1: the folder %2 does not exist.").arg(path, native(detail));
    case common::WriteError::Kind::Exists:
        return tr("%1 already exists; it is replaced only when asked (--force, or confirm in the workbench).").arg(path);
    case common::WriteError::Kind::Io:
        break;
    }
    if (e.systemError == ENOSPC || e.systemError == EDQUOT)
        return tr("Cannot write %1: the disk is full (%2). Nothing was replaced; free some space and try again.").arg(path, detail);
    return tr("Cannot write %1: %2. Nothing was replaced.").arg(path, detail);
}

QString writtenPath(const QString &path)
{
    const QFileInfo given(path);
    return given.exists() ? given.canonicalFilePath() : QDir(QFileInfo(given.absolutePath()).canonicalFilePath()).filePath(given.fileName());
}

QString checkExportTarget(const QString &path, bool overwrite)
{
    if (path.isEmpty())
        return tr("No export file given.");
    // What the writer itself refuses (devices and other non-regular files, folders, a missing
    // folder, an existing file without `overwrite`) is said after the workspace rule below, which
    // names the more important reason; without a folder there is nothing to look at.
    const auto writable = common::checkWriteTarget(local(path), overwrite ? common::Replace::Allowed : common::Replace::Never);
    if (!writable && writable.error().kind == common::WriteError::Kind::MissingFolder)
        return describeWriteError(writable.error());
    const QString target = writtenPath(path);
    // Any workspace above the target (this one or another) keeps its own files.
    static const QStringList kProtectedDirs = {QStringLiteral("assets"), QStringLiteral("hidden"), QStringLiteral("models"),
                                               QStringLiteral("runs"), QStringLiteral(".locks")};
    QDir dir = QFileInfo(target).dir();
    QString rel = QFileInfo(target).fileName();
    for (;;) {
        if (Workspace::looksLikeWorkspace(dir.path())) {
            const QString first = rel.section(QLatin1Char('/'), 0, 0);
            const bool isDatabase = !rel.contains(QLatin1Char('/')) && rel.startsWith(QString::fromLatin1(Workspace::kDatabaseFile));
            if (isDatabase || (rel.contains(QLatin1Char('/')) && kProtectedDirs.contains(first)))
                return tr("%1 is part of the workspace %2 (%3); an export never writes there. Choose a file under %4 or outside "
                          "the workspace.")
                    .arg(native(path), native(dir.path()), isDatabase ? tr("its database") : first + QLatin1Char('/'),
                         native(dir.filePath(QStringLiteral("exports"))));
        }
        if (dir.isRoot())
            break;
        rel = dir.dirName() + QLatin1Char('/') + rel;
        if (!dir.cdUp())
            break;
    }
    if (!writable)
        return describeWriteError(writable.error());
    return {};
}

Result<ExportFile> ExportFile::open(const QString &path, bool overwrite)
{
    if (const QString refused = checkExportTarget(path, overwrite); !refused.isEmpty())
        return fail(refused);
    auto f = common::AtomicFile::open(local(path), overwrite ? common::Replace::Allowed : common::Replace::Never);
    if (!f)
        return fail(describeWriteError(f.error()));
    ExportFile out;
    out.m_path = path;
    out.m_file = std::move(*f);
    return out;
}

Result<void> ExportFile::write(const QByteArray &bytes)
{
    if (auto w = m_file.write(bytes.constData(), std::size_t(bytes.size())); !w)
        return fail(describeWriteError(w.error()));
    return {};
}

Result<void> ExportFile::commit()
{
    if (auto c = m_file.commit(); !c)
        return fail(describeWriteError(c.error()));
    return {};
}

Result<void> writeExport(const QString &path, const QByteArray &bytes, bool overwrite)
{
    auto f = ExportFile::open(path, overwrite);
    if (!f)
        return fail(f.error());
    if (auto w = f->write(bytes); !w)
        return w;
    return f->commit();
}

Result<void> writeWorkspaceFile(const QString &path, const QByteArray &bytes)
{
    if (auto w = common::writeFileAtomically(local(path), std::string_view(bytes.constData(), std::size_t(bytes.size()))); !w)
        return fail(describeWriteError(w.error()));
    return {};
}

} // namespace sdrt::store
