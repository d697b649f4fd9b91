// Review screen benchmark: a workspace of generated traces (100,000 by default), the real main
// window on the offscreen platform, real key presses.
//   time to open: the workspace opened, the review state derived and the first item's traces
//                 shown and painted;
//   verdict to next: from an "accept" key press to the next trace focused and painted,
//                    split by whether the next trace is on the same item or the next one.
// Usage: sdrt-bench-review [--traces N] [--dir WS] [--presses N]

#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/MainWindow.h"
#include "sdrt/ui/ReviewController.h"
#include "sdrt/ui/ReviewPanel.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "support/SyntheticTraces.h"

namespace {

void print(const QString &s)
{
    std::fputs(s.toUtf8().constData(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

QString stats(std::vector<double> v)
{
    if (v.empty())
        return QStringLiteral("n=0");
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[std::min(v.size() - 1, std::size_t(q * double(v.size())))]; };
    return QStringLiteral("n=%1 median %2 ms, p95 %3 ms, max %4 ms")
        .arg(v.size())
        .arg(at(0.5), 0, 'f', 2)
        .arg(at(0.95), 0, 'f', 2)
        .arg(v.back(), 0, 'f', 2);
}

// Makes the workspace with generated traces unless `ws` already is one.
bool prepareWorkspace(const QString &ws, int traces)
{
    if (sdrt::store::Workspace::looksLikeWorkspace(ws))
        return true;
    auto created = sdrt::store::Workspace::create(ws);
    if (!created) {
        print(created.error());
        return false;
    }
    sdrt::testing::SyntheticParams sp;
    sp.items = std::max(1, traces / int(sp.prompts.size()));
    QElapsedTimer t;
    t.start();
    auto r = sdrt::testing::addSyntheticTraces(*created, sp);
    if (!r) {
        print(r.error());
        return false;
    }
    print(QStringLiteral("generated %1 items, %2 traces in %3 s").arg(r->items).arg(r->traces).arg(t.elapsed() / 1000.0, 0, 'f', 1));
    return true;
}

// Review state alone, on its own connection.
bool timeReviewState(const QString &ws)
{
    auto w = sdrt::store::Workspace::open(ws);
    if (!w) {
        print(w.error());
        return false;
    }
    QElapsedTimer t;
    t.start();
    auto s = sdrt::review::ReviewSession::load(w->db());
    if (!s) {
        print(s.error());
        return false;
    }
    print(QStringLiteral("review state: %1 items, %2 traces derived in %3 ms")
              .arg((*s)->items().size())
              .arg((*s)->traceCount())
              .arg(t.nsecsElapsed() / 1e6, 0, 'f', 1));
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // keep the benchmark out of the user's settings
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Review screen benchmark on generated traces."));
    p.addHelpOption();
    QCommandLineOption traces(QStringLiteral("traces"), QStringLiteral("Traces to generate (6 prompts per item)."), QStringLiteral("N"),
                              QStringLiteral("100000"));
    QCommandLineOption dir(QStringLiteral("dir"), QStringLiteral("Workspace folder (made when missing; reused otherwise)."),
                           QStringLiteral("WS"));
    QCommandLineOption presses(QStringLiteral("presses"), QStringLiteral("Accept key presses to time."), QStringLiteral("N"),
                               QStringLiteral("300"));
    p.addOptions({traces, dir, presses});
    p.process(app);

    QTemporaryDir tmp;
    const QString ws = p.isSet(dir) ? p.value(dir) : tmp.filePath(QStringLiteral("ws"));
    if (!prepareWorkspace(ws, p.value(traces).toInt()) || !timeReviewState(ws))
        return 2;

    QSettings().setValue(QStringLiteral("review/reviewer"), QStringLiteral("bench"));
    sdrt::ui::MainWindow window;
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        print(QStringLiteral("warning: the window was not exposed"));
    window.showReview(true);
    QCoreApplication::processEvents();
    QElapsedTimer open;
    open.start();
    if (!window.openWorkspace(ws))
        return 2;
    QCoreApplication::processEvents(); // lay out and paint the first item
    const double openMs = open.nsecsElapsed() / 1e6;
    sdrt::ui::ReviewPanel *panel = window.reviewPanel();
    sdrt::ui::ReviewController *reviews = window.session()->reviews();
    print(QStringLiteral("open workspace to first item shown: %1 ms (queue %2 items, item %3 with %4 traces)")
              .arg(openMs, 0, 'f', 1)
              .arg(reviews->queue().size())
              .arg(panel->currentItem())
              .arg(panel->columns().size()));

    panel->setFocus();
    std::vector<double> sameItem, nextItem;
    const int n = p.value(presses).toInt();
    for (int i = 0; i < n; ++i) {
        const auto item = panel->currentItem();
        QElapsedTimer t;
        t.start();
        QTest::keyClick(panel, Qt::Key_A);
        QCoreApplication::processEvents(); // the repaint of the changed columns / new item
        const double ms = t.nsecsElapsed() / 1e6;
        (panel->currentItem() == item ? sameItem : nextItem).push_back(ms);
    }
    const auto progress = reviews->session()->progress(reviews->queue());
    print(QStringLiteral("verdict to next trace, same item: %1").arg(stats(sameItem)));
    print(QStringLiteral("verdict to next trace, next item: %1").arg(stats(nextItem)));
    std::vector<double> all = sameItem;
    all.insert(all.end(), nextItem.begin(), nextItem.end());
    print(QStringLiteral("verdict to next trace, all:       %1").arg(stats(all)));
    print(QStringLiteral("reviewed by 'bench': %1 of %2 traces").arg(progress.reviewed).arg(progress.total));
    return 0;
}
