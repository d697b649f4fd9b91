#pragma once
// Named spdlog loggers, one per module ("store", "assets", "model", ...), all writing to one
// shared fan-out sink. The GUI adds its log panel to that fan-out; the CLI keeps stderr.
// Thread-safe: loggers and sinks are the _mt variants.

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace sdrt::log {

std::shared_ptr<spdlog::logger> get(const std::string &module);

// Adds or removes a sink for every logger, existing and future.
void addSink(const spdlog::sink_ptr &sink);
void removeSink(const spdlog::sink_ptr &sink);

// The stderr sink is on by default; the GUI and the tests may turn it down.
void setStderrLevel(spdlog::level::level_enum level);
void setLevel(spdlog::level::level_enum level);

} // namespace sdrt::log
