#pragma once
// The reject form of the review screen: reason tags (digits 1–9 toggle them), the first wrong
// step (one of the analysis' sentences, or the answer) and a comment; Enter rejects, Escape
// cancels. It is a form inside the screen, beside the traces (never a window over them): Tab goes
// reasons → first wrong step → comment → Reject, Up and Down move between the reasons only.

#include <QDialog>

#include <vector>

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace sdrt::ui {

class RejectDialog final : public QDialog {
    Q_OBJECT
public:
    // `analysis` is split into its sentences; `answer` (step 2) is offered after them.
    RejectDialog(const QStringList &tags, const QString &analysis, const QString &answer, QWidget *parent = nullptr);

    QStringList checkedTags() const;
    QString firstWrongStep() const; // the sentence as offered; empty when none was picked
    QString comment() const;
    QCheckBox *tagBox(int index) const { return m_tags.at(std::size_t(index)); }
    QComboBox *stepBox() const { return m_step; }
    QLineEdit *commentField() const { return m_comment; }
    // Focus on the first reason (the first field when there are none).
    void focusFirst();
    // A tinted panel, set off from the traces beside it.
    void setFrameless();

    // Sentences end with . ! ? 。 or a line break; a step number ("1.") stays with its text.
    static QStringList sentencesOf(const QString &text);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool moveBetweenReasons(int key);

    std::vector<QCheckBox *> m_tags;
    QComboBox *m_step;
    QLineEdit *m_comment;
};

} // namespace sdrt::ui
