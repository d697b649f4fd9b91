// Review state, undo/redo, approval policies, agreement and exports on real workspaces.

#include "sdrt/review/Agreement.h"
#include "sdrt/review/Export.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/Migrations.h"
#include "sdrt/store/ReviewRepository.h"
#include "sdrt/store/Workspace.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "support/JsonLines.h"
#include "support/SyntheticTraces.h"

using namespace sdrt;
using review::ReviewSession;
using review::Verdict;
using review::VerdictInput;

namespace {

VerdictInput accept() { return {Verdict::Accept, {}, {}, {}}; }
VerdictInput reject(const QStringList &tags = {}) { return {Verdict::Reject, tags, {}, {}}; }

} // namespace

class TestReview : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::optional<store::Workspace> makeWorkspace(const QString &name, int items)
    {
        auto ws = store::Workspace::create(m_tmp.filePath(name));
        if (!ws)
            return std::nullopt;
        testing::SyntheticParams p;
        p.items = items;
        p.prompts = {QStringLiteral("decompose"), QStringLiteral("count-measure"), QStringLiteral("text-layout")};
        if (auto r = testing::addSyntheticTraces(*ws, p); !r) {
            qWarning("%s", qPrintable(r.error()));
            return std::nullopt;
        }
        return std::move(*ws);
    }

