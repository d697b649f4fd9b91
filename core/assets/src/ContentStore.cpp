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
    if (existing.isFile() && existing.size() == bytes.size())
        return relative;
    if (!QDir().mkpath(existing.absolutePath()))
        return fail(QCoreApplication::translate("sdrt::assets", "Cannot create the folder %1.").arg(existing.absolutePath()));
    if (auto w = store::writeWorkspaceFile(absolute, bytes); !w)
        return fail(w.error());
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
