#include "sdrt/ui/ReviewPanel.h"

#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/ItemRepository.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/ui/AssetViewer.h"
#include "sdrt/ui/WorkspaceSession.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

namespace sdrt::ui {
namespace {

const char *kReviewerKey = "review/reviewer";
const char *kSideBySideKey = "review/sideBySide";

QStringList sentencesOf(const QString &text)
{
    QStringList out;
    // Sentences end with . ! ? 。 or a line break; a step number ("1.") stays with its text.
    static const QRegularExpression split(QStringLiteral("(?<=[^\\d\\s][.!?。])\\s+|(?<=。)|\\n+"));
    for (const QString &s : text.split(split, Qt::SkipEmptyParts))
        if (!s.trimmed().isEmpty())
            out << s.trimmed();
    return out;
}

} // namespace

// ---------------------------------------------------------------------------------------------

TraceColumn::TraceColumn(QWidget *parent)
    : QFrame(parent), m_header(new QLabel(this)), m_analysis(new QTextBrowser(this)), m_answer(new QLabel(this)),
      m_agreement(new QLabel(this)), m_reference(new QLabel(this)), m_confidence(new QLabel(this)), m_verdict(new QLabel(this))
{
    setObjectName(QStringLiteral("traceColumn"));
    setFrameShape(QFrame::NoFrame);
    setMinimumWidth(260);
    setMaximumWidth(420);
    QFont bold = m_header->font();
    bold.setBold(true);
    m_header->setFont(bold);
    m_header->setWordWrap(true);
    m_analysis->setObjectName(QStringLiteral("analysis"));
    m_analysis->setFocusPolicy(Qt::NoFocus); // keys stay with the review screen
    m_analysis->setOpenLinks(false);
    m_analysis->setLineWrapMode(QTextEdit::WidgetWidth);
    m_analysis->setMinimumHeight(90);
    QFont verdictFont = m_verdict->font();
    verdictFont.setBold(true);
    m_verdict->setFont(verdictFont);
    for (QLabel *l : {m_answer, m_agreement, m_reference, m_confidence, m_verdict}) {
        l->setWordWrap(true);
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    layout->addWidget(m_header);
    auto *analysisTitle = new QLabel(tr("Step 1 — analysis"), this);
    layout->addWidget(analysisTitle);
    layout->addWidget(m_analysis, 1);
    layout->addWidget(m_answer);
    layout->addWidget(m_agreement);
    layout->addWidget(m_reference);
    layout->addWidget(m_confidence);
    layout->addWidget(m_verdict);
}

void TraceColumn::setFocused(bool focused)
{
    if (focused == m_focused)
        return;
    m_focused = focused;
    update(); // painted in paintEvent: cheaper than restyling the column on every key press
}

void TraceColumn::paintEvent(QPaintEvent *event)
{
    QPainter p(this);
    if (m_focused) {
        // A tinted background and a thick accent border mark the focused trace.
        p.fillRect(rect(), palette().color(QPalette::AlternateBase));
        QPen pen(palette().color(QPalette::Highlight), 4);
        pen.setJoinStyle(Qt::MiterJoin);
        p.setPen(pen);
        p.drawRect(QRectF(rect()).adjusted(2, 2, -2, -2));
    } else {
        p.setPen(QPen(palette().color(QPalette::Mid), 1));
        p.drawRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5));
    }
    Q_UNUSED(event);
}

QString TraceColumn::analysisText() const
{
    return m_analysis->toPlainText();
}

QString TraceColumn::statusText() const
{
    return QStringList{m_answer->text(), m_agreement->text(), m_reference->text(), m_confidence->text(), m_verdict->text()}.join(
        QLatin1Char('\n'));
}

// ---------------------------------------------------------------------------------------------

RejectDialog::RejectDialog(const QStringList &tags, const QStringList &sentences, QWidget *parent)
    : QDialog(parent), m_step(new QComboBox(this)), m_comment(new QLineEdit(this))
{
    setObjectName(QStringLiteral("rejectDialog"));
    setWindowTitle(tr("Reject trace"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("Reasons (press 1–9 to toggle):"), this));
    for (int i = 0; i < tags.size(); ++i) {
        auto *box = new QCheckBox(i < 9 ? QStringLiteral("%1  %2").arg(i + 1).arg(tags[i]) : tags[i], this);
        box->setProperty("tag", tags[i]);
        m_tags.push_back(box);
        layout->addWidget(box);
    }
    auto *form = new QFormLayout;
    m_step->setObjectName(QStringLiteral("firstWrongStep"));
    m_step->addItem(tr("(not marked)"), QString());
    for (const QString &s : sentences)
        m_step->addItem(s.size() > 90 ? s.left(88) + QStringLiteral("…") : s, s);
    form->addRow(tr("First wrong step:"), m_step);
    m_comment->setObjectName(QStringLiteral("comment"));
    m_comment->setPlaceholderText(tr("Optional comment"));
    form->addRow(tr("Comment:"), m_comment);
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Reject"));
    buttons->button(QDialogButtonBox::Ok)->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    if (!m_tags.empty())
        m_tags.front()->setFocus();
}

