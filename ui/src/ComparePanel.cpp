#include "sdrt/ui/ComparePanel.h"

#include "sdrt/common/Log.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/OutputFile.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/AssetViewer.h"
#include "sdrt/ui/CellTableModel.h"
#include "sdrt/ui/ComparisonController.h"
#include "sdrt/ui/ComparisonTables.h"
#include "sdrt/ui/ElidingComboBox.h"
#include "sdrt/ui/ItemImages.h"
#include "sdrt/ui/ReviewController.h"
#include "sdrt/ui/RunText.h"
#include "sdrt/ui/WorkspaceSession.h"

#include "Layouts.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <set>

namespace sdrt::ui {

ComparePanel::ComparePanel(ComparisonController *controller, QWidget *parent)
    : Screen(parent), m_controller(controller), m_session(controller->session()), m_evaluationsModel(new CellTableModel(this)),
      m_summaryModel(new CellTableModel(this)), m_itemsModel(new CellTableModel(this)), m_evaluations(new QTableView(this)),
      m_compare(new QPushButton(tr("&Compare"), this)), m_metric(new ElidingComboBox(this)), m_summary(new QTableView(this)), m_chart(new QChart),
      m_rowFilter(new ElidingComboBox(this)), m_familyFilter(new ElidingComboBox(this)), m_items(new QTableView(this)), m_shown(new QLabel(this)),
      m_send(new QPushButton(tr("Send to Re&view"), this)), m_exportHtml(new QPushButton(tr("Export &HTML…"), this)),
      m_exportCsv(new QPushButton(tr("Export C&SV…"), this)), m_viewer(new AssetViewer(this)), m_detail(new QTextBrowser(this))
{
    setObjectName(QStringLiteral("comparePanel"));
    m_evaluations->setObjectName(QStringLiteral("compareEvaluations"));
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_items->setObjectName(QStringLiteral("compareItems"));
    m_metric->setObjectName(QStringLiteral("compareMetric"));
    m_rowFilter->setObjectName(QStringLiteral("compareRowFilter"));
    m_familyFilter->setObjectName(QStringLiteral("compareFamilyFilter"));
    m_evaluations->setToolTip(tr("Check two or more evaluations; the first checked is the reference the others are compared with"));
    m_compare->setToolTip(tr("Compare the checked evaluations on their common items (Ctrl+Return)"));
    m_send->setToolTip(tr("Put the selected items (or every shown item) in the review queue's \"From …\" filter"));
    m_rowFilter->addItem(tr("All items"), int(RowFilter::All));
    m_rowFilter->addItem(tr("Improvements"), int(RowFilter::Improved));
    m_rowFilter->addItem(tr("Regressions"), int(RowFilter::Regressed));
    m_rowFilter->addItem(tr("Disagreements"), int(RowFilter::Disagree));
    m_evaluations->setModel(m_evaluationsModel);
    m_summary->setModel(m_summaryModel);
    m_items->setModel(m_itemsModel);
    for (QTableView *t : {m_evaluations, m_summary, m_items}) {
        t->setEditTriggers(QAbstractItemView::NoEditTriggers);
        t->setSelectionBehavior(QAbstractItemView::SelectRows);
        t->verticalHeader()->hide();
        t->horizontalHeader()->setStretchLastSection(true);
    }
    // The summary's evaluation names stay in sight while its many columns scroll: they are the
    // vertical header (the model's first column, hidden here).
    m_summary->verticalHeader()->show();
    m_summary->verticalHeader()->setMaximumWidth(200); // longer labels elided; the tooltip has them whole
    m_evaluations->setSelectionMode(QAbstractItemView::SingleSelection);
    m_items->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_detail->setOpenLinks(false);

    auto *compareShortcut = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return), this);
    compareShortcut->setContext(Qt::WidgetWithChildrenShortcut);
    connect(compareShortcut, &QShortcut::activated, this, &ComparePanel::compareChecked);
    connect(m_compare, &QPushButton::clicked, this, &ComparePanel::compareChecked);
    connect(m_metric, &QComboBox::currentIndexChanged, this, [this] {
        fillSummary();
        fillChart();
    });
    connect(m_rowFilter, &QComboBox::currentIndexChanged, this, &ComparePanel::fillItems);
    connect(m_familyFilter, &QComboBox::currentIndexChanged, this, &ComparePanel::fillItems);
    connect(m_items->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) { showRow(current.row()); });
    connect(m_send, &QPushButton::clicked, this, &ComparePanel::sendToReview);
    connect(m_controller, &ComparisonController::compared, this, &ComparePanel::onCompared);
    connect(m_exportHtml, &QPushButton::clicked, this, [this] { chooseExport(true); });
    connect(m_exportCsv, &QPushButton::clicked, this, [this] { chooseExport(false); });
    connect(m_session, &WorkspaceSession::opened, this, &ComparePanel::reload);
    connect(m_session, &WorkspaceSession::opened, this, &ComparePanel::restoreSelection);
    connect(m_session, &WorkspaceSession::closed, this, &ComparePanel::reload);
    buildLayout();
    reload();
}

