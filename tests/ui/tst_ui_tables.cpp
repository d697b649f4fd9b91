// The Compare screen's tables as cells (ComparisonTables) and the model that serves them
// (CellTableModel), without a window: which rows a filter keeps, what the cells say, and the
// check boxes of the evaluations list.

#include "sdrt/ui/CellTableModel.h"
#include "sdrt/ui/ComparisonTables.h"

#include <QSignalSpy>
#include <QTest>

using namespace sdrt;

namespace {

eval::CompareRow row(store::Id id, const QString &family, std::vector<eval::ItemChange> change, bool disagree)
{
    eval::CompareRow r;
    r.itemId = id;
    r.family = family;
    r.question = QStringLiteral("Q%1 寸法は?").arg(id);
    r.reference = QStringLiteral("12");
    r.answers = {QStringLiteral("12"), QString()};
    r.right = {true, false};
    r.traces = {QStringLiteral("[]"), QStringLiteral("[]")};
    r.change = std::move(change);
    r.disagree = disagree;
    return r;
}

eval::Comparison comparison()
{
    eval::Comparison c;
    c.names = {QStringLiteral("base"), QStringLiteral("student")};
    c.labels = {QStringLiteral("base (tiny, direct)"), QStringLiteral("student (tiny, direct)")};
    c.families = {QStringLiteral("count"), QStringLiteral("drawing_value")};
    c.rows = {row(1, QStringLiteral("count"), {eval::ItemChange::Regressed}, true),
              row(2, QStringLiteral("count"), {eval::ItemChange::Same}, false),
              row(3, QStringLiteral("drawing_value"), {eval::ItemChange::Improved}, true)};
    for (int i = 0; i < 2; ++i) {
        eval::EvalReport r;
        r.name = c.names[std::size_t(i)];
        r.byMetric[QStringLiteral("score")][QString()] = {0.5 + 0.25 * i, 0.25, 0.75 + 0.25 * i};
        r.generations = i == 0 ? 1.0 : 6.5; // the student costs 6.5 times the base
        c.reports.push_back(r);
    }
    c.differences = {{0.25, -0.5, 1.0, 0.5}};
    c.mcnemarP = {1.0};
    c.costRatio = {1.0 / 6.5};
    c.familyDifferences = {{}};
    return c;
}

} // namespace

