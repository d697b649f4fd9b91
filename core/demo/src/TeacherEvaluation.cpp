#include "sdrt/demo/TeacherEvaluation.h"

#include "sdrt/prompts/Answers.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <sstream>

namespace sdrt::demo {
namespace {

std::string normalise(const std::string &s, bool firstWord)
{
    return prompts::normaliseAnswer(QString::fromStdString(s), QLatin1String(firstWord ? "number" : "text")).toStdString();
}

bool wellFormedAnswer(const std::string &parsed, const std::string &type)
{
    const std::string a = normalise(parsed, true);
    if (a.empty())
        return false;
    if (type == "number")
        return std::all_of(a.begin(), a.end(), [](unsigned char c) { return std::isdigit(c); });
    if (type == "yesno")
        return a == "yes" || a == "no";
    if (type == "region")
        return a == "none" || a == "top-left" || a == "top-right" || a == "centre" || a == "bottom-left" || a == "bottom-right";
    return true;
}

// The majority answer of each family among the training items of the training world: what a
// model that ignores its inputs would answer.
std::map<std::string, std::string> majorityAnswers(std::uint32_t trainSeed)
{
    std::map<std::string, std::map<std::string, int>> counts;
    for (const auto &i : generateItems(trainSeed, 0, 2000, 0.25, 16))
        if (i.split == "train")
            ++counts[i.family][i.answer];
    std::map<std::string, std::string> majority;
    for (const auto &[family, c] : counts)
        majority[family] = std::max_element(c.begin(), c.end(), [](auto &a, auto &b) { return a.second < b.second; })->first;
    return majority;
}

// Greedy generations, params.batch at a time; each batch is counted for the progress callback and
// in the report. Stops at the cancel flag and at the first failed generation.
class Generations {
public:
    Generations(model::VlmRuntime &runtime, const TeacherEvalParams &params, int total, TeacherEvalReport &report)
        : m_runtime(runtime), m_params(params), m_total(total), m_report(report)
    {
    }

    Expected<std::vector<model::GenerationOutput>, std::string> run(const std::vector<model::GenerationRequest> &reqs, int maxNew)
    {
        const std::size_t batch = std::size_t(m_params.batch);
        std::vector<model::GenerationOutput> out;
        for (std::size_t i = 0; i < reqs.size(); i += batch) {
            if (m_params.cancel && m_params.cancel->load())
                return unexpected(std::string("cancelled"));
            std::vector<model::GenerationRequest> chunk(reqs.begin() + long(i), reqs.begin() + long(std::min(reqs.size(), i + batch)));
            auto results = m_runtime.generate(chunk, model::SamplingParams::greedy(maxNew));
            for (auto &r : results) {
                if (!r)
                    return unexpected(r.error());
                out.push_back(std::move(*r));
            }
            m_done += int(chunk.size());
            m_report.generations += int(chunk.size());
            if (m_params.progress)
                m_params.progress(m_done, m_total);
        }
        return out;
    }

private:
    model::VlmRuntime &m_runtime;
    const TeacherEvalParams &m_params;
    const int m_total;
    TeacherEvalReport &m_report;
    int m_done = 0;
};

// What the teacher said, by item: its direct answer and, per prompt, the parsed two-step answer
// and whether that trace is well formed.
struct TeacherAnswers {
    std::vector<std::string> direct;
    std::vector<std::vector<std::string>> parsed;
    std::vector<std::vector<bool>> formed;
};

Expected<TeacherAnswers, std::string> answerItems(Generations &generations, const TeacherCurriculum &curriculum,
                                                  const std::vector<DemoItem> &items, const std::vector<prompts::Prompt> &prompts,
                                                  int analysisTokens)
{
    TeacherAnswers a;
    a.direct.resize(items.size());
    a.parsed.assign(items.size(), std::vector<std::string>(prompts.size()));
    a.formed.assign(items.size(), std::vector<bool>(prompts.size()));
    std::vector<model::GenerationRequest> reqs;
    for (const auto &item : items)
        reqs.push_back(curriculum.directRequest(item));
    auto d = generations.run(reqs, 8);
    if (!d)
        return unexpected(d.error());
    for (std::size_t i = 0; i < items.size(); ++i)
        a.direct[i] = (*d)[i].text;

    for (std::size_t k = 0; k < prompts.size(); ++k) {
        const prompts::Prompt &prompt = prompts[k];
        reqs.clear();
        for (const auto &item : items)
            reqs.push_back(curriculum.stepRequest(prompt, 1, item));
        auto s1 = generations.run(reqs, analysisTokens);
        if (!s1)
            return unexpected(s1.error());
        reqs.clear();
        for (std::size_t i = 0; i < items.size(); ++i)
            reqs.push_back(curriculum.stepRequest(prompt, 2, items[i], (*s1)[i].text));
        auto s2 = generations.run(reqs, 8);
        if (!s2)
            return unexpected(s2.error());
        const std::string prefix = prompt.steps[1].assistantPrefix.toStdString();
        for (std::size_t i = 0; i < items.size(); ++i) {
            a.parsed[i][k] = prompt.answerRule.extract(QString::fromStdString(prefix + (*s2)[i].text)).toStdString();
            a.formed[i][k] =
                (*s1)[i].finishReason == "eos" && !(*s1)[i].text.empty() && wellFormedAnswer(a.parsed[i][k], items[i].answerType);
        }
    }
    return a;
}

// The figures of one family ("all": every item) from the teacher's answers.
FamilyFigures familyFigures(const std::string &family, const std::vector<DemoItem> &items, const TeacherAnswers &a,
                            const std::vector<prompts::Prompt> &prompts, const std::map<std::string, std::string> &majority)
{
    FamilyFigures f;
    f.family = family;
    int maj = 0, dir = 0, vote = 0, formedCount = 0, right = 0;
    std::map<std::string, int> perPrompt;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const DemoItem &item = items[i];
        if (family != "all" && item.family != family)
            continue;
        ++f.items;
        const auto m = majority.find(item.family);
        maj += (m == majority.end() ? std::string() : m->second) == item.answer;
        dir += answersMatch(a.direct[i], item.answer, item.answerType);
        std::map<std::string, int> votes;
        std::string best;
        for (std::size_t k = 0; k < prompts.size(); ++k) {
            const bool ok = answersMatch(a.parsed[i][k], item.answer, item.answerType);
            perPrompt[prompts[k].name.toStdString()] += ok;
            right += ok;
            formedCount += a.formed[i][k];
            const std::string key = normalise(a.parsed[i][k], item.answerType != "text");
            if (key.empty())
                continue;
            if (++votes[key] > votes[best] || best.empty())
                best = key;
        }
        vote += !best.empty() && answersMatch(best, item.answer, item.answerType);
    }
    if (f.items > 0) {
        const double n = f.items;
        f.majorityBaseline = maj / n;
        f.direct = dir / n;
        f.vote = vote / n;
        for (const auto &[name, c] : perPrompt)
            f.perPrompt[name] = c / n;
        f.wellFormed = formedCount / (n * double(prompts.size()));
        f.tracesRight = right / (n * double(prompts.size()));
    }
    return f;
}

} // namespace