void ComparePanel::buildLayout()
{
    using namespace layouts;
    auto [left, leftLayout] = pane<QVBoxLayout>(this);
    leftLayout->addWidget(new QLabel(tr("Evaluations:"), left));
    leftLayout->addWidget(m_evaluations, 1);
    leftLayout->addWidget(m_compare);
    left->setMaximumWidth(300);

    auto [top, topLayout] = pane<QVBoxLayout>(this);
    auto *metricRow = new QHBoxLayout;
    metricRow->addWidget(buddyLabel(tr("&Metric:"), m_metric, top));
    metricRow->addWidget(m_metric);
    metricRow->addStretch(1);
    metricRow->addWidget(m_exportHtml);
    metricRow->addWidget(m_exportCsv);
    topLayout->addLayout(metricRow);
    auto *chartView = new QChartView(m_chart, top);
    chartView->setObjectName(QStringLiteral("compareChart"));
    chartView->setRenderHint(QPainter::Antialiasing);
    chartView->setMinimumHeight(200);
    // The table and the chart each get the whole width: side by side, neither was readable on
    // a laptop screen. Each bar has its 95 % interval drawn on it.
    auto *views = new QTabWidget(top);
    views->setObjectName(QStringLiteral("compareViews"));
    views->addTab(m_summary, tr("&Table"));
    views->addTab(chartView, tr("C&hart"));
    views->setDocumentMode(true);
    topLayout->addWidget(views, 1);

    auto [middle, middleLayout] = pane<QVBoxLayout>(this);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(buddyLabel(tr("Sho&w:"), m_rowFilter, middle));
    filterRow->addWidget(m_rowFilter);
    filterRow->addWidget(m_familyFilter);
    filterRow->addWidget(m_shown, 1);
    filterRow->addWidget(m_send);
    middleLayout->addLayout(filterRow);
    middleLayout->addWidget(m_items, 1);

    QSplitter *bottom = splitter(Qt::Horizontal, this, {m_viewer, m_detail}, {0, 1});
    QSplitter *right = splitter(Qt::Vertical, this, {top, middle, bottom}, {3, 3, 2});
    fill(this, splitter(Qt::Horizontal, this, {left, right}, {0, 1}));
}

ComparePanel::~ComparePanel() = default;

void ComparePanel::reload()
{
    QStringList checked;
    for (const QVariant &k : m_evaluationsModel->checkedKeys())
        checked << k.toString();
    if (!m_session->isOpen()) {
        m_evaluationsModel->setTable({});
        fillSummary();
        fillChart();
        fillItems();
        return;
    }
    auto list = m_controller->evaluations();
    if (!list) {
        Q_EMIT errorOccurred(tr("Evaluations"), list.error());
        return;
    }
    m_evaluationsModel->setTable(ComparisonTables::evaluations(*list, checked));
    m_evaluations->resizeColumnsToContents();
}

const eval::Comparison *ComparePanel::comparison() const
{
    return m_controller->comparison();
}

bool ComparePanel::compareChecked()
{
    QStringList names;
    for (const QVariant &k : m_evaluationsModel->checkedKeys())
        names << k.toString();
    return compareNames(names);
}

