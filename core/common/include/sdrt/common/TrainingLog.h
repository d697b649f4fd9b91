#pragma once
// A training run's log: one JSON object per line, one line per optimizer step, each with its
// "step". A run that resumes from a checkpoint first drops the lines of later steps (its
// previous process logged them after the checkpoint, then died) and a last line cut by a kill,
// so the log holds every step once. Whole-model training (sdrt demo train-teacher) and the
// student's training write it; the Distill screen draws its curves from it.
//
// Thread rule: one thread at a time.

#include "sdrt/common/Expected.h"
#include "sdrt/common/FileWriter.h"

#include <string>

namespace sdrt::common {

class TrainingLog {
public:
    TrainingLog() = default;
    // Opens `path` (creating it) for a run that goes on after `step` (0: a new run).
    static Expected<TrainingLog, WriteError> continueAfter(const std::string &path, int step);
    // One line: `jsonObject` is a serialised JSON object without a newline.
    WriteResult append(const std::string &jsonObject);
    bool isOpen() const { return m_file.isOpen(); }

private:
    AppendFile m_file;
};

} // namespace sdrt::common
