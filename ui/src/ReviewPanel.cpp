#include "sdrt/ui/ReviewPanel.h"

#include "sdrt/ui/ElidingComboBox.h"
#include "sdrt/ui/AssetViewer.h"
#include "sdrt/ui/ReviewController.h"
#include "sdrt/ui/ShortcutSheet.h"
#include "sdrt/ui/TraceColumn.h"

#include <QAction>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

#include <functional>
#include <string_view>

#include "Layouts.h"

namespace sdrt::ui {
namespace {

const char *kSideBySideKey = "review/sideBySide";

} // namespace

ReviewPanel::ReviewPanel(ReviewController *reviews, QWidget *parent)
    : Screen(parent), m_reviews(reviews), m_viewer(new AssetViewer(this)), m_question(new QLabel(this)),
      m_reference(new QLabel(this)), m_itemInfo(new QLabel(this)), m_note(new QPlainTextEdit(this)),
      m_scroll(new QScrollArea(this)), m_columnsHost(new QWidget), m_columnsLayout(new QHBoxLayout(m_columnsHost)),
      m_reviewerLabel(new QLabel(this)), m_approved(new QLabel(this)), m_position(new QLabel(this)),
      m_progress(new QProgressBar(this)), m_stateFilter(new ElidingComboBox(this)), m_promptFilter(new ElidingComboBox(this)),
      m_familyFilter(new ElidingComboBox(this)), m_agreementFilter(new ElidingComboBox(this)), m_markFilter(new ElidingComboBox(this))
{
    setObjectName(QStringLiteral("reviewPanel"));
    setFocusPolicy(Qt::StrongFocus);
    createActions();
    buildUi();
    setSideBySide(QSettings().value(QString::fromLatin1(kSideBySideKey), false).toBool());
    connect(m_viewer, &AssetViewer::errorOccurred, this,
            [this](const QString &m) { Q_EMIT errorOccurred(tr("Review"), m); });

    connect(m_reviews, &ReviewController::sessionChanged, this, &ReviewPanel::showSession);
    connect(m_reviews, &ReviewController::reviewerChanged, this, &ReviewPanel::showReviewer);
    connect(m_reviews, &ReviewController::itemShown, this, &ReviewPanel::showItem);
    connect(m_reviews, &ReviewController::referenceShownChanged, this, &ReviewPanel::showReference);
    connect(m_reviews, &ReviewController::traceChanged, this, &ReviewPanel::showTrace);
    connect(m_reviews, &ReviewController::tracesChanged, this, &ReviewPanel::showTraces);
    connect(m_reviews, &ReviewController::focusChanged, this, &ReviewPanel::showFocus);
    connect(m_reviews, &ReviewController::countsChanged, this, &ReviewPanel::showCounts);
    // A panel made while a review is under way shows it as it is.
    showSession();
    showReviewer(m_reviews->reviewer());
    showItem(false);
    showFocus(m_reviews->focusedIndex());
    showCounts();
}

ReviewPanel::~ReviewPanel()
{
    // The dialogs go first, while the panel is whole: their `destroyed` handlers (which give the
    // focus back) must not run on a half-destroyed panel.
    for (QDialog *d : findChildren<QDialog *>(Qt::FindDirectChildrenOnly)) {
        d->disconnect(this);
        delete d;
    }
}

void ReviewPanel::createActions()
{
    // The screen's keys, written once: each becomes an action of the panel (its shortcut works
    // wherever the focus is inside the panel) and a row of the shortcut sheet, in this order.
    struct Key {
        const char *name;
        QList<QKeySequence> keys;
        QString text;
        std::function<void()> run;
        bool checkable = false;
    };
    const std::vector<Key> keys = {
        {"accept", {QKeySequence(Qt::Key_A)}, tr("Accept the focused trace"), [this] { acceptFocused(); }},
        {"reject",
         {QKeySequence(Qt::Key_X)},
         tr("Reject the focused trace (reasons 1–9, first wrong step, comment; Enter)"),
         [this] { rejectFocused(); }},
        {"skip", {QKeySequence(Qt::Key_S)}, tr("Skip the focused trace"), [this] { skipFocused(); }},
        {"nextTrace",
         {QKeySequence(Qt::Key_Right), QKeySequence(Qt::Key_L)},
         tr("Next trace"),
         [this] { m_reviews->moveFocus(1); }},
        {"previousTrace",
         {QKeySequence(Qt::Key_Left), QKeySequence(Qt::Key_H)},
         tr("Previous trace"),
         [this] { m_reviews->moveFocus(-1); }},
        {"nextItem", {QKeySequence(Qt::Key_N)}, tr("Next item"), [this] { m_reviews->nextItem(); }},
        {"previousItem", {QKeySequence(Qt::Key_P)}, tr("Previous item"), [this] { m_reviews->previousItem(); }},
        {"nextUnreviewed",
         {QKeySequence(Qt::Key_U)},
         tr("Next item with unreviewed traces"),
         [this] { m_reviews->nextUnreviewed(); }},
        {"showReference",
         {QKeySequence(Qt::Key_R)},
         tr("Show or hide the reference answer"),
         [this] { m_reviews->toggleReference(); }},
        {"sideBySide",
         {QKeySequence(Qt::Key_V)},
         tr("Photo and drawing side by side, or in tabs (remembered)"),
         [this] { setSideBySide(m_sideBySide->isChecked()); },
         true},
        {"undo",
         {QKeySequence(Qt::CTRL | Qt::Key_Z)},
         tr("Undo your last action (each reviewer has their own history)"),
         [this] { m_reviews->undo(); }},
        {"redo", {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)}, tr("Redo"), [this] { m_reviews->redo(); }},
        {"acceptMatching",
         {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A)},
         tr("Accept every unreviewed trace in the queue that matches its reference"),
         [this] { acceptMatchingReference(true); }},
        {"shortcuts", {QKeySequence(Qt::Key_Question)}, tr("This list"), [this] { showShortcuts(); }},
    };
    for (const Key &k : keys) {
        auto *a = new QAction(k.text, this);
        a->setObjectName(QString::fromLatin1(k.name));
        a->setShortcuts(k.keys);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        a->setCheckable(k.checkable);
        connect(a, &QAction::triggered, this, k.run);
        addAction(a);
        if (k.name == std::string_view("sideBySide"))
            m_sideBySide = a;
        else if (k.name == std::string_view("showReference"))
            m_referenceKey = shortcutText(k.keys);
        else if (k.name == std::string_view("undo"))
            m_undoKey = shortcutText(k.keys);
    }
    // Shown as a top bar button too.
    m_sideBySide->setIconText(tr("Photo | Drawing"));
    m_sideBySide->setToolTip(QStringLiteral("%1 (%2)").arg(
        tr("Show the item's photo and drawing side by side, each with its own zoom and pan"),
        shortcutText(m_sideBySide->shortcuts())));
}

