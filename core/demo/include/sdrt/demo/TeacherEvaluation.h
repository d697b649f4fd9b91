#pragma once
// Measures the demo teacher on held-out items of the synthetic world: per task family, direct
// accuracy against the majority-answer baseline, two-step accuracy per prompt and for the
// majority vote over prompts, and the share of well-formed two-step outputs.

#include "sdrt/common/Expected.h"
#include "sdrt/demo/TeacherCurriculum.h"
#include "sdrt/model/Runtime.h"

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sdrt::demo {

struct TeacherEvalParams {
    int items = 500;
    std::uint32_t seed = 1001;      // world seed of the held-out items (training used another)
    std::uint32_t trainSeed = 1;    // world seed of the training items (for the majority baseline)
    int batch = 16;
    int analysisTokens = 160;
    bool directOnly = false;        // skip the two-step runs (a quick check of direct answers)
    std::function<void(int done, int total)> progress;
    const std::atomic_bool *cancel = nullptr;
};

struct FamilyFigures {
    std::string family;
    int items = 0;
    double majorityBaseline = 0;
    double direct = 0;
    std::map<std::string, double> perPrompt; // two-step accuracy by prompt name
    double vote = 0;                         // majority vote over prompts
    double wellFormed = 0;                   // share of two-step traces that are well formed
    double tracesRight = 0;                  // share of two-step traces with the right answer
};

struct TeacherEvalReport {
    std::vector<FamilyFigures> families; // in taskFamilies() order, then "all"
    double seconds = 0;
    int generations = 0;
};

// Normalised comparison of a parsed answer with the reference (case, spaces, trailing dot;
// the first word for numbers, yes/no and regions).
bool answersMatch(const std::string &parsed, const std::string &reference, const std::string &answerType);

Expected<TeacherEvalReport, std::string> evaluateTeacher(model::VlmRuntime &runtime, const TeacherCurriculum &curriculum,
                                                         const TeacherEvalParams &params);

// A Markdown table of the report.
std::string toMarkdown(const TeacherEvalReport &report);

} // namespace sdrt::demo