private Q_SLOTS:
    void kappaMatchesHandComputedValues()
    {
        // Cohen: 20 both accept, 5 A only, 10 B only, 15 both reject. po = .7, pe = .5*.6 + .5*.4 = .5.
        std::vector<std::pair<bool, bool>> pairs;
        for (int i = 0; i < 20; ++i) pairs.emplace_back(true, true);
        for (int i = 0; i < 5; ++i) pairs.emplace_back(true, false);
        for (int i = 0; i < 10; ++i) pairs.emplace_back(false, true);
        for (int i = 0; i < 15; ++i) pairs.emplace_back(false, false);
        QCOMPARE(qRound(*review::cohenKappa(pairs) * 1e6), qRound(0.4 * 1e6));
        // Fleiss, 3 raters: rows [3,0] [0,3] [2,1] [1,2]: P = 1, 1, 1/3, 1/3 -> 2/3; pe = .5 -> 1/3.
        QCOMPARE(qRound(*review::fleissKappa({{3, 0}, {0, 3}, {2, 1}, {1, 2}}) * 1e6), qRound(1e6 / 3));
        // Perfect agreement, and undefined when everyone always says the same.
        QCOMPARE(*review::cohenKappa({{true, true}, {false, false}}), 1.0);
        QVERIFY(!review::cohenKappa({{true, true}, {true, true}}));
        QVERIFY(!review::fleissKappa({{2, 1}, {3}})); // ragged rows are refused
    }

    void verdictsAreAppendedAndUndoRedoWriteRows()
    {
        auto ws = makeWorkspace(QStringLiteral("undo"), 4);
        QVERIFY(ws);
        auto s = ReviewSession::load(ws->db());
        QVERIFY2(s, s ? "" : qPrintable(s.error()));
        ReviewSession &rs = **s;
        QCOMPARE(rs.items().size(), std::size_t(4));
        QCOMPARE(rs.traceCount(), 12);
        QVERIFY(!rs.record({rs.traces(rs.items()[0])[0]->traceId}, accept())); // no reviewer yet
        rs.setReviewer(QStringLiteral("佐藤"));
        const auto t = rs.traces(rs.items()[0]);
        QVERIFY(rs.record({t[0]->traceId}, accept()));
        QVERIFY(rs.record({t[1]->traceId}, reject({QStringLiteral("wrong count")})));
        QCOMPARE(rs.itemState(rs.items()[0]), review::ItemState::Partly);
        QVERIFY(rs.record({t[1]->traceId}, accept())); // change of mind
        QVERIFY(rs.record({t[2]->traceId}, {Verdict::Skip, {}, {}, QStringLiteral("unsure")}));
        QCOMPARE(rs.itemState(rs.items()[0]), review::ItemState::Done);
        QVERIFY(rs.undo()); // the skip
        QCOMPARE(rs.verdict(t[2]->traceId), Verdict::None);
        QVERIFY(rs.undo()); // back to the reject
        QCOMPARE(rs.verdict(t[1]->traceId), Verdict::Reject);
        QCOMPARE(rs.currentReview(t[1]->traceId, QStringLiteral("佐藤"))->reasonTags, QStringList{QStringLiteral("wrong count")});
        QVERIFY(rs.redo());
        QCOMPARE(rs.verdict(t[1]->traceId), Verdict::Accept);
        QVERIFY(rs.canRedo());

        auto history = store::ReviewRepository(ws->db()).history();
        QVERIFY(history);
        QStringList log;
        for (const store::Review &r : *history)
            log << store::verdictName(r.verdict) + QLatin1Char('/') + store::reviewOriginName(r.origin);
        QCOMPARE(log, (QStringList{"accept/verdict", "reject/verdict", "accept/verdict", "skip/verdict", "clear/undo", "reject/undo",
                                   "accept/redo"}));
        // The table refuses updates and deletes.
        QVERIFY(!ws->db().exec("DELETE FROM reviews"));
        QVERIFY(!ws->db().exec("UPDATE reviews SET verdict = 'accept'"));

        // A new session (a restart) derives the same state from the rows.
        auto again = ReviewSession::load(ws->db());
        QVERIFY(again);
        QCOMPARE((*again)->verdict(t[0]->traceId, QStringLiteral("佐藤")), Verdict::Accept);
        QCOMPARE((*again)->verdict(t[1]->traceId, QStringLiteral("佐藤")), Verdict::Accept);
        QCOMPARE((*again)->verdict(t[2]->traceId, QStringLiteral("佐藤")), Verdict::None);
        QCOMPARE((*again)->reviewers(), QStringList{QStringLiteral("佐藤")});
    }

    void undoIsPerReviewer()
    {
        auto ws = makeWorkspace(QStringLiteral("per-reviewer"), 2);
        QVERIFY(ws);
        auto s = ReviewSession::load(ws->db());
        QVERIFY(s);
        ReviewSession &rs = **s;
        const auto t = rs.traces(rs.items()[0]);
        const QString alice = QStringLiteral("alice"), bob = QStringLiteral("bob");
        rs.setReviewer(alice);
        QVERIFY(rs.record({t[0]->traceId}, accept()));
        rs.setReviewer(bob);
        QVERIFY(!rs.canUndo()); // bob has done nothing yet
        QVERIFY(rs.undoText().isEmpty());
        QVERIFY(rs.undo());     // a no-op, and it must not touch alice's verdict
        QCOMPARE(rs.verdict(t[0]->traceId, alice), Verdict::Accept);
        QVERIFY(rs.record({t[1]->traceId}, reject()));
        QCOMPARE(rs.undoTraces(), std::vector<store::Id>{t[1]->traceId});
        QVERIFY(rs.undo());
        QCOMPARE(rs.verdict(t[1]->traceId, bob), Verdict::None);
        QVERIFY(!rs.canUndo());
        QVERIFY(rs.canRedo());
        QVERIFY(rs.undo());
        QCOMPARE(rs.verdict(t[0]->traceId, alice), Verdict::Accept);
        // Back to alice: her history is there, bob's redo is not hers.
        rs.setReviewer(alice);
        QVERIFY(!rs.canRedo());
        QCOMPARE(rs.undoTraces(), std::vector<store::Id>{t[0]->traceId});
        QVERIFY(rs.undo());
        QCOMPARE(rs.verdict(t[0]->traceId, alice), Verdict::None);
        rs.setReviewer(bob);
        QVERIFY(rs.redo());
        QCOMPARE(rs.verdict(t[1]->traceId, bob), Verdict::Reject);
        QCOMPARE(rs.verdict(t[0]->traceId, alice), Verdict::None);
        // Every undo and redo row is the reviewer's own.
        auto history = store::ReviewRepository(ws->db()).history();
        QVERIFY(history);
        QStringList log;
        for (const store::Review &r : *history)
            log << r.reviewer + QLatin1Char('/') + store::verdictName(r.verdict) + QLatin1Char('/') + store::reviewOriginName(r.origin);
        QCOMPARE(log, (QStringList{"alice/accept/verdict", "bob/reject/verdict", "bob/clear/undo", "alice/clear/undo", "bob/reject/redo"}));
    }

    void undoHistorySurvivesAReload()
    {
        auto ws = makeWorkspace(QStringLiteral("reload"), 2);
        QVERIFY(ws);
        auto s = ReviewSession::load(ws->db());
        QVERIFY(s);
        ReviewSession &rs = **s;
        rs.setReviewer(QStringLiteral("alice"));
        const store::Id first = rs.traces(rs.items()[0])[0]->traceId;
        QVERIFY(rs.record({first}, accept()));
        QVERIFY(rs.record({first}, reject({QStringLiteral("wrong count")})));
        // A generation run adds items and traces; the session rereads the workspace.
        testing::SyntheticParams more;
        more.items = 2;
        more.seed = 7;
        more.prompts = {QStringLiteral("decompose")};
        QVERIFY(testing::addSyntheticTraces(*ws, more));
        QVERIFY(rs.reload());
        QCOMPARE(rs.items().size(), std::size_t(4));
        QCOMPARE(rs.verdict(first), Verdict::Reject);
        QVERIFY(rs.canUndo());
        QVERIFY(rs.undo());
        QCOMPARE(rs.verdict(first), Verdict::Accept);
        QVERIFY(rs.undo());
        QCOMPARE(rs.verdict(first), Verdict::None);
        QVERIFY(rs.redo());
        QCOMPARE(rs.verdict(first), Verdict::Accept);
        QCOMPARE(rs.approvedCount(), 1); // the state derived from the reread rows, then the redo
    }

    void concurrentAppendsGetDistinctActionIds()
    {
        // Two sessions on their own connections (as two processes) record a verdict each while a
        // third connection holds the write lock. When it lets go, each append must take its
        // action id inside its own write transaction: one id read before the lock and used after
        // it would be the same for both.
        auto ws = makeWorkspace(QStringLiteral("race"), 2);
        QVERIFY(ws);
        std::vector<store::Id> ids;
        {
            auto s = ReviewSession::load(ws->db());
            QVERIFY(s);
            for (const auto *t : (*s)->traces((*s)->items()[0]))
                ids.push_back(t->traceId);
        }
        auto blocker = ws->connect();
        QVERIFY(blocker);
        QVERIFY(blocker->exec("BEGIN IMMEDIATE"));
        std::atomic<int> loaded{0};
        QString errors[2];
        auto reviewOne = [&](int who) {
            auto db = ws->connect();
            if (!db) {
                errors[who] = db.error();
                ++loaded;
                return;
            }
            auto s = ReviewSession::load(*db);
            if (!s) {
                errors[who] = s.error();
                ++loaded;
                return;
            }
            (*s)->setReviewer(who == 0 ? QStringLiteral("alice") : QStringLiteral("bob"));
            ++loaded;
            if (auto r = (*s)->record({ids[std::size_t(who)]}, accept()); !r)
                errors[who] = r.error();
        };
        std::thread a(reviewOne, 0), b(reviewOne, 1);
        while (loaded < 2)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        // Both are now inside record(), waiting for the lock (busy timeout 20 s).
        std::this_thread::sleep_for(std::chrono::milliseconds(400));
        QVERIFY(blocker->exec("COMMIT"));
        a.join();
        b.join();
        QVERIFY2(errors[0].isEmpty(), qPrintable(errors[0]));
        QVERIFY2(errors[1].isEmpty(), qPrintable(errors[1]));
        auto history = store::ReviewRepository(ws->db()).history();
        QVERIFY(history);
        QCOMPARE(history->size(), std::size_t(2));
        QVERIFY(history->at(0).actionId && history->at(1).actionId);
        QVERIFY(*history->at(0).actionId != *history->at(1).actionId);
        QCOMPARE(std::set<store::Id>({*history->at(0).actionId, *history->at(1).actionId}), (std::set<store::Id>{1, 2}));
    }

    void bulkAcceptMatchingReferenceIsOneUndoStep()
    {
        auto ws = makeWorkspace(QStringLiteral("bulk"), 20);
        QVERIFY(ws);
        auto s = ReviewSession::load(ws->db());
        QVERIFY(s);
        ReviewSession &rs = **s;
        rs.setReviewer(QStringLiteral("a"));
        int matching = 0, total = 0;
        for (store::Id item : rs.items())
            for (const review::TraceInfo *t : rs.traces(item)) {
                ++total;
                matching += t->matchesReference.value_or(false);
            }
        QVERIFY(matching > 0 && matching < total); // the synthetic answers are a real mix
        const store::Id rejected = rs.traces(rs.items()[0])[0]->traceId;
        QVERIFY(rs.record({rejected}, reject()));
        auto n = rs.acceptMatchingReference(rs.items());
        QVERIFY(n);
        const bool rejectedMatches = rs.trace(rejected)->matchesReference.value_or(false);
        QCOMPARE(*n, matching - (rejectedMatches ? 1 : 0)); // an existing verdict is left alone
        QCOMPARE(rs.verdict(rejected), Verdict::Reject);
        QCOMPARE(rs.progress(rs.items()).reviewed, *n + 1);
        QVERIFY(rs.undo());
        QCOMPARE(rs.progress(rs.items()).reviewed, 1);
        QVERIFY(rs.redo());
        QCOMPARE(rs.progress(rs.items()).reviewed, *n + 1);
    }

    void policiesDecideApproval()
    {
        auto ws = makeWorkspace(QStringLiteral("policy"), 2);
        QVERIFY(ws);
        auto s = ReviewSession::load(ws->db());
        QVERIFY(s);
        ReviewSession &rs = **s;
        const auto t = rs.traces(rs.items()[0]);
        // t0: a accepts, b accepts; t1: a accepts, b rejects; t2: a accepts, b skips.
        rs.setReviewer(QStringLiteral("a"));
        QVERIFY(rs.record({t[0]->traceId, t[1]->traceId, t[2]->traceId}, accept()));
        rs.setReviewer(QStringLiteral("b"));
        QVERIFY(rs.record({t[0]->traceId}, accept()));
        QVERIFY(rs.record({t[1]->traceId}, reject()));
        QVERIFY(rs.record({t[2]->traceId}, {Verdict::Skip, {}, {}, {}}));
        auto approved = [&] {
            std::vector<bool> out;
            for (const auto *trace : t)
                out.push_back(rs.isApproved(trace->traceId));
            return out;
        };
        QCOMPARE(rs.policy(), (review::ApprovalPolicy{1, 0})); // the default
        QCOMPARE(approved(), (std::vector<bool>{true, false, true}));
        QCOMPARE(rs.approvedCount(), 2);
        QVERIFY(rs.setPolicy({2, -1})); // two accepts, rejects do not matter
        QCOMPARE(approved(), (std::vector<bool>{true, false, false}));
        QVERIFY(rs.setPolicy({1, -1}));
        QCOMPARE(approved(), (std::vector<bool>{true, true, true}));
        QVERIFY(rs.setPolicy({1, 1}));
        QCOMPARE(rs.approvedCount(), 3);
        QVERIFY(rs.isConflict(t[1]->traceId));
        QVERIFY(!rs.isConflict(t[0]->traceId));
        QCOMPARE(rs.queue({review::QueueFilter::State::Conflict, {}, {}, {}}), std::vector<store::Id>{rs.items()[0]});
        // The policy is a workspace setting: a new session reads it.
        auto again = ReviewSession::load(ws->db());
        QVERIFY(again);
        QCOMPARE((*again)->policy(), (review::ApprovalPolicy{1, 1}));
        QVERIFY(!review::ApprovalPolicy::parse(QStringLiteral("0,0")));
        QCOMPARE(*review::ApprovalPolicy::parse(QStringLiteral("2,-1")), (review::ApprovalPolicy{2, -1}));
    }

    void agreementFromStoredVerdicts()
    {
        auto ws = makeWorkspace(QStringLiteral("kappa"), 4); // 12 traces, 3 prompts
        QVERIFY(ws);
        auto s = ReviewSession::load(ws->db());
        QVERIFY(s);
        ReviewSession &rs = **s;
        std::vector<store::Id> ids;
        for (store::Id item : rs.items())
            for (const auto *t : rs.traces(item))
                ids.push_back(t->traceId);
        // Two reviewers on 10 traces: both accept 0-3, a-only 4, b-only 5-6, both reject 7-9;
        // trace 10 skipped by b and trace 11 unreviewed by b (left out).
        // po = 7/10, pa = .5, pb = .6, pe = .5 -> kappa .4.
        auto verdictOf = [](bool accept) { return accept ? VerdictInput{Verdict::Accept, {}, {}, {}} : VerdictInput{Verdict::Reject, {}, {}, {}}; };
        rs.setReviewer(QStringLiteral("a"));
        for (int i = 0; i < 12; ++i)
            QVERIFY(rs.record({ids[std::size_t(i)]}, verdictOf(i <= 4)));
        rs.setReviewer(QStringLiteral("b"));
        for (int i = 0; i < 10; ++i)
            QVERIFY(rs.record({ids[std::size_t(i)]}, verdictOf(i <= 3 || i == 5 || i == 6)));
        QVERIFY(rs.record({ids[10]}, {Verdict::Skip, {}, {}, {}}));
        auto two = rs.agreement({QStringLiteral("a"), QStringLiteral("b")});
        QCOMPARE(two.front().method, review::AgreementMethod::CohenKappa);
        QCOMPARE(two.front().traces, 10);
        QCOMPARE(qRound(two.front().observed * 100), 70);
        QCOMPARE(qRound(*two.front().kappa * 1e6), qRound(0.4 * 1e6));
        QCOMPARE(two.size(), std::size_t(4)); // overall + 3 prompts
        int perPrompt = 0;
        for (std::size_t i = 1; i < two.size(); ++i)
            perPrompt += two[i].traces;
        QCOMPARE(perPrompt, 10);
        // A third reviewer on traces 0-3: a, b, c counts [3,0] [3,0] [2,1] [2,1] -> Fleiss by hand:
        // P = 1, 1, 1/3, 1/3 -> 2/3; p(accept) = 10/12 -> pe = 26/36; kappa = (2/3 - 26/36) / (10/36) = -0.2.
        rs.setReviewer(QStringLiteral("c"));
        for (int i = 0; i < 4; ++i)
            QVERIFY(rs.record({ids[std::size_t(i)]}, verdictOf(i <= 1)));
        auto three = rs.agreement({QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")});
        QCOMPARE(three.front().method, review::AgreementMethod::FleissKappa);
        QCOMPARE(three.front().traces, 4);
        QCOMPARE(qRound(*three.front().kappa * 1e6), qRound(-0.2 * 1e6));
    }

    void exportsApprovedTracesAndTheWholeHistory()
    {
        auto ws = makeWorkspace(QStringLiteral("輸出"), 3);
        QVERIFY(ws);
        auto s = ReviewSession::load(ws->db());
        QVERIFY(s);
        ReviewSession &rs = **s;
        rs.setReviewer(QStringLiteral("鈴木"));
        const auto t0 = rs.traces(rs.items()[0]);
        const auto t1 = rs.traces(rs.items()[1]);
        QVERIFY(rs.record({t0[0]->traceId, t1[2]->traceId}, accept()));
        QVERIFY(rs.record({t0[1]->traceId}, {Verdict::Reject, {QStringLiteral("wrong count")}, QStringLiteral("1. The photo shows"), QStringLiteral("穴は4つ")}));
        QVERIFY(rs.record({t0[2]->traceId}, accept()));
        QVERIFY(rs.undo()); // t0[2] back to no verdict: not exported

        const QString llava = ws->absolutePath(QStringLiteral("exports/llava.jsonl"));
        auto r = review::exportReviews(*ws, rs, review::ExportFormat::Llava, llava);
        QVERIFY2(r, r ? "" : qPrintable(r.error()));
        QCOMPARE(r->lines, 2);
        const auto lines = testing::readJsonLines(llava);
        QCOMPARE(lines.size(), std::size_t(2));
        const QJsonObject first = lines[0];
        QCOMPARE(first.value("image").toString(), QStringLiteral("assets/synthetic-part.png"));
        QVERIFY(QFile::exists(ws->absolutePath(first.value("image").toString())));
        const QJsonArray conv = first.value("conversations").toArray();
        QCOMPARE(conv.size(), 2);
        QCOMPARE(conv[0].toObject().value("from").toString(), QStringLiteral("human"));
        QVERIFY(conv[0].toObject().value("value").toString().startsWith(QStringLiteral("<image>\n")));
        QCOMPARE(conv[1].toObject().value("from").toString(), QStringLiteral("gpt"));
        QVERIFY(conv[1].toObject().value("value").toString().contains(QStringLiteral("\nAnswer: ")));
        const QJsonObject prov = first.value("sdrt").toObject();
        QCOMPARE(qint64(prov.value("trace_id").toDouble()), qint64(t0[0]->traceId));
        QCOMPARE(prov.value("prompt").toString(), t0[0]->promptName);
        QCOMPARE(prov.value("accepted_by").toArray().first().toString(), QStringLiteral("鈴木"));
        QCOMPARE(qint64(lines[1].value("sdrt").toObject().value("trace_id").toDouble()), qint64(t1[2]->traceId));

        const QString flat = ws->absolutePath(QStringLiteral("exports/flat.jsonl"));
        auto f = review::exportReviews(*ws, rs, review::ExportFormat::Flat, flat);
        QVERIFY(f);
        const auto rows = testing::readJsonLines(flat);
        QCOMPARE(rows.size(), std::size_t(5)); // 2 accepts, reject, accept, its undo
        const QJsonObject rejected = rows[2];
        QCOMPARE(rejected.value("verdict").toString(), QStringLiteral("reject"));
        QCOMPARE(rejected.value("reason_tags").toArray().first().toString(), QStringLiteral("wrong count"));
        QCOMPARE(rejected.value("first_wrong_step").toString(), QStringLiteral("1. The photo shows"));
        QCOMPARE(rejected.value("comment").toString(), QStringLiteral("穴は4つ"));
        QCOMPARE(rejected.value("reviewer").toString(), QStringLiteral("鈴木"));
        QCOMPARE(rejected.value("approved_now").toBool(), false);
        QVERIFY(!rejected.value("model").toString().isEmpty());
        QCOMPARE(rows[4].value("origin").toString(), QStringLiteral("undo"));
        QCOMPARE(rows[4].value("verdict").toString(), QStringLiteral("clear"));
        // A folder that cannot be written gives an error naming the path, and no file.
        auto bad = review::exportReviews(*ws, rs, review::ExportFormat::Llava, m_tmp.filePath(QStringLiteral("no/such/dir/x.jsonl")));
        QVERIFY(!bad);
        QVERIFY(bad.error().contains(QStringLiteral("x.jsonl")));
    }

    void exportFromTheCommandLine()
    {
        auto ws = makeWorkspace(QStringLiteral("cli"), 2);
        QVERIFY(ws);
        {
            auto s = ReviewSession::load(ws->db());
            QVERIFY(s);
            const auto t = (*s)->traces((*s)->items()[0]);
            (*s)->setReviewer(QStringLiteral("a"));
            QVERIFY((*s)->record({t[0]->traceId, t[1]->traceId}, accept()));
            (*s)->setReviewer(QStringLiteral("b"));
            QVERIFY((*s)->record({t[0]->traceId}, accept()));
            QVERIFY((*s)->record({t[1]->traceId}, reject()));
        }
        const QString sdrt = qEnvironmentVariable("SDRT_TEST_BINARY_DIR") + QStringLiteral("/app/sdrt");
        auto run = [&](const QStringList &args) {
            QProcess p;
            p.start(sdrt, args);
            p.waitForFinished(60000);
            return std::make_pair(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError()));
        };
        const QString out = m_tmp.filePath(QStringLiteral("cli-llava.jsonl"));
        // The workspace policy (one accept, no reject): only t0. With --policy 1,-1: t0 and t1.
        auto [code, text] = run({QStringLiteral("export"), ws->root(), QStringLiteral("--out"), out});
        QVERIFY2(code == 0, qPrintable(text));
        QCOMPARE(testing::readJsonLines(out).size(), std::size_t(1));
        // The file exists now: it is replaced only with --force.
        std::tie(code, text) = run({QStringLiteral("export"), ws->root(), QStringLiteral("--out"), out, QStringLiteral("--policy"), QStringLiteral("1,-1")});
        QCOMPARE(code, 2);
        QVERIFY2(text.contains(QStringLiteral("already exists")), qPrintable(text));
        QCOMPARE(testing::readJsonLines(out).size(), std::size_t(1));
        std::tie(code, text) = run({QStringLiteral("export"), ws->root(), QStringLiteral("--out"), out, QStringLiteral("--policy"), QStringLiteral("1,-1"),
                                    QStringLiteral("--force")});
        QVERIFY2(code == 0, qPrintable(text));
        QCOMPARE(testing::readJsonLines(out).size(), std::size_t(2));
        auto s = ReviewSession::load(ws->db());
        QVERIFY(s);
        QCOMPARE((*s)->policy(), (review::ApprovalPolicy{1, 0})); // --policy did not change the workspace
        std::tie(code, text) = run({QStringLiteral("export"), ws->root(), QStringLiteral("--format"), QStringLiteral("flat")});
        QVERIFY2(code == 0, qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("exports/reviews-flat-")), qPrintable(text));
        std::tie(code, text) = run({QStringLiteral("export"), ws->root(), QStringLiteral("--policy"), QStringLiteral("x")});
        QCOMPARE(code, 2);
        QVERIFY(text.contains(QStringLiteral("MIN_ACCEPTS,MAX_REJECTS")));
    }

    void reviewsOfASchema2WorkspaceSurviveTheMigration()
    {
        // A database at schema 2 with a trace and two reviews, then opened as a workspace.
        const QString dir = m_tmp.filePath(QStringLiteral("v2"));
        QVERIFY(QDir().mkpath(dir));
        {
            auto db = store::Database::open(dir + QStringLiteral("/workspace.sqlite"), store::Database::Mode::ReadWriteCreate);
            QVERIFY(db);
            const std::vector<store::Migration> upTo2(store::migrations().begin(), store::migrations().begin() + 2);
            QVERIFY(store::migrate(*db, upTo2));
            QVERIFY(db->exec("INSERT INTO items (id, question, fingerprint) VALUES (1, 'q', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');"));
            QVERIFY(db->exec("INSERT INTO prompts (id, name, version, content_hash, body) VALUES (1, 'p', 1, 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'x');"));
            QVERIFY(db->exec("INSERT INTO models (id, name, path, content_hash, role) VALUES (1, 'm', 'm', 'cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc', 'base');"));
            QVERIFY(db->exec("INSERT INTO generation_runs (id, model_id, seed, status) VALUES (1, 1, 1, 'done');"));
            QVERIFY(db->exec("INSERT INTO traces (id, item_id, prompt_id, run_id, model_id, sample_index, parsed_answer, status)"
                             " VALUES (1, 1, 1, 1, 1, 0, '4', 'ok');"));
            QVERIFY(db->exec("INSERT INTO reviews (trace_id, reviewer, verdict, reason_tags, comment)"
                             " VALUES (1, '田中', 'reject', '[\"wrong count\"]', 'c'), (1, '田中', 'accept', '[]', NULL);"));
        }
        for (const char *sub : {"assets", "models", "runs", "exports"})
            QVERIFY(QDir(dir).mkpath(QString::fromLatin1(sub)));
        auto ws = store::Workspace::open(dir);
        QVERIFY2(ws, ws ? "" : qPrintable(ws.error()));
        QCOMPARE(*ws->db().pragmaInt("user_version"), std::int64_t(store::currentSchemaVersion()));
        auto history = store::ReviewRepository(ws->db()).history();
        QVERIFY(history);
        QCOMPARE(history->size(), std::size_t(2));
        QCOMPARE(history->at(0).reasonTags, QStringList{QStringLiteral("wrong count")});
        QCOMPARE(history->at(0).origin, store::ReviewOrigin::Verdict);
        {
            // As stored: the migration wrote the name, not a default the read filled in.
            auto st = ws->db().prepare("SELECT origin FROM reviews ORDER BY id LIMIT 1");
            QVERIFY(st);
            auto row = st->step();
            QVERIFY(row && *row);
            QCOMPARE(st->text(0), QStringLiteral("verdict"));
        }
        QVERIFY(!history->at(0).actionId);
        auto s = ReviewSession::load(ws->db());
        QVERIFY(s);
        QCOMPARE((*s)->verdict(1, QStringLiteral("田中")), Verdict::Accept);
        QVERIFY(!ws->db().exec("DELETE FROM reviews")); // still append-only
    }

    void reasonTagsAreAWorkspaceSetting()
    {
        auto ws = makeWorkspace(QStringLiteral("tags"), 1);
        QVERIFY(ws);
        auto s = ReviewSession::load(ws->db());
        QVERIFY(s);
        QCOMPARE((*s)->reasonTags(), ReviewSession::defaultReasonTags());
        QVERIFY((*s)->setReasonTags({QStringLiteral("寸法違い"), QStringLiteral(" wrong count "), QString()}));
        QVERIFY(!(*s)->setReasonTags({QStringLiteral("  ")}));
        auto again = ReviewSession::load(ws->db());
        QVERIFY(again);
        QCOMPARE((*again)->reasonTags(), (QStringList{QStringLiteral("寸法違い"), QStringLiteral("wrong count")}));
    }
};

QTEST_GUILESS_MAIN(TestReview)
#include "tst_review.moc"
