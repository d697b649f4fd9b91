#pragma once
// Small builders for the screens' layouts (private to the ui library): a splitter of panes with
// their stretch factors, a pane whose layout has no margins, a label that focuses its buddy.

#include <QBoxLayout>
#include <QLabel>
#include <QList>
#include <QSplitter>
#include <QWidget>

#include <utility>

namespace sdrt::ui::layouts {

// `widgets` side by side (or one above the other); `stretch[i]` is widget i's stretch factor.
inline QSplitter *splitter(Qt::Orientation orientation, QWidget *parent, const QList<QWidget *> &widgets, const QList<int> &stretch = {})
{
    auto *s = new QSplitter(orientation, parent);
    for (QWidget *w : widgets)
        s->addWidget(w);
    for (int i = 0; i < stretch.size(); ++i)
        s->setStretchFactor(i, stretch[i]);
    return s;
}

// A widget of `parent` with a new box layout of the given kind and no margins.
template <typename Box>
std::pair<QWidget *, Box *> pane(QWidget *parent)
{
    auto *w = new QWidget(parent);
    auto *layout = new Box(w);
    layout->setContentsMargins(0, 0, 0, 0);
    return {w, layout};
}

// `widget` as the only content of `parent`.
inline void fill(QWidget *parent, QWidget *widget, int margin = -1)
{
    auto *layout = new QVBoxLayout(parent);
    if (margin >= 0)
        layout->setContentsMargins(margin, margin, margin, margin);
    layout->addWidget(widget);
}

// A label whose mnemonic focuses `buddy`.
inline QLabel *buddyLabel(const QString &text, QWidget *buddy, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

} // namespace sdrt::ui::layouts