void ReviewPanel::buildUi()
{
    QSplitter *split = layouts::splitter(Qt::Vertical, this, {buildItemArea(), buildTraceArea()}, {2, 3});
    split->setSizes({280, 460}); // the traces are what is reviewed: they get most of the height
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(buildTopBar());
    layout->addWidget(buildUntracedBanner());
    layout->addWidget(split, 1);
}

// Who reviews, the queue's filters, progress and the approved count.
QLayout *ReviewPanel::buildTopBar()
{
    m_reviewerLabel->setObjectName(QStringLiteral("reviewerLabel"));
    auto *switchReviewer = new QPushButton(tr("Switch…"), this);
    switchReviewer->setFocusPolicy(Qt::NoFocus);
    connect(switchReviewer, &QPushButton::clicked, this, &ReviewPanel::chooseReviewer);
    m_stateFilter->setObjectName(QStringLiteral("stateFilter"));
    m_stateFilter->addItem(tr("All items"), int(review::QueueFilter::State::Any));
    m_stateFilter->addItem(tr("Unreviewed"), int(review::QueueFilter::State::Unreviewed));
    m_stateFilter->addItem(tr("Partly reviewed"), int(review::QueueFilter::State::Partly));
    m_stateFilter->addItem(tr("Done"), int(review::QueueFilter::State::Done));
    m_stateFilter->addItem(tr("Conflicts between reviewers"), int(review::QueueFilter::State::Conflict));
    m_promptFilter->setObjectName(QStringLiteral("promptFilter"));
    m_familyFilter->setObjectName(QStringLiteral("familyFilter"));
    m_agreementFilter->setObjectName(QStringLiteral("agreementFilter"));
    m_agreementFilter->addItem(tr("Any agreement"), int(review::QueueFilter::Agreement::Any));
    m_agreementFilter->addItem(tr("Prompts agree"), int(review::QueueFilter::Agreement::Unanimous));
    m_agreementFilter->addItem(tr("Prompts disagree"), int(review::QueueFilter::Agreement::Split));
    m_markFilter->setObjectName(QStringLiteral("markFilter"));
    m_markFilter->setToolTip(tr("Items marked for review elsewhere (sdrt eval enqueue: an evaluation's wrong answers or regressions)"));
    for (QComboBox *c : {m_stateFilter, m_promptFilter, m_familyFilter, m_agreementFilter, m_markFilter}) {
        c->setFocusPolicy(Qt::ClickFocus);
        connect(c, &QComboBox::activated, this, [this] {
            applyFilters();
            setFocus();
        });
    }
    m_progress->setObjectName(QStringLiteral("reviewProgress"));
    m_progress->setFormat(tr("%v of %m traces reviewed"));
    // Room for the whole text at four-digit counts, in either language.
    QString widest = m_progress->format();
    widest.replace(QLatin1String("%v"), QLatin1String("0000")).replace(QLatin1String("%m"), QLatin1String("0000"));
    m_progress->setMinimumWidth(m_progress->fontMetrics().horizontalAdvance(widest) + 40);
    m_approved->setObjectName(QStringLiteral("approvedLabel"));
    m_position->setObjectName(QStringLiteral("positionLabel"));
    auto *sideBySide = new QToolButton(this);
    sideBySide->setObjectName(QStringLiteral("sideBySideButton"));
    sideBySide->setFocusPolicy(Qt::NoFocus);
    sideBySide->setDefaultAction(m_sideBySide);
    sideBySide->setToolButtonStyle(Qt::ToolButtonTextOnly);
    // Two rows, so that the window fits a laptop screen: who reviews and how far the queue
    // is, then the queue's filters (each as wide as 16 characters, longer entries elided).
    auto *who = new QHBoxLayout;
    who->addWidget(m_reviewerLabel);
    who->addWidget(switchReviewer);
    who->addSpacing(12);
    who->addWidget(sideBySide);
    who->addStretch(1);
    who->addWidget(m_position);
    who->addWidget(m_progress);
    who->addWidget(m_approved);
    auto *filters = new QHBoxLayout;
    for (QComboBox *c : {m_stateFilter, m_promptFilter, m_familyFilter, m_agreementFilter})
        filters->addWidget(c, 1);
    filters->addWidget(m_markFilter, 2);
    auto *top = new QVBoxLayout;
    top->setSpacing(2);
    top->addLayout(who);
    top->addLayout(filters);
    return top;
}

