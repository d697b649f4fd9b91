#include "sdrt/ui/ComparePanel.h"

#include "sdrt/common/Log.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/OutputFile.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/ui/AssetViewer.h"
#include "sdrt/ui/ComparisonController.h"
#include "sdrt/ui/ReviewController.h"
#include "sdrt/ui/RunText.h"
#include "sdrt/ui/WorkspaceSession.h"

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
#include <QListWidget>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <set>

namespace sdrt::ui {
namespace {

// Which item rows the table shows.
enum class RowFilter { All, Improved, Regressed, Disagree };

} // namespace

namespace {

QString pct(double v)
{
    return QString::number(100.0 * v, 'f', 1);
}

QString estimateText(const eval::Estimate &e)
{
    return QStringLiteral("%1 [%2, %3]").arg(pct(e.value), pct(e.low), pct(e.high));
}

} // namespace

ComparePanel::ComparePanel(ComparisonController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_session(controller->session()), m_evaluations(new QListWidget(this)), m_compare(new QPushButton(tr("&Compare"), this)),
      m_metric(new QComboBox(this)), m_summary(new QTableWidget(this)), m_chart(new QChart), m_rowFilter(new QComboBox(this)),
      m_familyFilter(new QComboBox(this)), m_items(new QTableWidget(this)), m_shown(new QLabel(this)),
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
    for (QTableWidget *t : {m_summary, m_items}) {
        t->setEditTriggers(QAbstractItemView::NoEditTriggers);
        t->setSelectionBehavior(QAbstractItemView::SelectRows);
        t->verticalHeader()->hide();
        t->horizontalHeader()->setStretchLastSection(true);
    }
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
    connect(m_items, &QTableWidget::currentCellChanged, this, [this](int row) { showRow(row); });
    connect(m_send, &QPushButton::clicked, this, &ComparePanel::sendToReview);
    connect(m_controller, &ComparisonController::compared, this, &ComparePanel::onCompared);
    connect(m_exportHtml, &QPushButton::clicked, this, [this] { chooseExport(true); });
    connect(m_exportCsv, &QPushButton::clicked, this, [this] { chooseExport(false); });

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(new QLabel(tr("Evaluations:"), left));
    leftLayout->addWidget(m_evaluations, 1);
    leftLayout->addWidget(m_compare);
    left->setMaximumWidth(320);

    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    auto *metricRow = new QHBoxLayout;
    auto *metricLabel = new QLabel(tr("&Metric:"), top);
    metricLabel->setBuddy(m_metric);
    metricRow->addWidget(metricLabel);
    metricRow->addWidget(m_metric);
    metricRow->addStretch(1);
    metricRow->addWidget(m_exportHtml);
    metricRow->addWidget(m_exportCsv);
    topLayout->addLayout(metricRow);
    auto *summaryAndChart = new QSplitter(Qt::Horizontal, top);
    summaryAndChart->addWidget(m_summary);
    auto *chartView = new QChartView(m_chart, top);
    chartView->setObjectName(QStringLiteral("compareChart"));
    chartView->setRenderHint(QPainter::Antialiasing);
    chartView->setMinimumHeight(220);
    chartView->setMinimumWidth(420);
    summaryAndChart->addWidget(chartView);
    summaryAndChart->setStretchFactor(0, 3);
    summaryAndChart->setStretchFactor(1, 2);
    topLayout->addWidget(summaryAndChart, 1);

    auto *middle = new QWidget(this);
    auto *middleLayout = new QVBoxLayout(middle);
    middleLayout->setContentsMargins(0, 0, 0, 0);
    auto *filterRow = new QHBoxLayout;
    auto *filterLabel = new QLabel(tr("Sho&w:"), middle);
    filterLabel->setBuddy(m_rowFilter);
    filterRow->addWidget(filterLabel);
    filterRow->addWidget(m_rowFilter);
    filterRow->addWidget(m_familyFilter);
    filterRow->addWidget(m_shown, 1);
    filterRow->addWidget(m_send);
    middleLayout->addLayout(filterRow);
    middleLayout->addWidget(m_items, 1);

    auto *bottom = new QSplitter(Qt::Horizontal, this);
    bottom->addWidget(m_viewer);
    bottom->addWidget(m_detail);
    bottom->setStretchFactor(1, 1);

    auto *right = new QSplitter(Qt::Vertical, this);
    right->addWidget(top);
    right->addWidget(middle);
    right->addWidget(bottom);
    auto *split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(m_session, &WorkspaceSession::opened, this, &ComparePanel::reload);
    connect(m_session, &WorkspaceSession::closed, this, &ComparePanel::reload);
    reload();
}

ComparePanel::~ComparePanel() = default;

void ComparePanel::reload()
{
    QStringList checked;
    for (int i = 0; i < m_evaluations->count(); ++i)
        if (m_evaluations->item(i)->checkState() == Qt::Checked)
            checked << m_evaluations->item(i)->data(Qt::UserRole).toString();
    m_evaluations->clear();
    if (!m_session->isOpen()) {
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
    for (const auto &[e, model] : *list) {
        auto *item = new QListWidgetItem(tr("%1 — %2, %3 (%4)").arg(e.name, model, evalModeText(e.mode, e.vote), runStatusText(e.status)), m_evaluations);
        item->setData(Qt::UserRole, e.name);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(e.name) ? Qt::Checked : Qt::Unchecked);
        if (!e.error.isEmpty())
            item->setToolTip(e.error);
    }
}

const eval::Comparison *ComparePanel::comparison() const
{
    return m_controller->comparison();
}

bool ComparePanel::compareChecked()
{
    QStringList names;
    for (int i = 0; i < m_evaluations->count(); ++i)
        if (m_evaluations->item(i)->checkState() == Qt::Checked)
            names << m_evaluations->item(i)->data(Qt::UserRole).toString();
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
    for (int i = 0; i < m_evaluations->count(); ++i)
        m_evaluations->item(i)->setCheckState(names.contains(m_evaluations->item(i)->data(Qt::UserRole).toString()) ? Qt::Checked : Qt::Unchecked);
    if (!m_controller->compare(names)) {
        Q_EMIT errorOccurred(tr("Compare"), tr("A comparison is being computed; wait for it to finish."));
        return false;
    }
    m_compare->setEnabled(false);
    Q_EMIT statusMessage(tr("Comparing %n evaluation(s)…", nullptr, int(names.size())));
    return true;
}

void ComparePanel::onCompared(bool ok, const QString &error)
{
    m_compare->setEnabled(true);
    if (!ok) {
        Q_EMIT errorOccurred(tr("Cannot compare"), error);
        Q_EMIT compared(false);
        return;
    }
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
    {
        const QSignalBlocker block(m_familyFilter);
        m_familyFilter->clear();
        m_familyFilter->addItem(tr("All task families"), QString());
        for (const QString &f : comparison()->families)
            m_familyFilter->addItem(f, f);
    }
    fillSummary();
    fillChart();
    fillItems();
    Q_EMIT statusMessage(tr("Compared %n evaluation(s) on %1 common item(s)", nullptr, int(comparison()->names.size())).arg(comparison()->rows.size()));
    Q_EMIT compared(true);
}

void ComparePanel::fillSummary()
{
    m_summary->clear();
    m_summary->setRowCount(0);
    m_summary->setColumnCount(0);
    if (!comparison())
        return;
    const eval::Comparison &c = *comparison();
    const QString metric = m_metric->currentData().toString();
    QStringList headers{tr("Evaluation")};
    QStringList families{QString()};
    for (const QString &f : c.families)
        families << f;
    for (const QString &f : families)
        headers << (f.isEmpty() ? tr("all") : f);
    headers << tr("Generations / answer") << tr("Tokens in / out") << tr("ms / answer") << tr("Cost ratio (first / this)")
            << tr("Δ score vs first [95 % CI]") << tr("p (paired bootstrap)") << tr("p (McNemar)");
    m_summary->setColumnCount(int(headers.size()));
    m_summary->setHorizontalHeaderLabels(headers);
    m_summary->setRowCount(int(c.reports.size()));
    for (std::size_t i = 0; i < c.reports.size(); ++i) {
        const eval::EvalReport &r = c.reports[i];
        int col = 0;
        auto set = [&](const QString &text) { m_summary->setItem(int(i), col++, new QTableWidgetItem(text)); };
        set(c.labels[i]);
        const auto m = r.byMetric.find(metric);
        for (const QString &f : families) {
            if (m == r.byMetric.end() || !m->second.count(f))
                set(QStringLiteral("–"));
            else
                set(estimateText(m->second.at(f)));
            if (i == 0 || f.isEmpty() || c.familyDifferences.size() < i)
                continue;
            for (const eval::FamilyDifference &fd : c.familyDifferences[i - 1])
                if (fd.family == f)
                    m_summary->item(int(i), col - 1)
                        ->setToolTip(tr("Score vs the first evaluation on %1: %2 [%3, %4], paired bootstrap p %5, McNemar p %6")
                                         .arg(f, pct(fd.difference.value), pct(fd.difference.low), pct(fd.difference.high))
                                         .arg(eval::formatBootstrapP(fd.difference.pValue))
                                         .arg(fd.mcnemarP, 0, 'g', 3));
        }
        set(QString::number(r.generations, 'f', 1));
        set(QStringLiteral("%1 / %2").arg(r.promptTokens, 0, 'f', 0).arg(r.generatedTokens, 0, 'f', 1));
        set(QString::number(r.latencyMs, 'f', 0));
        if (i == 0) {
            for (int k = 0; k < 4; ++k)
                set(QStringLiteral("–"));
            continue;
        }
        const eval::Difference &d = c.differences[i - 1];
        set(QString::number(c.costRatio[i - 1], 'f', 1));
        set(QStringLiteral("%1 [%2, %3]").arg(pct(d.value), pct(d.low), pct(d.high)));
        set(eval::formatBootstrapP(d.pValue));
        set(QString::number(c.mcnemarP[i - 1], 'g', 3));
    }
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
        categories << f;
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
    auto *y = new QValueAxis;
    y->setRange(0, 100);
    y->setTitleText(metric == QLatin1String("absolute_error") ? tr("mean absolute error × 100") : tr("%"));
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    m_chart->setTitle(m_metric->currentText());
    m_chart->legend()->setAlignment(Qt::AlignBottom);
}

void ComparePanel::fillItems()
{
    m_items->clear();
    m_items->setRowCount(0);
    m_items->setColumnCount(0);
    if (!comparison()) {
        m_shown->clear();
        return;
    }
    const eval::Comparison &c = *comparison();
    QStringList headers{tr("Item"), tr("Family"), tr("Question"), tr("Reference")};
    for (const QString &n : c.names)
        headers << n;
    for (std::size_t i = 1; i < c.names.size(); ++i)
        headers << tr("%1 vs %2").arg(c.names[i], c.names[0]);
    m_items->setColumnCount(int(headers.size()));
    m_items->setHorizontalHeaderLabels(headers);
    const auto filter = RowFilter(m_rowFilter->currentData().toInt());
    const bool byChange = filter == RowFilter::Improved || filter == RowFilter::Regressed;
    const eval::ItemChange wanted = filter == RowFilter::Improved ? eval::ItemChange::Improved : eval::ItemChange::Regressed;
    const QString family = m_familyFilter->currentData().toString();
    int row = 0;
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
        const eval::CompareRow &cr = c.rows[r];
        if (!family.isEmpty() && cr.family != family)
            continue;
        if (filter == RowFilter::Disagree && !cr.disagree)
            continue;
        if (byChange && std::find(cr.change.begin(), cr.change.end(), wanted) == cr.change.end())
            continue;
        m_items->insertRow(row);
        int col = 0;
        auto set = [&](const QString &text) {
            auto *cell = new QTableWidgetItem(text);
            m_items->setItem(row, col++, cell);
            return cell;
        };
        set(QString::number(cr.itemId))->setData(Qt::UserRole, qint64(r));
        set(cr.family);
        set(cr.question)->setToolTip(cr.question);
        set(cr.reference);
        for (std::size_t i = 0; i < cr.answers.size(); ++i) {
            QTableWidgetItem *cell = set(cr.answers[i].isEmpty() ? tr("(failed)") : cr.answers[i]);
            cell->setForeground(cr.right[i] ? QColor(0x1b, 0x7a, 0x2e) : QColor(0xb0, 0x20, 0x20));
        }
        for (const eval::ItemChange ch : cr.change)
            set(ch == eval::ItemChange::Improved ? tr("improved") : ch == eval::ItemChange::Regressed ? tr("regressed") : tr("same"));
        ++row;
    }
    m_items->resizeColumnsToContents();
    m_items->setColumnWidth(2, std::min(m_items->columnWidth(2), 320)); // the question: its tooltip has all of it
    if (row > 0)
        m_items->setCurrentCell(0, 0);
    m_shown->setText(tr("%1 of %n common item(s) shown", nullptr, int(c.rows.size())).arg(row));
}

void ComparePanel::showRow(int row)
{
    m_detail->clear();
    if (!comparison() || row < 0 || !m_items->item(row, 0))
        return;
    const eval::Comparison &c = *comparison();
    const eval::CompareRow &cr = c.rows[std::size_t(m_items->item(row, 0)->data(Qt::UserRole).toLongLong())];
    auto item = m_session->item(cr.itemId);
    if (item) {
        std::vector<store::Asset> images;
        QStringList paths;
        for (const store::ItemAsset &ia : item->assets) {
            if (ia.role == store::AssetKind::Note)
                continue;
            images.push_back(ia.asset);
            paths << m_session->workspace()->absolutePath(ia.asset.storedPath);
        }
        m_viewer->setAssets(images, paths);
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
    for (const QTableWidgetItem *cell : m_items->selectedItems())
        rows.insert(cell->row());
    if (rows.empty())
        for (int r = 0; r < m_items->rowCount(); ++r)
            rows.insert(r);
    std::vector<store::Id> items;
    for (int r : rows)
        items.push_back(comparison()->rows[std::size_t(m_items->item(r, 0)->data(Qt::UserRole).toLongLong())].itemId);
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
