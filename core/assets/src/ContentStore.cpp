#include "sdrt/assets/ContentStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

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
    QSaveFile file(absolute);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return fail(QCoreApplication::translate("sdrt::assets", "Cannot write %1: %2").arg(absolute, file.errorString()));
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