void RejectDialog::keyPressEvent(QKeyEvent *event)
{
    const int key = event->key();
    if (key >= Qt::Key_1 && key <= Qt::Key_9 && !m_comment->hasFocus()) {
        const std::size_t i = std::size_t(key - Qt::Key_1);
        if (i < m_tags.size())
            m_tags[i]->toggle();
        return;
    }
    QDialog::keyPressEvent(event);
}

QStringList RejectDialog::checkedTags() const
{
    QStringList out;
    for (QCheckBox *b : m_tags)
        if (b->isChecked())
            out << b->property("tag").toString();
    return out;
}

QString RejectDialog::firstWrongStep() const
{
    return m_step->currentData().toString();
}

QString RejectDialog::comment() const
{
    return m_comment->text().trimmed();
}

// ---------------------------------------------------------------------------------------------

ReviewPanel::ReviewPanel(WorkspaceSession *session, QWidget *parent)
    : QWidget(parent), m_session(session), m_viewer(new AssetViewer(this)), m_question(new QLabel(this)), m_reference(new QLabel(this)),
      m_itemInfo(new QLabel(this)), m_note(new QPlainTextEdit(this)), m_scroll(new QScrollArea(this)), m_columnsHost(new QWidget),
      m_columnsLayout(new QHBoxLayout(m_columnsHost)), m_reviewerLabel(new QLabel(this)), m_approved(new QLabel(this)),
      m_position(new QLabel(this)), m_progress(new QProgressBar(this)), m_stateFilter(new QComboBox(this)),
      m_promptFilter(new QComboBox(this)), m_familyFilter(new QComboBox(this)), m_agreementFilter(new QComboBox(this))
{
    setObjectName(QStringLiteral("reviewPanel"));
    setFocusPolicy(Qt::StrongFocus);
    buildUi();
    createActions();
    setReviewer(QSettings().value(QString::fromLatin1(kReviewerKey)).toString());
    setSideBySide(QSettings().value(QString::fromLatin1(kSideBySideKey), false).toBool());
    connect(session, &WorkspaceSession::opened, this, &ReviewPanel::startAfresh);
    connect(session, &WorkspaceSession::closed, this, &ReviewPanel::startAfresh);
    connect(m_viewer, &AssetViewer::errorOccurred, this, [this](const QString &m) { Q_EMIT errorOccurred(tr("Review"), m); });
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

void ReviewPanel::buildUi()
{
    // Top bar: who reviews, the queue's filters, progress and the approved count.
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
    for (QComboBox *c : {m_stateFilter, m_promptFilter, m_familyFilter, m_agreementFilter}) {
        c->setFocusPolicy(Qt::ClickFocus);
        c->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        connect(c, &QComboBox::activated, this, [this] {
            applyFilters();
            setFocus();
        });
    }
    m_progress->setObjectName(QStringLiteral("reviewProgress"));
    m_progress->setFormat(tr("%v of %m traces reviewed"));
    m_progress->setMinimumWidth(200);
    m_approved->setObjectName(QStringLiteral("approvedLabel"));
    m_position->setObjectName(QStringLiteral("positionLabel"));
    // Photo and drawing side by side: a checkable action (key V) shown as a top bar button.
    m_sideBySide = new QAction(tr("Photo | Drawing"), this);
    m_sideBySide->setObjectName(QStringLiteral("sideBySide"));
    m_sideBySide->setToolTip(tr("Show the item's photo and drawing side by side, each with its own zoom and pan (V)"));
    m_sideBySide->setCheckable(true);
    m_sideBySide->setShortcut(QKeySequence(Qt::Key_V));
    m_sideBySide->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_sideBySide, &QAction::triggered, this, &ReviewPanel::setSideBySide);
    addAction(m_sideBySide);
    auto *sideBySide = new QToolButton(this);
    sideBySide->setObjectName(QStringLiteral("sideBySideButton"));
    sideBySide->setFocusPolicy(Qt::NoFocus);
    sideBySide->setDefaultAction(m_sideBySide);
    sideBySide->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto *top = new QHBoxLayout;
    top->addWidget(m_reviewerLabel);
    top->addWidget(switchReviewer);
    top->addSpacing(12);
    top->addWidget(sideBySide);
    top->addSpacing(12);
    top->addWidget(m_stateFilter);
    top->addWidget(m_promptFilter);
    top->addWidget(m_familyFilter);
    top->addWidget(m_agreementFilter);
    top->addStretch(1);
    top->addWidget(m_position);
    top->addWidget(m_progress);
    top->addWidget(m_approved);

    // The item: assets on the left, question, reference (hidden) and note on the right.
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
    m_viewer->setFocusPolicy(Qt::ClickFocus);
    auto *itemSplit = new QSplitter(Qt::Horizontal, this);
    itemSplit->addWidget(m_viewer);
    itemSplit->addWidget(text);
    itemSplit->setStretchFactor(0, 3);
    itemSplit->setStretchFactor(1, 2);

    // The traces, one column each, scrolling sideways.
    m_columnsLayout->setContentsMargins(4, 4, 4, 4);
    m_columnsLayout->setSpacing(8);
    m_columnsLayout->addStretch(1);
    m_scroll->setObjectName(QStringLiteral("traceColumns"));
    m_scroll->setWidget(m_columnsHost);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFocusPolicy(Qt::NoFocus);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(itemSplit);
    split->addWidget(m_scroll);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    split->setSizes({280, 460}); // the traces are what is reviewed: they get most of the height
    m_scroll->setMinimumHeight(240);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(split, 1);
}

