#include "sdrt/distill/Dataset.h"

#include "sdrt/model/Safetensors.h"
#include "sdrt/review/ReviewSession.h"
#include "sdrt/store/TraceRepository.h"
#include "sdrt/store/Workspace.h"
#include "sdrt/teacher/TwoStepRunner.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <map>

namespace sdrt::distill {
namespace {

// What a hidden-state file says about itself, read once per file.
struct HiddenFile {
    std::string modelHash; // its model_content_hash: "?" when it has none, "" when it cannot be read
    std::vector<int> layers;
};

// Where a trace's hidden states are, once they are known to be usable.
struct StoredHidden {
    std::string path;
    QString name; // the tensor group in the file
    const HiddenFile *file = nullptr;
};

// The dataset, built trace by trace: a trace that cannot be used is counted by its reason (the
// first few reasons are kept as problems, naming the trace), the others become examples.
class DatasetBuilder {
public:
    DatasetBuilder(store::Workspace &ws, const store::ModelRecord &base, const review::ReviewSession &session, int maxTraces)
        : m_ws(ws), m_base(base), m_session(session), m_maxTraces(maxTraces), m_traces(ws.db()), m_items(ws, 8)
    {
        m_ds.policy = session.policy();
    }

    Result<void> take(store::Id id)
    {
        const review::TraceInfo *info = m_session.trace(id);
        auto t = m_traces.get(id);
        if (!t)
            return fail(t.error());
        if (!info || !*t)
            return {};
        const store::Trace &trace = t->value();
        if (trace.modelId != m_base.id) {
            ++m_ds.report.otherModel;
            return {};
        }
        const teacher::ItemInput &item = m_items.get(trace.itemId);
        if (!item.error.isEmpty()) {
            ++m_ds.report.unreadable;
            problem(QCoreApplication::translate("sdrt::distill", "trace %1: item %2: %3").arg(id).arg(trace.itemId).arg(item.error));
            return {};
        }
        if (item.item.split != store::Split::Train) {
            ++m_ds.report.notTrainSplit;
            return {};
        }
        const std::optional<StoredHidden> hidden = usableHidden(id, trace);
        if (!hidden)
            return {};
        if (m_maxTraces > 0 && int(m_ds.training.examples.size()) >= m_maxTraces) {
            ++m_ds.report.cappedOut;
            return {};
        }
        add(id, *info, trace, item, *hidden);
        return {};
    }

    Dataset &dataset() { return m_ds; }

private:
    void problem(const QString &p)
    {
        if (m_ds.report.problems.size() < 10)
            m_ds.report.problems << p;
    }

    // The trace's hidden states when they are stored, readable and made by the base model's weights.
    std::optional<StoredHidden> usableHidden(store::Id id, const store::Trace &t)
    {
        const QString ref = t.hiddenRef;
        const QString rel = ref.section(QLatin1Char('#'), 0, 0);
        const QString name = ref.section(QLatin1Char('#'), 1);
        const QString file = m_ws.absolutePath(rel);
        if (ref.isEmpty() || name.isEmpty() || !QFileInfo::exists(file)) {
            ++m_ds.report.missingHidden;
            problem(ref.isEmpty() ? QCoreApplication::translate("sdrt::distill", "trace %1: no hidden states were stored").arg(id)
                                  : QCoreApplication::translate("sdrt::distill", "trace %1: %2 is missing").arg(id).arg(file));
            return std::nullopt;
        }
        const std::string path = file.toStdString();
        const HiddenFile &hf = hiddenFile(id, path);
        if (hf.modelHash.empty()) {
            ++m_ds.report.unreadable;
            return std::nullopt;
        }
        if (hf.modelHash != m_base.contentHash.toStdString()) {
            ++m_ds.report.hiddenOtherModel;
            problem(QCoreApplication::translate("sdrt::distill", "trace %1: its hidden states in %2 were made by model %3, not by %4 (%5)")
                        .arg(id)
                        .arg(file, QString::fromStdString(hf.modelHash).left(12), m_base.name, m_base.contentHash.left(12)));
            return std::nullopt;
        }
        return StoredHidden{path, name, &hf};
    }

    // The file's metadata, read the first time a trace (`id`, named when it cannot be read) uses it.
    const HiddenFile &hiddenFile(store::Id id, const std::string &path)
    {
        if (auto known = m_files.find(path); known != m_files.end())
            return known->second;
        HiddenFile hf;
        auto f = model::SafetensorsFile::open(path);
        if (f) {
            auto it = f->metadata().find("model_content_hash");
            hf.modelHash = it == f->metadata().end() ? std::string("?") : it->second;
            auto layers = f->metadata().find("layers");
            if (layers != f->metadata().end()) {
                for (const auto &v : QJsonDocument::fromJson(QByteArray::fromStdString(layers->second)).array())
                    hf.layers.push_back(v.toInt());
            }
        } else {
            problem(QCoreApplication::translate("sdrt::distill", "trace %1: %2").arg(id).arg(QString::fromStdString(f.error())));
        }
        return m_files.emplace(path, std::move(hf)).first->second;
    }

