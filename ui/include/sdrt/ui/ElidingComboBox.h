#pragma once
// A combo box that never widens its window: it asks for room for `minimumContentsLength`
// characters whatever its entries, shows a longer current entry elided with "…" and the whole
// of it as a tooltip, and opens a list wide enough for its longest entry.

#include <QComboBox>

namespace sdrt::ui {

class ElidingComboBox final : public QComboBox {
    Q_OBJECT
public:
    explicit ElidingComboBox(QWidget *parent = nullptr, int characters = 16);
    // The text as drawn now (elided when the entry does not fit).
    QString shownText() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QRect textRect() const;
};

} // namespace sdrt::ui
