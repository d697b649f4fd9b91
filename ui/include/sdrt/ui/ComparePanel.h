#pragma once
// The Compare screen: choose evaluations, see them on their common items (eval::Comparison) —
// the summary table (score ± interval per family for the chosen metric, cost per answer, the
// difference against the first evaluation with its paired-bootstrap interval and p-value, and
// McNemar's exact p), a grouped bar chart of the metric by family, and the per-item table
// (reference and each evaluation's answer side by side) filterable to improvements,
// regressions, disagreements and a family. Selecting a row shows the item's images and each
// evaluation's trace. "Send to Review" marks the chosen items for the review queue's filter;
// Export writes the same HTML and CSV files as `sdrt compare`.

#include "sdrt/eval/Compare.h"

#include "sdrt/ui/Screen.h"

#include <memory>

class QAbstractAxis;
class QAbstractBarSeries;
class QChart;
class QComboBox;
class QLabel;
class QPushButton;
class QTableView;
class QTextBrowser;

namespace sdrt::ui {

class AssetViewer;
class CellTableModel;
class ComparisonController;
class WorkspaceSession;

class ComparePanel final : public Screen {
    Q_OBJECT
public:
    explicit ComparePanel(ComparisonController *controller, QWidget *parent = nullptr);
    ~ComparePanel() override;

    void reload(); // the evaluations of the workspace
    // Checks exactly these evaluations (by name) and starts comparing them off the GUI thread;
    // `compared` follows. False (with errorOccurred) when it cannot start.
    bool compareNames(const QStringList &names);
    bool compareChecked();
    const eval::Comparison *comparison() const;
    // Marks the selected rows' items (or, with none selected, every shown row's) for review.
    // Returns the review-mark source, empty when nothing was sent.
    QString sendToReview();
    bool exportTo(const QString &path, bool html);

    QTableView *evaluations() const { return m_evaluations; }
    QTableView *summary() const { return m_summary; }
    QTableView *items() const { return m_items; }
    CellTableModel *evaluationsModel() const { return m_evaluationsModel; }
    CellTableModel *summaryModel() const { return m_summaryModel; }
    CellTableModel *itemsModel() const { return m_itemsModel; }
    QComboBox *rowFilter() const { return m_rowFilter; }
    QComboBox *familyFilter() const { return m_familyFilter; }
    QComboBox *metric() const { return m_metric; }
    QChart *chart() const { return m_chart; }
    QTextBrowser *detail() const { return m_detail; }

Q_SIGNALS:
    void reviewRequested(const QString &source);
    // A comparison finished and is shown (ok), or failed (errorOccurred said why).
    void compared(bool ok);

private:
    void buildLayout();
    void fillChoices();
    void onCompared(bool ok, const QString &error);
    void fillSummary();
    void fillChart();
    void addErrorBars(QAbstractBarSeries *bars, const QStringList &families, QAbstractAxis *x, QAbstractAxis *y);
    QString selectionKey() const;
    void restoreSelection();
    void fillItems();
    void showRow(int row);
    void chooseExport(bool html);

    ComparisonController *m_controller;
    WorkspaceSession *m_session;
    CellTableModel *m_evaluationsModel;
    CellTableModel *m_summaryModel;
    CellTableModel *m_itemsModel;
    QTableView *m_evaluations;
    QPushButton *m_compare;
    QComboBox *m_metric;
    QTableView *m_summary;
    QChart *m_chart;
    QComboBox *m_rowFilter;
    QComboBox *m_familyFilter;
    QTableView *m_items;
    QLabel *m_shown;
    QPushButton *m_send, *m_exportHtml, *m_exportCsv;
    AssetViewer *m_viewer;
    QTextBrowser *m_detail;
};

} // namespace sdrt::ui