// The item: assets on the left, question, reference (hidden) and note on the right.
QWidget *ReviewPanel::buildItemArea()
{
    m_question->setObjectName(QStringLiteral("reviewQuestion"));
    m_question->setWordWrap(true);
    m_question->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont big = m_question->font();
    big.setPointSizeF(big.pointSizeF() * 1.15);
    big.setBold(true);
    m_question->setFont(big);
    m_reference->setObjectName(QStringLiteral("reviewReference"));
    m_reference->setWordWrap(true);
    m_itemInfo->setWordWrap(true);
    m_note->setObjectName(QStringLiteral("reviewNote"));
    m_note->setReadOnly(true);
    m_note->setFocusPolicy(Qt::NoFocus);
    m_note->setPlaceholderText(tr("No note for this item."));
    auto *text = new QWidget(this);
    auto *form = new QFormLayout(text);
    form->addRow(tr("Question:"), m_question);
    form->addRow(tr("Reference:"), m_reference);
    form->addRow(tr("Item:"), m_itemInfo);
    form->addRow(tr("Note:"), m_note);
    m_answers = new QLabel(this);
    m_answers->setObjectName(QStringLiteral("reviewAnswers"));
    m_answers->setWordWrap(true);
    m_answers->setTextFormat(Qt::RichText);
    m_answers->setToolTip(tr("What each evaluation answered for this item; whether it was right shows with the reference (%1)").arg(m_referenceKey));
    form->addRow(tr("Evaluations:"), m_answers);
    m_itemForm = form;
    m_viewer->setFocusPolicy(Qt::ClickFocus);
    return layouts::splitter(Qt::Horizontal, this, {m_viewer, text}, {3, 2});
}

