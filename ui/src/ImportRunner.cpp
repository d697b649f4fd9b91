#include "sdrt/ui/ImportRunner.h"

#include <QElapsedTimer>

#include <memory>

namespace sdrt::ui {

ImportRunner::ImportRunner(QObject *parent)
    : JobRunnerOf(QStringLiteral("import"), [](const assets::ImportParams &p) { return assets::ImportJob(p).run(); }, parent)
{
}

bool ImportRunner::start(const QString &workspaceRoot, const QString &source, const assets::DecodeLimits &limits)
{
    assets::ImportParams params;
    params.workspaceRoot = workspaceRoot;
    params.source = source;
    params.limits = limits;
    return start(std::move(params));
}

void ImportRunner::relayCallbacks(assets::ImportParams &params)
{
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    params.progress = [this, timer](const assets::ImportProgress &p) {
        // At most ~20 updates a second reach the GUI thread.
        if (p.done != p.total && timer->elapsed() < 50)
            return;
        timer->restart();
        post([this, p] { Q_EMIT progress(p.done, p.total, p.current); });
    };
}

} // namespace sdrt::ui
