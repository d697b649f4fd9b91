#include "Translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace sdrt::app {

QString translationsDir()
{
    const QString app = QCoreApplication::applicationDirPath();
    for (const QString &c : {QDir(app).filePath(QStringLiteral("../share/sdrt-workbench/translations")),
                             QDir(app).filePath(QStringLiteral("../translations")),
                             QDir(app).filePath(QStringLiteral("translations"))}) {
        if (QFileInfo(c).isDir())
            return QDir(c).absolutePath();
    }
    return QDir(app).filePath(QStringLiteral("../translations"));
}

void installTranslations(QCoreApplication &app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    if (locale.language() == QLocale::English || locale.language() == QLocale::C)
        return;
    auto *ours = new QTranslator(&app);
    if (ours->load(locale, QStringLiteral("sdrt"), QStringLiteral("_"), translationsDir()))
        QCoreApplication::installTranslator(ours);
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
}

} // namespace sdrt::app
