#include "sdrt/ui/ItemImages.h"

#include "sdrt/store/Workspace.h"

namespace sdrt::ui {

ItemImages itemImages(const store::Item &item, const store::Workspace &workspace)
{
    ItemImages out;
    for (const store::ItemAsset &ia : item.assets) {
        if (ia.role == store::AssetKind::Note)
            continue;
        out.assets.push_back(ia.asset);
        out.assets.back().kind = ia.role;
        out.paths << workspace.absolutePath(ia.asset.storedPath);
    }
    return out;
}

} // namespace sdrt::ui
