// Workspace store: creation, migrations, newer-version refusal, constraints, repositories.

#include "sdrt/store/AssetRepository.h"
#include "sdrt/store/Database.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/Migrations.h"
#include "sdrt/store/ModelRepository.h"
#include "sdrt/store/ProcessLock.h"
#include "sdrt/store/PromptRepository.h"
#include "sdrt/store/RunProtocol.h"
#include "sdrt/store/Workspace.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace sdrt::store;

namespace {

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

QString hex64(char c)
{
    return QString(64, QLatin1Char(c));
}

Item makeItem(const QString &question, const QString &family, const QString &split, char fp)
{
    Item item;
    item.question = question;
    item.taskFamily = family;
    item.split = splitFromString(split).value();
    item.fingerprint = hex64(fp);
    return item;
}

} // namespace

class TestStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void anotherProcessIsKnownByItsIdentity()
    {
        // A process named by pid and start time: alive while it runs, dead once it ended, even
        // if its pid is given to another program later.
        QCOMPARE(ProcessLock::processIdentity(QCoreApplication::applicationPid()), ProcessLock::processIdentity());
        QProcess sleeper;
        sleeper.start(QStringLiteral("sleep"), {QStringLiteral("30")});
        QVERIFY(sleeper.waitForStarted());
        const QString identity = ProcessLock::processIdentity(sleeper.processId());
        QCOMPARE(ProcessLock::identityLiveness(identity), ProcessLock::Liveness::Alive);
        sleeper.kill();
        QVERIFY(sleeper.waitForFinished());
        QCOMPARE(ProcessLock::identityLiveness(identity), ProcessLock::Liveness::Dead);
        // The same pid with another start time is not that process.
        QStringList parts = ProcessLock::processIdentity().split(QLatin1Char(' '));
        parts[3] = QString::number(parts[3].toLongLong() + 1);
        QCOMPARE(ProcessLock::identityLiveness(parts.join(QLatin1Char(' '))), ProcessLock::Liveness::Dead);
    }

    void createMakesLayoutAndCurrentSchema()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("作業スペース"));
        auto ws = Workspace::create(dir);
        QVERIFY2(ws, ws ? "" : qPrintable(ws.error()));
        for (const char *sub : {"assets", "models", "runs", "exports"})
            QVERIFY(QFileInfo(QDir(dir).filePath(QString::fromLatin1(sub))).isDir());
        QCOMPARE(*ws->db().pragmaInt("user_version"), std::int64_t(currentSchemaVersion()));
        QCOMPARE(*ws->db().pragmaInt("foreign_keys"), std::int64_t(1));
        auto mode = ws->db().prepare("PRAGMA journal_mode");
        QVERIFY(mode && *mode->step());
        QCOMPARE(mode->text(0), QStringLiteral("wal"));

        auto again = Workspace::create(dir);
        QVERIFY(!again);
        QVERIFY(again.error().contains(QStringLiteral("already holds a workspace")));
    }

    void openMissingWorkspaceNamesTheFile()
    {
        QTemporaryDir tmp;
        auto ws = Workspace::open(tmp.path());
        QVERIFY(!ws);
        QVERIFY(ws.error().contains(QStringLiteral("workspace.sqlite")));
    }

    void newerSchemaIsRefusedAndLeftUnchanged()
    {
        QTemporaryDir tmp;
        {
            auto ws = Workspace::create(tmp.path());
            QVERIFY(ws);
            QVERIFY(ws->db().exec("PRAGMA user_version = 999"));
            QVERIFY(ws->db().exec("PRAGMA wal_checkpoint(TRUNCATE)"));
        }
        const QString file = QDir(tmp.path()).filePath(QStringLiteral("workspace.sqlite"));
        const QByteArray before = fileHash(file);
        auto ws = Workspace::open(tmp.path());
        QVERIFY(!ws);
        QVERIFY2(ws.error().contains(QStringLiteral("newer version")), qPrintable(ws.error()));
        QVERIFY(ws.error().contains(QStringLiteral("999")));
        QCOMPARE(fileHash(file), before);
        auto raw = Database::open(file, Database::Mode::ReadOnly);
        QVERIFY(raw);
        QCOMPARE(*raw->pragmaInt("user_version"), std::int64_t(999));
    }

    void olderSchemaMigrates()
    {
        QTemporaryDir tmp;
        QVERIFY(QDir(tmp.path()).mkpath(QStringLiteral("assets")));
        const QString file = QDir(tmp.path()).filePath(QStringLiteral("workspace.sqlite"));
        {
            // A version-0 database: what an interrupted first creation leaves behind.
            auto raw = Database::open(file, Database::Mode::ReadWriteCreate);
            QVERIFY(raw);
            QVERIFY(raw->exec("CREATE TABLE unrelated (x INTEGER)"));
        }
        auto ws = Workspace::open(tmp.path());
        QVERIFY2(ws, ws ? "" : qPrintable(ws.error()));
        QCOMPARE(*ws->db().pragmaInt("user_version"), std::int64_t(currentSchemaVersion()));
        ItemRepository items(ws->db());
        QCOMPARE(*items.count(), std::int64_t(0));
    }

    void failedMigrationRollsBackCompletely()
    {
        QTemporaryDir tmp;
        auto db = Database::open(tmp.filePath(QStringLiteral("m.sqlite")), Database::Mode::ReadWriteCreate);
        QVERIFY(db);
        const std::vector<Migration> list = {
            {1, "CREATE TABLE a (x INTEGER);"},
            {2, "CREATE TABLE b (x INTEGER); INSERT INTO missing_table VALUES (1);"},
        };
        auto r = migrate(*db, list);
        QVERIFY(!r);
        QVERIFY2(r.error().contains(QStringLiteral("schema 2")), qPrintable(r.error()));
        QCOMPARE(*db->pragmaInt("user_version"), std::int64_t(1));
        auto s = db->prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'b'");
        QVERIFY(s && *s->step());
        QCOMPARE(s->int64(0), std::int64_t(0));
    }

    void constraintsHold()
    {
        QTemporaryDir tmp;
        auto ws = Workspace::create(tmp.path());
        QVERIFY(ws);
        Database &db = ws->db();
        QVERIFY(!db.exec("INSERT INTO items (question, split, fingerprint) VALUES ('q', 'test', '" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "')"));
        QVERIFY(!db.exec("INSERT INTO items (question, answer_type, fingerprint) VALUES ('q', 'colour', '" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "')"));
        ItemRepository items(db);
        auto id = items.insert(makeItem(QStringLiteral("q"), QString(), QStringLiteral("train"), 'a'));
        QVERIFY(id);
        // Same fingerprint twice: refused.
        QVERIFY(!items.insert(makeItem(QStringLiteral("q2"), QString(), QStringLiteral("train"), 'a')));
        // An item_assets row pointing at a missing asset: refused by the foreign key.
        auto link = db.prepare("INSERT INTO item_assets (item_id, asset_id, role, ord) VALUES (?, 4242, 'photo', 0)");
        QVERIFY(link);
        link->bind(1, *id);
        auto r = link->run();
        QVERIFY(!r);
        QVERIFY2(r.error().contains(QStringLiteral("FOREIGN KEY")), qPrintable(r.error()));
    }

    void reviewsAreAppendOnlyAndPromptsImmutable()
    {
        QTemporaryDir tmp;
        auto ws = Workspace::create(tmp.path());
        QVERIFY(ws);
        Database &db = ws->db();
        ItemRepository items(db);
        auto item = items.insert(makeItem(QStringLiteral("q"), QString(), QStringLiteral("train"), 'b'));
        QVERIFY(item);
        PromptRepository prompts(db);
        auto pid = prompts.registerVersion({0, QStringLiteral("p"), 1, hex64('1'), QString(), QStringLiteral("body")});
        QVERIFY(pid);
        QVERIFY(db.exec(("INSERT INTO models (name, path, content_hash, role) VALUES ('m', 'models/m', '" + hex64('2').toLatin1() + "', 'base')").constData()));
        QVERIFY(db.exec("INSERT INTO generation_runs (model_id, seed, status) VALUES (1, 1, 'done')"));
        QVERIFY(db.exec(QByteArray("INSERT INTO traces (item_id, prompt_id, run_id, sample_index, status) VALUES (" + QByteArray::number(*item) + ", " + QByteArray::number(*pid) + ", 1, 0, 'ok')").constData()));
        QVERIFY(db.exec("INSERT INTO reviews (trace_id, reviewer, verdict) VALUES (1, 'tanaka', 'accept')"));
        auto upd = db.exec("UPDATE reviews SET verdict = 'reject'");
        QVERIFY(!upd);
        QVERIFY(upd.error().contains(QStringLiteral("append-only")));
        QVERIFY(!db.exec("DELETE FROM reviews"));
        auto pupd = db.exec("UPDATE prompts SET body = 'changed'");
        QVERIFY(!pupd);
        QVERIFY(pupd.error().contains(QStringLiteral("immutable")));
    }

    void promptVersionsAreImmutableInTheRepository()
    {
        QTemporaryDir tmp;
        auto ws = Workspace::create(tmp.path());
        QVERIFY(ws);
        PromptRepository repo(ws->db());
        auto a = repo.registerVersion({0, QStringLiteral("decompose"), 1, hex64('a'), QString(), QStringLiteral("x")});
        QVERIFY(a);
        auto same = repo.registerVersion({0, QStringLiteral("decompose"), 1, hex64('a'), QString(), QStringLiteral("x")});
        QVERIFY(same);
        QCOMPARE(*same, *a);
        auto changed = repo.registerVersion({0, QStringLiteral("decompose"), 1, hex64('b'), QString(), QStringLiteral("y")});
        QVERIFY(!changed);
        QVERIFY(changed.error().contains(QStringLiteral("new version")));
        auto v2 = repo.registerVersion({0, QStringLiteral("decompose"), 2, hex64('b'), QString(), QStringLiteral("y")});
        QVERIFY(v2);
        QCOMPARE(repo.list()->size(), size_t(2));
    }

    void modelsAreRegisteredByContent()
    {
        QTemporaryDir tmp;
        auto ws = Workspace::create(tmp.filePath(QStringLiteral("ws")));
        QVERIFY(ws);
        const QString dir = tmp.filePath(QStringLiteral("モデル"));
        QVERIFY(QDir().mkpath(dir + QStringLiteral("/checkpoints")));
        auto write = [](const QString &path, const QByteArray &bytes) {
            QFile f(path);
            return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
        };
        QVERIFY(write(dir + QStringLiteral("/config.json"), R"({"model_type":"llava"})"));
        QVERIFY(write(dir + QStringLiteral("/model.safetensors"), QByteArray(1000, 'w')));
        QVERIFY(write(dir + QStringLiteral("/training_log.jsonl"), "{}\n"));
        auto h1 = modelContentHash(dir);
        QVERIFY2(h1, h1 ? "" : qPrintable(h1.error()));
        QCOMPARE(h1->size(), 64);
        // Logs and checkpoints do not count; weights do.
        QVERIFY(write(dir + QStringLiteral("/training_log.jsonl"), "{\"step\":1}\n"));
        QVERIFY(write(dir + QStringLiteral("/checkpoints/checkpoint.safetensors"), "x"));
        QCOMPARE(*modelContentHash(dir), *h1);
        // The files the runtime reads for text count: tokenizer.json and the chat template.
        for (const char *file : {"tokenizer.json", "chat_template.jinja"}) {
            QVERIFY(write(dir + QStringLiteral("/") + QString::fromLatin1(file), "{}"));
            QVERIFY2(*modelContentHash(dir) != *h1, file);
            QVERIFY(QFile::remove(dir + QStringLiteral("/") + QString::fromLatin1(file)));
        }
        QCOMPARE(*modelContentHash(dir), *h1);

        ModelRepository repo(ws->db());
        auto m = repo.registerFolder(*ws, dir, QStringLiteral("教師"));
        QVERIFY2(m, m ? "" : qPrintable(m.error()));
        QCOMPARE(m->contentHash, *h1);
        QVERIFY(m->role == ModelRole::Base);
        QVERIFY(QDir::isAbsolutePath(m->path)); // outside the workspace: absolute
        // The same content under its own name is the same model; under another name it is said,
        // not silently kept under the old one (a model has one name).
        auto again = repo.registerFolder(*ws, dir, QStringLiteral("教師"));
        QVERIFY(again);
        QCOMPARE(again->id, m->id);
        auto renamed = repo.registerFolder(*ws, dir, QStringLiteral("other name"));
        QVERIFY(!renamed);
        QVERIFY2(renamed.error().contains(QStringLiteral("教師")), qPrintable(renamed.error()));

        QVERIFY(write(dir + QStringLiteral("/model.safetensors"), QByteArray(1000, 'v')));
        auto copied = repo.registerFolder(*ws, dir, QStringLiteral("student-1"), ModelRole::Student, true);
        QVERIFY2(copied, copied ? "" : qPrintable(copied.error()));
        QVERIFY(copied->id != m->id);
        QVERIFY(!QDir::isAbsolutePath(copied->path)); // copied into models/
        QVERIFY(QFile::exists(ws->absolutePath(copied->path) + QStringLiteral("/model.safetensors")));
        QVERIFY(!QFile::exists(ws->absolutePath(copied->path) + QStringLiteral("/training_log.jsonl")));
        QCOMPARE(*modelContentHash(ws->absolutePath(copied->path)), copied->contentHash);
        QCOMPARE(repo.list()->size(), size_t(2));
        QCOMPARE((*repo.findByName(QStringLiteral("教師")))->id, m->id);

        QVERIFY(!modelRoleFromString(QStringLiteral("teacher")));
        auto missing = repo.registerFolder(*ws, tmp.filePath(QStringLiteral("nothing")), QStringLiteral("x"));
        QVERIFY(!missing);
        QVERIFY2(missing.error().contains(QStringLiteral("config.json")), qPrintable(missing.error()));
    }

    void itemFiltersAndJapaneseText()
    {
        QTemporaryDir tmp;
        auto ws = Workspace::create(tmp.path());
        QVERIFY(ws);
        ItemRepository items(ws->db());
        Item a = makeItem(QStringLiteral("穴はいくつありますか？"), QStringLiteral("counting"), QStringLiteral("train"), 'c');
        a.noteText = QStringLiteral("作業指示 WO-1001 穴数: 4");
        Item b = makeItem(QStringLiteral("Where is the crack?"), QStringLiteral("defect"), QStringLiteral("eval"), 'd');
        Item c = makeItem(QStringLiteral("100% inspected?"), QStringLiteral("defect"), QStringLiteral("train"), 'e');
        QVERIFY(items.insert(a));
        QVERIFY(items.insert(b));
        QVERIFY(items.insert(c));
        QCOMPARE(*items.count(), std::int64_t(3));
        QCOMPARE(*items.count({Split::Train, {}, {}}), std::int64_t(2));
        QCOMPARE(*items.count({{}, QStringLiteral("defect"), {}}), std::int64_t(2));
        QCOMPARE(*items.count({Split::Eval, QStringLiteral("defect"), {}}), std::int64_t(1));
        QCOMPARE(*items.count({{}, {}, QStringLiteral("作業指示")}), std::int64_t(1)); // found in the note
        QCOMPARE(*items.count({{}, {}, QStringLiteral("CRACK")}), std::int64_t(1));   // ASCII case-insensitive
        QCOMPARE(*items.count({{}, {}, QStringLiteral("%")}), std::int64_t(1));       // '%' is literal
        auto page = items.list({}, 1, 1);
        QVERIFY(page);
        QCOMPARE(page->size(), size_t(1));
        QCOMPARE(page->front().question, b.question);
        auto got = items.get(page->front().id - 1);
        QVERIFY(got);
        QCOMPARE(got->question, a.question);
        QCOMPARE(got->noteText, a.noteText);
        QCOMPARE(*items.taskFamilies(), (QStringList{QStringLiteral("counting"), QStringLiteral("defect")}));
    }

    void brokenWorkspaceGivesAnError()
    {
        QTemporaryDir tmp;
        QFile f(QDir(tmp.path()).filePath(QStringLiteral("workspace.sqlite")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(8192, 'x'));
        f.close();
        auto ws = Workspace::open(tmp.path());
        QVERIFY(!ws);
        QVERIFY2(ws.error().contains(QStringLiteral("not a database")), qPrintable(ws.error()));
    }

    void refusedBindFailsTheStatement()
    {
        QTemporaryDir tmp;
        auto ws = Workspace::create(tmp.filePath(QStringLiteral("bind")));
        QVERIFY(ws);
        auto s = ws->db().prepare("INSERT INTO settings (key, value) VALUES (?, ?)");
        QVERIFY(s);
        s->bind(1, QStringLiteral("k")).bind(2, QStringLiteral("[]")).bind(3, QStringLiteral("no such parameter"));
        auto r = s->run();
        QVERIFY(!r);
        QVERIFY2(r.error().contains(QStringLiteral("parameter 3")), qPrintable(r.error()));
        auto count = ws->db().prepare("SELECT count(*) FROM settings");
        QVERIFY(count && *count->step());
        QCOMPARE(count->int64(0), std::int64_t(0)); // nothing was written with a value missing
        // After reset() the statement runs with good values.
        s->reset();
        s->bind(1, QStringLiteral("k")).bind(2, QStringLiteral("[]"));
        QVERIFY(s->run());
    }

    void lockedWorkspaceGivesAnError()
    {
        QTemporaryDir tmp;
        QVERIFY(Workspace::create(tmp.path()));
        const QString file = QDir(tmp.path()).filePath(QStringLiteral("workspace.sqlite"));
        sqlite3 *other = nullptr;
        QCOMPARE(sqlite3_open(file.toUtf8().constData(), &other), SQLITE_OK);
        // Exclusive locking mode: once it has written, no other connection may even read.
        QCOMPARE(sqlite3_exec(other, "PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; "
                                     "INSERT INTO import_batches (source) VALUES ('x');", nullptr, nullptr, nullptr), SQLITE_OK);
        auto ws = Workspace::open(tmp.path());
        QVERIFY(!ws);
        QVERIFY2(ws.error().contains(QStringLiteral("locked")), qPrintable(ws.error()));
        sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(other);
        auto later = Workspace::open(tmp.path());
        QVERIFY2(later, later ? "" : qPrintable(later.error()));
    }

    // Issue 32, 3: what sdrt distill / sdrt eval write and the workbench reads is one protocol;
    // each line decodes to what was encoded, and the wire names are the documented ones.
    void runProtocolRoundTrips()
    {
        namespace pr = sdrt::store::protocol;
        pr::DistillStep step{7, 20, {1.5, 1.25, 0.5, 0.125}, 0.004, 3.5, 120.0, 42.0, {0.25, 0.75}};
        const QJsonObject stepLine = pr::encode(step);
        QCOMPARE(stepLine.value(QStringLiteral("event")).toString(), QStringLiteral("step"));
        QCOMPARE(stepLine.value(QStringLiteral("samples_per_s")).toDouble(), 3.5);
        QCOMPARE(pr::eventOf(stepLine), pr::Event::Step);
        const pr::DistillStep back = pr::decodeDistillStep(stepLine);
        QCOMPARE(back.step, 7);
        QCOMPARE(back.losses.hidden, 0.5);
        QCOMPARE(back.etaSeconds, 42.0);
        QCOMPARE(back.ensembleWeights, (std::vector<double>{0.25, 0.75}));

        pr::DistillStart start{QStringLiteral("run-ja-検査"), 4, true, 12, 2, 900, 100000};
        const pr::DistillStart s2 = pr::decodeDistillStart(pr::encode(start));
        QCOMPARE(s2.run, start.run);
        QVERIFY(s2.resumed && s2.runId == 4 && s2.traces == 12 && s2.worldSize == 2 && s2.baseParameters == 100000);

        pr::DistillEnd end;
        end.run = QStringLiteral("r");
        end.steps = 30;
        end.resumedFrom = 10;
        end.studentModelId = 9;
        end.warning = QStringLiteral("w");
        const QJsonObject doneLine = pr::encode(pr::Event::Done, end);
        QVERIFY(pr::isFinal(pr::eventOf(doneLine)));
        const pr::DistillEnd e2 = pr::decodeDistillEnd(doneLine);
        QVERIFY(e2.steps == 30 && e2.resumedFrom == 10 && e2.studentModelId == 9 && e2.warning == QStringLiteral("w"));
        // A cancelled distillation says where it stopped.
        const QJsonObject cancelled = pr::encode(pr::Event::Cancelled, end);
        QCOMPARE(cancelled.value(QStringLiteral("event")).toString(), QStringLiteral("cancelled"));
        QCOMPARE(pr::decodeDistillEnd(cancelled).steps, 30);

        const pr::EvalProgress p2 = pr::decodeEvalProgress(pr::encode(pr::EvalProgress{5, 9, 1, 2.5}));
        QVERIFY(p2.done == 5 && p2.total == 9 && p2.failed == 1 && p2.etaSeconds == 2.5);
        pr::EvalEnd ee;
        ee.evaluation = QStringLiteral("e");
        ee.items = 9;
        ee.seconds = 4;
        const QJsonObject evalCancelled = pr::encode(pr::Event::Cancelled, ee);
        QCOMPARE(pr::eventOf(evalCancelled), pr::Event::Cancelled);
        QCOMPARE(pr::decodeEvalEnd(evalCancelled).items, 9);

        const QJsonObject failed = pr::encodeFailure(QStringLiteral("no base"));
        QVERIFY(pr::isFinal(pr::eventOf(failed)));
        QCOMPARE(pr::failureOf(failed), QStringLiteral("no base"));
        QCOMPARE(pr::failureOf(doneLine), QString());
        // Lines the reader does not know are ignored, not misread.
        QCOMPARE(pr::eventOf(QJsonObject{{QStringLiteral("event"), QStringLiteral("heartbeat")}}), pr::Event::Unknown);
        QVERIFY(!pr::isFinal(pr::Event::Unknown) && !pr::isFinal(pr::Event::Step));
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
