// The evaluation metrics on hand-computed cases, and their statistics: bootstrap intervals,
// the paired bootstrap of a difference, McNemar's exact test.

#include "sdrt/eval/Compare.h"
#include "sdrt/eval/Metrics.h"

#include <QTest>

using namespace sdrt::eval;

class TestMetrics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void exactMatchUsesTheAnswerRule()
    {
        QCOMPARE(exactMatch(QStringLiteral("4 holes."), {QStringLiteral("4")}, QStringLiteral("number")), 1.0);
        QCOMPARE(exactMatch(QStringLiteral("Yes."), {QStringLiteral("yes")}, QStringLiteral("yesno")), 1.0);
        QCOMPARE(exactMatch(QStringLiteral("SUS304 steel"), {QStringLiteral("sus304")}, QStringLiteral("text")), 0.0);
        QCOMPARE(exactMatch(QStringLiteral("ＳＵＳ３０４"), {QStringLiteral("SUS304")}, QStringLiteral("text")), 1.0); // NFKC
        QCOMPARE(exactMatch(QStringLiteral("b"), {QStringLiteral("a"), QStringLiteral("B")}, QStringLiteral("choice")), 1.0);
        QCOMPARE(exactMatch(QString(), {QString()}, QStringLiteral("text")), 0.0);
    }

    void anlsAsDocVqaDefinesIt()
    {
        // "helo" vs "hello": distance 1, longer length 5 → 1 − 0.2.
        QCOMPARE(anls(QStringLiteral("helo"), {QStringLiteral("hello")}), 0.8);
        // Case and blanks do not count.
        QCOMPARE(anls(QStringLiteral("  Hello "), {QStringLiteral("hello")}), 1.0);
        // NL = 0.5 is at the threshold: 0.
        QCOMPARE(anls(QStringLiteral("ab"), {QStringLiteral("ac")}), 0.0);
        // NL = 1/3 < 0.5: 2/3.
        QVERIFY(qFuzzyCompare(anls(QStringLiteral("abd"), {QStringLiteral("abc")}), 2.0 / 3.0));
        // Max over references.
        QCOMPARE(anls(QStringLiteral("abc"), {QStringLiteral("xyz"), QStringLiteral("abc")}), 1.0);
        // Code points, not UTF-16 units: 検査済 vs 検査済み is 1 edit over 4 → 0.75.
        QCOMPARE(anls(QStringLiteral("検査済"), {QStringLiteral("検査済み")}), 0.75);
        QCOMPARE(levenshtein(QStringLiteral("😀a"), QStringLiteral("a")), 1);
        QCOMPARE(levenshtein(QStringLiteral("kitten"), QStringLiteral("sitting")), 3);
    }

    void relaxedAccuracyAsChartQaDefinesIt()
    {
        QCOMPARE(relaxedAccuracy(QStringLiteral("105"), {QStringLiteral("100")}), 1.0);  // 5 % exactly
        QCOMPARE(relaxedAccuracy(QStringLiteral("105.1"), {QStringLiteral("100")}), 0.0);
        QCOMPARE(relaxedAccuracy(QStringLiteral("95 mm"), {QStringLiteral("100")}), 1.0);
        QCOMPARE(relaxedAccuracy(QStringLiteral("0"), {QStringLiteral("0")}), 1.0);
        QCOMPARE(relaxedAccuracy(QStringLiteral("0.001"), {QStringLiteral("0")}), 0.0);
        QCOMPARE(relaxedAccuracy(QStringLiteral("1,250"), {QStringLiteral("1200")}), 1.0); // 4.2 %
        QCOMPARE(relaxedAccuracy(QStringLiteral("５個"), {QStringLiteral("5")}), 1.0);
        QCOMPARE(relaxedAccuracy(QStringLiteral("-3"), {QStringLiteral("3")}), 0.0);
        // A non-numeric reference needs exact match.
        QCOMPARE(relaxedAccuracy(QStringLiteral("Top-left"), {QStringLiteral("top-left")}), 1.0);
        QCOMPARE(relaxedAccuracy(QStringLiteral("none"), {QStringLiteral("4")}), 0.0);
    }

    void yesNoAndAbsoluteError()
    {
        QCOMPARE(yesNoAccuracy(QStringLiteral("Yes, it matches."), {QStringLiteral("yes")}), 1.0);
        QCOMPARE(yesNoAccuracy(QStringLiteral("はい"), {QStringLiteral("yes")}), 1.0);
        QCOMPARE(yesNoAccuracy(QStringLiteral("no"), {QStringLiteral("yes")}), 0.0);
        QCOMPARE(yesNoAccuracy(QStringLiteral("maybe"), {QStringLiteral("no")}), 0.0);
        QCOMPARE(*absoluteError(QStringLiteral("7 holes"), {QStringLiteral("5")}), 2.0);
        QCOMPARE(*absoluteError(QStringLiteral("2.5"), {QStringLiteral("4"), QStringLiteral("3")}), 0.5);
        QVERIFY(!absoluteError(QStringLiteral("several"), {QStringLiteral("5")}));
        QCOMPARE(defaultMetric(QStringLiteral("number")), Metric::RelaxedAccuracy);
        QCOMPARE(defaultMetric(QStringLiteral("yesno")), Metric::YesNoAccuracy);
        QCOMPARE(defaultMetric(QStringLiteral("text")), Metric::Anls);
        QCOMPARE(*metricFromName(QStringLiteral("anls")), Metric::Anls);
        QVERIFY(!metricFromName(QStringLiteral("bleu")));
    }

    void bootstrapIntervals()
    {
        // All equal: a zero-width interval at the value.
        auto flat = bootstrapMean(std::vector<double>(50, 1.0), 7);
        QCOMPARE(flat.value, 1.0);
        QCOMPARE(flat.low, 1.0);
        QCOMPARE(flat.high, 1.0);
        // 60 of 100 right: the mean is 0.6 and the interval about ±1.96·sqrt(0.24/100) = ±0.096.
        std::vector<double> v(100, 0.0);
        for (int i = 0; i < 60; ++i)
            v[std::size_t(i)] = 1.0;
        auto e = bootstrapMean(v, 11, 4000);
        QCOMPARE(e.value, 0.6);
        QCOMPARE(e.items, 100);
        QVERIFY2(e.low > 0.48 && e.low < 0.53 && e.high > 0.67 && e.high < 0.72,
                 qPrintable(QStringLiteral("[%1, %2]").arg(e.low).arg(e.high)));
        // Seeded: the same seed gives the same interval, another seed another one.
        auto again = bootstrapMean(v, 11, 4000);
        QCOMPARE(again.low, e.low);
        QCOMPARE(again.high, e.high);
        auto families = byFamily({{QStringLiteral("a"), 1}, {QStringLiteral("a"), 0}, {QStringLiteral("b"), 1}}, 3);
        QCOMPARE(families.size(), std::size_t(3));
        QCOMPARE(families[QStringLiteral("a")].value, 0.5);
        QCOMPARE(families[QString()].items, 3);
        QCOMPARE(bootstrapMean({}, 1).items, 0);
    }

    void differencesAndMcNemar()
    {
        QCOMPARE(formatBootstrapP(0), QStringLiteral("< 0.0005"));
        QCOMPARE(formatBootstrapP(0.0456), QStringLiteral("0.0456"));
        // McNemar: 1 vs 5 discordant pairs → 2·(C(6,0)+C(6,1))/2⁶ = 14/64.
        QVERIFY(qFuzzyCompare(mcnemarExact(1, 5), 14.0 / 64.0));
        QCOMPARE(mcnemarExact(0, 0), 1.0);
        QCOMPARE(mcnemarExact(3, 3), 1.0); // capped
        // 0 vs 10: 2/1024.
        QVERIFY(qFuzzyCompare(mcnemarExact(0, 10), 2.0 / 1024.0));
        // B better on 30 of 100 items, never worse: a clear difference.
        std::vector<double> a(100, 0.0), b(100, 0.0);
        for (int i = 0; i < 30; ++i)
            b[std::size_t(i)] = 1.0;
        auto d = pairedBootstrap(a, b, 5);
        QCOMPARE(d.value, 0.3);
        QVERIFY(d.low > 0.2 && d.high < 0.4);
        QVERIFY(d.pValue < 0.01);
        // The same scores: no difference.
        auto none = pairedBootstrap(b, b, 5);
        QCOMPARE(none.value, 0.0);
        QCOMPARE(none.pValue, 1.0);
    }

    void comparisonFilesKeepJapaneseAndQuote()
    {
        Comparison c;
        c.names = {QStringLiteral("base"), QStringLiteral("student")};
        c.labels = {QStringLiteral("base (m, direct)"), QStringLiteral("student (s, direct)")};
        EvalReport a, b;
        a.generations = 12;
        b.generations = 1;
        a.byMetric[QStringLiteral("score")][QString()] = {0.5, 0.4, 0.6, 2};
        b.byMetric[QStringLiteral("score")][QString()] = {1.0, 1.0, 1.0, 2};
        c.reports = {a, b};
        c.differences = {Difference{0.5, 0.0, 1.0, 0.3, 2}};
        c.mcnemarP = {1.0};
        c.costRatio = {12.0};
        c.families = {QStringLiteral("note_check")};
        CompareRow r;
        r.itemId = 7;
        r.family = QStringLiteral("note_check");
        r.question = QStringLiteral("穴の数は、図面と一致しますか?");
        r.reference = QStringLiteral("はい");
        r.answers = {QStringLiteral("say \"no\""), QStringLiteral("はい")};
        r.scores = {0.0, 1.0};
        r.right = {false, true};
        r.traces = {QStringLiteral("[]"), QStringLiteral("[{\"prompt\":\"decompose v1\",\"step1\":\"<b>分析</b>\",\"step2\":\"はい\"}]")};
        r.change = {ItemChange::Improved};
        c.rows = {r};
        const QString csv = QString::fromUtf8(comparisonCsv(c));
        QVERIFY2(csv.contains(QStringLiteral("7,note_check,穴の数は、図面と一致しますか?,はい,\"say \"\"no\"\"\",0,0,はい,1,1,improved,")),
                 qPrintable(csv));
        QVERIFY(comparisonCsv(c).startsWith("\xEF\xBB\xBF")); // UTF-8 byte-order mark, for spreadsheet programs
        const QString html = QString::fromUtf8(comparisonHtml(c));
        QVERIFY(html.contains(QStringLiteral("<meta charset=\"utf-8\">")));
        QVERIFY(html.contains(QStringLiteral("<svg")));
        QVERIFY(html.contains(QStringLiteral("穴の数は、図面と一致しますか?")));
        QVERIFY(html.contains(QStringLiteral("&lt;b&gt;分析&lt;/b&gt;"))); // trace text escaped
        QVERIFY(html.contains(QStringLiteral("12.0×")));
        QVERIFY(!html.contains(QStringLiteral("http://") ) || html.contains(QStringLiteral("http://www.w3.org/2000/svg"))); // no external resources
        QVERIFY(!html.contains(QStringLiteral("<script")));
        QVERIFY(!html.contains(QStringLiteral("src=")));
    }

    // CSV injection (OWASP): a text cell that starts with = + - @, a tab or a carriage return is
    // a formula to a spreadsheet program; it is written with a leading apostrophe, quoted.
    void csvFormulaCellsAreNeutralised_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addColumn<QString>("cell");
        QTest::newRow("=") << QStringLiteral("=HYPERLINK(\"http://x\")") << QStringLiteral("\"'=HYPERLINK(\"\"http://x\"\")\"");
        QTest::newRow("+") << QStringLiteral("+1+1") << QStringLiteral("\"'+1+1\"");
        QTest::newRow("-") << QStringLiteral("-2+3") << QStringLiteral("\"'-2+3\"");
        QTest::newRow("@") << QStringLiteral("@SUM(A1)") << QStringLiteral("\"'@SUM(A1)\"");
        QTest::newRow("tab") << QStringLiteral("\t=1") << QStringLiteral("\"'\t=1\"");
        QTest::newRow("carriage return") << QStringLiteral("\r=1") << QStringLiteral("\"'\r=1\"");
        QTest::newRow("plain") << QStringLiteral("a=b") << QStringLiteral(",a=b,");
        QTest::newRow("Japanese") << QStringLiteral("＝いいえ") << QStringLiteral(",＝いいえ,");
    }

    void csvFormulaCellsAreNeutralised()
    {
        QFETCH(QString, answer);
        QFETCH(QString, cell);
        Comparison c;
        c.names = {QStringLiteral("=cmd|' /C calc'!A0"), QStringLiteral("s")};
        EvalReport a;
        c.reports = {a, a};
        c.differences = {Difference{}};
        c.mcnemarP = {1.0};
        c.costRatio = {1.0};
        CompareRow r;
        r.itemId = 1;
        r.family = QStringLiteral("f");
        r.question = QStringLiteral("q");
        r.reference = QStringLiteral("r");
        r.answers = {answer, QStringLiteral("x")};
        r.scores = {0.0, 0.0};
        r.right = {false, false};
        r.traces = {QStringLiteral("[]"), QStringLiteral("[]")};
        r.change = {ItemChange::Same};
        c.rows = {r};
        const QString csv = QString::fromUtf8(comparisonCsv(c));
        QVERIFY2(csv.contains(cell), qPrintable(csv));
        // The evaluation's name in the header row is a cell too.
        QVERIFY2(csv.contains(QStringLiteral("\"'=cmd|' /C calc'!A0 answer\"")), qPrintable(csv));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
