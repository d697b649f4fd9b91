#include "sdrt/ui/AgreementDialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sdrt::ui {

QString AgreementDialog::methodName(review::AgreementMethod method)
{
    switch (method) {
    case review::AgreementMethod::CohenKappa:
        return tr("Cohen's kappa");
    case review::AgreementMethod::FleissKappa:
        break;
    }
    return tr("Fleiss' kappa");
}

AgreementDialog::AgreementDialog(const QStringList &reviewers, const std::vector<review::AgreementResult> &results,
                                 QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("agreementDialog"));
    setWindowTitle(tr("Agreement between reviewers"));
    auto *layout = new QVBoxLayout(this);
    if (reviewers.size() < 2) {
        layout->addWidget(new QLabel(tr("Agreement needs verdicts from at least two reviewers."), this));
    } else {
        layout->addWidget(new QLabel(tr("Reviewers: %1. Traces count when every reviewer accepted or rejected them.")
                                         .arg(reviewers.join(QStringLiteral(", "))),
                                     this));
        auto *table = new QTableWidget(this);
        table->setObjectName(QStringLiteral("agreementTable"));
        table->setColumnCount(5);
        table->setRowCount(int(results.size()));
        table->setHorizontalHeaderLabels(
            {tr("Prompt"), tr("Method"), tr("Traces"), tr("Observed agreement"), tr("Kappa")});
        for (int i = 0; i < int(results.size()); ++i) {
            const review::AgreementResult &r = results[std::size_t(i)];
            table->setItem(i, 0, new QTableWidgetItem(r.prompt.isEmpty() ? tr("All prompts") : r.prompt));
            table->setItem(i, 1, new QTableWidgetItem(methodName(r.method)));
            table->setItem(i, 2, new QTableWidgetItem(QString::number(r.traces)));
            table->setItem(i, 3,
                           new QTableWidgetItem(r.traces ? QStringLiteral("%1%").arg(r.observed * 100, 0, 'f', 1)
                                                         : QStringLiteral("–")));
            // Kappa has no value without common traces, or when every verdict is the same (chance
            // agreement is then 1, and kappa divides by zero): say which.
            auto *kappa = new QTableWidgetItem(r.kappa        ? QString::number(*r.kappa, 'f', 3)
                                               : r.traces == 0 ? tr("undefined: no trace has a verdict from every reviewer")
                                                               : tr("undefined: every verdict is the same, so chance agreement is 1"));
            table->setItem(i, 4, kappa);
        }
        table->horizontalHeader()->setStretchLastSection(true);
        table->resizeColumnsToContents(); // whole headers
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        layout->addWidget(table);
    }
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(close);
    resize(820, 320);
}

} // namespace sdrt::ui
