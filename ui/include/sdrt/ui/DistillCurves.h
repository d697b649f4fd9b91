#pragma once
// The curves of one distillation run: each loss term and the learning rate per step, read from
// the run's training log (one JSON line per step) and followed as it grows. A log that was
// rewritten (a resumed run drops the steps after its checkpoint) is read again from the start.

#include <QByteArray>
#include <QJsonObject>
#include <QWidget>

#include <vector>

class QChart;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace sdrt::ui {

class DistillCurves final : public QWidget {
    Q_OBJECT
public:
    explicit DistillCurves(QWidget *parent = nullptr);

    // Shows the run whose log is `logFile` (nothing read yet), its x axis up to `totalSteps`.
    void showRun(const QString &title, const QString &logFile, int totalSteps);
    void setTotalSteps(int steps) { m_totalSteps = steps; }
    int totalSteps() const { return m_totalSteps; }
    // Reads what the log gained since the last call.
    void follow();
    void clear();
    int points() const;
    // The last step read from the log (empty before the first).
    const QJsonObject &lastStep() const { return m_lastStep; }
    // The prompt ensemble's weights at the last step, in words (empty without an ensemble).
    QString weightsText() const;

private:
    void addPoint(const QJsonObject &step);
    QJsonObject m_lastStep;
    QLabel *m_weights = nullptr;
    void fitAxes();

    QString m_logFile;
    qint64 m_offset = 0;
    QByteArray m_partial;
    int m_totalSteps = 0;
    QChart *m_chart;
    QValueAxis *m_axisX, *m_axisLoss, *m_axisLr;
    std::vector<QLineSeries *> m_series; // ce, hidden, entropy, loss, lr
};

} // namespace sdrt::ui