    void add(store::Id id, const review::TraceInfo &info, const store::Trace &t, const teacher::ItemInput &item, const StoredHidden &hidden)
    {
        model::StudentExample e;
        TraceSource source;
        e.traceId = id;
        source.itemId = t.itemId;
        source.promptId = t.promptId;
        source.teacherRunId = t.runId;
        e.promptIndex = promptIndexOf(source.promptId, info);
        for (const auto &[reviewer, verdict] : m_session.verdicts(id))
            if (verdict == review::Verdict::Accept)
                source.reviewers << reviewer;
        e.direct = teacher::directRequest(item);
        e.answer = t.step2Text.toStdString();
        e.appendEos = t.finishReason == store::FinishReason::Eos;
        e.hiddenFile = hidden.path;
        e.hiddenName = hidden.name.toStdString();
        e.hiddenLayers = hidden.file->layers;
        narrowStoredLayers(e.hiddenLayers);
        m_ds.training.examples.push_back(std::move(e));
        m_ds.sources.push_back(std::move(source));
    }

    // The prompt version's index in the dataset, added when it is new.
    int promptIndexOf(store::Id promptId, const review::TraceInfo &info)
    {
        if (!m_promptIndex.count(promptId)) {
            m_promptIndex[promptId] = int(m_ds.promptVersions.size());
            m_ds.promptVersions.push_back(QStringLiteral("%1 v%2").arg(info.promptName).arg(info.promptVersion));
            m_ds.promptIds.push_back(promptId);
        }
        return m_promptIndex[promptId];
    }

    // The layers every example stores: the first example's, narrowed by each further one.
    void narrowStoredLayers(const std::vector<int> &layers)
    {
        if (m_ds.training.examples.empty()) {
            m_ds.training.storedLayers = layers;
            return;
        }
        std::vector<int> common;
        for (int l : m_ds.training.storedLayers)
            if (std::find(layers.begin(), layers.end(), l) != layers.end())
                common.push_back(l);
        m_ds.training.storedLayers = common;
    }

    store::Workspace &m_ws;
    const store::ModelRecord &m_base;
    const review::ReviewSession &m_session;
    const int m_maxTraces;
    store::TraceRepository m_traces;
    teacher::ItemInputCache m_items;
    Dataset m_ds;
    std::map<store::Id, int> m_promptIndex;
    std::map<std::string, HiddenFile> m_files; // by path
};

} // namespace

QString DatasetReport::describe() const
{
    QString s = QCoreApplication::translate("sdrt::distill", "%1 approved traces, %2 used").arg(approved).arg(used);
    auto add = [&](int n, const char *what) {
        if (n > 0)
            s += QStringLiteral("; ") + QCoreApplication::translate("sdrt::distill", what).arg(n);
    };
    add(notTrainSplit, QT_TRANSLATE_NOOP("sdrt::distill", "%1 not in the train split"));
    add(otherModel, QT_TRANSLATE_NOOP("sdrt::distill", "%1 made by another model"));
    add(missingHidden, QT_TRANSLATE_NOOP("sdrt::distill", "%1 without stored hidden states"));
    add(hiddenOtherModel, QT_TRANSLATE_NOOP("sdrt::distill", "%1 whose hidden states were made by other weights"));
    add(unreadable, QT_TRANSLATE_NOOP("sdrt::distill", "%1 unreadable"));
    add(cappedOut, QT_TRANSLATE_NOOP("sdrt::distill", "%1 left out by max_traces"));
    return s;
}

Result<Dataset> buildDataset(store::Workspace &ws, const store::ModelRecord &base, const std::optional<review::ApprovalPolicy> &policy, int maxTraces, const std::vector<store::Id> *traceIds)
{
    auto session = review::ReviewSession::load(ws.db());
    if (!session)
        return fail(session.error());
    if (policy)
        (*session)->usePolicy(*policy);
    DatasetBuilder builder(ws, base, **session, maxTraces);
    std::vector<store::Id> approved = traceIds ? *traceIds : (*session)->approvedTraces();
    std::sort(approved.begin(), approved.end());
    builder.dataset().report.approved = int(approved.size());
    for (const store::Id id : approved) {
        if (auto r = builder.take(id); !r)
            return fail(r.error());
    }
    Dataset &ds = builder.dataset();
    ds.report.used = int(ds.training.examples.size());
    return std::move(ds);
}

} // namespace sdrt::distill
