// The public entry points: parse = lex + parse (JinjaSyntax.h), render = the context's JSON as
// values + the renderer (JinjaRenderer.h).

#include "sdrt/model/Jinja.h"

#include "JinjaRenderer.h"

#include <nlohmann/json.hpp>

namespace sdrt::model::jinja {
namespace {

using detail::Value;

Value fromJson(const nlohmann::ordered_json &j)
{
    using json = nlohmann::ordered_json;
    switch (j.type()) {
    case json::value_t::null: return Value::none();
    case json::value_t::boolean: return Value::boolean(j.get<bool>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return Value::integer(j.get<long long>());
    case json::value_t::number_float: return Value::real(j.get<double>());
    case json::value_t::string: return Value::string(j.get<std::string>());
    case json::value_t::array: {
        detail::Array a;
        for (const auto &e : j)
            a.push_back(fromJson(e));
        return Value::array(std::move(a));
    }
    case json::value_t::object: {
        detail::Object o;
        for (auto it = j.begin(); it != j.end(); ++it)
            o.emplace_back(it.key(), fromJson(it.value()));
        return Value::object(std::move(o));
    }
    default: return Value::none();
    }
}

} // namespace

struct Template::Impl {
    detail::Body body;
    std::string name;
    Options options;
};

Expected<Template, std::string> Template::parse(const std::string &source, const std::string &name, Options options)
{
    detail::Lexed lexed = detail::lex(source, name, options);
    if (!lexed.error.empty())
        return unexpected(lexed.error);
    auto body = detail::parse(lexed.tokens, name, options.maxDepth);
    if (!body)
        return unexpected(body.error());
    auto impl = std::make_shared<Impl>();
    impl->body = std::move(*body);
    impl->name = name;
    impl->options = options;
    Template t;
    t.d = impl;
    return t;
}

Expected<std::string, std::string> Template::render(const std::string &contextJson) const
{
    nlohmann::ordered_json j; // the keys keep their order, as in Python's dicts
    try {
        j = contextJson.empty() ? nlohmann::ordered_json::object() : nlohmann::ordered_json::parse(contextJson);
    } catch (const nlohmann::ordered_json::exception &e) {
        return unexpected(std::string("the template's variables are not valid JSON: ") + e.what());
    }
    if (!j.is_object())
        return unexpected(std::string("the template's variables must be a JSON object"));
    detail::Renderer r(d->name, d->options);
    return r.run(d->body, fromJson(j));
}

} // namespace sdrt::model::jinja
