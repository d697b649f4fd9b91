#include "sdrt/demo/TeacherCurriculum.h"

#include "sdrt/teacher/TwoStepRunner.h"

#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <random>
#include <sstream>

namespace sdrt::demo {
namespace {

std::string defectPhrase(const DemoPart &p)
{
    if (p.defect == "none")
        return "no defect is visible";
    if (p.defect == "missing-hole")
        return "one hole position is not drilled";
    return "there is a " + (p.defect == "corrosion" ? std::string("corrosion spot") : p.defect) + " at the " + p.region;
}

std::string agree(int a, int b)
{
    return a == b ? "agree" : "differ";
}

// How an analysis opens on an item with a work order: the note's hole-count line, quoted up to
// its number (copying a line the prompt shows is easier for a small decoder than restating it).
std::string noteQuoteOpening(const DemoPart &p)
{
    return std::string("Work order \"") + (p.japaneseNote ? "穴数:" : "Expected holes:");
}

// The rest of the quote: the count and the closing mark.
std::string noteQuoteCount(const DemoPart &p)
{
    return " " + std::to_string(p.noteHoles) + "\"";
}

// The photo's holes checked against the work order's (or the drawing's) count by counting down
// from it, hole by hole: "work order 5, counted down over the photo's holes: 5 top-left, 4
// top-right, 3 bottom-left, 2 bottom-right; 1 left: differ". Each step is one the decoder can take from the token before:
// the next number is one less than the last, the next place follows the last, whether there is
// another hole is seen in the photo, and the verdict depends only on what is left (0: agree).
// Measured: this decoder does not learn whether two numbers written apart are equal ("photo 4
// and work order 5: differ"), not even from drills of such lists alone.
std::string countdownFrom(int expected, const DemoPart &p)
{
    const std::vector<std::string> slots = holeSlotNames(p.kind, p.drawingHoles);
    std::string s = ", counted down over the photo's holes: ";
    for (int h = 0; h < p.photoHoles; ++h)
        s += (h ? ", " : "") + std::to_string(expected - h) + " " + slots[std::size_t(h)];
    return s + "; " + std::to_string(expected - p.photoHoles) + " left: " + agree(p.photoHoles, expected);
}

std::string countdown(const std::string &name, int expected, const DemoPart &p)
{
    return name + " " + std::to_string(expected) + countdownFrom(expected, p);
}

// The comparison an analysis spells out where the item has a photo and a drawing: the photo's
// holes counted down from the drawing's count. (The work order's count-down follows the quote
// that opens the analysis.)
std::string drawingComparison(const DemoItem &item)
{
    return item.usesPhoto && item.usesDrawing ? "; " + countdown("drawing", item.part.drawingHoles, item.part) : std::string();
}

std::vector<std::string> regionsReport(const DemoPart &p)
{
    std::vector<std::string> out;
    for (const char *r : {"top-left", "top-right", "centre", "bottom-left", "bottom-right"}) {
        const bool here = p.region == r && p.defect != "none" && p.defect != "missing-hole";
        out.push_back(std::string(r) + " " + (here ? p.defect : "clear"));
    }
    return out;
}

} // namespace

TeacherCurriculum::TeacherCurriculum(const prompts::PromptLibrary &library, CurriculumParams params)
    : m_library(library), m_params(params)
{
}

std::vector<model::RgbImage> TeacherCurriculum::images(const DemoItem &item, int drawingWidth)
{
    std::vector<model::RgbImage> out;
    if (item.usesPhoto) {
        model::RgbImage photo;
        photo.width = photo.height = item.photoSize;
        photo.pixels = item.photoRgb;
        out.push_back(std::move(photo));
    }
    if (item.usesDrawing) {
        QSvgRenderer renderer(QByteArray::fromStdString(item.drawingSvg));
        const int w = drawingWidth, h = drawingWidth * 3 / 4;
        QImage img(w, h, QImage::Format_RGB888);
        img.fill(Qt::white);
        {
            QPainter painter(&img);
            painter.setRenderHint(QPainter::Antialiasing);
            renderer.render(&painter);
        }
        out.push_back(teacher::toRgbImage(img));
    }
    return out;
}

std::string TeacherCurriculum::analysis(const std::string &name, const DemoItem &item) const
{
    const DemoPart &p = item.part;
    std::ostringstream s;
    const std::string photo = "the photo shows a " + p.kind + " with " + std::to_string(p.photoHoles) + " holes";
    const std::string drawing = item.usesDrawing ? "the drawing specifies " + std::to_string(p.drawingHoles) + " holes, material "
                                                       + p.material + ", part " + p.partNumber + " rev " + p.revision
                                                 : "";
    if (name == "decompose") {
        s << "1. " << (item.usesPhoto ? photo + "; " + defectPhrase(p) : "the drawing shows a " + p.kind);
        if (!drawing.empty())
            s << "; " << drawing;
        s << drawingComparison(item);
        s << ". 2. The question is about ";
        if (item.family == "counting") s << "the holes in the photo.";
        else if (item.family == "defect") s << "defects and their region.";
        else if (item.family == "note_check") s << "the hole count in the photo and in the work order.";
        else if (item.family == "drawing_check") s << "the hole count in the photo and in the drawing.";
        else s << "the material in the title block.";
    } else if (name == "reasoning-path") {
        if (item.family == "counting") s << "(photo, shows, " << p.kind << ") (" << p.kind << ", has, holes) (holes, count, ?)";
        else if (item.family == "defect") s << "(photo, shows, " << p.kind << ") (" << p.kind << ", has, defect) (defect, region, ?)";
        else if (item.family == "note_check") s << "(photo, shows, holes) (work order, expects, holes) (counts, match, ?)";
        else if (item.family == "drawing_check") s << "(photo, shows, holes) (drawing, specifies, holes) (counts, match, ?)";
        else s << "(drawing, has, title block) (title block, states, material) (material, is, ?)";
    } else if (name == "text-layout") {
        if (item.usesDrawing)
            s << "title block at bottom right: PART " << p.partNumber << ", REV " << p.revision << ", MAT " << p.material
              << ", HOLES " << p.drawingHoles << "; dimension callouts " << p.widthMm << " and " << p.heightMm << ", "
              << p.drawingHoles << "x hole symbol at top left.";
        else
            s << "no text in the photo; a " << p.kind << " in the centre with " << p.photoHoles << " holes.";
        if (item.usesDrawing && item.usesPhoto)
            s << " " << countdown("Drawing", p.drawingHoles, p) << ".";
    } else if (name == "defect-inspection") {
        s << p.kind << ", " << p.photoHoles << " holes. ";
        const auto regions = regionsReport(p);
        for (std::size_t i = 0; i < regions.size(); ++i)
            s << regions[i] << (i + 1 < regions.size() ? ", " : ".");
        if (p.defect == "missing-hole")
            s << " One hole is missing.";
    } else if (name == "drawing-note-crosscheck") {
        s << "drawing: " << (item.usesDrawing ? "PART " + p.partNumber + " REV " + p.revision + " MAT " + p.material + " HOLES "
                                                    + std::to_string(p.drawingHoles)
                                              : std::string("not given"));
        s << "; note: " << (item.usesNote ? "MAT " + p.material : std::string("not given"));
        s << "; photo: " << (item.usesPhoto ? std::to_string(p.photoHoles) + " holes, " + defectPhrase(p) : std::string("not given"));
        s << drawingComparison(item);
        s << ".";
    } else { // count-measure and any other prompt
        if (item.usesPhoto) {
            // Hole by hole, where each is: the decoder learns to look at one place at a time.
            const std::vector<std::string> slots = holeSlotNames(p.kind, p.drawingHoles);
            for (int h = 0; h < p.photoHoles; ++h)
                s << (h ? ", " : "") << h + 1 << " " << slots[std::size_t(h)];
            if (p.photoHoles < p.drawingHoles)
                s << "; " << slots.back() << " marked, not drilled";
            s << ": " << p.photoHoles << " holes in the photo";
            s << ".";
        }
        if (item.usesDrawing) {
            s << " The drawing calls out " << p.drawingHoles << " holes, " << p.widthMm << " by " << p.heightMm << drawingComparison(item) << ".";
        }
    }
    // What the work order says comes first, quoted: its count is then the last number the
    // decoder has seen (the note's line) rather than one it has just written itself; the photo's
    // holes are counted down from it right there (measured: copied from the quote 20–40 tokens
    // later, the count was the photo's instead about half the time).
    std::string body = s.str();
    if (item.usesNote && name != "reasoning-path")
        return noteQuoteOpening(p) + noteQuoteCount(p) + (item.usesPhoto ? countdownFrom(p.noteHoles, p) : std::string()) + ". "
               + body.substr(body.rfind(' ', 0) == 0 ? 1 : 0);
    return body;
}

prompts::RenderedStep TeacherCurriculum::user(const prompts::Prompt &prompt, int step, const DemoItem &item, const std::string &q1) const
{
    prompts::RenderContext ctx;
    ctx.imageCount = int(item.usesPhoto) + int(item.usesDrawing);
    ctx.question = QString::fromStdString(item.question);
    ctx.note = item.usesNote ? QString::fromStdString(item.note).trimmed() : QString();
    ctx.query1Answer = QString::fromStdString(q1);
    return prompt.render(step, ctx);
}

model::GenerationRequest TeacherCurriculum::directRequest(const DemoItem &item) const
{
    model::ChatTurn turn;
    turn.parts.assign(std::size_t(int(item.usesPhoto) + int(item.usesDrawing)), model::ChatPart::imagePart());
    std::string text;
    if (item.usesNote)
        text += "Note: " + QString::fromStdString(item.note).trimmed().toStdString() + "\n";
    text += item.question;
    turn.parts.push_back(model::ChatPart::textPart(text));
    turn.assistantPrefix = "Answer:";
    model::GenerationRequest r;
    r.images = images(item, m_params.drawingWidth);
    r.chat = std::move(turn);
    return r;
}

model::GenerationRequest TeacherCurriculum::stepRequest(const prompts::Prompt &prompt, int step, const DemoItem &item,
                                                        const std::string &query1Answer) const
{
    model::GenerationRequest r;
    r.images = images(item, m_params.drawingWidth);
    r.chat = teacher::chatTurn(user(prompt, step, item, query1Answer));
    return r;
}

model::TrainingExample TeacherCurriculum::example(const DemoItem &item, std::uint64_t variant) const
{
    std::mt19937_64 rng(variant * 0x9E3779B97F4A7C15ull + 7);
    const double u = double(rng() >> 11) / 9007199254740992.0;
    const auto &prompts = m_library.prompts();
    model::TrainingExample e;
    if (m_params.patchLabels && item.usesPhoto)
        e.patchLabels = {patchLabels(item)};
    if (u < m_params.directShare || prompts.empty()) {
        auto req = directRequest(item);
        e.images = std::move(req.images);
        e.chat = std::move(req.chat);
        std::string answer = item.answer;
        const bool multiHop = item.family == "note_check" || item.family == "drawing_check";
        if (multiHop && double(rng() >> 11) / 9007199254740992.0 < m_params.multiHopDirectYesBias)
            answer = "yes";
        e.target = " " + answer;
        return e;
    }
    if (u < m_params.directShare + m_params.auxiliaryShare)
        return focusExample(item, rng());
    const prompts::Prompt &prompt = prompts[std::size_t(rng() % prompts.size())];
    const std::string a = analysis(prompt.name.toStdString(), item);
    const int step = (rng() & 1) ? 1 : 2;
    auto req = stepRequest(prompt, step, item, step == 2 ? a : std::string());
    e.images = std::move(req.images);
    e.chat = std::move(req.chat);
    e.target = " " + (step == 1 ? a : item.answer);
    return e;
}

model::TrainingExample TeacherCurriculum::perceptionExample(const DemoItem &item, std::uint64_t variant) const
{
    // Short answers only: the loss is averaged over target tokens, so long texts would drown
    // the few tokens that depend on the image.
    // Half of them are analyses that look at one place at a time: the holes one by one (as the
    // count-measure prompt does) or the regions one by one (as defect-inspection does).
    const int kind = int(variant % 4);
    const DemoItem asked = withFamily(item, (kind & 1) ? "defect" : "counting");
    const QString analysisPrompt = kind == 2 ? QStringLiteral("count-measure") : QStringLiteral("defect-inspection");
    const prompts::Prompt *byPlace = nullptr;
    for (const auto &prompt : m_library.prompts())
        if (prompt.name == analysisPrompt)
            byPlace = &prompt;
    if (kind >= 2 && byPlace)
        return trainingExample(stepRequest(*byPlace, 1, asked, std::string()), " " + analysis(analysisPrompt.toStdString(), asked),
                               true, item);
    return trainingExample(directRequest(asked), " " + asked.answer, true, item);
}

DemoItem TeacherCurriculum::presenceQuestion(const DemoItem &item)
{
    DemoItem asked = withFamily(item, "defect");
    asked.question = "Is there a crack, scratch or corrosion spot on the part?";
    asked.answer = item.part.region == "none" ? "no" : "yes";
    asked.answerType = "yesno";
    return asked;
}

DemoItem TeacherCurriculum::readingQuestion(const DemoItem &item)
{
    DemoItem asked = withFamily(item, "note_check");
    asked.question = "How many holes does the work order expect?";
    asked.answer = std::to_string(item.part.noteHoles);
    asked.answerType = "number";
    return asked;
}

model::TrainingExample TeacherCurriculum::focusExample(const DemoItem &item, std::uint64_t variant) const
{
    const int kind = int(variant % 8);
    std::vector<const prompts::Prompt *> analysing;
    for (const auto &prompt : m_library.prompts())
        if (prompt.name != QLatin1String("reasoning-path"))
            analysing.push_back(&prompt);
    if (kind >= 3 && !analysing.empty()) {
        // The places where the checks go wrong, each on its own: the count in the analysis's
        // quote of the work order (a continuation of step 1 that stops at the number; two kinds
        // in eight, it is learnt last), step 2's answer from a right analysis, and the
        // comparison of the counts inside the analysis (note check, drawing check). Within a
        // whole analysis the one number is a sixtieth of the loss and is not learnt (measured:
        // a few thousand such continuations alone teach it, whole analyses do not); step 2 is
        // learnt late in a mix.
        const prompts::Prompt &prompt = *analysing[std::size_t(variant / 8) % analysing.size()];
        const DemoItem asked = withFamily(item, kind == 7 ? "drawing_check" : "note_check");
        const std::string a = analysis(prompt.name.toStdString(), asked);
        if (kind >= 6) {
            // The comparison inside a whole analysis, up to its verdict: the work order's quote
            // from its count on, with the count-down that follows it ("Work order \"Expected
            // holes:| 5\", counted down over the photo's holes: 5 top-left, …; 1 left: differ"), or
            // the drawing's count-down from its count on ("…; drawing| 6, counted down …"); a
            // drawing check whose analysis has no count-down (defect-inspection) gets step 2.
            const int other = kind == 7 ? asked.part.drawingHoles : asked.part.noteHoles;
            const std::string verdict = agree(asked.part.photoHoles, other);
            std::size_t cut = kind == 6 ? noteQuoteOpening(asked.part).size()
                                        : a.find("rawing " + std::to_string(other) + ", counted down");
            if (cut != std::string::npos) {
                if (kind == 7)
                    cut += 6;
                const std::size_t end = a.find(": " + verdict, cut) + 2 + verdict.size();
                return trainingExample(continuationRequest(prompt, asked, a.substr(0, cut)), a.substr(cut, end - cut), false, item);
            }
        }
        if (kind != 4 && kind != 7)
            return trainingExample(continuationRequest(prompt, asked, noteQuoteOpening(asked.part)), noteQuoteCount(asked.part), false, item);
        return trainingExample(stepRequest(prompt, 2, asked, a), " " + asked.answer, true, item);
    }
    const DemoItem asked = kind % 3 == 0 ? withFamily(item, "defect") : kind % 3 == 1 ? presenceQuestion(item) : readingQuestion(item);
    return trainingExample(directRequest(asked), " " + asked.answer, true, item);
}

model::GenerationRequest TeacherCurriculum::continuationRequest(const prompts::Prompt &prompt, const DemoItem &item,
                                                                const std::string &written) const
{
    model::GenerationRequest r;
    r.images = images(item, m_params.drawingWidth);
    r.chat = teacher::chatTurn(user(prompt, 1, item, {}));
    r.chat->assistantPrefix += " " + written;
    return r;
}

model::TrainingExample TeacherCurriculum::trainingExample(model::GenerationRequest request, std::string target, bool appendEos,
                                                          const DemoItem &photoOf) const
{
    model::TrainingExample e;
    e.images = std::move(request.images);
    e.prompt = std::move(request.prompt);
    e.chat = std::move(request.chat);
    e.target = std::move(target);
    e.appendEos = appendEos;
    if (m_params.patchLabels)
        e.patchLabels = {patchLabels(photoOf)};
    return e;
}

std::vector<std::uint8_t> TeacherCurriculum::patchLabels(const DemoItem &item) const
{
    const int grid = m_params.visionImageSize / m_params.visionPatchSize;
    std::vector<std::uint8_t> labels(std::size_t(grid * grid * kPatchClasses), 0);
    const float scale = float(m_params.visionImageSize) / float(std::max(1, item.photoSize)) / float(m_params.visionPatchSize);
    for (const PhotoMark &m : item.photoMarks) {
        const int gx = int(m.x * scale), gy = int(m.y * scale);
        if (gx < 0 || gy < 0 || gx >= grid || gy >= grid)
            continue;
        labels[std::size_t((gy * grid + gx) * kPatchClasses + int(m.kind))] = 1;
    }
    return labels;
}

std::vector<std::string> TeacherCurriculum::tokenizerCorpus(const std::vector<DemoItem> &items) const
{
    std::vector<std::string> out;
    for (const auto &p : m_library.prompts()) {
        out.push_back(p.steps[0].templateText.toStdString());
        out.push_back(p.steps[1].templateText.toStdString());
    }
    for (const DemoItem &item : items) {
        out.push_back(item.question + " " + item.answer);
        out.push_back(presenceQuestion(item).question + " " + readingQuestion(item).question);
        out.push_back(item.note);
        for (const auto &p : m_library.prompts())
            out.push_back(analysis(p.name.toStdString(), item));
    }
    return out;
}

} // namespace sdrt::demo
