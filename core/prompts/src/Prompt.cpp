#include "sdrt/prompts/Prompt.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStringDecoder>

#include <optional>

namespace sdrt::prompts {
namespace {

QString at(const QString &file, int line)
{
    return QStringLiteral("%1:%2").arg(file).arg(line);
}

// What a message may quote of a file: the first 60 characters, control and format characters
// escaped, so a bad file cannot fill the log or drive the terminal it is printed on.
QString shown(const QString &text)
{
    constexpr qsizetype kMaxQuoted = 60;
    QString out;
    for (qsizetype i = 0; i < text.size() && i < kMaxQuoted; ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
            out += c;
            out += text.at(++i);
            continue;
        }
        switch (c.category()) {
        case QChar::Other_Control:
        case QChar::Other_Format:
        case QChar::Other_Surrogate:
        case QChar::Separator_Line:
        case QChar::Separator_Paragraph:
            out += QStringLiteral("\\u") + QString::number(c.unicode(), 16).toUpper().rightJustified(4, QLatin1Char('0'));
            break;
        default:
            out += c;
        }
    }
    if (text.size() > kMaxQuoted)
        out += QChar(0x2026); // …
    return out;
}

// Scans {placeholders}; returns an error naming the first unknown or unbalanced one.
std::optional<QString> checkPlaceholders(const QString &tmpl, const QString &file, int firstLine, int step)
{
    const QStringList &known = knownPlaceholders();
    int line = firstLine;
    for (qsizetype i = 0; i < tmpl.size(); ++i) {
        const QChar c = tmpl.at(i);
        if (c == QLatin1Char('\n')) {
            ++line;
            continue;
        }
        if (c == QLatin1Char('}')) {
            if (i + 1 < tmpl.size() && tmpl.at(i + 1) == QLatin1Char('}')) {
                ++i;
                continue;
            }
            return QCoreApplication::translate("sdrt::prompts", "%1: a lone '}' (write '}}' for a literal brace).").arg(at(file, line));
        }
        if (c != QLatin1Char('{'))
            continue;
        if (i + 1 < tmpl.size() && tmpl.at(i + 1) == QLatin1Char('{')) {
            ++i;
            continue;
        }
        const qsizetype close = tmpl.indexOf(QLatin1Char('}'), i + 1);
        const qsizetype newline = tmpl.indexOf(QLatin1Char('\n'), i + 1);
        if (close < 0 || (newline >= 0 && newline < close))
            return QCoreApplication::translate("sdrt::prompts", "%1: '{' is not closed on the same line (write '{{' for a literal brace).").arg(at(file, line));
        const QString name = tmpl.mid(i + 1, close - i - 1);
        static const QRegularExpression identifier(QStringLiteral("^[A-Za-z0-9_]+$"));
        if (!identifier.match(name).hasMatch())
            return QCoreApplication::translate("sdrt::prompts", "%1: '{' does not start a placeholder (write '{{' for a literal brace).").arg(at(file, line));
        if (!known.contains(name))
            return QCoreApplication::translate("sdrt::prompts", "%1: unknown placeholder {%2}; known placeholders are %3.")
                .arg(at(file, line), name, QLatin1Char('{') + known.join(QLatin1String("}, {")) + QLatin1Char('}'));
        if (step == 1 && name == QLatin1String("query1_answer"))
            return QCoreApplication::translate("sdrt::prompts", "%1: step 1 cannot use {query1_answer}; it is the output of step 1.").arg(at(file, line));
        i = close;
    }
    return std::nullopt;
}

Result<AnswerRule> parseAnswerRule(const QString &value, const QString &where)
{
    AnswerRule rule;
    const QString v = value.trimmed();
    if (v == QLatin1String("first-line")) {
        rule.kind = AnswerRule::Kind::FirstLine;
        return rule;
    }
    if (v.startsWith(QLatin1String("after "))) {
        rule.kind = AnswerRule::Kind::After;
        rule.argument = v.mid(6).trimmed();
        if (rule.argument.isEmpty())
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: 'answer: after' needs a marker, e.g. 'answer: after Answer:'.").arg(where));
        return rule;
    }
    if (v.startsWith(QLatin1String("regex "))) {
        rule.kind = AnswerRule::Kind::Regex;
        rule.argument = v.mid(6).trimmed();
        QRegularExpression re(rule.argument);
        if (rule.argument.isEmpty() || !re.isValid())
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: invalid answer regex: %2").arg(where, re.errorString()));
        return rule;
    }
    return fail(QCoreApplication::translate("sdrt::prompts", "%1: unknown answer rule '%2'; use 'first-line', 'after MARKER' or 'regex PATTERN'.").arg(where, shown(v)));
}

QString firstNonEmptyLine(const QString &text)
{
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (const QString &l : lines) {
        const QString t = l.trimmed();
        if (!t.isEmpty())
            return t;
    }
    return {};
}

// `imageAt` gets each image token's place in the output.
QString substitute(const QString &tmpl, const RenderContext &ctx, bool noteAfterImages, QList<qsizetype> &imageAt)
{
    QString out;
    out.reserve(tmpl.size() + ctx.question.size() + ctx.note.size() + ctx.query1Answer.size());
    for (qsizetype i = 0; i < tmpl.size(); ++i) {
        const QChar c = tmpl.at(i);
        if ((c == QLatin1Char('{') || c == QLatin1Char('}')) && i + 1 < tmpl.size() && tmpl.at(i + 1) == c) {
            out += c;
            ++i;
            continue;
        }
        if (c != QLatin1Char('{')) {
            out += c;
            continue;
        }
        const qsizetype close = tmpl.indexOf(QLatin1Char('}'), i + 1);
        const QString name = tmpl.mid(i + 1, close - i - 1);
        if (name == QLatin1String("images")) {
            for (int k = 0; k < ctx.imageCount; ++k) {
                if (k > 0)
                    out += QLatin1Char('\n');
                imageAt << out.size();
                out += ctx.imageToken;
            }
            if (noteAfterImages)
                out += QStringLiteral("\nNote: ") + ctx.note;
        } else if (name == QLatin1String("question")) {
            out += ctx.question;
        } else if (name == QLatin1String("note")) {
            out += ctx.note;
        } else if (name == QLatin1String("query1_answer")) {
            out += ctx.query1Answer;
        }
        i = close;
    }
    return out;
}

// Reads a prompt file line by line into `p`: the header's `key: value` lines, then the bodies of
// [step1] and [step2]; finish() checks what the whole file must have.
class PromptReader {
public:
    PromptReader(Prompt &p, const QString &fileName) : m_p(p), m_file(fileName) {}