void ReviewPanel::createActions()
{
    struct Key {
        QKeySequence keys;
        const char *name;
        std::function<void()> run;
    };
    const std::vector<Key> keys = {
        {QKeySequence(Qt::Key_A), "accept", [this] { acceptFocused(); }},
        {QKeySequence(Qt::Key_X), "reject", [this] { rejectFocused(); }},
        {QKeySequence(Qt::Key_S), "skip", [this] { skipFocused(); }},
        {QKeySequence(Qt::Key_Right), "nextTrace", [this] { moveFocus(1); }},
        {QKeySequence(Qt::Key_L), "nextTraceL", [this] { moveFocus(1); }},
        {QKeySequence(Qt::Key_Left), "previousTrace", [this] { moveFocus(-1); }},
        {QKeySequence(Qt::Key_H), "previousTraceH", [this] { moveFocus(-1); }},
        {QKeySequence(Qt::Key_N), "nextItem", [this] { nextItem(); }},
        {QKeySequence(Qt::Key_P), "previousItem", [this] { previousItem(); }},
        {QKeySequence(Qt::Key_U), "nextUnreviewed", [this] { nextUnreviewed(); }},
        {QKeySequence(Qt::Key_R), "showReference", [this] { toggleReference(); }},
        {QKeySequence(Qt::CTRL | Qt::Key_Z), "undo", [this] { undo(); }},
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), "redo", [this] { redo(); }},
        {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A), "acceptMatching", [this] { acceptMatchingReference(true); }},
        {QKeySequence(Qt::Key_Question), "shortcuts", [this] { showShortcuts(); }},
    };
    for (const Key &k : keys) {
        auto *a = new QAction(this);
        a->setObjectName(QString::fromLatin1(k.name));
        a->setShortcut(k.keys);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(a, &QAction::triggered, this, k.run);
        addAction(a);
    }
}

QString ReviewPanel::reviewer() const
{
    return m_review ? m_review->reviewer() : QSettings().value(QString::fromLatin1(kReviewerKey)).toString();
}

void ReviewPanel::setReviewer(const QString &name)
{
    const QString clean = name.trimmed();
    if (!clean.isEmpty())
        QSettings().setValue(QString::fromLatin1(kReviewerKey), clean);
    if (m_review)
        m_review->setReviewer(clean);
    m_reviewerLabel->setText(clean.isEmpty() ? tr("Reviewer: (not set)") : tr("Reviewer: %1").arg(clean));
    if (m_review) {
        applyFilters();
    }
}

bool ReviewPanel::ensureReviewer()
{
    if (!reviewer().isEmpty())
        return true;
    chooseReviewer();
    return !reviewer().isEmpty();
}

void ReviewPanel::chooseReviewer()
{
    QStringList known = m_review ? m_review->reviewers() : QStringList();
    bool ok = false;
    const QString name = QInputDialog::getItem(this, tr("Reviewer"), tr("Your name (stored with each verdict):"), known,
                                               std::max<qsizetype>(0, known.indexOf(reviewer())), true, &ok);
    if (ok && !name.trimmed().isEmpty())
        setReviewer(name);
    returnFocus();
}

void ReviewPanel::returnFocus()
{
    // The window a modal dialog leaves is not always activated again (it depends on the window
    // manager), and then no key reaches the panel's shortcuts until a click. The panel holds the
    // focus rather than a column: columns are deleted when the item changes.
    if (!isVisible())
        return;
    window()->activateWindow();
    setFocus(Qt::OtherFocusReason);
    if (m_focus >= 0 && m_focus < int(m_columns.size()))
        m_scroll->ensureWidgetVisible(m_columns[std::size_t(m_focus)], 16, 0);
}

void ReviewPanel::startAfresh()
{
    // The session of the workspace that went (its Database may be gone already) is dropped
    // without touching it; its undo history belongs to that workspace.
    m_review.reset();
    m_itemId = 0;
    reload();
}

