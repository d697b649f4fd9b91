#include "sdrt/ui/ShortcutSheet.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QScreen>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace sdrt::ui {

QString shortcutText(const QList<QKeySequence> &keys)
{
    QStringList names;
    for (const QKeySequence &k : keys) {
        // The arrows by their glyphs, as on the keys; the rest as the platform writes them.
        if (k == QKeySequence(Qt::Key_Right))
            names << QStringLiteral("→");
        else if (k == QKeySequence(Qt::Key_Left))
            names << QStringLiteral("←");
        else
            names << k.toString(QKeySequence::NativeText);
    }
    return names.join(QStringLiteral(" / "));
}

ShortcutSheet::ShortcutSheet(const QList<QAction *> &actions, const std::vector<ViewerKey> &viewerKeys, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("shortcutSheet"));
    setWindowTitle(tr("Review shortcuts"));
    auto *table = new QTableWidget(this);
    table->setColumnCount(2);
    table->setHorizontalHeaderLabels({tr("Key"), tr("Action")});
    auto addRow = [table](const QString &keys, const QString &text) {
        const int row = table->rowCount();
        table->insertRow(row);
        table->setItem(row, 0, new QTableWidgetItem(keys));
        table->setItem(row, 1, new QTableWidgetItem(text));
    };
    for (const QAction *a : actions)
        if (!a->shortcuts().isEmpty())
            addRow(shortcutText(a->shortcuts()), a->text());
    if (!viewerKeys.empty()) {
        // A heading in the text column (the key column keeps the width of the keys).
        addRow(QString(), tr("In the image (click it first; each side of a split view on its own):"));
        QTableWidgetItem *heading = table->item(table->rowCount() - 1, 1);
        QFont bold = heading->font();
        bold.setBold(true);
        heading->setFont(bold);
        for (const ViewerKey &k : viewerKeys)
            addRow(shortcutText(k.keys), k.text);
    }
    table->horizontalHeader()->setStretchLastSection(true);
    table->resizeColumnToContents(0);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(table);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(close);
    // Every row in sight without a scrollbar (as far as the screen allows): the sheet is read
    // at a glance.
    table->resizeRowsToContents();
    int rows = table->horizontalHeader()->height() + 2 * table->frameWidth();
    for (int r = 0; r < table->rowCount(); ++r)
        rows += table->rowHeight(r);
    const QRect screen = parent && parent->screen() ? parent->screen()->availableGeometry() : QRect(0, 0, 1366, 768);
    table->setMinimumHeight(std::min(rows, screen.height() - 140));
    resize(std::min(720, screen.width()), std::min(rows + 80, screen.height() - 40));
}

} // namespace sdrt::ui
