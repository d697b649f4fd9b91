#include "sdrt/ui/AssetViewer.h"

#include "sdrt/assets/ImageLoading.h"

#include <QGraphicsPixmapItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QSplitter>
#include <QTabBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>

namespace sdrt::ui {
namespace {

// The view's keys: handled by handleKey, listed by AssetPane::keys(), named in the tool tips.
struct PaneKey {
    std::vector<int> keys; // Qt::Key, no modifiers; the first one is named
    const char *text;      // in AssetPane's translation context
    void (AssetPane::*run)();
};

const std::vector<PaneKey> &paneKeys()
{
    static const std::vector<PaneKey> keys = {
        {{Qt::Key_Plus, Qt::Key_Equal}, QT_TRANSLATE_NOOP("sdrt::ui::AssetPane", "Zoom in"), &AssetPane::zoomIn},
        {{Qt::Key_Minus}, QT_TRANSLATE_NOOP("sdrt::ui::AssetPane", "Zoom out"), &AssetPane::zoomOut},
        {{Qt::Key_0}, QT_TRANSLATE_NOOP("sdrt::ui::AssetPane", "Fit the image to the view"), &AssetPane::fitToView},
        {{Qt::Key_1}, QT_TRANSLATE_NOOP("sdrt::ui::AssetPane", "Actual size"), &AssetPane::actualSize},
        {{Qt::Key_PageDown}, QT_TRANSLATE_NOOP("sdrt::ui::AssetPane", "Next photo, drawing or page"), &AssetPane::nextAsset},
        {{Qt::Key_PageUp}, QT_TRANSLATE_NOOP("sdrt::ui::AssetPane", "Previous photo, drawing or page"), &AssetPane::previousAsset},
    };
    return keys;
}

// "Zoom in (+)": the action and its key.
QString keyTip(void (AssetPane::*run)())
{
    for (const PaneKey &k : paneKeys())
        if (k.run == run)
            return QStringLiteral("%1 (%2)").arg(AssetPane::tr(k.text), QKeySequence(k.keys.front()).toString(QKeySequence::NativeText));
    return {};
}

} // namespace

std::vector<ViewerKey> AssetPane::keys()
{
    std::vector<ViewerKey> out;
    for (const PaneKey &k : paneKeys()) {
        ViewerKey v;
        for (int key : k.keys)
            v.keys << QKeySequence(key);
        v.text = tr(k.text);
        out.push_back(std::move(v));
    }
    return out;
}

AssetPane::AssetPane(QWidget *parent)
    : QWidget(parent), m_tabs(new QTabBar(this)), m_view(new QGraphicsView(this)), m_scene(new QGraphicsScene(this)),
      m_message(new QLabel(this)), m_info(new QLabel(this))
{
    setObjectName(QStringLiteral("assetPane"));
    setFocusPolicy(Qt::ClickFocus);
    m_tabs->setExpanding(false);
    m_tabs->setDocumentMode(true);
    m_tabs->setFocusPolicy(Qt::NoFocus);
    m_view->setScene(m_scene);
    m_view->setDragMode(QGraphicsView::ScrollHandDrag);
    m_view->setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    m_view->setRenderHint(QPainter::SmoothPixmapTransform);
    m_view->setBackgroundBrush(palette().color(QPalette::Dark));
    m_view->setFocusProxy(this); // keys reach handleKey, shortcuts of the screen around still work
    m_view->viewport()->installEventFilter(this);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->hide();

    auto button = [this](const QString &text, void (AssetPane::*slot)()) {
        auto *b = new QToolButton(this);
        b->setText(text);
        b->setToolTip(keyTip(slot));
        b->setAutoRaise(true);
        b->setFocusPolicy(Qt::NoFocus);
        connect(b, &QToolButton::clicked, this, slot);
        return b;
    };
    auto *tools = new QHBoxLayout;
    tools->addWidget(m_tabs, 1);
    tools->addWidget(button(tr("Fit"), &AssetPane::fitToView));
    tools->addWidget(button(tr("1:1"), &AssetPane::actualSize));
    tools->addWidget(button(QStringLiteral("−"), &AssetPane::zoomOut));
    tools->addWidget(button(QStringLiteral("+"), &AssetPane::zoomIn));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(tools);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_message, 1);
    layout->addWidget(m_info);
    connect(m_tabs, &QTabBar::currentChanged, this, &AssetPane::showAsset);
    clear(tr("No image for this item."));
}

void AssetPane::setAssets(const std::vector<store::Asset> &assets, const QStringList &absolutePaths)
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
        clear(tr("No image for this item."));
        return;
    }
    m_tabs->setCurrentIndex(0);
    showAsset(0);
}

void AssetPane::clear(const QString &message)
{
    m_scene->clear();
    m_pixmap = nullptr;
    m_view->hide();
    m_message->setText(message);
    m_message->show();
    m_info->clear();
}

int AssetPane::assetCount() const
{
    return int(m_assets.size());
}

int AssetPane::currentAsset() const
{
    return m_tabs->currentIndex();
}

const store::Asset *AssetPane::asset(int index) const
{
    return index >= 0 && index < int(m_assets.size()) ? &m_assets[std::size_t(index)] : nullptr;
}

void AssetPane::showAsset(int index)
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

QSize AssetPane::currentImageSize() const
{
    return m_pixmap ? m_pixmap->pixmap().size() : QSize();
}

double AssetPane::zoom() const
{
    return m_view->transform().m11();
}