void ReviewPanel::reload()
{
    m_queue.clear();
    if (!m_session->isOpen()) {
        m_review.reset();
        m_itemId = 0;
    } else if (m_review) {
        // In place: the reviewers' undo stacks stay.
        if (auto r = m_review->reload(); !r) {
            Q_EMIT errorOccurred(tr("Cannot read the reviews"), r.error());
            m_review.reset();
            m_itemId = 0;
        }
    } else {
        m_itemId = 0;
        auto s = review::ReviewSession::load(m_session->workspace()->db());
        if (!s) {
            Q_EMIT errorOccurred(tr("Cannot read the reviews"), s.error());
        } else {
            m_review = std::move(*s);
            m_review->setReviewer(QSettings().value(QString::fromLatin1(kReviewerKey)).toString());
        }
    }
    const QString prompt = m_promptFilter->currentData().toString(), family = m_familyFilter->currentData().toString();
    m_promptFilter->clear();
    m_familyFilter->clear();
    m_promptFilter->addItem(tr("All prompts"), QString());
    m_familyFilter->addItem(tr("All task families"), QString());
    if (m_review) {
        for (const QString &p : m_review->promptNames())
            m_promptFilter->addItem(p, p);
        for (const QString &f : m_review->families())
            m_familyFilter->addItem(f, f);
    }
    m_promptFilter->setCurrentIndex(std::max(0, m_promptFilter->findData(prompt)));
    m_familyFilter->setCurrentIndex(std::max(0, m_familyFilter->findData(family)));
    setReviewer(reviewer());
    applyFilters();
}

void ReviewPanel::applyFilters()
{
    if (!m_review) {
        m_queue.clear();
        showItem(0);
        updateCounts();
        return;
    }
    review::QueueFilter f;
    f.state = review::QueueFilter::State(m_stateFilter->currentData().toInt());
    f.prompt = m_promptFilter->currentData().toString();
    f.family = m_familyFilter->currentData().toString();
    f.agreement = review::QueueFilter::Agreement(m_agreementFilter->currentData().toInt());
    m_queue = m_review->queue(f);
    m_progressStale = true;
    const bool keep = std::find(m_queue.begin(), m_queue.end(), m_itemId) != m_queue.end();
    showItem(keep ? m_itemId : (m_queue.empty() ? 0 : m_queue.front()), keep ? focusedTrace() : 0);
    updateCounts();
}

void ReviewPanel::updateCounts()
{
    if (!m_review) {
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        m_approved->clear();
        m_position->clear();
        return;
    }
    if (m_progressStale) {
        const auto p = m_review->progress(m_queue);
        m_reviewed = p.reviewed;
        m_queueTraces = p.total;
        m_progressStale = false;
    }
    m_progress->setRange(0, std::max(1, m_queueTraces));
    m_progress->setValue(m_reviewed);
    m_approved->setText(tr("%n approved", nullptr, m_review->approvedCount()));
    m_approved->setToolTip(tr("Approval policy: %1").arg(m_review->policy().describe()));
    const auto it = std::find(m_queue.begin(), m_queue.end(), m_itemId);
    m_position->setText(it == m_queue.end() ? tr("%n item(s) in the queue", nullptr, int(m_queue.size()))
                                            : tr("Item %1 of %2").arg(int(it - m_queue.begin()) + 1).arg(m_queue.size()));
}

store::Id ReviewPanel::focusedTrace() const
{
    return m_focus >= 0 && m_focus < int(m_columns.size()) ? m_columns[std::size_t(m_focus)]->traceId() : 0;
}

void ReviewPanel::showItem(store::Id itemId, store::Id focusTrace)
{
    const bool sameItem = itemId == m_itemId && itemId != 0;
    m_itemId = itemId;
    if (!sameItem) {
        m_referenceShown = false;
        if (itemId == 0 || !m_session->isOpen()) {
            m_viewer->clear();
            m_question->setText(m_review ? tr("No items in the queue.") : tr("No workspace open."));
            m_referenceText.clear();
            m_reference->clear();
            m_itemInfo->clear();
            m_note->clear();
        } else {
            store::Workspace *ws = m_session->workspace();
            auto item = store::ItemRepository(ws->db()).get(itemId);
            if (!item) {
                Q_EMIT errorOccurred(tr("Cannot read item %1").arg(itemId), item.error());
                return;
            }
            std::vector<store::Asset> assets;
            QStringList paths;
            for (const store::ItemAsset &ia : item->assets) {
                if (ia.role == store::AssetKind::Note)
                    continue;
                assets.push_back(ia.asset);
                assets.back().kind = ia.role; // the item's role decides the side in the split view
                paths << ws->absolutePath(ia.asset.storedPath);
            }
            m_viewer->setAssets(assets, paths);
            m_question->setText(item->question);
            m_referenceText = item->referenceAnswer.value_or(QString());
            m_itemInfo->setText(tr("%1 · %2 · %3")
                                    .arg(item->externalId.value_or(QString::number(item->id)),
                                         item->taskFamily.isEmpty() ? tr("no family") : item->taskFamily, item->split));
            m_note->setPlainText(item->noteText);
        }
        m_reference->setText(m_referenceText.isEmpty() ? tr("(none)") : tr("hidden — press R to show"));
    }
    // One column per completed trace.
    std::vector<const review::TraceInfo *> infos = m_review && itemId ? m_review->traces(itemId) : std::vector<const review::TraceInfo *>{};
    std::vector<store::Trace> texts;
    if (!infos.empty()) {
        auto all = store::TraceRepository(m_session->workspace()->db()).forItem(itemId);
        if (!all) {
            Q_EMIT errorOccurred(tr("Cannot read the traces of item %1").arg(itemId), all.error());
            return;
        }
        texts = std::move(*all);
    }
    while (m_columns.size() > infos.size()) {
        delete m_columns.back();
        m_columns.pop_back();
    }
    while (m_columns.size() < infos.size()) {
        auto *c = new TraceColumn(m_columnsHost);
        m_columnsLayout->insertWidget(int(m_columns.size()), c);
        m_columns.push_back(c);
    }
    int focus = infos.empty() ? -1 : 0;
    for (std::size_t i = 0; i < infos.size(); ++i) {
        TraceColumn *c = m_columns[i];
        c->m_traceId = infos[i]->traceId;
        const auto t = std::find_if(texts.begin(), texts.end(), [&](const store::Trace &x) { return x.id == infos[i]->traceId; });
        c->m_header->setText(tr("%1 v%2 · sample %3").arg(infos[i]->promptName).arg(infos[i]->promptVersion).arg(infos[i]->sampleIndex));
        c->m_analysis->setPlainText(t != texts.end() ? t->step1Text : QString());
        c->m_step2Text = t != texts.end() ? t->step2Text : QString();
        c->m_answer->setText(tr("Answer: %1\nParsed: %2")
                                 .arg(t != texts.end() ? t->step2Text.trimmed() : QString(),
                                      infos[i]->parsedAnswer.isEmpty() ? tr("(none)") : infos[i]->parsedAnswer));
        if (focusTrace != 0 && infos[i]->traceId == focusTrace)
            focus = int(i);
        updateColumn(c);
    }
    if (focusTrace == 0 && m_review) {
        // Start at the first trace without a verdict of this reviewer.
        for (std::size_t i = 0; i < infos.size(); ++i)
            if (m_review->verdict(infos[i]->traceId) == review::Verdict::None) {
                focus = int(i);
                break;
            }
    }
    m_focus = -1;
    setFocusColumn(focus);
    updateCounts();
}

