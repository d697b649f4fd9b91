#include "sdrt/assets/ContentStore.h"

#include "sdrt/store/OutputFile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace sdrt::assets {

Result<QString> ContentStore::put(const QByteArray &bytes, const QString &sha256, const QString &suffix)
{
    const QString relative = QStringLiteral("assets/%1/%2%3").arg(sha256.left(2), sha256, suffix);
    const QString absolute = QDir(m_root).filePath(relative);
    const QFileInfo existing(absolute);
    // The same size is not the same content: the stored copy is compared byte for byte (assets
    // are small), and a damaged one is written again. Items already stored point at it, so it is
    // not removed with this import's own files on a rollback.
    bool damaged = false;
    if (existing.isFile() && existing.size() == bytes.size()) {
        QFile stored(absolute);
        if (stored.open(QIODevice::ReadOnly) && stored.readAll() == bytes)
            return relative;
        damaged = true;
    }
    if (!QDir().mkpath(existing.absolutePath()))
        return fail(QCoreApplication::translate("sdrt::assets", "Cannot create the folder %1.").arg(existing.absolutePath()));
    if (auto w = store::writeWorkspaceFile(absolute, bytes); !w)
        return fail(w.error());
    if (!damaged && !existing.exists())
        m_written << absolute;
    return relative;
}

void ContentStore::removeWritten()
{
    for (const QString &f : std::as_const(m_written))
        QFile::remove(f);
    m_written.clear();
}

} // namespace sdrt::assets
