#pragma once
// Review ▸ Agreement Between Reviewers: overall and per prompt, the traces every reviewer
// accepted or rejected, the observed agreement and kappa (Cohen's for two reviewers, Fleiss'
// for more).

#include "sdrt/review/ReviewSession.h"

#include <QDialog>

#include <vector>

namespace sdrt::ui {

class AgreementDialog final : public QDialog {
    Q_OBJECT
public:
    // `results`: overall first, then per prompt (ReviewSession::agreement); fewer than two
    // reviewers: a note instead of the table.
    AgreementDialog(const QStringList &reviewers, const std::vector<review::AgreementResult> &results,
                    QWidget *parent = nullptr);

    static QString methodName(review::AgreementMethod method);
};

} // namespace sdrt::ui
