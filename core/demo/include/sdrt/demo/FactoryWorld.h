#pragma once
// A small synthetic factory: part photos (plates, flanges and brackets with holes, and defects:
// crack, scratch, corrosion spot, missing hole) under varied pose, lighting, noise and
// background; engineering drawings (SVG: outline, holes, dimension callouts, title block with
// part number, revision, material and hole count); work-order notes (English or Japanese) whose
// expected values sometimes contradict the photo; questions in five task families with reference
// answers. Deterministic: the same seed gives the same bytes.

#include "sdrt/common/Result.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sdrt::demo {

struct DemoPart {
    std::string kind;        // plate | flange | bracket
    std::string partNumber;
    std::string revision;
    std::string material;
    int drawingHoles = 4;    // what the drawing specifies
    int photoHoles = 4;      // what the photo shows (one fewer with a missing hole)
    int noteHoles = 4;       // what the work order expects (sometimes wrong)
    std::string defect;      // none | crack | scratch | corrosion | missing-hole
    std::string region;      // where a visible defect is, or none
    int widthMm = 120;
    int heightMm = 80;
    bool japaneseNote = false;
};

// The five task families; the last three need more than the photo.
const std::vector<std::string> &taskFamilies(); // counting, defect, note_check, drawing_check, drawing_value

// Where the photo shows what (photo pixels): for dense supervision of a vision tower.
struct PhotoMark {
    enum Kind { Hole = 0, MissingHole = 1, Defect = 2 };
    float x = 0;
    float y = 0;
    Kind kind = Hole;
};

struct DemoItem {
    std::string id;
    DemoPart part;
    std::string family;
    std::string question;
    std::string answer;
    std::string answerType;
    std::string split;      // train | eval
    bool usesPhoto = true;
    bool usesDrawing = false;
    bool usesNote = false;
    int photoSize = 0;
    std::vector<std::uint8_t> photoRgb; // photoSize² × 3, row-major RGB
    std::vector<PhotoMark> photoMarks;  // hole centres, marked hole positions, points of the defect
    std::string drawingSvg;
    std::string note;
};

// Where the drilled (and marked) holes of a part are, in the order the part's slots are
// drilled: "top-left", …; "12 o'clock", … on a flange. A missing hole is the last slot.
std::vector<std::string> holeSlotNames(const std::string &kind, int holes);

// The item asked a question of another family (question, answer, answer type and which assets
// it uses change; the part and its files do not).
DemoItem withFamily(DemoItem item, const std::string &family);

// Items `first`..`first+count-1` of the world for `seed` (each item has its own random stream,
// so any slice is the same as in the whole).
std::vector<DemoItem> generateItems(std::uint32_t seed, int first, int count, double evalFraction = 0.25,
                                    int photoSize = 192);

struct MakeDataParams {
    QString dir;
    int items = 40;
    std::uint32_t seed = 1;
    double evalFraction = 0.25;
    std::function<void(int done, int total)> progress;
    const std::atomic_bool *cancel = nullptr;
};

struct MakeDataResult {
    int items = 0;
    QString manifest; // path of manifest.jsonl
};

// Writes photos/, drawings/, notes/ and manifest.jsonl under params.dir.
Result<MakeDataResult> makeData(const MakeDataParams &params);

// `count` small PNG photos (64×64, varied content) under dir, for import benchmarks.
Result<void> writeSmallPhotos(const QString &dir, int count, std::uint32_t seed);

} // namespace sdrt::demo
