#pragma once
// One two-step teacher prompt, parsed from a `.prompt` file (format: prompts/README.md).
// Step 1 asks for an analysis and must not answer; step 2 gets that analysis back as
// {query1_answer} and answers. The answer rule extracts the final answer from step 2's output.

#include "sdrt/common/Result.h"

#include <QString>
#include <QStringList>

#include <array>

namespace sdrt::prompts {

// The placeholders a template may use. Anything else in braces is an error; `{{`/`}}` are
// literal braces.
const QStringList &knownPlaceholders();

struct AnswerRule {
    enum class Kind { FirstLine, After, Regex };
    Kind kind = Kind::FirstLine;
    QString argument; // the marker for After, the pattern for Regex

    // Applies the rule to a step-2 response (assistant prefix included). Empty when no answer
    // could be found.
    QString extract(const QString &response) const;
    QString toString() const;
};

struct PromptStep {
    QString templateText;
    QString assistantPrefix; // what the assistant turn starts with, e.g. "Analysis:"
    int firstLine = 0;       // line of the template in the file, for messages
};

struct RenderContext {
    int imageCount = 0;
    QString question;
    QString note;
    QString query1Answer;
    QString imageToken = QStringLiteral("<image>");
};

// One part of the user turn, as the model's chat template receives it: an image or text.
struct RenderedPart {
    bool image = false;
    QString text;
    bool operator==(const RenderedPart &o) const { return image == o.image && text == o.text; }
};

struct RenderedStep {
    QString user;            // the user turn as text, each image written as RenderContext::imageToken
    QString assistantPrefix;
    // The same turn as parts in order: {images} become image parts; the newlines that join
    // images to each other and to the text belong to the images. Prompt files stay
    // model-neutral: the model's chat template decides how images and text are written.
    QList<RenderedPart> parts;
};

struct Prompt {
    QString name;
    int version = 1;
    QString description;
    AnswerRule answerRule;
    std::array<PromptStep, 2> steps;
    QString sourceFile;
    QString text;        // the file's text, normalised to LF line ends
    QString contentHash; // sha256 of `text` (UTF-8), hex

    // step is 1 or 2. Step 1 must not be given a query1 answer.
    RenderedStep render(int step, const RenderContext &ctx) const;
};

// The largest prompt file read, in bytes. The shipped prompts are under 1 KiB; a file this
// large is something else (a log, a model, a pasted document) and is refused unread.
inline constexpr qint64 kMaxPromptFileBytes = 256 * 1024;

// Parses one prompt file's text. Errors name `fileName` and the line; the little of the file
// they quote is cut short and has control characters escaped.
Result<Prompt> parsePrompt(const QString &text, const QString &fileName);
// Reads and parses one file. Refused before parsing, naming the file and the reason, with none
// of its content in the message: not a regular file, larger than kMaxPromptFileBytes (not
// read at all), a NUL byte, invalid UTF-8.
Result<Prompt> loadPromptFile(const QString &path);

} // namespace sdrt::prompts
