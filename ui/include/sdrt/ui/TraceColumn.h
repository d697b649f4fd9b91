#pragma once
// One trace of the item under review, as a column of the review screen: prompt and sample, the
// step-1 analysis (wrapped, scrolling), the answer and the parsed answer, whether it agrees with
// the prompt ensemble and (once shown) with the reference, in words and colour, its confidence,
// the current reviewer's verdict and the others'. The focused column has a thick accent border.

#include "sdrt/ui/ReviewViews.h"

#include <QFrame>

class QLabel;
class QTextBrowser;

namespace sdrt::ui {

class TraceColumn final : public QFrame {
    Q_OBJECT
public:
    explicit TraceColumn(QWidget *parent = nullptr);

    void setTrace(const ReviewTraceView &trace);
    // The key that shows the reference, named while it is hidden.
    void setReferenceKey(const QString &key) { m_referenceKey = key; }

    store::Id traceId() const { return m_traceId; }
    void setFocused(bool focused);
    bool isFocusedColumn() const { return m_focused; }
    QString analysisText() const;
    QString statusText() const; // the agreement, reference and verdict lines, as shown
    QString markedStep() const; // the text marked in the analysis as the first wrong step

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void markStep(const QString &step);

    store::Id m_traceId = 0;
    bool m_focused = false;
    QString m_referenceKey;
    QString m_analysisText; // as set: the browser relays out only when it changes
    QString m_markedStep;
    QLabel *m_header;
    QTextBrowser *m_analysis;
    QLabel *m_answer;
    QLabel *m_agreement;
    QLabel *m_reference;
    QLabel *m_confidence;
    QLabel *m_verdict;
};

} // namespace sdrt::ui