QPointF AssetPane::centre() const
{
    return m_view->mapToScene(m_view->viewport()->rect().center());
}

void AssetPane::setZoom(double factor)
{
    factor = std::clamp(factor, 0.02, 40.0);
    m_view->setTransform(QTransform::fromScale(factor, factor));
}

void AssetPane::zoomIn()
{
    m_fit = false;
    setZoom(zoom() * 1.25);
}

void AssetPane::zoomOut()
{
    m_fit = false;
    setZoom(zoom() / 1.25);
}

void AssetPane::fitToView()
{
    m_fit = true;
    if (m_pixmap)
        m_view->fitInView(m_pixmap, Qt::KeepAspectRatio);
}

void AssetPane::actualSize()
{
    m_fit = false;
    setZoom(1.0);
}

void AssetPane::centreOn(const QPointF &imagePoint)
{
    m_fit = false;
    m_view->centerOn(imagePoint);
}

bool AssetPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport()) {
        if (event->type() == QEvent::MouseButtonPress)
            Q_EMIT activated();
        if (event->type() == QEvent::Wheel) {
            auto *wheel = static_cast<QWheelEvent *>(event);
            Q_EMIT activated();
            if (wheel->angleDelta().y() > 0)
                zoomIn();
            else if (wheel->angleDelta().y() < 0)
                zoomOut();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

bool AssetPane::handleKey(int key)
{
    for (const PaneKey &k : paneKeys())
        if (std::find(k.keys.begin(), k.keys.end(), key) != k.keys.end()) {
            (this->*k.run)();
            return true;
        }
    return false;
}

void AssetPane::nextAsset()
{
    showAsset(std::min(currentAsset() + 1, assetCount() - 1));
}

void AssetPane::previousAsset()
{
    showAsset(std::max(currentAsset() - 1, 0));
}

void AssetPane::keyPressEvent(QKeyEvent *event)
{
    Q_EMIT activated();
    if (!handleKey(event->key()))
        QWidget::keyPressEvent(event);
}

void AssetPane::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (m_fit)
        fitToView();
}

// ---------------------------------------------------------------------------------------------

AssetViewer::AssetViewer(QWidget *parent) : QWidget(parent), m_panes{new AssetPane, new AssetPane}, m_split(new QSplitter(Qt::Horizontal, this))
{
    setObjectName(QStringLiteral("assetViewer"));
    setFocusPolicy(Qt::StrongFocus);
    m_panes[0]->setObjectName(QStringLiteral("photoSide"));
    m_panes[1]->setObjectName(QStringLiteral("drawingSide"));
    m_split->setChildrenCollapsible(false);
    for (int side = 0; side < 2; ++side) {
        m_split->addWidget(m_panes[side]);
        connect(m_panes[side], &AssetPane::errorOccurred, this, &AssetViewer::errorOccurred);
        connect(m_panes[side], &AssetPane::activated, this, [this, side] { m_active = side; });
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_split, 1);
    clear();
}

void AssetViewer::setAssets(const std::vector<store::Asset> &assets, const QStringList &absolutePaths)
{
    m_assets = assets;
    m_paths = absolutePaths;
    layOut();
}

void AssetViewer::clear()
{
    m_assets.clear();
    m_paths.clear();
    layOut();
}

void AssetViewer::setSideBySide(bool on)
{
    if (on == m_sideBySide)
        return;
    m_sideBySide = on;
    layOut();
}

bool AssetViewer::isSplitShown() const
{
    return m_panes[1]->isVisibleTo(this);
}

void AssetViewer::layOut()
{
    std::vector<store::Asset> photos, drawings;
    QStringList photoPaths, drawingPaths;
    for (std::size_t i = 0; i < m_assets.size(); ++i) {
        const bool drawing = m_assets[i].kind == store::AssetKind::Drawing;
        (drawing ? drawings : photos).push_back(m_assets[i]);
        (drawing ? drawingPaths : photoPaths) << m_paths.value(qsizetype(i));
    }
    // Only an item with both gets two sides; otherwise one pane shows everything.
    const bool split = m_sideBySide && !photos.empty() && !drawings.empty();
    m_active = 0;
    if (split) {
        m_panes[0]->setAssets(photos, photoPaths);
        m_panes[1]->setAssets(drawings, drawingPaths);
        m_panes[1]->show();
        const int half = std::max(1, m_split->width() / 2);
        m_split->setSizes({half, half});
    } else {
        m_panes[0]->setAssets(m_assets, m_paths);
        m_panes[1]->clear(QString());
        m_panes[1]->hide();
    }
}

int AssetViewer::assetCount() const
{
    return active()->assetCount();
}

int AssetViewer::currentAsset() const
{
    return active()->currentAsset();
}

void AssetViewer::showAsset(int index)
{
    active()->showAsset(index);
}

QSize AssetViewer::currentImageSize() const
{
    return active()->currentImageSize();
}

double AssetViewer::zoom() const
{
    return active()->zoom();
}

void AssetViewer::zoomIn()
{
    active()->zoomIn();
}

void AssetViewer::zoomOut()
{
    active()->zoomOut();
}

void AssetViewer::fitToView()
{
    active()->fitToView();
}

void AssetViewer::actualSize()
{
    active()->actualSize();
}

void AssetViewer::keyPressEvent(QKeyEvent *event)
{
    if (!active()->handleKey(event->key()))
        QWidget::keyPressEvent(event);
}

} // namespace sdrt::ui
