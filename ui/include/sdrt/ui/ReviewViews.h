#pragma once
// What the review screen shows, as plain values: the ReviewController fills them from the
// review session and the workspace, the widgets render them (and read nothing else). Texts are
// the workspace's own (question, note, analysis, answers, names); every word around them is the
// widgets' to translate.

#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/Types.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <utility>
#include <vector>

namespace sdrt::ui {

// One evaluation's answer to the item under review (what the student, or any evaluated model,
// said), and whether it was right.
struct ReviewAnswerView {
    QString evaluation;
    QString model;
    QString mode; // translated
    QString answer;
    bool failed = false;
    std::optional<bool> right; // nullopt: the item has no reference answer
};

// The item under review. itemId 0: nothing to show (no workspace, or an empty queue).
struct ReviewItemView {
    store::Id itemId = 0;
    QString displayId; // the item's external id, else its number
    QString question;
    QString taskFamily; // empty: none
    QString split;
    QString note;
    QString reference;                // the reference answer; empty: the item has none
    bool referenceShown = false;      // hidden on every new item until asked for
    std::vector<store::Asset> assets; // photos and drawings (the item's role as their kind)
    QStringList assetPaths;           // their files, absolute, in the same order
    std::vector<ReviewAnswerView> answers; // every evaluation's answer, oldest evaluation first
};

// One completed trace of the item, as its column shows it.
struct ReviewTraceView {
    store::Id traceId = 0;
    QString promptName;
    int promptVersion = 0;
    int sampleIndex = 0;
    QString analysis;     // step 1
    QString answer;       // step 2, trimmed
    QString parsedAnswer; // empty: none parsed
    bool agreesWithEnsemble = false;
    std::optional<bool> matchesReference;                    // nullopt: the item has no reference answer
    bool referenceShown = false;                             // whether the match may be shown yet
    double confidence = 0;                                   // exp(mean log-probability of the answer tokens)
    review::Verdict verdict = review::Verdict::None;         // the current reviewer's
    QStringList reasonTags;                                  // of that verdict, when a reject
    QString firstWrongStep;                                  // of that reject: the sentence picked, empty when none
    QString comment;                                         // of that reject
    std::vector<std::pair<QString, review::Verdict>> others; // the other reviewers', by name
    bool approved = false;
};

// The counts of the top bar.
struct ReviewCounts {
    bool active = false; // a review session is loaded
    int reviewed = 0;    // traces of the queue's items with a verdict of the current reviewer
    int total = 0;       // traces of the queue's items
    int approved = 0;    // in the whole workspace, under the approval policy
    QString policy;      // the policy, described for people
    int queueSize = 0;   // items
    int position = -1;   // of the shown item in the queue (0-based); -1: not in it
};

} // namespace sdrt::ui
