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
    std::map<std::string, std::map<std::string, int>> counts;
    for (const auto &i : generateItems(params.trainSeed, 0, 2000, 0.25, 16))
        if (i.split == "train")
            ++counts[i.family][i.answer];
    std::map<std::string, std::string> majority;
    for (const auto &[family, c] : counts)
        majority[family] = std::max_element(c.begin(), c.end(), [](auto &a, auto &b) { return a.second < b.second; })->first;

    const std::vector<prompts::Prompt> noPrompts;
    const auto &prompts = params.directOnly ? noPrompts : curriculum.library().prompts();
    std::vector<std::string> direct(items.size());
    std::vector<std::vector<std::string>> parsed(items.size(), std::vector<std::string>(prompts.size()));
    std::vector<std::vector<bool>> formed(items.size(), std::vector<bool>(prompts.size()));
    const int total = int(items.size() * (1 + 2 * prompts.size()));
    int done = 0;
    auto runBatch = [&](const std::vector<model::GenerationRequest> &reqs, int maxNew) -> Expected<std::vector<model::GenerationOutput>, std::string> {
        std::vector<model::GenerationOutput> out;
        for (std::size_t i = 0; i < reqs.size(); i += std::size_t(params.batch)) {
            if (params.cancel && params.cancel->load())
                return unexpected(std::string("cancelled"));
            std::vector<model::GenerationRequest> chunk(reqs.begin() + long(i), reqs.begin() + long(std::min(reqs.size(), i + std::size_t(params.batch))));
            auto results = runtime.generate(chunk, model::SamplingParams::greedy(maxNew));
            for (auto &r : results) {
                if (!r)
                    return unexpected(r.error());
                out.push_back(std::move(*r));
            }
            done += int(chunk.size());
            report.generations += int(chunk.size());
            if (params.progress)
                params.progress(done, total);
        }
        return out;
    };

    std::vector<model::GenerationRequest> reqs;
    for (const auto &item : items)
        reqs.push_back(curriculum.directRequest(item));
    auto d = runBatch(reqs, 8);
    if (!d)
        return unexpected(d.error());
    for (std::size_t i = 0; i < items.size(); ++i)
        direct[i] = (*d)[i].text;

    for (std::size_t k = 0; k < prompts.size(); ++k) {
        const prompts::Prompt &prompt = prompts[k];
        reqs.clear();
        for (const auto &item : items)
            reqs.push_back(curriculum.stepRequest(prompt, 1, item));
        auto s1 = runBatch(reqs, params.analysisTokens);
        if (!s1)
            return unexpected(s1.error());
        reqs.clear();
        for (std::size_t i = 0; i < items.size(); ++i)
            reqs.push_back(curriculum.stepRequest(prompt, 2, items[i], (*s1)[i].text));
        auto s2 = runBatch(reqs, 8);
        if (!s2)
            return unexpected(s2.error());
        const std::string prefix = prompt.steps[1].assistantPrefix.toStdString();
        for (std::size_t i = 0; i < items.size(); ++i) {
            parsed[i][k] = prompt.answerRule.extract(QString::fromStdString(prefix + (*s2)[i].text)).toStdString();
            formed[i][k] = (*s1)[i].finishReason == "eos" && !(*s1)[i].text.empty() && wellFormedAnswer(parsed[i][k], items[i].answerType);
        }
    }

    std::vector<std::string> families = taskFamilies();
    families.push_back("all");
    for (const std::string &family : families) {
        FamilyFigures f;
        f.family = family;
        int maj = 0, dir = 0, vote = 0, formedCount = 0, right = 0;
        std::map<std::string, int> perPrompt;
        for (std::size_t i = 0; i < items.size(); ++i) {
            const DemoItem &item = items[i];
            if (family != "all" && item.family != family)
                continue;
            ++f.items;
            maj += majority[item.family] == item.answer;
            dir += answersMatch(direct[i], item.answer, item.answerType);
            std::map<std::string, int> votes;
            std::string best;
            for (std::size_t k = 0; k < prompts.size(); ++k) {
                const bool ok = answersMatch(parsed[i][k], item.answer, item.answerType);
                perPrompt[prompts[k].name.toStdString()] += ok;
                right += ok;
                formedCount += formed[i][k];
                const std::string key = normalise(parsed[i][k], item.answerType != "text");
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
        report.families.push_back(std::move(f));
    }
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