bool answersMatch(const std::string &parsed, const std::string &reference, const std::string &answerType)
{
    return prompts::answersMatch(QString::fromStdString(parsed), QString::fromStdString(reference), QString::fromStdString(answerType));
}

Expected<TeacherEvalReport, std::string> evaluateTeacher(model::VlmRuntime &runtime, const TeacherCurriculum &curriculum,
                                                         const TeacherEvalParams &params)
{
    const auto start = std::chrono::steady_clock::now();
    TeacherEvalReport report;
    const int size = runtime.info().config.vision.imageSize;
    const auto items = generateItems(params.seed, 0, params.items, 0.25, size);
    // Majority-answer baseline per family, from training items of the training world.
    const std::map<std::string, std::string> majority = majorityAnswers(params.trainSeed);

    const std::vector<prompts::Prompt> noPrompts;
    const auto &prompts = params.directOnly ? noPrompts : curriculum.library().prompts();
    Generations generations(runtime, params, int(items.size() * (1 + 2 * prompts.size())), report);
    auto answers = answerItems(generations, curriculum, items, prompts, params.analysisTokens);
    if (!answers)
        return unexpected(answers.error());

    std::vector<std::string> families = taskFamilies();
    families.push_back("all");
    for (const std::string &family : families)
        report.families.push_back(familyFigures(family, items, *answers, prompts, majority));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report;
}

std::string toMarkdown(const TeacherEvalReport &report)
{
    std::ostringstream s;
    if (report.families.empty())
        return {};
    std::vector<std::string> names;
    for (const auto &[name, v] : report.families.front().perPrompt)
        names.push_back(name);
    s << "| family | items | majority | direct |";
    for (const auto &n : names)
        s << " " << n << " |";
    s << " vote | two-step − direct | well-formed | traces right |\n|---|---|---|---|";
    for (std::size_t i = 0; i < names.size(); ++i)
        s << "---|";
    s << "---|---|---|---|\n";
    auto pct = [](double x) {
        std::ostringstream o;
        o.precision(1);
        o << std::fixed << 100.0 * x;
        return o.str();
    };
    for (const auto &f : report.families) {
        s << "| " << f.family << " | " << f.items << " | " << pct(f.majorityBaseline) << " | " << pct(f.direct) << " |";
        for (const auto &n : names)
            s << " " << pct(f.perPrompt.count(n) ? f.perPrompt.at(n) : 0) << " |";
        s << " " << pct(f.vote) << " | " << (f.vote >= f.direct ? "+" : "") << pct(f.vote - f.direct) << " | "
          << pct(f.wellFormed) << " | " << pct(f.tracesRight) << " |\n";
    }
    return s.str();
}

} // namespace sdrt::demo
