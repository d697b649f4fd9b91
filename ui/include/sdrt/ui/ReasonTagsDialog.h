#pragma once
// Review ▸ Reject Reasons: the workspace's list of reject reasons, one per line (the first nine
// get the reject form's keys 1–9).

#include <QDialog>

class QPlainTextEdit;

namespace sdrt::ui {

class ReasonTagsDialog final : public QDialog {
    Q_OBJECT
public:
    explicit ReasonTagsDialog(const QStringList &tags, QWidget *parent = nullptr);
    QStringList tags() const; // the lines as typed; the review session drops blanks and repeats

private:
    QPlainTextEdit *m_text;
};

} // namespace sdrt::ui