class TestUiTables : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void itemFiltersKeepTheirRows_data()
    {
        QTest::addColumn<int>("filter");
        QTest::addColumn<QString>("family");
        QTest::addColumn<QList<qint64>>("items");
        QTest::newRow("all") << int(ui::RowFilter::All) << QString() << QList<qint64>{1, 2, 3};
        QTest::newRow("improved") << int(ui::RowFilter::Improved) << QString() << QList<qint64>{3};
        QTest::newRow("regressed") << int(ui::RowFilter::Regressed) << QString() << QList<qint64>{1};
        QTest::newRow("disagree") << int(ui::RowFilter::Disagree) << QString() << QList<qint64>{1, 3};
        QTest::newRow("family") << int(ui::RowFilter::All) << QStringLiteral("count") << QList<qint64>{1, 2};
        QTest::newRow("family and change") << int(ui::RowFilter::Improved) << QStringLiteral("count") << QList<qint64>{};
    }

    void itemFiltersKeepTheirRows()
    {
        QFETCH(int, filter);
        QFETCH(QString, family);
        QFETCH(QList<qint64>, items);
        const eval::Comparison c = comparison();
        ui::CellTableModel model;
        model.setTable(ui::ComparisonTables::items(c, ui::RowFilter(filter), family));
        QList<qint64> shown;
        for (int r = 0; r < model.rowCount(); ++r) {
            // The key is the row's index in the comparison; the first cell its item id.
            const auto &cr = c.rows[std::size_t(model.key(r).toLongLong())];
            QCOMPARE(model.text(r, 0).toLongLong(), qint64(cr.itemId));
            shown << cr.itemId;
        }
        QCOMPARE(shown, items);
        // Item, family, question, reference, one answer per evaluation, one change per later one.
        QCOMPARE(model.columnCount(), 4 + 2 + 1);
    }

    void itemCellsSayWhatHappened()
    {
        ui::CellTableModel model;
        model.setTable(ui::ComparisonTables::items(comparison(), ui::RowFilter::All, QString()));
        QCOMPARE(model.text(0, 2), QStringLiteral("Q1 寸法は?"));
        QCOMPARE(model.data(model.index(0, 2), Qt::ToolTipRole).toString(), QStringLiteral("Q1 寸法は?"));
        QCOMPARE(model.text(0, 5), QStringLiteral("(failed)")); // an empty answer is a failure
        QCOMPARE(model.text(0, 6), QStringLiteral("regressed"));
        QCOMPARE(model.text(2, 6), QStringLiteral("improved"));
        const QColor right = model.data(model.index(0, 4), Qt::ForegroundRole).value<QColor>();
        const QColor wrong = model.data(model.index(0, 5), Qt::ForegroundRole).value<QColor>();
        QVERIFY(right.isValid() && wrong.isValid() && right != wrong);
        QCOMPARE(model.headerData(6, Qt::Horizontal).toString(), QStringLiteral("student vs base"));
    }

    void summaryShowsIntervalsAndTheDifference()
    {
        ui::CellTableModel model;
        model.setTable(ui::ComparisonTables::summary(comparison(), QStringLiteral("score")));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.text(0, 0), QStringLiteral("base (tiny, direct)"));
        QCOMPARE(model.text(1, 1), QStringLiteral("75.0 [25.0, 100.0]"));
        QCOMPARE(model.text(1, 2), QStringLiteral("–")); // no estimate for a family
        const int last = model.columnCount() - 1;
        QCOMPARE(model.text(0, last), QStringLiteral("–")); // the first has no difference to itself
        QCOMPARE(model.text(1, last - 2), QStringLiteral("25.0 [-50.0, 100.0]"));
        QCOMPARE(model.headerData(1, Qt::Vertical).toString(), model.text(1, 0)); // the label, fixed in the view
        // Cost in units of the first evaluation's, named in the header.
        QCOMPARE(model.headerData(last - 3, Qt::Horizontal).toString(), QStringLiteral("× the cost of base (tiny, direct)"));
        QCOMPARE(model.text(0, last - 3), QStringLiteral("–"));
        QCOMPARE(model.text(1, last - 3), QStringLiteral("6.5×")); // not first / this (0.15): it read backwards
        // A metric no report has: every estimate is a dash.
        model.setTable(ui::ComparisonTables::summary(comparison(), QStringLiteral("exact_match")));
        QCOMPARE(model.text(1, 1), QStringLiteral("–"));
    }

    void evaluationsAreCheckedByName()
    {
        std::vector<ui::ComparisonController::EvaluationRow> rows(3);
        rows[0].evaluation.name = QStringLiteral("a");
        rows[1].evaluation.name = QStringLiteral("評価-b");
        rows[2].evaluation.name = QStringLiteral("c");
        rows[2].evaluation.status = store::RunStatus::Failed;
        rows[2].evaluation.error = QStringLiteral("out of memory");
        ui::CellTableModel model;
        model.setTable(ui::ComparisonTables::evaluations(rows, {QStringLiteral("c")}));
        QCOMPARE(model.checkedKeys(), QVariantList{QStringLiteral("c")});
        QCOMPARE(model.data(model.index(2, 3), Qt::ToolTipRole).toString(), QStringLiteral("out of memory"));
        QVERIFY(model.flags(model.index(0, 0)) & Qt::ItemIsUserCheckable);
        QVERIFY(!(model.flags(model.index(0, 1)) & Qt::ItemIsUserCheckable));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QVERIFY(model.setData(model.index(1, 0), Qt::Checked, Qt::CheckStateRole));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.checkedKeys(), (QVariantList{QStringLiteral("評価-b"), QStringLiteral("c")}));
        // A cell without a check box takes no check state.
        QVERIFY(!model.setData(model.index(1, 1), Qt::Checked, Qt::CheckStateRole));
        model.check({QStringLiteral("a")});
        QCOMPARE(model.checkedKeys(), QVariantList{QStringLiteral("a")});
        // Outside the table: nothing, and no crash.
        QCOMPARE(model.text(7, 0), QString());
        QVERIFY(!model.key(-1).isValid());
    }
};

QTEST_GUILESS_MAIN(TestUiTables)
#include "tst_ui_tables.moc"