bool ComparePanel::compareNames(const QStringList &names)
{
    if (!m_session->isOpen())
        return false;
    if (names.size() < 2) {
        Q_EMIT errorOccurred(tr("Compare"), tr("Check at least two evaluations."));
        return false;
    }
    m_evaluationsModel->check(QVariantList(names.begin(), names.end()));
    if (!m_controller->compare(names)) {
        Q_EMIT errorOccurred(tr("Compare"), tr("A comparison is being computed; wait for it to finish."));
        return false;
    }
    m_compare->setEnabled(false);
    QSettings().setValue(selectionKey(), names); // shown again when the workspace is next opened
    Q_EMIT statusMessage(tr("Comparing %n evaluation(s)…", nullptr, int(names.size())));
    return true;
}

QString ComparePanel::selectionKey() const
{
    return QStringLiteral("compare/selection/%1").arg(QString::fromLatin1(m_session->root().toUtf8().toHex()));
}

// On opening a workspace: the evaluations compared last time, else its newest finished ones (up
// to three), compared at once, so the screen never opens blank when there is something to show.
void ComparePanel::restoreSelection()
{
    auto list = m_controller->evaluations();
    if (!m_session->isOpen() || !list)
        return;
    QStringList done;
    for (const EvaluationRow &r : *list)
        if (r.evaluation.status == store::RunStatus::Done)
            done << r.evaluation.name;
    QStringList names;
    for (const QString &n : QSettings().value(selectionKey()).toStringList())
        if (done.contains(n))
            names << n;
    if (names.size() < 2)
        names = done.mid(std::max(0, int(done.size()) - 3));
    if (names.size() >= 2)
        compareNames(names);
}

void ComparePanel::onCompared(bool ok, const QString &error)
{
    m_compare->setEnabled(true);
    if (!ok) {
        Q_EMIT errorOccurred(tr("Cannot compare"), error);
        Q_EMIT compared(false);
        return;
    }
    fillChoices();
    fillSummary();
    fillChart();
    fillItems();
    Q_EMIT statusMessage(tr("Compared %n evaluation(s) on %1 common item(s)", nullptr, int(comparison()->names.size())).arg(comparison()->rows.size()));
    Q_EMIT compared(true);
}

// The metrics and families of the new comparison, keeping the metric chosen when it has one.
void ComparePanel::fillChoices()
{
    const QString metric = m_metric->currentData().toString();
    {
        const QSignalBlocker block(m_metric);
        m_metric->clear();
        std::set<QString> metrics;
        for (const eval::EvalReport &r : comparison()->reports)
            for (const auto &[name, families] : r.byMetric)
                metrics.insert(name);
        for (const QString &m : metrics)
            m_metric->addItem(m == QLatin1String("score") ? tr("score (each item by its own metric)") : m, m);
        m_metric->setCurrentIndex(std::max(0, m_metric->findData(metric.isEmpty() ? QStringLiteral("score") : metric)));
    }
    const QSignalBlocker block(m_familyFilter);
    m_familyFilter->clear();
    m_familyFilter->addItem(tr("All task families"), QString());
    for (const QString &f : comparison()->families)
        m_familyFilter->addItem(f, f);
}

void ComparePanel::fillSummary()
{
    m_summaryModel->setTable(comparison() ? ComparisonTables::summary(*comparison(), m_metric->currentData().toString()) : CellTable());
    m_summary->setColumnHidden(0, true); // shown as the fixed vertical header
    m_summary->resizeColumnsToContents();
}

