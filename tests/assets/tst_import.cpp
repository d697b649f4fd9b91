// Import: every supported format, every bad-input case (with real broken files made here),
// deduplication, cancellation, folder grouping, and the CLI's exit status.

#include "sdrt/assets/ContentStore.h"
#include "sdrt/assets/ImportJob.h"
#include "sdrt/assets/ImageProbe.h"
#include "sdrt/assets/Manifest.h"
#include "sdrt/store/AssetRepository.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/Workspace.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <map>

using namespace sdrt;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void write(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(bytes);
}

QByteArray encode(const cv::Mat &img, const char *ext)
{
    std::vector<uchar> buf;
    if (!cv::imencode(ext, img, buf))
        qFatal("cannot encode %s", ext);
    return QByteArray(reinterpret_cast<const char *>(buf.data()), qsizetype(buf.size()));
}

cv::Mat sampleImage(int w, int h, int seed)
{
    cv::Mat img(h, w, CV_8UC3, cv::Scalar(40 + seed * 20, 90, 160));
    cv::circle(img, cv::Point(w / 2, h / 2), std::min(w, h) / 4, cv::Scalar(250, 250, 250), cv::FILLED);
    return img;
}

// A PNG whose header claims 30000×30000 pixels: a decompression bomb.
QByteArray bombPng()
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    QByteArray ihdr;
    quint32 be = qToBigEndian<quint32>(13);
    png.append(reinterpret_cast<const char *>(&be), 4);
    ihdr.append("IHDR");
    quint32 dim = qToBigEndian<quint32>(30000);
    ihdr.append(reinterpret_cast<const char *>(&dim), 4);
    ihdr.append(reinterpret_cast<const char *>(&dim), 4);
    ihdr.append("\x08\x02\x00\x00\x00", 5);
    png.append(ihdr);
    png.append("\0\0\0\0", 4); // CRC (never reached: the size is refused first)
    png.append(QByteArray("\0\0\0\0IEND\xae\x42\x60\x82", 12));
    return png;
}

QByteArray twoPagePdf(QPageSize size)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setPageSize(size);
    writer.setResolution(72);
    QPainter p(&writer);
    p.drawText(QPointF(40, 60), QStringLiteral("PART PN-1234 REV B"));
    p.drawRect(QRectF(30, 80, 120, 80));
    writer.newPage();
    p.drawText(QPointF(40, 60), QStringLiteral("HOLES 4"));
    p.end();
    return bytes;
}

QString manifestLine(const QString &json)
{
    return json + QLatin1Char('\n');
}

int countFiles(const QString &dir)
{
    int n = 0;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        ++n;
    }
    return n;
}

} // namespace

class TestImport : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_src;
    QString m_manifest;
    std::map<int, QString> m_expectedFailures; // manifest line -> reason fragment
    int m_expectedGood = 0;
    const QPageSize m_pdfPage = QPageSize(QPageSize::A6);

    // Importing the test manifest into `ws`.
    assets::ImportParams manifestImport(const store::Workspace &ws) const
    {
        assets::ImportParams params;
        params.workspaceRoot = ws.root();
        params.source = m_manifest;
        return params;
    }

