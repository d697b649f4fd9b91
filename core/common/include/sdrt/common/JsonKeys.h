#pragma once
// JSON that people write by hand (configs, manifests) may name a key twice; every JSON library
// we use then keeps one of the values without a word. This finds such a key, so the file can be
// refused with its name instead of being read differently from what its author sees.

#include <optional>
#include <string>
#include <string_view>

namespace sdrt::common {

struct DuplicateKey {
    std::string key;
    std::string path;         // where, as a JSON pointer ("" for the top level, "/a/0" inside)
};

// The first key repeated within one object of `json`, or nullopt (also when `json` does not
// parse: the caller's own parser reports that).
std::optional<DuplicateKey> findDuplicateKey(std::string_view json);

} // namespace sdrt::common
