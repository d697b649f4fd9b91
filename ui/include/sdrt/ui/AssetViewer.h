#pragma once
// Shows an item's assets (photos, drawings, PDF pages) with zoom, pan and fit: one at a time in
// tabs, or side by side — the photos on the left and the drawings on the right, each side with
// its own tabs, zoom and pan — when the item has both (a drawing check is judged by looking at
// both at once). Keys act on the side last clicked; AssetPane::keys() lists them.

#include "sdrt/store/Types.h"

#include <QKeySequence>
#include <QList>
#include <QWidget>

#include <vector>

class QGraphicsPixmapItem;
class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QSplitter;
class QTabBar;

namespace sdrt::ui {

// A key of the image view and what it does (translated), as the shortcut sheet lists it.
struct ViewerKey {
    QList<QKeySequence> keys;
    QString text;
};

// One image view: tabs over its assets, zoom, pan and fit.
class AssetPane final : public QWidget {
    Q_OBJECT
public:
    explicit AssetPane(QWidget *parent = nullptr);

    // The keys the view handles (without modifiers), from the one table they are handled by.
    static std::vector<ViewerKey> keys();

    void setAssets(const std::vector<store::Asset> &assets, const QStringList &absolutePaths);
    void clear(const QString &message);

    int assetCount() const;
    int currentAsset() const;
    const store::Asset *asset(int index) const;
    void showAsset(int index);
    void nextAsset();
    void previousAsset();
    QSize currentImageSize() const;
    double zoom() const;
    QPointF centre() const; // the image point at the middle of the view (the pan), in pixels

    void zoomIn();
    void zoomOut();
    void fitToView();
    void actualSize();
    void centreOn(const QPointF &imagePoint);

Q_SIGNALS:
    void errorOccurred(const QString &message);
    void activated(); // clicked or focused: the keys go to this side

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    friend class AssetViewer;
    bool handleKey(int key); // false: not a viewer key
    void setZoom(double factor);

    QTabBar *m_tabs;
    QGraphicsView *m_view;
    QGraphicsScene *m_scene;
    QGraphicsPixmapItem *m_pixmap = nullptr;
    QLabel *m_message;
    QLabel *m_info;
    QStringList m_paths;
    std::vector<store::Asset> m_assets;
    bool m_fit = true;
};

class AssetViewer final : public QWidget {
    Q_OBJECT
public:
    explicit AssetViewer(QWidget *parent = nullptr);

    // `absolutePaths` are the assets' files, in the same order. An asset's kind decides its side.
    void setAssets(const std::vector<store::Asset> &assets, const QStringList &absolutePaths);
    void clear();

    // Side by side: photos left, drawings right, when the item has both; else one pane.
    void setSideBySide(bool on);
    bool sideBySide() const { return m_sideBySide; }
    bool isSplitShown() const; // side by side and both sides have an asset
    AssetPane *photoSide() const { return m_panes[0]; } // all assets when not split
    AssetPane *drawingSide() const { return m_panes[1]; }

    // On the active side (the one last clicked; the photo side at first).
    int assetCount() const;
    int currentAsset() const;
    void showAsset(int index);
    QSize currentImageSize() const;
    double zoom() const;

    void zoomIn();
    void zoomOut();
    void fitToView();
    void actualSize();

Q_SIGNALS:
    void errorOccurred(const QString &message);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    AssetPane *active() const { return m_panes[m_active]; }
    void layOut(); // distributes m_assets over the panes for the current mode

    AssetPane *m_panes[2];
    QSplitter *m_split;
    int m_active = 0;
    bool m_sideBySide = false;
    std::vector<store::Asset> m_assets;
    QStringList m_paths;
};

} // namespace sdrt::ui
