#include "sdrt/ui/DistillCurves.h"

#include <QChart>
#include <QChartView>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace sdrt::ui {

namespace {

// The training log's fields, in the order of m_series.
const char *const kTerms[] = {"ce", "hidden", "entropy", "loss", "lr"};
constexpr std::size_t kLearningRate = 4;

} // namespace

DistillCurves::DistillCurves(QWidget *parent)
    : QWidget(parent), m_chart(new QChart), m_axisX(new QValueAxis), m_axisLoss(new QValueAxis), m_axisLr(new QValueAxis)
{
    const QString names[] = {tr("cross-entropy"), tr("hidden-state"), tr("ensemble entropy"), tr("total loss"), tr("learning rate")};
    m_chart->addAxis(m_axisX, Qt::AlignBottom);
    m_chart->addAxis(m_axisLoss, Qt::AlignLeft);
    m_chart->addAxis(m_axisLr, Qt::AlignRight);
    m_axisX->setTitleText(tr("step"));
    m_axisX->setLabelFormat(QStringLiteral("%d"));
    m_axisLoss->setTitleText(tr("loss"));
    m_axisLr->setTitleText(tr("learning rate"));
    m_axisLr->setLabelFormat(QStringLiteral("%.1g")); // "0.004": short enough beside the legend
    for (std::size_t i = 0; i < std::size(kTerms); ++i) {
        auto *s = new QLineSeries;
        s->setName(names[i]);
        m_chart->addSeries(s);
        s->attachAxis(m_axisX);
        s->attachAxis(i == kLearningRate ? m_axisLr : m_axisLoss);
        m_series.push_back(s);
    }
    // Beside the plot, one term a line: five names in a row did not fit a laptop screen (in
    // Japanese they were cut to "アンサンブルのエントロ…").
    m_chart->legend()->setAlignment(Qt::AlignRight);
    auto *view = new QChartView(m_chart, this);
    view->setObjectName(QStringLiteral("distillChart"));
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(240);
    // The ensemble entropy is a poor picture of the weights: near equal weights it moves with the
    // square of their spread (weights from 0.147 to 0.175 over six prompts still give 1.790 of
    // ln 6 = 1.792). The weights themselves are written out under the chart.
    m_weights = new QLabel(this);
    m_weights->setObjectName(QStringLiteral("ensembleWeights"));
    m_weights->setWordWrap(true);
    m_weights->setToolTip(tr("The ensemble entropy hardly moves while the weights stay near equal: it changes with the square of "
                             "their spread. The weights' range says more."));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(view);
    layout->addWidget(m_weights);
}

QString DistillCurves::weightsText() const
{
    return m_weights->text();
}

void DistillCurves::showRun(const QString &title, const QString &logFile, int totalSteps)
{
    clear();
    m_chart->setTitle(title);
    m_logFile = logFile;
    m_totalSteps = totalSteps;
}

void DistillCurves::clear()
{
    for (QLineSeries *s : m_series)
        s->clear();
    m_offset = 0;
    m_partial.clear();
    m_lastStep = {};
    m_weights->clear();
    m_axisX->setRange(0, 1);
    m_axisLoss->setRange(0, 1);
    m_axisLr->setRange(0, 1e-3);
}

int DistillCurves::points() const
{
    int n = 0;
    for (const QLineSeries *s : m_series)
        n += s->count();
    return n;
}

void DistillCurves::follow()
{
    if (m_logFile.isEmpty())
        return;
    QFile f(m_logFile);
    if (f.open(QIODevice::ReadOnly)) {
        if (f.size() < m_offset) { // rewritten: read it again
            const QString file = m_logFile, title = m_chart->title();
            showRun(title, file, m_totalSteps);
        }
        f.seek(m_offset);
        const QByteArray bytes = f.readAll();
        m_offset += bytes.size();
        m_partial += bytes;
    }
    qsizetype nl;
    bool added = false;
    while ((nl = m_partial.indexOf('\n')) >= 0) {
        const QJsonDocument doc = QJsonDocument::fromJson(m_partial.left(nl));
        m_partial.remove(0, nl + 1);
        if (doc.isObject()) {
            addPoint(doc.object());
            added = true;
        }
    }
    if (added)
        fitAxes();
}

void DistillCurves::addPoint(const QJsonObject &o)
{
    const int step = o.value(QStringLiteral("step")).toInt();
    if (step <= 0)
        return;
    m_lastStep = o;
    const QJsonArray weights = o.value(QStringLiteral("ensemble_weights")).toArray();
    if (!weights.isEmpty()) {
        double low = 1, high = 0;
        for (const QJsonValue &w : weights) {
            low = std::min(low, w.toDouble());
            high = std::max(high, w.toDouble());
        }
        m_weights->setText(tr("Prompt ensemble weights at step %1: %2 to %3 over %n prompt(s) (equal: %4; entropy %5 of ln %n = %6).", nullptr,
                              int(weights.size()))
                               .arg(step)
                               .arg(low, 0, 'f', 3)
                               .arg(high, 0, 'f', 3)
                               .arg(1.0 / double(weights.size()), 0, 'f', 3)
                               .arg(o.value(QStringLiteral("entropy")).toDouble(), 0, 'f', 3)
                               .arg(std::log(double(weights.size())), 0, 'f', 3));
    }
    for (std::size_t i = 0; i < m_series.size(); ++i) {
        QLineSeries *s = m_series[i];
        // A resumed run logs again from its checkpoint: its points replace the later ones.
        while (s->count() > 0 && s->at(s->count() - 1).x() >= step)
            s->remove(s->count() - 1);
        const QJsonValue v = o.value(QLatin1String(kTerms[i]));
        if (v.isDouble() && std::isfinite(v.toDouble()))
            s->append(step, v.toDouble());
    }
}

void DistillCurves::fitAxes()
{
    double maxX = 1, maxLoss = 0, minLoss = 0, maxLr = 0;
    for (std::size_t i = 0; i < m_series.size(); ++i)
        for (const QPointF &p : m_series[i]->points()) {
            maxX = std::max(maxX, p.x());
            if (i == kLearningRate) {
                maxLr = std::max(maxLr, p.y());
            } else {
                maxLoss = std::max(maxLoss, p.y());
                minLoss = std::min(minLoss, p.y());
            }
        }
    m_axisX->setRange(0, std::max(maxX, double(m_totalSteps)));
    m_axisLoss->setRange(minLoss, maxLoss > minLoss ? maxLoss * 1.05 : minLoss + 1);
    m_axisLr->setRange(0, maxLr > 0 ? maxLr * 1.05 : 1e-3);
}

} // namespace sdrt::ui
