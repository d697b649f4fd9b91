#include "sdrt/ui/WheelGuard.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QPointer>

namespace sdrt::ui {

void WheelGuard::install()
{
    static QPointer<WheelGuard> installed;
    if (installed || !qApp)
        return;
    installed = new WheelGuard(qApp);
    qApp->installEventFilter(installed);
}

bool WheelGuard::guards(const QObject *w)
{
    return qobject_cast<const QAbstractSpinBox *>(w) || qobject_cast<const QComboBox *>(w);
}

bool WheelGuard::eventFilter(QObject *watched, QEvent *event)
{
    if (!guards(watched))
        return false;
    auto *w = static_cast<QWidget *>(watched);
    if (event->type() == QEvent::Polish && w->focusPolicy() == Qt::WheelFocus) {
        w->setFocusPolicy(Qt::StrongFocus); // the wheel must not give focus, or the check below would never hold
    } else if (event->type() == QEvent::Wheel && !w->hasFocus()) {
        // Ignored and handled here: QApplication passes an ignored wheel event on to the parent,
        // so the scroll area around the box scrolls.
        event->ignore();
        return true;
    }
    return false;
}

} // namespace sdrt::ui
