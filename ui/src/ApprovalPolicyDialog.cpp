#include "sdrt/ui/ApprovalPolicyDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

namespace sdrt::ui {

ApprovalPolicyDialog::ApprovalPolicyDialog(const review::ApprovalPolicy &policy, QWidget *parent)
    : QDialog(parent), m_accepts(new QSpinBox(this)), m_rejects(new QSpinBox(this))
{
    setObjectName(QStringLiteral("approvalPolicyDialog"));
    setWindowTitle(tr("Approval policy"));
    auto *form = new QFormLayout(this);
    m_accepts->setRange(1, 99);
    m_accepts->setValue(policy.minAccepts);
    m_rejects->setRange(-1, 99);
    m_rejects->setSpecialValueText(tr("any number"));
    m_rejects->setValue(policy.maxRejects);
    auto *explanation = new QLabel(tr("A trace is approved when enough reviewers accept it and few enough reject it. "
                                      "Each reviewer's current verdict counts; skips count for neither."),
                                   this);
    explanation->setWordWrap(true);
    form->addRow(explanation);
    form->addRow(tr("At least this many accepts:"), m_accepts);
    form->addRow(tr("At most this many rejects:"), m_rejects);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

review::ApprovalPolicy ApprovalPolicyDialog::policy() const
{
    return {m_accepts->value(), m_rejects->value()};
}

} // namespace sdrt::ui
