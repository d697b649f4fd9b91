#pragma once
// Result<T>: the error type of the Qt-based core libraries (store, assets, prompts, ...) is a
// translated, user-readable QString that names the file, item or tensor concerned.

#include "sdrt/common/Expected.h"

#include <QString>

namespace sdrt {

template <typename T>
using Result = Expected<T, QString>;

inline Unexpected<QString> fail(QString message)
{
    return {std::move(message)};
}

} // namespace sdrt
