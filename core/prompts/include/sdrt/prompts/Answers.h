#pragma once
// Comparing parsed answers: with each other (ensemble votes) and with reference answers.
// Normalisation: lower case, surrounding blanks and trailing full stops removed; for numbers,
// yes/no, choices and regions only the first word counts ("4 holes." -> "4").

#include <QString>

namespace sdrt::prompts {

QString normaliseAnswer(const QString &answer, const QString &answerType);
// Also true for a text answer whose first word is the whole reference ("SUS304, as drawn").
bool answersMatch(const QString &parsed, const QString &reference, const QString &answerType);

} // namespace sdrt::prompts