void ReviewPanel::updateColumn(TraceColumn *c)
{
    const review::TraceInfo *info = m_review ? m_review->trace(c->traceId()) : nullptr;
    if (!info)
        return;
    // Colour plus text: every state is also written out.
    auto colour = [](QLabel *l, const QColor &c) {
        QPalette pal = l->palette();
        if (pal.color(QPalette::WindowText) != c) {
            pal.setColor(QPalette::WindowText, c);
            l->setPalette(pal);
        }
    };
    const QColor plain = palette().color(QPalette::WindowText), good(0x1b, 0x7f, 0x3b), bad(0xb3, 0x26, 0x1e);
    auto mark = [&](QLabel *l, bool ok, const QString &text) {
        l->setText((ok ? QStringLiteral("✓ ") : QStringLiteral("✗ ")) + text);
        colour(l, ok ? good : bad);
    };
    mark(c->m_agreement, info->agreesWithEnsemble,
         info->agreesWithEnsemble ? tr("agrees with the prompt ensemble") : tr("differs from the prompt ensemble"));
    if (!info->matchesReference) {
        c->m_reference->setText(tr("– no reference answer"));
        colour(c->m_reference, plain);
    } else if (!m_referenceShown) {
        c->m_reference->setText(tr("· reference hidden (R)"));
        colour(c->m_reference, plain);
    } else {
        mark(c->m_reference, *info->matchesReference, *info->matchesReference ? tr("matches the reference") : tr("differs from the reference"));
    }
    c->m_confidence->setText(tr("Confidence %1%").arg(info->confidence * 100, 0, 'f', 0));
    QStringList lines;
    const review::Verdict mine = m_review->verdict(info->traceId);
    const store::Review *row = m_review->currentReview(info->traceId, m_review->reviewer());
    switch (mine) {
    case review::Verdict::Accept: lines << tr("Your verdict: ACCEPTED"); break;
    case review::Verdict::Reject:
        lines << tr("Your verdict: REJECTED") + (row && !row->reasonTags.isEmpty() ? QStringLiteral(" (") + row->reasonTags.join(QStringLiteral(", ")) + QLatin1Char(')') : QString());
        break;
    case review::Verdict::Skip: lines << tr("Your verdict: skipped"); break;
    case review::Verdict::None: lines << tr("Your verdict: none yet"); break;
    }
    for (const auto &[who, v] : m_review->verdicts(info->traceId))
        if (who != m_review->reviewer())
            lines << tr("%1: %2").arg(who, v == review::Verdict::Accept ? tr("accept") : v == review::Verdict::Reject ? tr("reject") : tr("skip"));
    if (m_review->isApproved(info->traceId))
        lines << tr("Approved");
    c->m_verdict->setText(lines.join(QLatin1Char('\n')));
    colour(c->m_verdict, mine == review::Verdict::Accept ? good : mine == review::Verdict::Reject ? bad : plain);
}

