#pragma once
// What every screen of the main window's centre says to the window: an error (a title and a
// message that names the file or item) and a passing status message.

#include <QWidget>

namespace sdrt::ui {

class Screen : public QWidget {
    Q_OBJECT
public:
    using QWidget::QWidget;

Q_SIGNALS:
    void errorOccurred(const QString &title, const QString &message);
    void statusMessage(const QString &message);
};

} // namespace sdrt::ui
