#pragma once
// The prompt library: every `.prompt` file of a folder, validated together (names unique).

#include "sdrt/common/Result.h"
#include "sdrt/prompts/Prompt.h"
#include "sdrt/store/Types.h"

#include <vector>

namespace sdrt::store {
class Database;
}

namespace sdrt::prompts {

class PromptLibrary {
public:
    // Loads every *.prompt file of `dir` (sorted by file name). Fails listing every bad file
    // with its line and reason; a library with any bad file is not used. A symbolic link is
    // followed only when its target lies inside `dir`; one leading out (or nowhere) is refused
    // without reading its target.
    static Result<PromptLibrary> loadDir(const QString &dir);
    // The library shipped with the application (installed or source tree).
    static QString defaultDir();

    const std::vector<Prompt> &prompts() const { return m_prompts; }
    const Prompt *find(const QString &name) const;

    // Stores every prompt as an immutable version; returns their ids in library order.
    Result<std::vector<store::Id>> registerIn(store::Database &db) const;

private:
    std::vector<Prompt> m_prompts;
};

} // namespace sdrt::prompts
