#include "sdrt/model/Student.h"

#include "SafetensorsTorch.h"
#include "StudentModules.h"
#include "sdrt/model/Safetensors.h"

#include <nlohmann/json.hpp>

namespace sdrt::model {

std::string StudentSettings::toJson() const
{
    nlohmann::json j{{"layers", layers},       {"rank", rank},           {"positions", positions},
                     {"adapter", adapter},     {"skip", skip},           {"skip_rank", skipRank},
                     {"ensemble", ensemble},   {"ensemble_conditioned", ensembleConditioned},
                     {"prompt_versions", promptVersions}, {"hidden_size", hiddenSize}, {"seed", seed}};
    return j.dump();
}

Expected<StudentSettings, std::string> StudentSettings::fromJson(const std::string &json)
{
    try {
        const auto j = nlohmann::json::parse(json);
        StudentSettings s;
        s.layers = j.at("layers").get<std::vector<int>>();
        s.rank = j.at("rank").get<int>();
        s.positions = j.at("positions").get<int>();
        s.adapter = j.at("adapter").get<bool>();
        s.skip = j.at("skip").get<bool>();
        s.skipRank = j.at("skip_rank").get<int>();
        s.ensemble = j.at("ensemble").get<bool>();
        s.ensembleConditioned = j.at("ensemble_conditioned").get<bool>();
        s.promptVersions = j.at("prompt_versions").get<std::vector<std::string>>();
        s.hiddenSize = j.at("hidden_size").get<int>();
        s.seed = j.value("seed", std::uint64_t(1));
        if (s.rank < 1 || s.skipRank < 1 || s.positions < 1 || s.hiddenSize < 1)
            return unexpected(std::string("the settings have a rank, positions or hidden size below 1"));
        return s;
    } catch (const std::exception &e) {
        return unexpected(std::string("the settings are not what an adapter file holds: ") + e.what());
    }
}

SdrtModules::SdrtModules(const StudentSettings &s) : settings(s)
{
    torch::manual_seed(s.seed);
    const std::int64_t D = s.hiddenSize;
    for (std::size_t i = 0; i < s.layers.size(); ++i) {
        const int l = s.layers[i];
        m_at[l] = int(i);
        Layer L;
        const std::string p = std::to_string(l);
        if (s.adapter) {
            // Orthonormal rows from the QR of a random matrix; W = R and b = 0 make Φ the identity.
            auto q = std::get<0>(torch::linalg_qr(torch::randn({D, s.rank}), "reduced"));
            L.R = register_parameter("adapter_" + p + "_R", q.t().contiguous());
            L.W = register_parameter("adapter_" + p + "_W", q.t().contiguous().clone());
            L.b = register_parameter("adapter_" + p + "_b", torch::zeros({s.rank}));
        }
        if (s.skip) {
            L.V = register_parameter("skip_" + p + "_V", torch::randn({s.skipRank, D}) / std::sqrt(double(D)));
            L.U = register_parameter("skip_" + p + "_U", torch::randn({D, s.skipRank}) / std::sqrt(double(s.skipRank)));
            L.gate = register_parameter("skip_" + p + "_gate", torch::zeros({1}));
        }
        layers[l] = L;
    }
    const auto K = std::int64_t(std::max<std::size_t>(1, s.promptVersions.size()));
    if (s.ensemble) {
        ensembleLogits = register_parameter("ensemble_logits", torch::zeros({K}));
        if (s.ensembleConditioned) {
            condWeight = register_parameter("ensemble_cond_weight", torch::zeros({K, 2 * D}));
            condBias = register_parameter("ensemble_cond_bias", torch::zeros({K}));
        }
    }
}

torch::Tensor SdrtModules::apply(int layer, const torch::Tensor &h, const torch::Tensor &edit, const torch::Tensor &visual)
{
    const Layer &L = layers.at(layer);
    const auto dtype = h.scalar_type();
    auto x = h.to(torch::kFloat32);
    auto e = edit.to(torch::kFloat32).unsqueeze(-1); // [B,T,1]
    torch::Tensor in = x;
    if (L.gate.defined() && visual.defined()) {
        auto s = torch::matmul(torch::matmul(visual.to(torch::kFloat32), L.V.t()), L.U.t()) * L.gate; // [B,D]
        in = x + e * s.unsqueeze(1);
    }
    torch::Tensor out = in;
    if (L.R.defined()) {
        auto delta = torch::matmul(torch::matmul(in, L.W.t()) + L.b - torch::matmul(in, L.R.t()), L.R); // [B,T,D]
        out = in + e * delta;
    }
    return out.to(dtype);
}

std::pair<torch::Tensor, torch::Tensor> SdrtModules::weights(const torch::Tensor &promptIndex, const torch::Tensor &features)
{
    const auto B = promptIndex.size(0);
    if (!ensembleLogits.defined())
        return {torch::ones({B}), torch::zeros({B})};
    const auto K = ensembleLogits.size(0);
    auto logits = ensembleLogits.unsqueeze(0).expand({B, K});
    if (condWeight.defined() && features.defined())
        logits = logits + torch::matmul(features.to(torch::kFloat32), condWeight.t()) + condBias;
    auto logp = torch::log_softmax(logits, -1);
    auto p = logp.exp();
    auto entropy = -(p * logp).sum(-1);
    auto w = p.gather(1, promptIndex.unsqueeze(1)).squeeze(1) * double(K);
    return {w, entropy};
}

void SdrtModules::orthonormalize()
{
    torch::NoGradGuard guard;
    for (auto &[l, L] : layers) {
        if (!L.R.defined())
            continue;
        auto [q, r] = torch::linalg_qr(L.R.t(), "reduced"); // R ᵀ = Q r
        // Signs chosen so each row stays on its side (the nearest orthonormal rows for small steps).
        auto sign = torch::sign(torch::diagonal(r));
        sign = torch::where(sign == 0, torch::ones_like(sign), sign);
        L.R.copy_((q * sign.unsqueeze(0)).t());
    }
}

std::vector<std::pair<std::string, torch::Tensor>> SdrtModules::named() const
{
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto &[l, L] : layers) {
        const std::string p = std::to_string(l);
        if (L.R.defined()) {
            out.emplace_back("adapter." + p + ".R", L.R);
            out.emplace_back("adapter." + p + ".W", L.W);
            out.emplace_back("adapter." + p + ".b", L.b);
        }
        if (L.gate.defined()) {
            out.emplace_back("skip." + p + ".U", L.U);
            out.emplace_back("skip." + p + ".V", L.V);
            out.emplace_back("skip." + p + ".gate", L.gate);
        }
    }
    if (ensembleLogits.defined())
        out.emplace_back("ensemble.logits", ensembleLogits);
    if (condWeight.defined()) {
        out.emplace_back("ensemble.cond.weight", condWeight);
        out.emplace_back("ensemble.cond.bias", condBias);
    }
    return out;
}

