#include "sdrt/common/Log.h"

#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace sdrt::log {
namespace {

struct Registry {
    std::shared_ptr<spdlog::sinks::dist_sink_mt> fanout = std::make_shared<spdlog::sinks::dist_sink_mt>();
    std::shared_ptr<spdlog::sinks::stderr_color_sink_mt> stderrSink =
        std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    std::mutex mutex;
    spdlog::level::level_enum level = spdlog::level::info;

    Registry()
    {
        stderrSink->set_level(spdlog::level::info);
        stderrSink->set_pattern("[%H:%M:%S.%e] [%n] [%^%l%$] %v");
        fanout->add_sink(stderrSink);
    }
};

Registry &registry()
{
    static Registry r;
    return r;
}

} // namespace

std::shared_ptr<spdlog::logger> get(const std::string &module)
{
    Registry &r = registry();
    std::lock_guard lock(r.mutex);
    if (auto existing = spdlog::get(module))
        return existing;
    auto logger = std::make_shared<spdlog::logger>(module, r.fanout);
    logger->set_level(r.level);
    logger->flush_on(spdlog::level::warn);
    spdlog::register_logger(logger);
    return logger;
}

void addSink(const spdlog::sink_ptr &sink)
{
    registry().fanout->add_sink(sink);
}

void removeSink(const spdlog::sink_ptr &sink)
{
    registry().fanout->remove_sink(sink);
}

void setStderrLevel(spdlog::level::level_enum level)
{
    registry().stderrSink->set_level(level);
}

void setLevel(spdlog::level::level_enum level)
{
    Registry &r = registry();
    std::lock_guard lock(r.mutex);
    r.level = level;
    spdlog::apply_all([level](const std::shared_ptr<spdlog::logger> &l) { l->set_level(level); });
}

} // namespace sdrt::log