    Result<void> read(int lineNo, const QString &line)
    {
        static const QRegularExpression keyLine(QStringLiteral("^([A-Za-z0-9_.]+)\\s*:\\s?(.*)$"));
        static const QRegularExpression sectionLine(QStringLiteral("^\\[([^\\]]*)\\]\\s*$"));
        const QRegularExpressionMatch sec = sectionLine.match(line);
        if (sec.hasMatch())
            return startSection(lineNo, sec.captured(1).trimmed());
        if (m_current >= 0) {
            m_body[m_current] << line;
            return {};
        }
        const QString trimmed = line.trimmed();
        if (trimmed.isEmpty() || trimmed.startsWith(QLatin1Char('#')))
            return {};
        const QRegularExpressionMatch kv = keyLine.match(line);
        if (!kv.hasMatch())
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: expected 'key: value' or a [step1]/[step2] section, found '%2'.")
                            .arg(at(m_file, lineNo), shown(trimmed)));
        return headerKey(lineNo, kv.captured(1), kv.captured(2).trimmed());
    }

    Result<void> finish()
    {
        if (!m_haveName)
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: the prompt has no 'name:'.").arg(m_file));
        if (!m_haveVersion)
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: the prompt has no 'version:'.").arg(m_file));
        if (!m_haveAnswer)
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: the prompt has no answer-extraction rule ('answer:').").arg(m_file));
        for (int s = 0; s < 2; ++s) {
            if (auto r = finishStep(s); !r)
                return r;
        }
        if (!m_p.steps[1].templateText.contains(QLatin1String("{query1_answer}")))
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: [step2] must use {query1_answer}, the analysis from step 1.")
                            .arg(at(m_file, m_p.steps[1].firstLine)));
        return {};
    }