void ComparePanel::fillChart()
{
    m_chart->removeAllSeries();
    for (QAbstractAxis *a : m_chart->axes())
        m_chart->removeAxis(a);
    if (!comparison())
        return;
    const eval::Comparison &c = *comparison();
    const QString metric = m_metric->currentData().toString();
    QStringList categories{tr("all")};
    QStringList families{QString()};
    for (const QString &f : c.families) {
        families << f;
        // Long names break after their underscores (the axis draws rich text), so that a whole
        // family name fits a narrow category instead of "drawing_…".
        QString label = f.toHtmlEscaped();
        categories << label.replace(QLatin1Char('_'), QStringLiteral("_<br>"));
    }
    auto *series = new QBarSeries;
    for (std::size_t i = 0; i < c.reports.size(); ++i) {
        auto *set = new QBarSet(c.names[i]);
        const auto m = c.reports[i].byMetric.find(metric);
        for (const QString &f : families)
            *set << ((m != c.reports[i].byMetric.end() && m->second.count(f)) ? 100.0 * m->second.at(f).value : 0.0);
        series->append(set);
    }
    m_chart->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    QFont small = x->labelsFont();
    small.setPointSizeF(small.pointSizeF() * 0.85); // family names whole in narrower categories
    x->setLabelsFont(small);
    auto *y = new QValueAxis;
    y->setRange(0, 100);
    // The metric is named by the drop-down above: no chart title, and the unit in the labels.
    y->setLabelFormat(metric == QLatin1String("absolute_error") ? QStringLiteral("%.0f") : QStringLiteral("%.0f %%"));
    if (metric == QLatin1String("absolute_error"))
        y->setTitleText(tr("mean absolute error × 100"));
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    addErrorBars(series, families, x, y);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->legend()->setShowToolTips(true);
}

// Each bar's 95 % interval as a vertical line with caps through the bar's middle: category k
// spans k ± width/2, shared by the bar sets in order.
void ComparePanel::addErrorBars(QAbstractBarSeries *bars, const QStringList &families, QAbstractAxis *x, QAbstractAxis *y)
{
    const eval::Comparison &c = *comparison();
    const QString metric = m_metric->currentData().toString();
    const double width = bars->barWidth();
    const int sets = int(c.reports.size());
    const QColor colour = palette().color(QPalette::WindowText);
    for (int i = 0; i < sets; ++i) {
        const auto m = c.reports[std::size_t(i)].byMetric.find(metric);
        if (m == c.reports[std::size_t(i)].byMetric.end())
            continue;
        for (int k = 0; k < families.size(); ++k) {
            const auto e = m->second.find(families[k]);
            if (e == m->second.end())
                continue;
            const double centre = k - width / 2 + width * (i + 0.5) / sets, cap = width / sets / 4;
            const double low = 100 * e->second.low, high = 100 * e->second.high;
            auto *line = new QLineSeries;
            line->setName(tr("%1 95 % interval").arg(c.labels[std::size_t(i)]));
            *line << QPointF(centre - cap, low) << QPointF(centre + cap, low) << QPointF(centre, low) << QPointF(centre, high)
                  << QPointF(centre - cap, high) << QPointF(centre + cap, high);
            line->setPen(QPen(colour, 1.5));
            m_chart->addSeries(line);
            line->attachAxis(x);
            line->attachAxis(y);
            for (QLegendMarker *marker : m_chart->legend()->markers(line))
                marker->setVisible(false);
        }
    }
}

void ComparePanel::fillItems()
{
    if (!comparison()) {
        m_itemsModel->setTable({});
        m_shown->clear();
        return;
    }
    m_itemsModel->setTable(ComparisonTables::items(*comparison(), RowFilter(m_rowFilter->currentData().toInt()), m_familyFilter->currentData().toString()));
    const int shown = m_itemsModel->rowCount();
    m_items->resizeColumnsToContents();
    m_items->setColumnWidth(2, std::min(m_items->columnWidth(2), 320)); // the question: its tooltip has all of it
    if (shown > 0)
        m_items->setCurrentIndex(m_itemsModel->index(0, 0));
    m_shown->setText(tr("%1 of %n common item(s) shown", nullptr, int(comparison()->rows.size())).arg(shown));
}