void ReviewPanel::setFocusColumn(int index)
{
    if (index == m_focus && index >= 0) {
        Q_EMIT traceShown(focusedTrace());
        return;
    }
    if (m_focus >= 0 && m_focus < int(m_columns.size()))
        m_columns[std::size_t(m_focus)]->setFocused(false);
    m_focus = index;
    if (index >= 0 && index < int(m_columns.size())) {
        m_columns[std::size_t(index)]->setFocused(true);
        m_scroll->ensureWidgetVisible(m_columns[std::size_t(index)], 16, 0);
    }
    Q_EMIT traceShown(focusedTrace());
}

void ReviewPanel::moveFocus(int delta)
{
    if (m_columns.empty())
        return;
    setFocusColumn(std::clamp(m_focus + delta, 0, int(m_columns.size()) - 1));
}

void ReviewPanel::nextItem()
{
    const auto it = std::find(m_queue.begin(), m_queue.end(), m_itemId);
    if (it != m_queue.end() && it + 1 != m_queue.end())
        showItem(*(it + 1));
    else if (it == m_queue.end() && !m_queue.empty())
        showItem(m_queue.front());
    else
        Q_EMIT statusMessage(tr("This is the last item in the queue."));
}

void ReviewPanel::previousItem()
{
    const auto it = std::find(m_queue.begin(), m_queue.end(), m_itemId);
    if (it != m_queue.end() && it != m_queue.begin())
        showItem(*(it - 1));
    else
        Q_EMIT statusMessage(tr("This is the first item in the queue."));
}

void ReviewPanel::nextUnreviewed()
{
    if (!m_review || m_queue.empty())
        return;
    const auto here = std::find(m_queue.begin(), m_queue.end(), m_itemId);
    const std::size_t start = here == m_queue.end() ? 0 : std::size_t(here - m_queue.begin()) + 1;
    for (std::size_t k = 0; k < m_queue.size(); ++k) {
        const store::Id item = m_queue[(start + k) % m_queue.size()];
        if (m_review->itemState(item) != review::ItemState::Done) {
            showItem(item);
            return;
        }
    }
    Q_EMIT statusMessage(tr("Every item in the queue is reviewed."));
}

bool ReviewPanel::report(bool ok, const QString &error)
{
    if (!ok)
        Q_EMIT errorOccurred(tr("Cannot save the review"), error);
    return ok;
}

void ReviewPanel::recordFocused(int verdict, const QStringList &tags, const QString &firstWrongStep, const QString &comment)
{
    const store::Id trace = focusedTrace();
    if (!m_review || trace == 0 || !ensureReviewer())
        return;
    const bool wasReviewed = m_review->verdict(trace) != review::Verdict::None;
    auto r = m_review->record({trace}, {review::Verdict(verdict), tags, firstWrongStep, comment});
    if (!report(bool(r), r ? QString() : r.error()))
        return;
    // The shown item is in the queue: the progress moves by this one trace.
    if (!m_progressStale && std::find(m_queue.begin(), m_queue.end(), m_itemId) != m_queue.end())
        m_reviewed += int(m_review->verdict(trace) != review::Verdict::None) - int(wasReviewed);
    updateColumn(m_columns[std::size_t(m_focus)]);
    advanceAfterVerdict();
}

void ReviewPanel::advanceAfterVerdict()
{
    // The next trace of this item without a verdict of this reviewer; else the next item that
    // still has some; else stay.
    const int n = int(m_columns.size());
    for (int k = 1; k <= n; ++k) {
        const int i = (m_focus + k) % n;
        if (m_review->verdict(m_columns[std::size_t(i)]->traceId()) == review::Verdict::None) {
            setFocusColumn(i);
            updateCounts();
            return;
        }
    }
    const auto here = std::find(m_queue.begin(), m_queue.end(), m_itemId);
    for (auto it = here == m_queue.end() ? m_queue.begin() : here + 1; it != m_queue.end(); ++it)
        if (m_review->itemState(*it) != review::ItemState::Done) {
            showItem(*it);
            return;
        }
    updateCounts();
    Q_EMIT traceShown(focusedTrace());
}

void ReviewPanel::acceptFocused()
{
    recordFocused(int(review::Verdict::Accept));
}

void ReviewPanel::skipFocused()
{
    recordFocused(int(review::Verdict::Skip));
}

void ReviewPanel::rejectFocused()
{
    const store::Id trace = focusedTrace();
    if (!m_review || trace == 0 || !ensureReviewer() || m_rejectDialog)
        return;
    const TraceColumn *column = m_columns[std::size_t(m_focus)];
    const QString answer = column->m_step2Text.trimmed();
    QStringList sentences = sentencesOf(column->analysisText());
    if (!answer.isEmpty())
        sentences << tr("Answer: %1").arg(answer);
    m_rejectDialog = new RejectDialog(m_review->reasonTags(), sentences, this);
    m_rejectDialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(m_rejectDialog, &QDialog::accepted, this, [this, trace, d = m_rejectDialog] {
        if (focusedTrace() == trace)
            recordFocused(int(review::Verdict::Reject), d->checkedTags(), d->firstWrongStep(), d->comment());
    });
    connect(m_rejectDialog, &QObject::destroyed, this, [this] {
        m_rejectDialog = nullptr;
        returnFocus();
    });
    m_rejectDialog->open();
}

