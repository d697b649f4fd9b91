#pragma once
// An item's photos and drawings as the asset viewer shows them: its note left out, the item's
// role as each asset's kind (which decides its side in the split view), the files absolute.

#include "sdrt/store/Types.h"

#include <QStringList>

#include <vector>

namespace sdrt::store {
class Workspace;
}

namespace sdrt::ui {

struct ItemImages {
    std::vector<store::Asset> assets;
    QStringList paths; // in the same order
};

ItemImages itemImages(const store::Item &item, const store::Workspace &workspace);

} // namespace sdrt::ui
