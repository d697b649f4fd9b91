#pragma once
// The reject form of the review screen: reason tags (digits 1–9 toggle them), the first wrong
// step (one of the analysis' sentences, or the answer) and a comment; Enter rejects.

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

    // Sentences end with . ! ? 。 or a line break; a step number ("1.") stays with its text.
    static QStringList sentencesOf(const QString &text);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    std::vector<QCheckBox *> m_tags;
    QComboBox *m_step;
    QLineEdit *m_comment;
};

} // namespace sdrt::ui
