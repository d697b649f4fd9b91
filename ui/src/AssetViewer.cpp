#include "sdrt/ui/AssetViewer.h"

#include "sdrt/assets/ImageLoading.h"

#include <QGraphicsPixmapItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QStackedLayout>
#include <QTabBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

namespace sdrt::ui {

AssetViewer::AssetViewer(QWidget *parent)
    : QWidget(parent), m_tabs(new QTabBar(this)), m_view(new QGraphicsView(this)), m_scene(new QGraphicsScene(this)),
      m_message(new QLabel(this)), m_info(new QLabel(this))
{
    setObjectName(QStringLiteral("assetViewer"));
    setFocusPolicy(Qt::StrongFocus);
    m_tabs->setExpanding(false);
    m_tabs->setDocumentMode(true);
    m_view->setScene(m_scene);
    m_view->setDragMode(QGraphicsView::ScrollHandDrag);
    m_view->setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    m_view->setRenderHint(QPainter::SmoothPixmapTransform);
    m_view->setBackgroundBrush(palette().color(QPalette::Dark));
    m_view->viewport()->installEventFilter(this);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->hide();

    auto button = [this](const QString &text, const QString &tip, auto slot) {
        auto *b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(tip);
        b->setAutoRaise(true);
        connect(b, &QToolButton::clicked, this, slot);
        return b;
    };
    auto *tools = new QHBoxLayout;
    tools->addWidget(m_tabs, 1);
    tools->addWidget(button(tr("Fit"), tr("Fit the image to the view (0)"), &AssetViewer::fitToView));
    tools->addWidget(button(tr("1:1"), tr("Actual size (1)"), &AssetViewer::actualSize));
    tools->addWidget(button(QStringLiteral("−"), tr("Zoom out (-)"), &AssetViewer::zoomOut));
    tools->addWidget(button(QStringLiteral("+"), tr("Zoom in (+)"), &AssetViewer::zoomIn));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(tools);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_message, 1);
    layout->addWidget(m_info);
    connect(m_tabs, &QTabBar::currentChanged, this, &AssetViewer::showAsset);
    clear();
}

void AssetViewer::setAssets(const std::vector<store::Asset> &assets, const QStringList &absolutePaths)
{
    const QSignalBlocker block(m_tabs);
    while (m_tabs->count() > 0)
        m_tabs->removeTab(0);
    m_assets = assets;
    m_paths = absolutePaths;
    for (const store::Asset &a : m_assets) {
        QString label = a.originalName;
        if (a.page > 0)
            label = tr("%1 p.%2").arg(a.originalName).arg(a.page);
        const int tab = m_tabs->addTab(label);
        m_tabs->setTabToolTip(tab, a.kind == store::AssetKind::Drawing ? tr("Drawing: %1").arg(label) : tr("Photo: %1").arg(label));
    }
    if (m_assets.empty()) {
        clear();
        return;
    }
    m_tabs->setCurrentIndex(0);
    showAsset(0);
}

void AssetViewer::clear()
{
    m_scene->clear();
    m_pixmap = nullptr;
    m_view->hide();
    m_message->setText(tr("No image for this item."));
    m_message->show();
    m_info->clear();
}

int AssetViewer::assetCount() const
{
    return int(m_assets.size());
}

int AssetViewer::currentAsset() const
{
    return m_tabs->currentIndex();
}

void AssetViewer::showAsset(int index)
{
    if (index < 0 || index >= int(m_assets.size()))
        return;
    if (m_tabs->currentIndex() != index) {
        m_tabs->setCurrentIndex(index); // re-enters through currentChanged
        return;
    }
    m_scene->clear();
    m_pixmap = nullptr;
    auto image = assets::loadImage(m_paths.value(index));
    if (!image) {
        m_view->hide();
        m_message->setText(tr("Cannot show this asset: %1").arg(image.error()));
        m_message->show();
        m_info->clear();
        Q_EMIT errorOccurred(image.error());
        return;
    }
    m_message->hide();
    m_view->show();
    m_pixmap = m_scene->addPixmap(QPixmap::fromImage(*image));
    m_pixmap->setTransformationMode(Qt::SmoothTransformation);
    m_scene->setSceneRect(m_pixmap->boundingRect());
    const store::Asset &a = m_assets[size_t(index)];
    m_info->setText(tr("%1 × %2 px · %3").arg(image->width()).arg(image->height()).arg(a.mime));
    fitToView();
}

QSize AssetViewer::currentImageSize() const
{
    return m_pixmap ? m_pixmap->pixmap().size() : QSize();
}

double AssetViewer::zoom() const
{
    return m_view->transform().m11();
}

void AssetViewer::setZoom(double factor)
{
    factor = std::clamp(factor, 0.02, 40.0);
    m_view->setTransform(QTransform::fromScale(factor, factor));
}

void AssetViewer::zoomIn()
{
    m_fit = false;
    setZoom(zoom() * 1.25);
}

void AssetViewer::zoomOut()
{
    m_fit = false;
    setZoom(zoom() / 1.25);
}

void AssetViewer::fitToView()
{
    m_fit = true;
    if (m_pixmap)
        m_view->fitInView(m_pixmap, Qt::KeepAspectRatio);
}

void AssetViewer::actualSize()
{
    m_fit = false;
    setZoom(1.0);
}

bool AssetViewer::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Wheel) {
        auto *wheel = static_cast<QWheelEvent *>(event);
        if (wheel->angleDelta().y() > 0)
            zoomIn();
        else if (wheel->angleDelta().y() < 0)
            zoomOut();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void AssetViewer::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal: zoomIn(); return;
    case Qt::Key_Minus: zoomOut(); return;
    case Qt::Key_0: fitToView(); return;
    case Qt::Key_1: actualSize(); return;
    case Qt::Key_PageDown: showAsset(std::min(currentAsset() + 1, assetCount() - 1)); return;
    case Qt::Key_PageUp: showAsset(std::max(currentAsset() - 1, 0)); return;
    default: QWidget::keyPressEvent(event);
    }
}

void AssetViewer::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_fit)
        fitToView();
}

} // namespace sdrt::ui
