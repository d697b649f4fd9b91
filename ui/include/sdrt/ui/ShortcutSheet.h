#pragma once
// The review screen's shortcut sheet (?): one row per action of the screen — its keys and its
// text, read from the actions themselves — then the image view's keys. The keys are written
// once, where the actions are made; this sheet only lists them.

#include "sdrt/ui/AssetViewer.h"

#include <QDialog>
#include <QKeySequence>
#include <QList>

#include <vector>

class QAction;

namespace sdrt::ui {

// Keys as the sheet and the screen's hints name them: "→ / L", "Ctrl+Shift+Z".
QString shortcutText(const QList<QKeySequence> &keys);

class ShortcutSheet final : public QDialog {
    Q_OBJECT
public:
    // Actions without a shortcut are left out.
    ShortcutSheet(const QList<QAction *> &actions, const std::vector<ViewerKey> &viewerKeys, QWidget *parent = nullptr);
};

} // namespace sdrt::ui