void ComparePanel::showRow(int row)
{
    m_detail->clear();
    if (!comparison() || row < 0 || row >= m_itemsModel->rowCount())
        return;
    const eval::Comparison &c = *comparison();
    const eval::CompareRow &cr = c.rows[std::size_t(m_itemsModel->key(row).toLongLong())];
    auto item = m_session->item(cr.itemId);
    if (item) {
        const ItemImages images = itemImages(*item, *m_session->workspace());
        m_viewer->setAssets(images.assets, images.paths);
    }
    QString html = tr("<p><b>Item %1</b> · %2<br>%3<br>Reference: <b>%4</b></p>")
                       .arg(cr.itemId)
                       .arg(cr.family.toHtmlEscaped(), cr.question.toHtmlEscaped(), cr.reference.toHtmlEscaped());
    if (item && !item->noteText.isEmpty())
        html += tr("<p>Note: %1</p>").arg(item->noteText.toHtmlEscaped());
    for (std::size_t i = 0; i < c.names.size(); ++i) {
        html += QStringLiteral("<h4>%1 — %2</h4>").arg(c.labels[i].toHtmlEscaped(),
                                                       cr.answers[i].isEmpty() ? tr("(failed)") : cr.answers[i].toHtmlEscaped());
        const QJsonArray steps = QJsonDocument::fromJson(cr.traces[i].toUtf8()).array();
        for (const QJsonValue &v : steps) {
            const QJsonObject s = v.toObject();
            html += tr("<p><i>%1</i>: %2<br>→ %3</p>")
                        .arg(s.value(QStringLiteral("prompt")).toString().toHtmlEscaped(),
                             s.value(QStringLiteral("step1")).toString().toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")),
                             s.value(QStringLiteral("step2")).toString().toHtmlEscaped());
        }
    }
    m_detail->setHtml(html);
}

QString ComparePanel::sendToReview()
{
    if (!comparison() || !m_session->isOpen())
        return {};
    std::set<int> rows;
    for (const QModelIndex &index : m_items->selectionModel()->selectedIndexes())
        rows.insert(index.row());
    if (rows.empty())
        for (int r = 0; r < m_itemsModel->rowCount(); ++r)
            rows.insert(r);
    std::vector<store::Id> items;
    for (int r : rows)
        items.push_back(comparison()->rows[std::size_t(m_itemsModel->key(r).toLongLong())].itemId);
    if (items.empty()) {
        Q_EMIT errorOccurred(tr("Send to Review"), tr("No items are shown."));
        return {};
    }
    auto sent = m_controller->sendToReview(items);
    if (!sent) {
        Q_EMIT errorOccurred(tr("Send to Review"), sent.error());
        return {};
    }
    const auto &[source, added] = *sent;
    // The review queue shows items with teacher traces; eval items often have none yet.
    int withoutTraces = int(items.size());
    if (const review::ReviewSession *reviews = m_session->reviews()->session()) {
        const std::set<store::Id> traced(reviews->items().begin(), reviews->items().end());
        withoutTraces = int(std::count_if(items.begin(), items.end(), [&](store::Id id) { return !traced.count(id); }));
    }
    if (withoutTraces > 0)
        Q_EMIT statusMessage(tr("%n item(s) sent to review; %1 of them have no teacher traces yet: generate traces for them (Generate panel, their split) to review them.",
                                nullptr, int(items.size()))
                                 .arg(withoutTraces));
    else
        Q_EMIT statusMessage(tr("%n item(s) sent to review (%1 new)", nullptr, int(items.size())).arg(added));
    Q_EMIT reviewRequested(source);
    return source;
}

bool ComparePanel::exportTo(const QString &path, bool html)
{
    if (!comparison())
        return false;
    // The file dialog asked before returning an existing file: that is the user's consent.
    const QByteArray bytes = html ? eval::comparisonHtml(*comparison()) : eval::comparisonCsv(*comparison());
    if (auto w = store::writeExport(path, bytes, true); !w) {
        Q_EMIT errorOccurred(tr("Export failed"), w.error());
        return false;
    }
    Q_EMIT statusMessage(tr("Wrote %1").arg(QDir::toNativeSeparators(path)));
    return true;
}

void ComparePanel::chooseExport(bool html)
{
    if (!comparison()) {
        Q_EMIT errorOccurred(tr("Export"), tr("Compare two or more evaluations first."));
        return;
    }
    const QString suggested = QDir(m_session->root()).filePath(html ? QStringLiteral("exports/comparison.html") : QStringLiteral("exports/comparison.csv"));
    const QString path = QFileDialog::getSaveFileName(this, html ? tr("Export Comparison (HTML)") : tr("Export Comparison (CSV)"), suggested,
                                                      html ? tr("HTML (*.html)") : tr("CSV (*.csv)"));
    if (!path.isEmpty())
        exportTo(path, html);
}

} // namespace sdrt::ui
