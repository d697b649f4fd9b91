#pragma once
#include <QString>

class QCoreApplication;

namespace sdrt::app {
// Loads the compiled translations (sdrt_<lang>.qm) for `language` ("ja", "en"; empty: the
// system locale) from the build or install folder. English needs none.
void installTranslations(QCoreApplication &app, const QString &language = {});
QString translationsDir();
} // namespace sdrt::app