// The traces, one column each, scrolling sideways.
QWidget *ReviewPanel::buildTraceArea()
{
    m_columnsLayout->setContentsMargins(4, 4, 4, 4);
    m_columnsLayout->setSpacing(8);
    m_columnsLayout->addStretch(1);
    m_scroll->setObjectName(QStringLiteral("traceColumns"));
    m_scroll->setWidget(m_columnsHost);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFocusPolicy(Qt::NoFocus);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_scroll->setMinimumHeight(200);
    // The reject form opens to the right of the columns (ReviewPanel::rejectFocused).
    m_traceArea = new QWidget(this);
    auto *row = new QHBoxLayout(m_traceArea);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_scroll, 1);
    return m_traceArea;
}

// --- Intents ---------------------------------------------------------------------------------

void ReviewPanel::applyFilters()
{
    review::QueueFilter f;
    f.state = review::QueueFilter::State(m_stateFilter->currentData().toInt());
    f.prompt = m_promptFilter->currentData().toString();
    f.family = m_familyFilter->currentData().toString();
    f.agreement = review::QueueFilter::Agreement(m_agreementFilter->currentData().toInt());
    f.mark = m_markFilter->currentData().toString();
    m_reviews->setFilter(f);
}

void ReviewPanel::record(const review::VerdictInput &input)
{
    if (!m_reviews->session() || m_reviews->focusedTrace() == 0 || !ensureReviewer())
        return;
    m_reviews->record(input);
}

void ReviewPanel::acceptFocused()
{
    record({review::Verdict::Accept, {}, {}, {}});
}

void ReviewPanel::skipFocused()
{
    record({review::Verdict::Skip, {}, {}, {}});
}

void ReviewPanel::setSideBySide(bool on)
{
    m_viewer->setSideBySide(on);
    m_sideBySide->setChecked(on);
    QSettings().setValue(QString::fromLatin1(kSideBySideKey), on);
    if (on && m_itemId != 0 && !m_viewer->isSplitShown())
        Q_EMIT statusMessage(tr("Side by side needs a photo and a drawing; this item shows one kind only."));
}

bool ReviewPanel::sideBySide() const
{
    return m_viewer->sideBySide();
}

// --- Rendering the controller ----------------------------------------------------------------

void ReviewPanel::showSession()
{
    // The filter lists follow the workspace; the choices are the controller's.
    const review::ReviewSession *session = m_reviews->session();
    const review::QueueFilter &f = m_reviews->filter();
    m_promptFilter->clear();
    m_familyFilter->clear();
    m_promptFilter->addItem(tr("All prompts"), QString());
    m_familyFilter->addItem(tr("All task families"), QString());
    m_markFilter->clear();
    m_markFilter->addItem(tr("From anywhere"), QString());
    if (session) {
        for (const QString &source : session->markSources())
            m_markFilter->addItem(tr("From %1").arg(source), source);
        for (const QString &p : session->promptNames())
            m_promptFilter->addItem(p, p);
        for (const QString &name : session->families())
            m_familyFilter->addItem(name, name);
    }
    m_promptFilter->setCurrentIndex(std::max(0, m_promptFilter->findData(f.prompt)));
    m_familyFilter->setCurrentIndex(std::max(0, m_familyFilter->findData(f.family)));
    m_markFilter->setCurrentIndex(std::max(0, m_markFilter->findData(f.mark)));
    m_markFilter->setVisible(m_markFilter->count() > 1);
    m_stateFilter->setCurrentIndex(std::max(0, m_stateFilter->findData(int(f.state))));
    m_agreementFilter->setCurrentIndex(std::max(0, m_agreementFilter->findData(int(f.agreement))));
}

