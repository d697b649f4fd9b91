#pragma once
// Shows an item's assets (photos, drawings, PDF pages) one at a time with zoom, pan and fit.
// Keys: + / - zoom, 0 fit, 1 actual size, PageUp / PageDown previous / next asset.

#include "sdrt/store/Types.h"

#include <QWidget>

class QGraphicsPixmapItem;
class QGraphicsScene;
class QGraphicsView;
class QLabel;
class QTabBar;

namespace sdrt::ui {

class AssetViewer final : public QWidget {
    Q_OBJECT
public:
    explicit AssetViewer(QWidget *parent = nullptr);

    // `paths` are absolute; `labels` name the tabs.
    void setAssets(const std::vector<store::Asset> &assets, const QStringList &absolutePaths);
    void clear();

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
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
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

} // namespace sdrt::ui
