#pragma once
// How run states and durations read in the GUI's run lists (distillation and evaluation).

#include "sdrt/store/TraceRepository.h"

#include <QString>

namespace sdrt::ui {

QString runStatusText(store::RunStatus status); // translated
QString formatSeconds(double seconds);          // m:ss or h:mm:ss

} // namespace sdrt::ui
