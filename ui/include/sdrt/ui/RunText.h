#pragma once
// How run states, evaluation modes, splits and durations read on screen (translated).

#include "sdrt/store/EvaluationRepository.h"
#include "sdrt/store/TraceRepository.h"

#include <QString>
#include <QVariant>

#include <optional>

namespace sdrt::ui {

QString runStatusText(store::RunStatus status); // translated
QString formatSeconds(double seconds);          // m:ss or h:mm:ss
QString localTime(const QString &isoUtc);
// A run's wall time from its stored start and end (m:ss); empty while either is missing. The
// one measure of a run's duration the screens show.
QString runDuration(const QString &startedAt, const QString &finishedAt);       // a stored UTC time as "yyyy-MM-dd HH:mm" local; empty stays empty
QString splitText(store::Split split);                                  // translated
std::optional<store::Split> splitOf(const QVariant &comboData);        // a combo box's int(Split), or any
QString evalModeText(store::EvalMode mode, store::EnsembleVote vote); // translated
// A reject reason as shown: the default reasons (stored in English, the data's key) translated,
// the workspace's own reasons as written.
QString reasonTagText(const QString &tag);

} // namespace sdrt::ui
