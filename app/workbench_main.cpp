// sdrt-workbench: the GUI. Parsing and wiring only.

#include "Translations.h"

#include "sdrt/common/Log.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QSettings>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("SDRT"));
    QCoreApplication::setApplicationName(QStringLiteral("SDRT Workbench"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SDRT_VERSION));
    QString language = qEnvironmentVariable("SDRT_LANGUAGE");
    if (language.isEmpty())
        language = QSettings().value(QStringLiteral("language")).toString();
    sdrt::app::installTranslations(app, language);
    // The runs the workbench starts (`sdrt distill`, `sdrt eval`) speak the same language.
    if (!language.isEmpty())
        qputenv("SDRT_LANGUAGE", language.toUtf8());

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate("main", "SDRT Workbench: review reasoning traces and distil VLMs."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("WS"), QCoreApplication::translate("main", "Workspace folder to open (created when it does not exist)."));
    QCommandLineOption review(QStringLiteral("review"), QCoreApplication::translate("main", "Start on the review screen."));
    parser.addOption(review);
    QCommandLineOption screen(QStringLiteral("screen"),
                              QCoreApplication::translate("main", "Start on this screen: browse, review, distill, evaluate or compare."),
                              QStringLiteral("SCREEN"));
    QCommandLineOption compare(QStringLiteral("compare"),
                               QCoreApplication::translate("main", "Start on the Compare screen with these evaluations (comma separated)."),
                               QStringLiteral("EVALS"));
    parser.addOption(screen);
    parser.addOption(compare);
    parser.process(app);

    sdrt::ui::MainWindow window;
    window.show();
    const QStringList args = parser.positionalArguments();
    if (!args.isEmpty()) {
        const QString ws = args.first();
        // A missing or empty folder becomes a new workspace; anything else is opened (and
        // refused with a message when it is not a workspace).
        const QDir dir(ws);
        if (!dir.exists() || dir.isEmpty())
            window.createWorkspace(ws);
        else
            window.openWorkspace(ws);
    }
    if (parser.isSet(review))
        window.showReview(true);
    if (parser.isSet(screen) && !window.showScreen(parser.value(screen)))
        qWarning("%s", qPrintable(QCoreApplication::translate("main", "Unknown screen \"%1\" (browse, review, distill, evaluate, compare).")
                                      .arg(parser.value(screen))));
    if (parser.isSet(compare))
        window.showComparison(parser.value(compare).split(QLatin1Char(','), Qt::SkipEmptyParts));
    return app.exec();
}