void ReviewPanel::showChanged(const std::vector<store::Id> &traceIds)
{
    if (traceIds.empty())
        return;
    const review::TraceInfo *info = m_review->trace(traceIds.front());
    if (!info)
        return;
    if (info->itemId != m_itemId) {
        showItem(info->itemId, info->traceId);
    } else {
        for (TraceColumn *c : m_columns)
            updateColumn(c);
        for (std::size_t i = 0; i < m_columns.size(); ++i)
            if (m_columns[i]->traceId() == info->traceId)
                setFocusColumn(int(i));
    }
    updateCounts();
}

void ReviewPanel::undo()
{
    replay(false);
}

void ReviewPanel::redo()
{
    replay(true);
}

void ReviewPanel::replay(bool forward)
{
    if (!m_review || !(forward ? m_review->canRedo() : m_review->canUndo())) {
        Q_EMIT statusMessage(forward ? tr("Nothing to redo.") : tr("Nothing to undo."));
        return;
    }
    const auto traces = forward ? m_review->redoTraces() : m_review->undoTraces();
    const QString what = forward ? m_review->redoText() : m_review->undoText();
    auto r = forward ? m_review->redo() : m_review->undo();
    m_progressStale = true;
    if (!report(bool(r), r ? QString() : r.error()))
        return;
    showChanged(traces);
    Q_EMIT statusMessage((forward ? tr("Redone: %1") : tr("Undone: %1")).arg(what));
}

int ReviewPanel::acceptMatchingReference(bool confirm)
{
    if (!m_review || !ensureReviewer())
        return 0;
    int candidates = 0;
    for (store::Id item : m_queue)
        for (const review::TraceInfo *t : m_review->traces(item))
            candidates += t->matchesReference.value_or(false) && m_review->verdict(t->traceId) == review::Verdict::None;
    if (candidates == 0) {
        Q_EMIT statusMessage(tr("No unreviewed trace in the queue matches its reference answer."));
        return 0;
    }
    if (confirm) {
        const auto answer = QMessageBox::question(
            this, tr("Accept matching traces"),
            tr("Accept %n trace(s) in the queue whose answer matches the reference? Ctrl+Z undoes it.", nullptr, candidates));
        returnFocus();
        if (answer != QMessageBox::Yes)
            return 0;
    }
    auto n = m_review->acceptMatchingReference(m_queue);
    m_progressStale = true;
    if (!report(bool(n), n ? QString() : n.error()))
        return 0;
    for (TraceColumn *c : m_columns)
        updateColumn(c);
    updateCounts();
    Q_EMIT statusMessage(tr("Accepted %n trace(s) matching the reference.", nullptr, *n));
    return *n;
}

void ReviewPanel::toggleReference()
{
    m_referenceShown = !m_referenceShown;
    if (m_referenceText.isEmpty())
        m_reference->setText(tr("(none)"));
    else
        m_reference->setText(m_referenceShown ? m_referenceText : tr("hidden — press R to show"));
    for (TraceColumn *c : m_columns)
        updateColumn(c);
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

void ReviewPanel::showShortcuts()
{
    if (m_shortcuts) {
        m_shortcuts->raise();
        return;
    }
    m_shortcuts = new QDialog(this);
    m_shortcuts->setObjectName(QStringLiteral("shortcutSheet"));
    m_shortcuts->setWindowTitle(tr("Review shortcuts"));
    m_shortcuts->setAttribute(Qt::WA_DeleteOnClose);
    auto *table = new QTableWidget(m_shortcuts);
    const std::vector<std::pair<QString, QString>> rows = {
        {QStringLiteral("A"), tr("Accept the focused trace")},
        {QStringLiteral("X"), tr("Reject the focused trace (reasons 1–9, first wrong step, comment; Enter)")},
        {QStringLiteral("S"), tr("Skip the focused trace")},
        {tr("→ / L, ← / H"), tr("Next / previous trace")},
        {QStringLiteral("N / P"), tr("Next / previous item")},
        {QStringLiteral("U"), tr("Next item with unreviewed traces")},
        {QStringLiteral("R"), tr("Show or hide the reference answer")},
        {QStringLiteral("V"), tr("Photo and drawing side by side, or in tabs (remembered)")},
        {QStringLiteral("Ctrl+Z"), tr("Undo your last action (each reviewer has their own history)")},
        {QStringLiteral("Ctrl+Shift+Z"), tr("Redo")},
        {QStringLiteral("Ctrl+Shift+A"), tr("Accept every unreviewed trace in the queue that matches its reference")},
        {QStringLiteral("+ / - / 0 / 1"), tr("Zoom in / out / fit / actual size (click the image first; each side on its own)")},
        {QStringLiteral("?"), tr("This list")},
    };
    table->setColumnCount(2);
    table->setRowCount(int(rows.size()));
    table->setHorizontalHeaderLabels({tr("Key"), tr("Action")});
    for (int i = 0; i < int(rows.size()); ++i) {
        table->setItem(i, 0, new QTableWidgetItem(rows[std::size_t(i)].first));
        table->setItem(i, 1, new QTableWidgetItem(rows[std::size_t(i)].second));
    }
    table->horizontalHeader()->setStretchLastSection(true);
    table->resizeColumnToContents(0);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto *layout = new QVBoxLayout(m_shortcuts);
    layout->addWidget(table);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, m_shortcuts);
    connect(close, &QDialogButtonBox::rejected, m_shortcuts, &QDialog::reject);
    layout->addWidget(close);
    connect(m_shortcuts, &QObject::destroyed, this, [this] {
        m_shortcuts = nullptr;
        returnFocus();
    });
    m_shortcuts->resize(640, 420);
    m_shortcuts->open();
}

