#pragma once
// A small expected<T, E> for recoverable errors at library boundaries (C++23's std::expected
// is not available with the toolchain and torch headers we build against).

#include <cassert>
#include <utility>
#include <variant>

namespace sdrt {

template <typename E>
struct Unexpected {
    E error;
};

template <typename E>
Unexpected<std::decay_t<E>> unexpected(E &&e)
{
    return {std::forward<E>(e)};
}

template <typename T, typename E>
class [[nodiscard]] Expected {
public:
    Expected(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    template <typename G>
    Expected(Unexpected<G> u) : m_v(std::in_place_index<1>, E(std::move(u.error))) {}

    bool hasValue() const { return m_v.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    T &value() & { assert(hasValue()); return std::get<0>(m_v); }
    const T &value() const & { assert(hasValue()); return std::get<0>(m_v); }
    T &&value() && { assert(hasValue()); return std::get<0>(std::move(m_v)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const E &error() const { assert(!hasValue()); return std::get<1>(m_v); }

private:
    std::variant<T, E> m_v;
};

template <typename E>
class [[nodiscard]] Expected<void, E> {
public:
    Expected() = default;
    template <typename G>
    Expected(Unexpected<G> u) : m_error(E(std::move(u.error))), m_failed(true) {}

    bool hasValue() const { return !m_failed; }
    explicit operator bool() const { return hasValue(); }
    const E &error() const { assert(m_failed); return m_error; }

private:
    E m_error{};
    bool m_failed = false;
};

} // namespace sdrt