private:
    Result<void> startSection(int lineNo, const QString &name)
    {
        int idx = -1;
        if (name == QLatin1String("step1"))
            idx = 0;
        else if (name == QLatin1String("step2"))
            idx = 1;
        else
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: unknown section [%2]; a prompt has exactly [step1] and [step2].")
                            .arg(at(m_file, lineNo), shown(name)));
        if (m_haveStep[idx])
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: section [%2] appears twice.").arg(at(m_file, lineNo), name));
        if (idx == 1 && !m_haveStep[0])
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: [step2] comes before [step1].").arg(at(m_file, lineNo)));
        m_haveStep[idx] = true;
        m_current = idx;
        m_p.steps[idx].firstLine = lineNo + 1;
        return {};
    }

    Result<void> headerKey(int lineNo, const QString &key, const QString &value)
    {
        if (key == QLatin1String("name")) {
            static const QRegularExpression nameRe(QStringLiteral("^[a-z0-9][a-z0-9_-]*$"));
            if (!nameRe.match(value).hasMatch())
                return fail(QCoreApplication::translate("sdrt::prompts", "%1: prompt name '%2' must be lower-case letters, digits, '-' or '_'.")
                                .arg(at(m_file, lineNo), shown(value)));
            m_p.name = value;
            m_haveName = true;
        } else if (key == QLatin1String("version")) {
            bool ok = false;
            m_p.version = value.toInt(&ok);
            if (!ok || m_p.version < 1)
                return fail(QCoreApplication::translate("sdrt::prompts", "%1: version must be a whole number from 1, found '%2'.").arg(at(m_file, lineNo), shown(value)));
            m_haveVersion = true;
        } else if (key == QLatin1String("description")) {
            m_p.description = value;
        } else if (key == QLatin1String("answer")) {
            auto rule = parseAnswerRule(value, at(m_file, lineNo));
            if (!rule)
                return fail(rule.error());
            m_p.answerRule = *rule;
            m_haveAnswer = true;
        } else if (key == QLatin1String("step1.prefix")) {
            m_p.steps[0].assistantPrefix = value;
        } else if (key == QLatin1String("step2.prefix")) {
            m_p.steps[1].assistantPrefix = value;
        } else {
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: unknown key '%2'; known keys are name, version, description, answer, "
                           "step1.prefix, step2.prefix.")
                            .arg(at(m_file, lineNo), key));
        }
        return {};
    }

    // The step's template: its body less the blank lines around it, checked.
    Result<void> finishStep(int s)
    {
        if (!m_haveStep[s])
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: the prompt has no [step%2] section; every prompt has two steps.").arg(m_file).arg(s + 1));
        QStringList &body = m_body[s];
        PromptStep &step = m_p.steps[s];
        while (!body.isEmpty() && body.last().trimmed().isEmpty())
            body.removeLast();
        while (!body.isEmpty() && body.first().trimmed().isEmpty()) {
            body.removeFirst();
            ++step.firstLine;
        }
        step.templateText = body.join(QLatin1Char('\n'));
        if (step.templateText.trimmed().isEmpty())
            return fail(QCoreApplication::translate("sdrt::prompts", "%1: [step%2] is empty.").arg(at(m_file, step.firstLine - 1)).arg(s + 1));
        if (auto err = checkPlaceholders(step.templateText, m_file, step.firstLine, s + 1))
            return fail(*err);
        return {};
    }

    Prompt &m_p;
    const QString m_file;
    bool m_haveName = false, m_haveVersion = false, m_haveAnswer = false;
    std::array<bool, 2> m_haveStep = {false, false};
    std::array<QStringList, 2> m_body;
    int m_current = -1; // -1: header, 0/1: inside [step1]/[step2]
};

} // namespace

const QStringList &knownPlaceholders()
{
    static const QStringList names = {QStringLiteral("images"), QStringLiteral("question"), QStringLiteral("note"),
                                      QStringLiteral("query1_answer")};
    return names;
}

QString AnswerRule::extract(const QString &response) const
{
    switch (kind) {
    case Kind::FirstLine:
        return firstNonEmptyLine(response);
    case Kind::After: {
        const qsizetype pos = response.lastIndexOf(argument);
        if (pos < 0)
            return {};
        return firstNonEmptyLine(response.mid(pos + argument.size()));
    }
    case Kind::Regex: {
        const QRegularExpressionMatch m = QRegularExpression(argument).match(response);
        if (!m.hasMatch())
            return {};
        return (m.lastCapturedIndex() >= 1 ? m.captured(1) : m.captured(0)).trimmed();
    }
    }
    return {};
}

