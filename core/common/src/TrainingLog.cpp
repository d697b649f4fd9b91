#include "sdrt/common/TrainingLog.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace sdrt::common {

Expected<TrainingLog, WriteError> TrainingLog::continueAfter(const std::string &path, int step)
{
    std::string kept;
    bool changed = false;
    if (std::ifstream in(path); in) {
        std::string line;
        while (std::getline(in, line)) {
            bool keep = false;
            try {
                keep = !line.empty() && nlohmann::json::parse(line).value("step", 0) <= step;
            } catch (const std::exception &) {
                // a line cut by a kill: dropped
            }
            if (keep)
                kept += line + '\n';
            else
                changed = true;
        }
    }
    if (changed)
        if (auto w = writeFileAtomically(path, kept); !w)
            return unexpected(w.error());
    auto opened = AppendFile::open(path);
    if (!opened)
        return unexpected(opened.error());
    TrainingLog log;
    log.m_file = std::move(*opened);
    return log;
}

WriteResult TrainingLog::append(const std::string &jsonObject)
{
    return m_file.append(jsonObject + '\n');
}

} // namespace sdrt::common
