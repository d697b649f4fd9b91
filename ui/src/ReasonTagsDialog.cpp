#include "sdrt/ui/ReasonTagsDialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace sdrt::ui {

ReasonTagsDialog::ReasonTagsDialog(const QStringList &tags, QWidget *parent)
    : QDialog(parent), m_text(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("reasonTagsDialog"));
    setWindowTitle(tr("Reject reasons"));
    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(tr("One reason per line (the first nine get keys 1–9):"), this);
    label->setBuddy(m_text);
    layout->addWidget(label);
    m_text->setObjectName(QStringLiteral("reasonTags"));
    m_text->setPlainText(tags.join(QLatin1Char('\n')));
    m_text->setTabChangesFocus(true);
    layout->addWidget(m_text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    m_text->setFocus();
}

QStringList ReasonTagsDialog::tags() const
{
    return m_text->toPlainText().split(QLatin1Char('\n'));
}

} // namespace sdrt::ui
