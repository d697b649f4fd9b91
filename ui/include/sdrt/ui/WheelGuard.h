#pragma once
// Numbers and choices change only when the user means it: a spin box or combo box ignores the
// mouse wheel unless it has the keyboard focus, and the wheel scrolls the form around it
// instead. Installed once on the application (MainWindow does), it covers every window and
// dialog; such boxes take focus by click or Tab, never by the wheel.

#include <QObject>

namespace sdrt::ui {

class WheelGuard final : public QObject {
public:
    using QObject::QObject;
    // Installs one guard on the running QApplication (a second call does nothing).
    static void install();
    // Whether `w` is a kind of widget the guard covers.
    static bool guards(const QObject *w);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
};

} // namespace sdrt::ui
