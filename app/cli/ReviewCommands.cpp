#include "cli/Commands.h"

#include "sdrt/review/Export.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/Workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace sdrt::cli {

// sdrt export WS [--format llava|flat] [--out FILE] [--policy MIN,MAX]
int runExport(const QStringList &args)
{
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate(
        "sdrt::cli", "Export reviewed traces: the approved ones as LLaVA conversations (llava), or every review row with its "
                     "provenance (flat). JSON Lines, UTF-8."));
    QCommandLineOption format(QStringLiteral("format"), QCoreApplication::translate("sdrt::cli", "llava or flat."), QStringLiteral("F"),
                              QStringLiteral("llava"));
    QCommandLineOption outPath(QStringLiteral("out"),
                               QCoreApplication::translate("sdrt::cli", "Output file (default: a new file under WS/exports)."),
                               QStringLiteral("FILE"));
    QCommandLineOption policy(QStringLiteral("policy"),
                              QCoreApplication::translate("sdrt::cli", "Approval policy for this export, MIN_ACCEPTS,MAX_REJECTS "
                                                                       "(-1: rejects do not matter); default: the workspace's."),
                              QStringLiteral("P"));
    QCommandLineOption force(QStringLiteral("force"), QCoreApplication::translate("sdrt::cli", "Replace the output file if it exists (never a file of a workspace)."));
    p.addOptions({format, outPath, policy, force});
    if (!parseArgs(p, QStringLiteral("sdrt export"), args, 1))
        return 2;
    const QString f = p.value(format);
    if (f != QLatin1String("llava") && f != QLatin1String("flat"))
        return errorExit(QCoreApplication::translate("sdrt::cli", "Unknown export format \"%1\": use llava or flat.").arg(f));
    auto ws = openWorkspace(p.positionalArguments().first());
    if (!ws)
        return 2;
    auto session = review::ReviewSession::load(ws->db());
    if (!session)
        return errorExit(session.error());
    review::ReviewSession &rs = **session;
    if (p.isSet(policy)) {
        auto pol = review::ApprovalPolicy::parse(p.value(policy));
        if (!pol)
            return errorExit(pol.error());
        rs.usePolicy(*pol); // for this export only: the workspace setting is left as it is
    }
    const auto fmt = f == QLatin1String("llava") ? review::ExportFormat::Llava : review::ExportFormat::Flat;
    const QString path = p.isSet(outPath) ? p.value(outPath) : review::defaultExportPath(*ws, fmt);
    auto r = review::exportReviews(*ws, rs, fmt, path, p.isSet(force));
    if (!r)
        return errorExit(r.error());
    out(QCoreApplication::translate("sdrt::cli", "%1 lines written to %2 (policy: %3; %4 approved of %5 traces; reviewers: %6)")
            .arg(r->lines)
            .arg(r->path, rs.policy().describe())
            .arg(rs.approvedCount())
            .arg(rs.traceCount())
            .arg(rs.reviewers().isEmpty() ? QStringLiteral("-") : rs.reviewers().join(QStringLiteral(", "))));
    return 0;
}

// sdrt review accept-matching WS --reviewer NAME: the CLI twin of the review screen's bulk action,
// for simulated approval (demos, experiments): accepts, as NAME, every trace whose answer matches
// the item's reference and that NAME has not judged yet. What it prints says it is simulated.
int runReview(const QStringList &args)
{
    if (args.isEmpty() || args.first() != QLatin1String("accept-matching"))
        return errorExit(QStringLiteral("usage: sdrt review accept-matching WS [--reviewer NAME]"));
    QCommandLineParser p;
    workspaceCommand(p, QCoreApplication::translate(
        "sdrt::cli", "SIMULATED review: accept exactly the traces whose answer matches the reference answer."));
    QCommandLineOption reviewer(QStringLiteral("reviewer"), QCoreApplication::translate("sdrt::cli", "Reviewer name the verdicts are stored under."),
                                QStringLiteral("NAME"), QStringLiteral("simulated-reference-match"));
    p.addOption(reviewer);
    processArgs(p, QStringList{QStringLiteral("sdrt review accept-matching")} + args.mid(1));
    if (p.positionalArguments().size() != 1)
        return errorExit(p.helpText());
    if (p.value(reviewer).trimmed().isEmpty())
        return errorExit(QCoreApplication::translate("sdrt::cli", "--reviewer: a reviewer name cannot be empty."));
    // Simulated verdicts must never pass for a person's: their reviewer's name says so.
    if (!review::isSimulatedReviewer(p.value(reviewer)))
        return errorExit(QCoreApplication::translate("sdrt::cli", "--reviewer: \"%1\" is not a simulated reviewer's name. Verdicts made by this rule are "
                                                     "stored under a name that starts with \"%2\" (for example %2reference-match), so they are "
                                                     "never taken for a person's.")
                .arg(p.value(reviewer), QLatin1String(review::kSimulatedReviewerPrefix)));
    auto ws = openWorkspace(p.positionalArguments().first());
    if (!ws)
        return 2;
    auto session = review::ReviewSession::load(ws->db());
    if (!session)
        return errorExit(session.error());
    (*session)->setReviewer(p.value(reviewer));
    auto n = (*session)->acceptMatchingReference((*session)->items());
    if (!n)
        return errorExit(n.error());
    out(QCoreApplication::translate("sdrt::cli", "Simulated review by \"%1\": accepted %2 traces whose answer matches the reference "
                                                 "(%3 traces in all; approved now under the workspace policy: %4).")
            .arg(p.value(reviewer))
            .arg(*n)
            .arg((*session)->traceCount())
            .arg((*session)->approvedCount()));
    return 0;
}

} // namespace sdrt::cli