QString AnswerRule::toString() const
{
    switch (kind) {
    case Kind::FirstLine: return QStringLiteral("first-line");
    case Kind::After: return QStringLiteral("after ") + argument;
    case Kind::Regex: return QStringLiteral("regex ") + argument;
    }
    return {};
}

RenderedStep Prompt::render(int step, const RenderContext &ctx) const
{
    const PromptStep &s = steps.at(step == 1 ? 0 : 1);
    RenderContext c = ctx;
    if (step == 1)
        c.query1Answer.clear();
    // An item's note is one of its inputs, like its images: a template without {note} shows it
    // after the images (or first, when the template has no {images} either).
    const bool hasNote = s.templateText.contains(QLatin1String("{note}"));
    const bool hasImages = s.templateText.contains(QLatin1String("{images}"));
    const bool addNote = !c.note.isEmpty() && !hasNote;
    QList<qsizetype> imageAt;
    QString user = substitute(s.templateText, c, addNote && hasImages, imageAt);
    if (addNote && !hasImages)
        user = QStringLiteral("Note: ") + c.note + QLatin1Char('\n') + user;
    // Parts: the text between images, less the newline on each side that joins it to an image.
    QList<RenderedPart> parts;
    qsizetype from = 0;
    auto addText = [&](qsizetype to, bool afterImage, bool beforeImage) {
        QString t = user.mid(from, to - from);
        if (afterImage && t.startsWith(QLatin1Char('\n')))
            t.remove(0, 1);
        if (beforeImage && t.endsWith(QLatin1Char('\n')))
            t.chop(1);
        if (!t.isEmpty())
            parts.append(RenderedPart{false, t});
    };
    for (int k = 0; k < imageAt.size(); ++k) {
        addText(imageAt[k], k > 0, true);
        parts.append(RenderedPart{true, {}});
        from = imageAt[k] + ctx.imageToken.size();
    }
    addText(user.size(), !imageAt.isEmpty(), false);
    return {user, s.assistantPrefix, parts};
}

Result<Prompt> parsePrompt(const QString &rawText, const QString &fileName)
{
    Prompt p;
    p.sourceFile = fileName;
    p.text = rawText;
    p.text.replace(QLatin1String("\r\n"), QLatin1String("\n"));
    p.contentHash = QString::fromLatin1(QCryptographicHash::hash(p.text.toUtf8(), QCryptographicHash::Sha256).toHex());

    PromptReader reader(p, fileName);
    const QStringList lines = p.text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        if (auto r = reader.read(i + 1, lines.at(i)); !r)
            return fail(r.error());
    }
    if (auto r = reader.finish(); !r)
        return fail(r.error());
    return p;
}

Result<Prompt> loadPromptFile(const QString &path)
{
    const QFileInfo info(path);
    // A FIFO or device would block or never end; only plain files are prompts.
    if (info.exists() && !info.isFile())
        return fail(QCoreApplication::translate("sdrt::prompts", "%1: not a regular file; it was not read.").arg(path));
    // Refused by its size before a byte is read.
    if (info.size() > kMaxPromptFileBytes)
        return fail(QCoreApplication::translate("sdrt::prompts", "%1: the file is %2 bytes, over the limit of %3 bytes for a prompt; it was not read.")
                        .arg(path)
                        .arg(info.size())
                        .arg(kMaxPromptFileBytes));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(QCoreApplication::translate("sdrt::prompts", "Cannot read prompt file %1: %2").arg(path, f.errorString()));
    // Read one byte past the limit: a file that grew after the size check is still refused.
    const QByteArray bytes = f.read(kMaxPromptFileBytes + 1);
    if (bytes.size() > kMaxPromptFileBytes)
        return fail(QCoreApplication::translate("sdrt::prompts", "%1: the file is over the limit of %2 bytes for a prompt.")
                        .arg(path)
                        .arg(kMaxPromptFileBytes));
    if (const qsizetype nul = bytes.indexOf('\0'); nul >= 0)
        return fail(QCoreApplication::translate("sdrt::prompts", "%1: the file holds a NUL byte (at byte %2); a prompt is text.")
                        .arg(path)
                        .arg(nul + 1));
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return fail(QCoreApplication::translate("sdrt::prompts", "%1: the file is not valid UTF-8.").arg(path));
    return parsePrompt(text, info.fileName());
}

} // namespace sdrt::prompts
