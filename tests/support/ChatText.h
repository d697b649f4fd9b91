#pragma once
// The text a model reads for one user turn ("<image>" marks each image), rendered by the
// model's own chat template as the runtime renders a request's chat turn. A template that
// cannot render the turn throws, which fails the test that asked.

#include "sdrt/model/Runtime.h"

#include <stdexcept>
#include <string>

namespace sdrt::testing {

inline std::string chatText(const model::VlmRuntime &rt, const std::string &user, const std::string &assistantPrefix = {})
{
    auto text = rt.info().chatTemplate.render({model::partsFromMarkedText(user), assistantPrefix});
    if (!text)
        throw std::runtime_error(text.error());
    return *text;
}

} // namespace sdrt::testing
