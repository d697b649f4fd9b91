#include "sdrt/ui/RejectDialog.h"

#include "sdrt/ui/ElidingComboBox.h"
#include "sdrt/ui/RunText.h"

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

#include <algorithm>

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
    : QDialog(parent), m_step(new ElidingComboBox(this)), m_comment(new QLineEdit(this))
{
    setObjectName(QStringLiteral("rejectDialog"));
    setWindowFlags(Qt::Widget); // a form inside its parent, not a window of its own
    setWindowTitle(tr("Reject trace"));
    auto *layout = new QVBoxLayout(this);
    auto *title = new QLabel(tr("Reject trace"), this);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    layout->addWidget(title);
    auto *reasonsLabel = new QLabel(tr("Reasons (press 1–9 to toggle):"), this);
    reasonsLabel->setWordWrap(true);
    layout->addWidget(reasonsLabel);
    for (int i = 0; i < tags.size(); ++i) {
        const QString shown = reasonTagText(tags[i]);
        auto *box = new QCheckBox(i < 9 ? QStringLiteral("%1  %2").arg(i + 1).arg(shown) : shown, this);
        box->setProperty("tag", tags[i]);
        // One Tab stop for all the reasons (the first); Up and Down move between them.
        box->setFocusPolicy(m_tags.empty() ? Qt::StrongFocus : Qt::ClickFocus);
        box->installEventFilter(this); // a check box takes Up and Down for itself
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
    m_step->setToolTip(tr("The first sentence of the analysis (or the answer) that is wrong"));
    form->setRowWrapPolicy(QFormLayout::WrapAllRows); // labels above their fields: the form is narrow
    form->addRow(tr("First wrong step:"), m_step);
    m_comment->setObjectName(QStringLiteral("comment"));
    m_comment->setPlaceholderText(tr("Optional comment"));
    form->addRow(tr("Comment:"), m_comment);
    layout->addLayout(form);
    layout->addStretch(1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Reject"));
    buttons->button(QDialogButtonBox::Ok)->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    // The chain runs through every reason (only the first is a Tab stop, so Tab from any of
    // them goes on to the step), then the step, the comment and the buttons.
    std::vector<QWidget *> chain(m_tags.begin(), m_tags.end());
    chain.insert(chain.end(), {m_step, m_comment, buttons->button(QDialogButtonBox::Ok), buttons->button(QDialogButtonBox::Cancel)});
    for (std::size_t i = 1; i < chain.size(); ++i)
        setTabOrder(chain[i - 1], chain[i]);
    focusFirst();
}

void RejectDialog::focusFirst()
{
    if (!m_tags.empty())
        m_tags.front()->setFocus(Qt::OtherFocusReason);
    else
        m_step->setFocus(Qt::OtherFocusReason);
}

void RejectDialog::setFrameless()
{
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
}

bool RejectDialog::moveBetweenReasons(int key)
{
    if (key != Qt::Key_Up && key != Qt::Key_Down)
        return false;
    for (std::size_t i = 0; i < m_tags.size(); ++i) {
        if (!m_tags[i]->hasFocus())
            continue;
        const std::size_t next = key == Qt::Key_Down ? std::min(i + 1, m_tags.size() - 1) : (i == 0 ? 0 : i - 1);
        m_tags[next]->setFocus(Qt::TabFocusReason);
        return true;
    }
    return false;
}

bool RejectDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress && moveBetweenReasons(static_cast<QKeyEvent *>(event)->key()))
        return true;
    return QDialog::eventFilter(watched, event);
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
