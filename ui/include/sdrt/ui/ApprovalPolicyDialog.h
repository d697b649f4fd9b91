#pragma once
// Review ▸ Approval Policy: how many accepts a trace needs and how many rejects it may have.

#include "sdrt/review/Policy.h"

#include <QDialog>

class QSpinBox;

namespace sdrt::ui {

class ApprovalPolicyDialog final : public QDialog {
    Q_OBJECT
public:
    explicit ApprovalPolicyDialog(const review::ApprovalPolicy &policy, QWidget *parent = nullptr);
    review::ApprovalPolicy policy() const;

private:
    QSpinBox *m_accepts;
    QSpinBox *m_rejects;
};

} // namespace sdrt::ui