private Q_SLOTS:
    // A stored copy damaged under the same size is written again, and a rollback never removes a
    // copy that was there before the batch.
    void damagedAssetCopiesAreRepaired()
    {
        QTemporaryDir root;
        const QByteArray bytes("the asset's bytes");
        const QString sha = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
        assets::ContentStore first(root.path());
        auto rel = first.put(bytes, sha, QStringLiteral(".txt"));
        QVERIFY(rel);
        QCOMPARE(first.written().size(), qsizetype(1));
        const QString file = QDir(root.path()).filePath(*rel);
        QByteArray damaged = bytes;
        damaged[0] = 'T';
        write(file, damaged);
        assets::ContentStore again(root.path());
        QVERIFY(again.put(bytes, sha, QStringLiteral(".txt")));
        QCOMPARE(readAll(file), bytes);
        QVERIFY(again.written().isEmpty());
        again.removeWritten();
        QVERIFY(QFileInfo::exists(file));
    }

    void initTestCase()
    {
        m_src = m_tmp.filePath(QStringLiteral("import"));
        const QDir src(m_src);
        const QByteArray png = encode(sampleImage(40, 30, 1), ".png");
        const QByteArray jpg = encode(sampleImage(48, 32, 2), ".jpg");
        write(src.filePath(QStringLiteral("photos/good.png")), png);
        write(src.filePath(QStringLiteral("photos/good.jpg")), jpg);
        write(src.filePath(QStringLiteral("photos/good.tif")), encode(sampleImage(20, 10, 3), ".tiff"));
        write(src.filePath(QStringLiteral("photos/good.bmp")), encode(sampleImage(21, 11, 4), ".bmp"));
        write(src.filePath(QStringLiteral("photos/good.webp")), encode(sampleImage(22, 12, 5), ".webp"));
        write(src.filePath(QStringLiteral("photos/写真_1.png")), encode(sampleImage(23, 13, 6), ".png"));
        const QByteArray pdf = twoPagePdf(m_pdfPage);
        write(src.filePath(QStringLiteral("drawings/plan.pdf")), pdf);
        write(src.filePath(QStringLiteral("drawings/図面.svg")),
              "<svg xmlns='http://www.w3.org/2000/svg' width='120' height='80'><rect x='10' y='10' width='100' height='60' "
              "fill='none' stroke='black'/><text x='20' y='50'>PN-1234</text></svg>");
        write(src.filePath(QStringLiteral("notes/メモ.txt")), QStringLiteral("作業指示 WO-1001\n穴数: 4\n").toUtf8());

        write(src.filePath(QStringLiteral("bad/empty.png")), QByteArray());
        write(src.filePath(QStringLiteral("bad/truncated.png")), png.left(png.size() / 2));
        write(src.filePath(QStringLiteral("bad/truncated.jpg")), jpg.left(jpg.size() - 120));
        write(src.filePath(QStringLiteral("bad/corrupt.png")), QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(200, '\x5a'));
        write(src.filePath(QStringLiteral("bad/bomb.png")), bombPng());
        write(src.filePath(QStringLiteral("bad/latin1.txt")), QByteArray("Werkst\xfc" "ck OK\n"));
        write(src.filePath(QStringLiteral("bad/truncated.pdf")), pdf.left(pdf.size() * 6 / 10));
        write(m_tmp.filePath(QStringLiteral("outside.png")), png);
        QVERIFY(QFile::link(m_tmp.filePath(QStringLiteral("outside.png")), src.filePath(QStringLiteral("photos/link.png"))));

        QString m;
        auto good = [&](const QString &json) {
            m += manifestLine(json);
            ++m_expectedGood;
        };
        auto bad = [&](const QString &json, const QString &reason) {
            m += manifestLine(json);
            m_expectedFailures[int(m.count(QLatin1Char('\n')))] = reason;
        };
        good(QStringLiteral(R"({"id":"a1","question":"穴はいくつありますか？","answer":"4","answer_type":"number","task_family":"counting","split":"train","assets":[{"path":"photos/good.png","role":"photo"}],"note":"作業指示: 穴数 4"})"));
        good(QStringLiteral(R"({"question":"Any crack?","answer":"no","answer_type":"yesno","task_family":"defect","split":"eval","assets":[{"path":"photos/good.jpg"}]})"));
        good(QStringLiteral(R"({"question":"TIFF?","assets":[{"path":"photos/good.tif"}]})"));
        good(QStringLiteral(R"({"question":"BMP?","assets":[{"path":"photos/good.bmp"}]})"));
        good(QStringLiteral(R"({"question":"WebP?","assets":[{"path":"photos/good.webp"}]})"));
        good(QStringLiteral(R"({"question":"Does the drawing match the note?","answer":"yes","answer_type":"yesno","task_family":"drawing_check","assets":[{"path":"drawings/plan.pdf","role":"drawing"},{"path":"drawings/図面.svg","role":"drawing"},{"path":"photos/写真_1.png"}],"note":{"path":"notes/メモ.txt"}})"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"bad/empty.png"}]})"), QStringLiteral("empty"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"bad/truncated.png"}]})"), QStringLiteral("truncated"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"bad/truncated.jpg"}]})"), QStringLiteral("truncated"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"bad/corrupt.png"}]})"), QStringLiteral("corrupt"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"bad/bomb.png"}]})"), QStringLiteral("decompression bomb"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"photos/good.png"}],"note":{"path":"bad/latin1.txt"}})"), QStringLiteral("not valid UTF-8"));
        bad(QStringLiteral(R"({"question":"broken", "assets": [)"), QStringLiteral("malformed JSON"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"/etc/hostname"}]})"), QStringLiteral("absolute paths are not allowed"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"../outside.png"}]})"), QStringLiteral("'..' is not allowed"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"photos/link.png"}]})"), QStringLiteral("outside the import folder"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"photos/missing.png"}]})"), QStringLiteral("does not exist"));
        bad(QStringLiteral(R"({"question":"q","assets":[{"path":"bad/truncated.pdf","role":"drawing"}]})"), QStringLiteral("truncated"));
        bad(QStringLiteral(R"({"question":"q","split":"test","assets":[{"path":"photos/good.png"}]})"), QStringLiteral("\"split\""));
        bad(QStringLiteral(R"({"question":"","assets":[{"path":"photos/good.png"}]})"), QStringLiteral("\"question\" is missing"));
        bad(QStringLiteral(R"({"question":"q","split":"train","split":"eval","assets":[{"path":"photos/good.png"}]})"),
            QStringLiteral("the field \"split\" is given twice"));
        m_manifest = src.filePath(QStringLiteral("manifest.jsonl"));
        write(m_manifest, m.toUtf8());
    }

    void probeReadsHeadersWithoutDecoding()
    {
        auto h = assets::probeImage(bombPng());
        QVERIFY(h);
        QCOMPARE(h->width, 30000);
        QCOMPARE(h->format, QStringLiteral("png"));
        auto j = assets::probeImage(encode(sampleImage(48, 32, 2), ".jpg"));
        QVERIFY(j);
        QCOMPARE(j->width, 48);
        QCOMPARE(j->height, 32);
        auto w = assets::probeImage(encode(sampleImage(22, 12, 5), ".webp"));
        QVERIFY(w);
        QCOMPARE(w->width, 22);
        QCOMPARE(w->height, 12);
        QVERIFY(!assets::probeImage(QByteArray("hello world")));
    }

    void manifestImportReportsEveryBadInput()
    {
        QTemporaryDir wsDir;
        auto ws = store::Workspace::create(wsDir.path());
        QVERIFY(ws);
        assets::ImportParams params = manifestImport(*ws);
        params.limits.pdfDpi = 100;
        int progressCalls = 0;
        params.progress = [&](const assets::ImportProgress &) { ++progressCalls; };
        auto report = assets::ImportJob(params).run();
        QVERIFY2(report, report ? "" : qPrintable(report.error()));
        QCOMPARE(report->imported, m_expectedGood);
        QCOMPARE(report->duplicates, 0);
        QCOMPARE(report->failed, int(m_expectedFailures.size()));
        QVERIFY(progressCalls > 0);

        // Every failure names the manifest line and says why.
        for (const auto &[line, reason] : m_expectedFailures) {
            const QString where = QStringLiteral("manifest.jsonl:%1").arg(line);
            bool found = false;
            for (const assets::ImportFailure &f : report->failures) {
                const QString s = f.toString();
                if (s.startsWith(where + QLatin1Char(':')) || s.startsWith(where + QLatin1Char(' '))) {
                    QVERIFY2(s.contains(reason), qPrintable(QStringLiteral("%1 lacks '%2'").arg(s, reason)));
                    found = true;
                }
            }
            QVERIFY2(found, qPrintable(QStringLiteral("no failure reported for %1 (%2)").arg(where, reason)));
        }

        store::ItemRepository items(ws->db());
        QCOMPARE(*items.count(), std::int64_t(m_expectedGood));
        auto first = items.list({}, 0, 100);
        QVERIFY(first);
        auto a1 = items.get(first->front().id);
        QVERIFY(a1);
        QCOMPARE(a1->question, QStringLiteral("穴はいくつありますか？"));
        QCOMPARE(a1->noteText, QStringLiteral("作業指示: 穴数 4"));
        QCOMPARE(a1->referenceAnswer.value_or(QString()), QStringLiteral("4"));
        QCOMPARE(a1->assets.size(), size_t(2));

        // The drawing item: 2 PDF pages rendered at 100 dpi, the SVG, the photo and the note.
        auto drawingItems = items.list({{}, QStringLiteral("drawing_check"), {}}, 0, 10);
        QVERIFY(drawingItems && drawingItems->size() == 1);
        auto d = items.get(drawingItems->front().id);
        QVERIFY(d);
        QCOMPARE(d->assets.size(), size_t(5));
        const store::Asset &page1 = d->assets[0].asset;
        QCOMPARE(page1.page, 1);
        QCOMPARE(d->assets[1].asset.page, 2);
        QCOMPARE(page1.dpi.value_or(0), 100);
        const QSizeF points = m_pdfPage.size(QPageSize::Point);
        QCOMPARE(page1.width.value_or(0), int(points.width() / 72.0 * 100 + 0.5));
        QVERIFY(page1.sourcePath && page1.sourcePath->endsWith(QStringLiteral(".pdf")));
        QCOMPARE(d->assets[2].asset.originalName, QStringLiteral("図面.svg"));
        QCOMPARE(d->assets[2].asset.width.value_or(0), 120);
        QVERIFY(d->assets[4].role == store::AssetKind::Note);
        QCOMPARE(d->noteText, QStringLiteral("作業指示 WO-1001\n穴数: 4\n"));
        QVERIFY(QImage(ws->absolutePath(page1.storedPath)).width() == page1.width.value_or(-1));

        // Nothing half-written: every file under assets/ is referenced by the database and
        // every referenced file exists with its recorded size.
        store::AssetRepository assetRepo(ws->db());
        const QStringList referenced = *assetRepo.storedPaths();
        QCOMPARE(countFiles(ws->assetsDir()), int(referenced.size()));
        for (const QString &rel : referenced)
            QVERIFY2(QFileInfo(ws->absolutePath(rel)).isFile(), qPrintable(rel));

        // Re-import: everything good is a duplicate; assets are not copied again.
        auto again = assets::ImportJob(params).run();
        QVERIFY(again);
        QCOMPARE(again->imported, 0);
        QCOMPARE(again->duplicates, m_expectedGood);
        QCOMPARE(again->failed, int(m_expectedFailures.size()));
        QCOMPARE(*items.count(), std::int64_t(m_expectedGood));
        QCOMPARE(countFiles(ws->assetsDir()), int(referenced.size()));
    }

    void cancelledImportKeepsWhatWasDone()
    {
        QTemporaryDir wsDir;
        auto ws = store::Workspace::create(wsDir.path());
        QVERIFY(ws);
        std::atomic_bool cancel = false;
        assets::ImportParams params;
        params.workspaceRoot = ws->root();
        params.source = m_manifest;
        params.cancel = &cancel;
        params.progress = [&](const assets::ImportProgress &p) {
            if (p.done >= 3)
                cancel = true;
        };
        auto report = assets::ImportJob(params).run();
        QVERIFY(report);
        QVERIFY(report->cancelled);
        // The items finished before the cancel are kept whole (rows and files), nothing more.
        const std::int64_t kept = *store::ItemRepository(ws->db()).count();
        QCOMPARE(kept, std::int64_t(report->imported));
        QVERIFY(kept >= 1 && kept < std::int64_t(m_expectedGood));
        {
            auto referenced = ws->db().prepare("SELECT count(DISTINCT stored_path) + count(DISTINCT source_path) FROM assets");
            QVERIFY(referenced && *referenced->step());
            QCOMPARE(countFiles(ws->assetsDir()), int(referenced->int64(0)));
        } // (a statement left mid-result would hold its read snapshot)
        QVERIFY2(report->summary().contains(QString::number(kept)), qPrintable(report->summary()));
        // Importing again goes on: the kept items are duplicates, the rest is imported.
        params.cancel = nullptr;
        params.progress = nullptr;
        auto again = assets::ImportJob(params).run();
        QVERIFY(again);
        QVERIFY2(!again->cancelled, qPrintable(again->summary()));
        QCOMPARE(again->duplicates, int(kept));
        QCOMPARE(*store::ItemRepository(ws->db()).count(), std::int64_t(m_expectedGood));
    }

    void importCommitsInBatches()
    {
        // A kill after the first commits keeps them: shown here by a batch of one item per
        // commit and a cancel, which stops like a kill but reports.
        QTemporaryDir wsDir;
        auto ws = store::Workspace::create(wsDir.path());
        QVERIFY(ws);
        assets::ImportParams params = manifestImport(*ws);
        params.commitEveryItems = 2;
        params.commitEveryMs = 1000000;
        int committedSeen = -1;
        params.progress = [&](const assets::ImportProgress &p) {
            // Another connection sees the committed items while the import goes on.
            if (p.done == 5) {
                auto other = store::Workspace::connect(ws->databasePath());
                auto s = other->prepare("SELECT count(*) FROM items");
                if (s && *s->step())
                    committedSeen = int(s->int64(0));
            }
        };
        auto report = assets::ImportJob(params).run();
        QVERIFY(report);
        QVERIFY2(committedSeen >= 1 && committedSeen < m_expectedGood, qPrintable(QString::number(committedSeen)));
    }

    void folderImportGroupsByStem()
    {
        QTemporaryDir folder, wsDir;
        const QDir f(folder.path());
        write(f.filePath(QStringLiteral("部品A.png")), encode(sampleImage(30, 20, 1), ".png"));
        write(f.filePath(QStringLiteral("部品A.txt")), QStringLiteral("検査メモ: 傷なし").toUtf8());
        write(f.filePath(QStringLiteral("sub/b.jpg")), encode(sampleImage(30, 20, 2), ".jpg"));
        write(f.filePath(QStringLiteral("sub/b.pdf")), twoPagePdf(QPageSize(QPageSize::A7)));
        write(f.filePath(QStringLiteral("c.xyz")), "?");
        auto ws = store::Workspace::create(wsDir.path());
        QVERIFY(ws);
        assets::ImportParams params;
        params.workspaceRoot = ws->root();
        params.source = folder.path();
        auto report = assets::ImportJob(params).run();
        QVERIFY(report);
        QCOMPARE(report->imported, 2);
        QCOMPARE(report->failed, 1);
        QVERIFY(report->failures.front().toString().startsWith(QStringLiteral("c.xyz: unsupported file type")));
        store::ItemRepository items(ws->db());
        QCOMPARE(*items.count({{}, {}, QStringLiteral("傷なし")}), std::int64_t(1));
        auto list = items.list({}, 0, 10);
        QVERIFY(list);
        std::vector<size_t> assetCounts;
        for (const auto &s : *list)
            assetCounts.push_back(items.get(s.id)->assets.size());
        std::sort(assetCounts.begin(), assetCounts.end());
        QCOMPARE(assetCounts, (std::vector<size_t>{2, 3})); // png+note; jpg + 2 PDF pages
    }

    // Manifest lines refused while planning, before any file is read. `lines` are the
    // manifest; `expected` fragments must each start one problem ("manifest.jsonl:N: …").
    void manifestLinesRefused_data()
    {
        QTest::addColumn<QStringList>("lines");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<int>("items");
        const QString ok = QStringLiteral(R"({"question":"fine","note":"n"})");
        QTest::newRow("lone high surrogate in the question")
            << QStringList{ok, QStringLiteral(R"({"question":"a\ud800b","note":"n"})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:2: "question" holds a lone surrogate \uD800)")} << 1;
        QTest::newRow("lone low surrogate in a tag")
            << QStringList{QStringLiteral(R"({"question":"q","tags":["ok","x\udc00"],"note":"n"})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:1: "tags[2]" holds a lone surrogate \uDC00)")} << 0;
        QTest::newRow("reversed pair in the answer")
            << QStringList{QStringLiteral(R"({"question":"q","answer":"\udc00\ud800","note":"n"})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:1: "answer" holds a lone surrogate \uDC00)")} << 0;
        QTest::newRow("lone surrogate in an asset path")
            << QStringList{QStringLiteral(R"({"question":"q","assets":[{"path":"p.png"},{"path":"p\ud800.png"}]})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:1: "assets[2].path" holds a lone surrogate \uD800)")} << 0;
        QTest::newRow("lone surrogate in a note file path")
            << QStringList{QStringLiteral(R"({"question":"q","note":{"path":"n\udbff.txt"}})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:1: "note.path" holds a lone surrogate \uDBFF)")} << 0;
        QTest::newRow("lone surrogate in the id")
            << QStringList{QStringLiteral(R"({"id":"W-\ud800","question":"q","note":"n"})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:1: "id" holds a lone surrogate \uD800)")} << 0;
        QTest::newRow("lone surrogate in a field name")
            << QStringList{QStringLiteral(R"({"question":"q","note":"n","x\ud800":1})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:1: a field name holds a lone surrogate \uD800)")} << 0;
        QTest::newRow("escaped pair is text") << QStringList{QStringLiteral(R"({"question":"\ud83d\ude00","note":"n"})")} << QStringList{} << 1;
        QTest::newRow("id repeated, other question")
            << QStringList{QStringLiteral(R"({"id":"W-1","question":"q1","note":"n"})"), ok,
                           QStringLiteral(R"({"id":"W-1","question":"q2","note":"n"})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:3: "id" "W-1" is also on line 1, with different content (question))")} << 2;
        QTest::newRow("id repeated, other answer, note and files")
            << QStringList{QStringLiteral(R"({"id":"W-1","question":"q","answer":"4","note":"n"})"),
                           QStringLiteral(R"({"id":"W-1","question":"q","answer":"5","note":"m","assets":[{"path":"p.png"}]})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:2: "id" "W-1" is also on line 1, with different content (answer, assets, note))")} << 1;
        QTest::newRow("number id repeated as a string")
            << QStringList{QStringLiteral(R"({"id":7,"question":"q","note":"n"})"), QStringLiteral(R"({"id":"7","question":"q","split":"eval","note":"n"})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:2: "id" "7" is also on line 1, with different content (split))")} << 1;
        QTest::newRow("three lines, one id")
            << QStringList{QStringLiteral(R"({"id":"W-1","question":"q1","note":"n"})"), QStringLiteral(R"({"id":"W-1","question":"q2","note":"n"})"),
                           QStringLiteral(R"({"id":"W-1","question":"q3","note":"n"})")}
            << QStringList{QStringLiteral(R"(manifest.jsonl:2: "id" "W-1" is also on line 1)"), QStringLiteral(R"(manifest.jsonl:3: "id" "W-1" is also on line 1)")}
            << 1;
        QTest::newRow("id repeated, same content in another order")
            << QStringList{QStringLiteral(R"({"id":"W-1","question":"q","tags":["a"],"note":"n"})"),
                           QStringLiteral(R"({ "note": "n", "tags": ["a"], "question": "q", "id": "W-1" })")}
            << QStringList{} << 2;
        QTest::newRow("different ids, same content") << QStringList{QStringLiteral(R"({"id":"A","question":"q","note":"n"})"),
                                                                    QStringLiteral(R"({"id":"B","question":"q","note":"n"})")}
                                                     << QStringList{} << 2;
    }

    void manifestLinesRefused()
    {
        QFETCH(QStringList, lines);
        QFETCH(QStringList, expected);
        QFETCH(int, items);
        QTemporaryDir dir;
        write(dir.filePath(QStringLiteral("p.png")), encode(sampleImage(8, 8, 1), ".png"));
        const QString manifest = dir.filePath(QStringLiteral("manifest.jsonl"));
        write(manifest, (lines.join(QLatin1Char('\n')) + QLatin1Char('\n')).toUtf8());
        auto plan = assets::planFromManifest(manifest);
        QVERIFY2(plan, plan ? "" : qPrintable(plan.error()));
        QStringList problems;
        for (const assets::SpecProblem &p : plan->problems)
            problems << QStringLiteral("%1:%2: %3").arg(p.file).arg(p.line).arg(p.reason);
        QCOMPARE(problems.size(), expected.size());
        for (qsizetype i = 0; i < expected.size(); ++i)
            QVERIFY2(problems.at(i).startsWith(expected.at(i)), qPrintable(problems.join(QLatin1Char('\n'))));
        QCOMPARE(int(plan->items.size()), items);
        // Every planned text survives UTF-8 (a lone surrogate would come back as '?').
        for (const assets::ItemSpec &item : plan->items) {
            for (const QString &text : QStringList{item.question, item.externalId.value_or(QString()), item.noteText.value_or(QString())})
                QCOMPARE(QString::fromUtf8(text.toUtf8()), text);
        }
    }

    // End to end: a repeated id with other content fails with both lines, an identical repeat
    // is a duplicate, and no text is stored with '?' for a lone surrogate.
    void manifestIdRepeatsAtImport()
    {
        QTemporaryDir src, wsDir;
        const QString manifest = src.filePath(QStringLiteral("items.jsonl"));
        write(manifest, QByteArrayLiteral(R"({"id":"W-1","question":"How many holes?","answer":"4","note":"n"})" "\n"
                                          R"({"id":"W-1","question":"How many holes?","answer":"4","note":"n"})" "\n"
                                          R"({"id":"W-1","question":"How many holes?","answer":"5","note":"n"})" "\n"
                                          R"({"id":"W-2","question":"Crack\ud800","note":"n"})" "\n"));
        auto ws = store::Workspace::create(wsDir.path());
        QVERIFY(ws);
        assets::ImportParams params;
        params.workspaceRoot = ws->root();
        params.source = manifest;
        auto report = assets::ImportJob(params).run();
        QVERIFY2(report, report ? "" : qPrintable(report.error()));
        QCOMPARE(report->imported, 1);
        QCOMPARE(report->duplicates, 1);
        QCOMPARE(report->failed, 2);
        QCOMPARE(report->failures.size(), size_t(2));
        QCOMPARE(report->failures.at(0).toString(),
                 QStringLiteral(R"(items.jsonl:3: "id" "W-1" is also on line 1, with different content (answer))"));
        QVERIFY2(report->failures.at(1).toString().startsWith(QStringLiteral(R"(items.jsonl:4: "question" holds a lone surrogate)")),
                 qPrintable(report->failures.at(1).toString()));
        store::ItemRepository items(ws->db());
        QCOMPARE(*items.count(), std::int64_t(1));
        QCOMPARE(*items.count({{}, {}, QStringLiteral("Crack")}), std::int64_t(0));
    }

    // One item of several files: every bad one is named, the item still fails once.
    void everyBadFileOfAGroupIsNamed_data()
    {
        QTest::addColumn<bool>("fromManifest");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("folder, one stem")
            << false
            << QStringList{QStringLiteral("part.jpg: "), QStringLiteral("part.pdf: the PDF file is truncated"), QStringLiteral("part.txt: "),
                           QStringLiteral("sub/part.png: ")};
        QTest::newRow("manifest, one line")
            << true
            << QStringList{QStringLiteral("manifest.jsonl:2 (part.jpg): "), QStringLiteral("manifest.jsonl:2 (part.pdf): the PDF file is truncated"),
                           QStringLiteral("manifest.jsonl:2 (sub/part.png): "), QStringLiteral("manifest.jsonl:2 (part.txt): ")};
    }

    void everyBadFileOfAGroupIsNamed()
    {
        QFETCH(bool, fromManifest);
        QFETCH(QStringList, expected);
        QTemporaryDir src, wsDir;
        const QDir d(src.path());
        const QByteArray jpg = encode(sampleImage(48, 32, 2), ".jpg");
        const QByteArray png = encode(sampleImage(40, 30, 1), ".png");
        const QByteArray pdf = twoPagePdf(QPageSize(QPageSize::A7));
        write(d.filePath(QStringLiteral("part.jpg")), jpg.left(jpg.size() - 120));
        write(d.filePath(QStringLiteral("part.pdf")), pdf.left(pdf.size() * 6 / 10));
        write(d.filePath(QStringLiteral("part.txt")), QByteArray("Werkst\xfc" "ck\n"));
        write(d.filePath(QStringLiteral("sub/part.png")), png.left(png.size() / 2));
        write(d.filePath(QStringLiteral("good.png")), png);
        if (fromManifest) {
            // The folder groups sub/part.png apart; the manifest puts all four in one item.
            write(d.filePath(QStringLiteral("manifest.jsonl")),
                  QByteArrayLiteral(R"({"question":"good","assets":[{"path":"good.png"}]})" "\n"
                                    R"({"question":"bad","assets":[{"path":"part.jpg"},{"path":"part.pdf","role":"drawing"},{"path":"sub/part.png"}],"note":{"path":"part.txt"}})" "\n"));
        }
        auto ws = store::Workspace::create(wsDir.path());
        QVERIFY(ws);
        assets::ImportParams params;
        params.workspaceRoot = ws->root();
        params.source = src.path();
        auto report = assets::ImportJob(params).run();
        QVERIFY2(report, report ? "" : qPrintable(report.error()));
        QStringList failures;
        for (const assets::ImportFailure &f : report->failures)
            failures << f.toString();
        const QString all = failures.join(QLatin1Char('\n'));
        QCOMPARE(failures.size(), expected.size());
        for (const QString &e : expected) {
            const bool named = std::any_of(failures.begin(), failures.end(), [&e](const QString &f) { return f.startsWith(e); });
            QVERIFY2(named, qPrintable(QStringLiteral("'%1' not in:\n%2").arg(e, all)));
        }
        // The item still fails as a whole: nothing of it is stored, and it counts once
        // (twice for the folder, where sub/part.png is an item of its own).
        QCOMPARE(report->imported, 1);
        QCOMPARE(report->failed, fromManifest ? 1 : 2);
        QCOMPARE(*store::ItemRepository(ws->db()).count(), std::int64_t(1));
        QCOMPARE(*store::AssetRepository(ws->db()).count(), std::int64_t(1));
    }

    void cliNamesEveryBadFileOfAGroup()
    {
        const QString sdrt = qEnvironmentVariable("SDRT_TEST_BINARY_DIR") + QStringLiteral("/app/sdrt");
        if (!QFileInfo(sdrt).isExecutable())
            QFAIL(qPrintable(QStringLiteral("the sdrt binary is not built at %1").arg(sdrt)));
        QTemporaryDir src, wsDir;
        const QDir d(src.path());
        const QByteArray jpg = encode(sampleImage(48, 32, 2), ".jpg");
        const QByteArray pdf = twoPagePdf(QPageSize(QPageSize::A7));
        write(d.filePath(QStringLiteral("part.jpg")), jpg.left(jpg.size() - 120));
        write(d.filePath(QStringLiteral("part.pdf")), pdf.left(pdf.size() * 6 / 10));
        QProcess p;
        p.start(sdrt, {QStringLiteral("import"), wsDir.filePath(QStringLiteral("ws")), src.path(), QStringLiteral("--init")});
        QVERIFY(p.waitForFinished(60000));
        const QString stderrText = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(stderrText.contains(QStringLiteral("failed: part.jpg: ")), qPrintable(stderrText));
        QVERIFY2(stderrText.contains(QStringLiteral("failed: part.pdf: the PDF file is truncated")), qPrintable(stderrText));
        const QString stdoutText = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(stdoutText.contains(QStringLiteral("Imported 0, duplicates 0, failed 1.")), qPrintable(stdoutText));
    }

    void cliExitStatusSaysWhetherAnythingFailed()
    {
        const QString sdrt = qEnvironmentVariable("SDRT_TEST_BINARY_DIR") + QStringLiteral("/app/sdrt");
        if (!QFileInfo(sdrt).isExecutable())
            QFAIL(qPrintable(QStringLiteral("the sdrt binary is not built at %1").arg(sdrt)));
        QTemporaryDir wsDir;
        const QString ws = wsDir.filePath(QStringLiteral("ws"));
        QProcess p;
        p.start(sdrt, {QStringLiteral("import"), ws, m_manifest, QStringLiteral("--init")});
        QVERIFY(p.waitForFinished(120000));
        const QString stderrText = QString::fromUtf8(p.readAllStandardError());
        const QString stdoutText = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(stderrText.contains(QStringLiteral("manifest.jsonl:13: malformed JSON")), qPrintable(stderrText));
        QVERIFY2(stdoutText.contains(QStringLiteral("Imported %1, duplicates 0, failed %2.").arg(m_expectedGood).arg(m_expectedFailures.size())),
                 qPrintable(stdoutText));

        QTemporaryDir clean;
        write(clean.filePath(QStringLiteral("only.png")), encode(sampleImage(10, 10, 1), ".png"));
        p.start(sdrt, {QStringLiteral("import"), ws, clean.path()});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);

        // The shipped Japanese translation: the same summary in Japanese.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SDRT_LANGUAGE"), QStringLiteral("ja"));
        p.setProcessEnvironment(env);
        p.start(sdrt, {QStringLiteral("import"), ws, clean.path()});
        QVERIFY(p.waitForFinished(60000));
        const QString ja = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(ja.contains(QStringLiteral("取り込み 0 件、重複 1 件、失敗 0 件。")), qPrintable(ja));
    }
};

QTEST_MAIN(TestImport)
#include "tst_import.moc"
