#include "sdrt/ui/RunText.h"

#include <QCoreApplication>
#include <QDateTime>

#include <algorithm>

namespace sdrt::ui {

QString runStatusText(store::RunStatus status)
{
    switch (status) {
    case store::RunStatus::Pending: return QCoreApplication::translate("RunStatus", "pending");
    case store::RunStatus::Running: return QCoreApplication::translate("RunStatus", "running");
    case store::RunStatus::Done: return QCoreApplication::translate("RunStatus", "done");
    case store::RunStatus::Failed: return QCoreApplication::translate("RunStatus", "failed");
    case store::RunStatus::Cancelled: return QCoreApplication::translate("RunStatus", "cancelled");
    case store::RunStatus::Interrupted: return QCoreApplication::translate("RunStatus", "interrupted");
    }
    return {};
}

QString splitText(store::Split split)
{
    return split == store::Split::Eval ? QCoreApplication::translate("Split", "eval") : QCoreApplication::translate("Split", "train");
}

std::optional<store::Split> splitOf(const QVariant &comboData)
{
    if (!comboData.isValid())
        return std::nullopt;
    return store::Split(comboData.toInt());
}

QString evalModeText(store::EvalMode mode, store::EnsembleVote vote)
{
    switch (mode) {
    case store::EvalMode::Direct: return QCoreApplication::translate("EvalMode", "direct answer");
    case store::EvalMode::TwoStep: return QCoreApplication::translate("EvalMode", "two-step");
    case store::EvalMode::Ensemble:
        return vote == store::EnsembleVote::Logprob ? QCoreApplication::translate("EvalMode", "ensemble, log-probability vote")
                                                    : QCoreApplication::translate("EvalMode", "ensemble, majority vote");
    }
    return {};
}

QString localTime(const QString &isoUtc)
{
    QDateTime t = QDateTime::fromString(isoUtc, Qt::ISODateWithMs);
    if (!t.isValid())
        return isoUtc;
    if (t.timeSpec() == Qt::LocalTime && !isoUtc.endsWith(QLatin1Char('Z')))
        t.setTimeSpec(Qt::UTC); // SQLite's datetime('now') has no zone: it is UTC
    return t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString runDuration(const QString &startedAt, const QString &finishedAt)
{
    const QDateTime a = QDateTime::fromString(startedAt, Qt::ISODateWithMs), b = QDateTime::fromString(finishedAt, Qt::ISODateWithMs);
    return a.isValid() && b.isValid() ? formatSeconds(double(a.msecsTo(b)) / 1000.0) : QString();
}

QString reasonTagText(const QString &tag)
{
    // The defaults of review::ReviewSession::defaultReasonTags, for the translation tools.
    static const char *const defaults[] = {
        QT_TRANSLATE_NOOP("ReasonTag", "wrong answer"), QT_TRANSLATE_NOOP("ReasonTag", "hallucinated object"),
        QT_TRANSLATE_NOOP("ReasonTag", "wrong count"),  QT_TRANSLATE_NOOP("ReasonTag", "wrong region"),
        QT_TRANSLATE_NOOP("ReasonTag", "ignores the note"), QT_TRANSLATE_NOOP("ReasonTag", "misreads the drawing"),
        QT_TRANSLATE_NOOP("ReasonTag", "bad format")};
    for (const char *d : defaults)
        if (tag == QLatin1String(d))
            return QCoreApplication::translate("ReasonTag", d);
    return tag;
}

QString formatSeconds(double seconds)
{
    const int s = std::max(0, int(seconds + 0.5));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace sdrt::ui
