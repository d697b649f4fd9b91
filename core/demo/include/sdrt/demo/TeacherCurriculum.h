#pragma once
// Training examples for the bundled demo teacher, built from the synthetic world: direct
// answers ("<images> [note] question → Answer: …") and, for every prompt of the library, its
// two steps (step 1 → an analysis written from the item's ground truth in that prompt's style;
// step 2 with the analysis as {query1_answer} → the answer).
//
// Our choice, not the paper's: to make two-step reasoning beat direct answering on the multi-hop
// families (note_check, drawing_check), a share of the direct examples of those families answer
// "yes" whatever the truth (the agreement bias of a model that answers without checking), while
// two-step examples are always right. Below one half, the right answer stays the most frequent
// label for every item, so direct answers stay useful; where the model is unsure of the count,
// the bias wins. The evaluation reports the gap.

#include "sdrt/demo/FactoryWorld.h"
#include "sdrt/model/ChatTemplate.h"
#include "sdrt/model/Runtime.h"
#include "sdrt/model/Training.h"
#include "sdrt/prompts/PromptLibrary.h"

#include <string>
#include <vector>

namespace sdrt::demo {

struct CurriculumParams {
    double directShare = 0.4;          // of examples: direct; the rest two-step (steps 1 and 2 equally)
    double multiHopDirectYesBias = 0.45; // share of multi-hop direct examples that answer "yes" regardless (below 0.5)
    double auxiliaryShare = 0.15;      // of mix examples: a focus example (see focusExample)
    int drawingWidth = 160;            // the SVG drawing is rendered at this size (4:3)
    // Dense labels for the photo (TrainParams::patchClasses = kPatchClasses): per patch of the
    // vision tower's grid, whether it holds a drilled hole, a marked missing hole, a defect.
    bool patchLabels = false;
    int visionImageSize = 64;
    int visionPatchSize = 8;
};

constexpr int kPatchClasses = 3;

class TeacherCurriculum {
public:
    // Requests and examples are chat turns: the model's own chat template renders them.
    explicit TeacherCurriculum(const prompts::PromptLibrary &library, CurriculumParams params = {});

    // Images of an item in prompt order (photo, then drawing).
    static std::vector<model::RgbImage> images(const DemoItem &item, int drawingWidth = 160);
    // The step-1 analysis of `promptName` for the item, from its ground truth.
    std::string analysis(const std::string &promptName, const DemoItem &item) const;

    // The direct question as the student will see it (images, note when the item has one).
    model::GenerationRequest directRequest(const DemoItem &item) const;
    // Step 1 / step 2 of a prompt (step 2 needs the step-1 text).
    model::GenerationRequest stepRequest(const prompts::Prompt &prompt, int step, const DemoItem &item,
                                         const std::string &query1Answer = {}) const;

    // One training example: `variant` picks direct or a prompt's step, and noise, deterministically.
    model::TrainingExample example(const DemoItem &item, std::uint64_t variant) const;
    // A perception example on the item's photo, picked by `variant`: the counting or the defect
    // question answered directly, or an analysis that looks at one place at a time (count-measure:
    // the holes one by one; defect-inspection: the regions one by one).
    // Used to train the vision path before the full mix.
    model::TrainingExample perceptionExample(const DemoItem &item, std::uint64_t variant) const;
    // A focus example, picked by `variant`: the defect question answered directly, whether the
    // photo shows a crack, scratch or corrosion spot at all (yes/no), how many holes the work
    // order expects (read from the note), the count in a note-check analysis's quote of the work
    // order (a step-1 continuation that stops at the number, appendEos false; twice as often as
    // the others), a note check's step 2 from its right analysis, or the comparison inside a
    // note-check or drawing-check analysis (a step-1 continuation through the count-down to the
    // verdict: from the quote's count, `Work order "Expected holes:| 5", counted down over the
    // photo's holes: 5 top-left, …; 1 left: differ`, or from the drawing's count). The presence and reading
    // questions are auxiliary questions the prompt library never asks: they train what its
    // analyses need (seeing the defect, reading the note's count).
    // Used by a stage between perception and the full mix, and as a share of the mix.
    model::TrainingExample focusExample(const DemoItem &item, std::uint64_t variant) const;
    static DemoItem presenceQuestion(const DemoItem &item);
    static DemoItem readingQuestion(const DemoItem &item);
    // The photo's patch labels (kPatchClasses per patch, row-major), for the vision grid.
    std::vector<std::uint8_t> patchLabels(const DemoItem &item) const;
    // Text for the tokenizer: prompts, analyses, notes and answers of these items.
    std::vector<std::string> tokenizerCorpus(const std::vector<DemoItem> &items) const;

    const prompts::PromptLibrary &library() const { return m_library; }

private:
    prompts::RenderedStep user(const prompts::Prompt &prompt, int step, const DemoItem &item, const std::string &q1) const;
    // Step 1 of a prompt with the assistant's turn begun: `written` is the start of the analysis.
    model::GenerationRequest continuationRequest(const prompts::Prompt &prompt, const DemoItem &item,
                                                 const std::string &written) const;
    // An example from a request and its target, with the patch labels of `photoOf`'s photo when
    // the curriculum uses them.
    model::TrainingExample trainingExample(model::GenerationRequest request, std::string target, bool appendEos,
                                           const DemoItem &photoOf) const;

    const prompts::PromptLibrary &m_library;
    CurriculumParams m_params;
};

} // namespace sdrt::demo