void ReviewPanel::editPolicy()
{
    if (!m_review)
        return;
    QDialog d(this);
    d.setWindowTitle(tr("Approval policy"));
    auto *form = new QFormLayout(&d);
    auto *accepts = new QSpinBox(&d);
    accepts->setRange(1, 99);
    accepts->setValue(m_review->policy().minAccepts);
    auto *rejects = new QSpinBox(&d);
    rejects->setRange(-1, 99);
    rejects->setSpecialValueText(tr("any number"));
    rejects->setValue(m_review->policy().maxRejects);
    form->addRow(new QLabel(tr("A trace is approved when enough reviewers accept it and few enough reject it. "
                               "Each reviewer's current verdict counts; skips count for neither."),
                            &d));
    form->addRow(tr("At least this many accepts:"), accepts);
    form->addRow(tr("At most this many rejects:"), rejects);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &d);
    connect(buttons, &QDialogButtonBox::accepted, &d, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &d, &QDialog::reject);
    form->addRow(buttons);
    const int result = d.exec();
    returnFocus();
    if (result != QDialog::Accepted)
        return;
    auto r = m_review->setPolicy({accepts->value(), rejects->value()});
    if (!r) {
        Q_EMIT errorOccurred(tr("Approval policy"), r.error());
        return;
    }
    for (TraceColumn *c : m_columns)
        updateColumn(c);
    updateCounts();
}

void ReviewPanel::editReasonTags()
{
    if (!m_review)
        return;
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(this, tr("Reject reasons"), tr("One reason per line (the first nine get keys 1–9):"),
                                                        m_review->reasonTags().join(QLatin1Char('\n')), &ok);
    returnFocus();
    if (!ok)
        return;
    if (auto r = m_review->setReasonTags(text.split(QLatin1Char('\n'))); !r)
        Q_EMIT errorOccurred(tr("Reject reasons"), r.error());
}

void ReviewPanel::showAgreement()
{
    if (!m_review)
        return;
    const QStringList reviewers = m_review->reviewers();
    QDialog *d = new QDialog(this);
    d->setObjectName(QStringLiteral("agreementDialog"));
    d->setAttribute(Qt::WA_DeleteOnClose);
    d->setWindowTitle(tr("Agreement between reviewers"));
    auto *layout = new QVBoxLayout(d);
    if (reviewers.size() < 2) {
        layout->addWidget(new QLabel(tr("Agreement needs verdicts from at least two reviewers."), d));
    } else {
        layout->addWidget(new QLabel(tr("Reviewers: %1. Traces count when every reviewer accepted or rejected them.").arg(reviewers.join(QStringLiteral(", "))), d));
        auto *table = new QTableWidget(d);
        table->setObjectName(QStringLiteral("agreementTable"));
        const auto results = m_review->agreement(reviewers);
        table->setColumnCount(5);
        table->setRowCount(int(results.size()));
        table->setHorizontalHeaderLabels({tr("Prompt"), tr("Method"), tr("Traces"), tr("Observed agreement"), tr("Kappa")});
        for (int i = 0; i < int(results.size()); ++i) {
            const auto &r = results[std::size_t(i)];
            table->setItem(i, 0, new QTableWidgetItem(r.prompt.isEmpty() ? tr("All prompts") : r.prompt));
            table->setItem(i, 1, new QTableWidgetItem(r.method == review::AgreementMethod::CohenKappa ? tr("Cohen's kappa") : tr("Fleiss' kappa")));
            table->setItem(i, 2, new QTableWidgetItem(QString::number(r.traces)));
            table->setItem(i, 3, new QTableWidgetItem(r.traces ? QStringLiteral("%1%").arg(r.observed * 100, 0, 'f', 1) : QStringLiteral("–")));
            table->setItem(i, 4, new QTableWidgetItem(r.kappa ? QString::number(*r.kappa, 'f', 3) : tr("undefined")));
        }
        table->horizontalHeader()->setStretchLastSection(true);
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        layout->addWidget(table);
    }
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, d);
    connect(close, &QDialogButtonBox::rejected, d, &QDialog::reject);
    layout->addWidget(close);
    connect(d, &QObject::destroyed, this, &ReviewPanel::returnFocus);
    d->resize(640, 320);
    d->open();
}

} // namespace sdrt::ui
