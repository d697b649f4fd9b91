#include "sdrt/review/Policy.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace sdrt::review {

QString ApprovalPolicy::describe() const
{
    const QString accepts = QCoreApplication::translate("sdrt::review", "at least %n accept(s)", nullptr, minAccepts);
    if (maxRejects < 0)
        return accepts;
    if (maxRejects == 0)
        return QCoreApplication::translate("sdrt::review", "%1 and no reject").arg(accepts);
    return QCoreApplication::translate("sdrt::review", "%1 and at most %n reject(s)", nullptr, maxRejects).arg(accepts);
}

QString ApprovalPolicy::toJson() const
{
    QJsonObject o{{QStringLiteral("min_accepts"), minAccepts}, {QStringLiteral("max_rejects"), maxRejects}};
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

Result<ApprovalPolicy> ApprovalPolicy::fromJson(const QString &json)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return fail(QCoreApplication::translate("sdrt::review", "The approval policy is not a JSON object: %1").arg(json));
    const QJsonObject o = doc.object();
    ApprovalPolicy p;
    p.minAccepts = o.value(QStringLiteral("min_accepts")).toInt(1);
    p.maxRejects = o.value(QStringLiteral("max_rejects")).toInt(0);
    if (p.minAccepts < 1)
        return fail(QCoreApplication::translate("sdrt::review", "An approval policy needs at least one accept (min_accepts is %1).")
                        .arg(p.minAccepts));
    return p;
}

Result<ApprovalPolicy> ApprovalPolicy::parse(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char(','));
    bool okA = false, okR = false;
    ApprovalPolicy p;
    if (parts.size() == 2) {
        p.minAccepts = parts[0].trimmed().toInt(&okA);
        p.maxRejects = parts[1].trimmed().toInt(&okR);
    }
    if (!okA || !okR || p.minAccepts < 1)
        return fail(QCoreApplication::translate("sdrt::review",
                                                "Cannot read the approval policy \"%1\": expected MIN_ACCEPTS,MAX_REJECTS such as 1,0 "
                                                "(MAX_REJECTS -1: rejects do not matter).")
                        .arg(text));
    return p;
}

} // namespace sdrt::review