Student::Student(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}
Student::~Student() = default;

Expected<std::unique_ptr<Student>, std::string> Student::create(const model::VlmRuntime &base, const StudentSettings &settings)
{
    StudentSettings s = settings;
    const auto &text = base.info().config.text;
    s.hiddenSize = text.hiddenSize;
    if (s.layers.empty())
        s.layers = {text.numLayers / 2};
    for (int l : s.layers) {
        if (l < 0 || l >= text.numLayers)
            return unexpected("layer " + std::to_string(l) + " is outside the decoder (layers 0 to "
                              + std::to_string(text.numLayers - 1) + ")");
    }
    if (s.adapter && s.rank > s.hiddenSize)
        return unexpected("rank " + std::to_string(s.rank) + " is above the hidden size " + std::to_string(s.hiddenSize));
    auto impl = std::make_unique<Impl>();
    try {
        impl->modules = std::make_shared<SdrtModules>(s);
    } catch (const c10::Error &e) {
        return unexpected(std::string("cannot build the student's modules: ") + e.what_without_backtrace());
    }
    return std::unique_ptr<Student>(new Student(std::move(impl)));
}

Expected<std::unique_ptr<Student>, std::string> Student::load(const std::string &adapterFile, const model::VlmRuntime &base,
                                                              const std::string &baseContentHash)
{
    auto f = model::SafetensorsFile::open(adapterFile);
    if (!f)
        return unexpected(f.error());
    const auto &meta = f->metadata();
    auto format = meta.find("format");
    if (format == meta.end() || format->second != "sdrt-adapter-v1")
        return unexpected(adapterFile + ": not an SDRT adapter file (no \"format\": \"sdrt-adapter-v1\" in its metadata)");
    auto hash = meta.find("base_model_content_hash");
    if (hash == meta.end())
        return unexpected(adapterFile + ": the adapter does not name its base model");
    if (hash->second != baseContentHash)
        return unexpected(adapterFile + ": the adapter was trained on the base model " + hash->second.substr(0, 12)
                          + ", not on this one (" + baseContentHash.substr(0, 12) + ")");
    auto settingsText = meta.find("settings");
    if (settingsText == meta.end())
        return unexpected(adapterFile + ": the adapter's settings are missing");
    auto settings = StudentSettings::fromJson(settingsText->second);
    if (!settings)
        return unexpected(adapterFile + ": " + settings.error());
    if (settings->hiddenSize != base.info().config.text.hiddenSize)
        return unexpected(adapterFile + ": made for hidden size " + std::to_string(settings->hiddenSize) + ", the base has "
                          + std::to_string(base.info().config.text.hiddenSize));
    auto student = create(base, *settings);
    if (!student)
        return unexpected(adapterFile + ": " + student.error());
    torch::NoGradGuard guard;
    for (auto &[name, t] : (*student)->d->modules->named()) {
        auto stored = loadTensor(*f, name, torch::kFloat32);
        if (!stored)
            return unexpected(adapterFile + ": " + stored.error());
        if (stored->sizes() != t.sizes())
            return unexpected(adapterFile + ": tensor " + name + " has the wrong shape");
        t.copy_(*stored);
    }
    return student;
}

Expected<void, std::string> Student::save(const std::string &adapterFile, const std::string &baseContentHash) const
{
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (auto &[name, t] : d->modules->named())
        tensors.emplace_back(name, t.detach());
    return model::writeSafetensors(adapterFile, tensors,
                                   {{"format", "sdrt-adapter-v1"},
                                    {"base_model_content_hash", baseContentHash},
                                    {"settings", d->modules->settings.toJson()}});
}

void Student::attach(model::VlmRuntime &rt)
{
    d->modules->to(torch::Device(rt.info().device));
    rt.setIntervention(d->modules);
}

void Student::detach(model::VlmRuntime &rt)
{
    rt.setIntervention(nullptr);
}

const StudentSettings &Student::settings() const
{
    return d->modules->settings;
}

std::int64_t Student::trainableParameters() const
{
    std::int64_t n = 0;
    for (const auto &[name, t] : d->modules->named())
        n += t.numel();
    return n;
}

std::vector<double> Student::ensembleWeights() const
{
    std::vector<double> out;
    if (!d->modules->ensembleLogits.defined())
        return out;
    auto p = torch::softmax(d->modules->ensembleLogits.detach(), 0).contiguous();
    for (std::int64_t i = 0; i < p.size(0); ++i)
        out.push_back(p[i].item<double>());
    return out;
}

} // namespace sdrt::model
