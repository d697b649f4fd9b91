#include "sdrt/ui/RejectDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace sdrt::ui {

QStringList RejectDialog::sentencesOf(const QString &text)
{
    QStringList out;
    static const QRegularExpression split(QStringLiteral("(?<=[^\\d\\s][.!?。])\\s+|(?<=。)|\\n+"));
    for (const QString &s : text.split(split, Qt::SkipEmptyParts))
        if (!s.trimmed().isEmpty())
            out << s.trimmed();
    return out;
}

RejectDialog::RejectDialog(const QStringList &tags, const QString &analysis, const QString &answer, QWidget *parent)
    : QDialog(parent), m_step(new QComboBox(this)), m_comment(new QLineEdit(this))
{
    setObjectName(QStringLiteral("rejectDialog"));
    setWindowTitle(tr("Reject trace"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Reasons (press 1–9 to toggle):"), this));
    for (int i = 0; i < tags.size(); ++i) {
        auto *box = new QCheckBox(i < 9 ? QStringLiteral("%1  %2").arg(i + 1).arg(tags[i]) : tags[i], this);
        box->setProperty("tag", tags[i]);
        m_tags.push_back(box);
        layout->addWidget(box);
    }
    QStringList steps = sentencesOf(analysis);
    if (!answer.trimmed().isEmpty())
        steps << tr("Answer: %1").arg(answer.trimmed());
    auto *form = new QFormLayout;
    m_step->setObjectName(QStringLiteral("firstWrongStep"));
    m_step->addItem(tr("(not marked)"), QString());
    for (const QString &s : steps)
        m_step->addItem(s.size() > 90 ? s.left(88) + QStringLiteral("…") : s, s);
    form->addRow(tr("First wrong step:"), m_step);
    m_comment->setObjectName(QStringLiteral("comment"));
    m_comment->setPlaceholderText(tr("Optional comment"));
    form->addRow(tr("Comment:"), m_comment);
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Reject"));
    buttons->button(QDialogButtonBox::Ok)->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    if (!m_tags.empty())
        m_tags.front()->setFocus();
}

void RejectDialog::keyPressEvent(QKeyEvent *event)
{
    const int key = event->key();
    if (key >= Qt::Key_1 && key <= Qt::Key_9 && !m_comment->hasFocus()) {
        const std::size_t i = std::size_t(key - Qt::Key_1);
        if (i < m_tags.size())
            m_tags[i]->toggle();
        return;
    }
    QDialog::keyPressEvent(event);
}

QStringList RejectDialog::checkedTags() const
{
    QStringList out;
    for (QCheckBox *b : m_tags)
        if (b->isChecked())
            out << b->property("tag").toString();
    return out;
}

QString RejectDialog::firstWrongStep() const
{
    return m_step->currentData().toString();
}

QString RejectDialog::comment() const
{
    return m_comment->text().trimmed();
}

} // namespace sdrt::ui
