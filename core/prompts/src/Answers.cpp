#include "sdrt/prompts/Answers.h"

namespace sdrt::prompts {
namespace {

QString normalise(const QString &answer, bool firstWord)
{
    QString s = answer.toLower().trimmed();
    if (firstWord) {
        // The first word ends at a blank (any Unicode space, the ideographic one included), a comma
        // or a semicolon. A plain scan: this runs for every trace when a review screen opens.
        for (qsizetype i = 0; i < s.size(); ++i) {
            const QChar c = s.at(i);
            if (c.isSpace() || c == QLatin1Char(',') || c == QLatin1Char(';')) {
                s.truncate(i);
                break;
            }
        }
    }
    while (!s.isEmpty() && (s.back() == QLatin1Char('.') || s.back() == QChar(0x3002) || s.back().isSpace()))
        s.chop(1);
    return s;
}

} // namespace

QString normaliseAnswer(const QString &answer, const QString &answerType)
{
    return normalise(answer, answerType != QLatin1String("text"));
}

bool answersMatch(const QString &parsed, const QString &reference, const QString &answerType)
{
    const QString a = normaliseAnswer(parsed, answerType), r = normaliseAnswer(reference, answerType);
    return !a.isEmpty() && (a == r || (answerType == QLatin1String("text") && normalise(parsed, true) == r));
}

} // namespace sdrt::prompts
