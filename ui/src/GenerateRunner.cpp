#include "sdrt/ui/GenerateRunner.h"

namespace sdrt::ui {

GenerateRunner::GenerateRunner(QObject *parent)
    : JobRunnerOf(QStringLiteral("generate"), [](const teacher::GenerationParams &p) { return teacher::runGeneration(p); }, parent)
{
    qRegisterMetaType<sdrt::teacher::GenerationProgress>("sdrt::teacher::GenerationProgress");
}

void GenerateRunner::relayCallbacks(teacher::GenerationParams &params)
{
    params.progress = [this](const teacher::GenerationProgress &p) { post([this, p] { Q_EMIT progress(p); }); };
    params.stored = [this](const std::vector<store::Id> &ids) {
        QList<qint64> list(ids.begin(), ids.end());
        post([this, list] { Q_EMIT tracesStored(list); });
    };
}

} // namespace sdrt::ui
