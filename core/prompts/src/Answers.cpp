#include "sdrt/prompts/Answers.h"

#include <QRegularExpression>

namespace sdrt::prompts {
namespace {

QString normalise(const QString &answer, bool firstWord)
{
    QString s = answer.toLower().trimmed();
    if (firstWord) {
        const qsizetype end = s.indexOf(QRegularExpression(QStringLiteral("[\\s,;]")));
        if (end >= 0)
            s.truncate(end);
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