void ReviewPanel::showReviewer(const QString &name)
{
    m_reviewerLabel->setText(name.isEmpty() ? tr("Reviewer: (not set)") : tr("Reviewer: %1").arg(name));
}

void ReviewPanel::showItem(bool sameItem)
{
    const ReviewItemView &item = m_reviews->item();
    if (!sameItem) {
        if (item.itemId == 0) {
            m_viewer->clear();
            m_question->setText(m_reviews->session() ? tr("No items in the queue.") : tr("No workspace open."));
            m_itemInfo->clear();
            m_note->clear();
        } else {
            m_viewer->setAssets(item.assets, item.assetPaths);
            m_question->setText(item.question);
            m_itemInfo->setText(
                tr("%1 · %2 · %3")
                    .arg(item.displayId, item.taskFamily.isEmpty() ? tr("no family") : item.taskFamily, item.split));
            m_note->setPlainText(item.note);
        }
        showReference(); // and the answers, whose right or wrong shows with it
    }
    m_itemId = item.itemId;
    // One column per completed trace; the widgets are kept from item to item.
    const std::size_t n = std::size_t(m_reviews->traceCount());
    while (m_columns.size() > n) {
        delete m_columns.back();
        m_columns.pop_back();
    }
    while (m_columns.size() < n) {
        auto *c = new TraceColumn(m_columnsHost);
        c->setReferenceKey(m_referenceKey);
        m_columnsLayout->insertWidget(int(m_columns.size()), c);
        m_columns.push_back(c);
    }
    showTraces();
    m_focus = -1; // the focus follows (focusChanged)
}

void ReviewPanel::showReference()
{
    const ReviewItemView &item = m_reviews->item();
    if (item.reference.isEmpty())
        m_reference->setText(tr("(none)"));
    else
        m_reference->setText(item.referenceShown ? item.reference
                                                 : tr("hidden — press %1 to show").arg(m_referenceKey));
    showAnswers();
}

void ReviewPanel::showTrace(qint64 traceId)
{
    const int i = m_reviews->indexOf(traceId);
    if (i >= 0 && i < int(m_columns.size()))
        m_columns[std::size_t(i)]->setTrace(m_reviews->trace(i));
}

void ReviewPanel::showTraces()
{
    for (std::size_t i = 0; i < m_columns.size(); ++i)
        m_columns[i]->setTrace(m_reviews->trace(int(i)));
}

void ReviewPanel::showFocus(int index)
{
    for (std::size_t i = 0; i < m_columns.size(); ++i)
        m_columns[i]->setFocused(int(i) == index);
    m_focus = index >= 0 && index < int(m_columns.size()) ? index : -1;
    if (m_focus >= 0)
        m_scroll->ensureWidgetVisible(m_columns[std::size_t(m_focus)], 16, 0);
    Q_EMIT traceShown(focusedTrace());
}

void ReviewPanel::showCounts()
{
    const ReviewCounts c = m_reviews->counts();
    if (!c.active) {
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        m_approved->clear();
        m_position->clear();
        return;
    }
    m_progress->setRange(0, std::max(1, c.total));
    m_progress->setValue(c.reviewed);
    m_approved->setText(tr("%n approved", nullptr, c.approved));
    m_approved->setToolTip(tr("Approval policy: %1").arg(c.policy));
    m_position->setText(c.position < 0 ? tr("%n item(s) in the queue", nullptr, c.queueSize)
                                       : tr("Item %1 of %2").arg(c.position + 1).arg(c.queueSize));
    showUntraced();
}

store::Id ReviewPanel::focusedTrace() const
{
    return m_focus >= 0 && m_focus < int(m_columns.size()) ? m_columns[std::size_t(m_focus)]->traceId() : 0;
}

} // namespace sdrt::ui
