#include "sdrt/demo/FactoryWorld.h"

#include "sdrt/common/FileWriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace sdrt::demo {
namespace {

// Our own small PRNG helpers on top of mt19937: the standard distributions are not specified
// bit-for-bit across library versions, these are, so the same seed gives the same bytes anywhere.
class Rng {
public:
    explicit Rng(std::uint32_t seed) : m_gen(seed) {}
    std::uint32_t next() { return std::uint32_t(m_gen()); }
    int uniform(int lo, int hi) { return lo + int(next() % std::uint32_t(hi - lo + 1)); } // inclusive
    double real() { return next() / 4294967296.0; }
    double real(double lo, double hi) { return lo + (hi - lo) * real(); }
    bool chance(double p) { return real() < p; }
    template <typename T>
    const T &pick(const std::vector<T> &v) { return v[std::size_t(uniform(0, int(v.size()) - 1))]; }

private:
    std::mt19937 m_gen;
};

const std::vector<std::string> kRegions = {"top-left", "top-right", "centre", "bottom-left", "bottom-right"};
const std::vector<std::string> kDefects = {"crack", "scratch", "corrosion", "missing-hole"};
const std::vector<std::string> kMaterials = {"SS400", "S45C", "SUS304", "A5052"};
const std::vector<std::string> kRevisions = {"A", "B", "C", "D"};

using Part = DemoPart;

cv::Point2f regionCentre(const std::string &region, float w, float h)
{
    if (region == "top-left") return {w * 0.3f, h * 0.3f};
    if (region == "top-right") return {w * 0.7f, h * 0.3f};
    if (region == "bottom-left") return {w * 0.3f, h * 0.7f};
    if (region == "bottom-right") return {w * 0.7f, h * 0.7f};
    return {w * 0.5f, h * 0.5f};
}

// Hole positions in part units for a part kind; the first `holes` are drilled.
std::vector<cv::Point2f> holeSlots(const std::string &kind, int holes)
{
    std::vector<cv::Point2f> out;
    if (kind == "flange") {
        for (int k = 0; k < holes; ++k) {
            const float a = float(2 * CV_PI * k / std::max(1, holes)) - float(CV_PI) / 2;
            out.emplace_back(0.3f * std::cos(a), 0.3f * std::sin(a));
        }
    } else if (kind == "bracket") {
        const cv::Point2f slots[5] = {{-0.28f, -0.28f}, {-0.28f, 0.25f}, {0.33f, 0.25f}, {-0.28f, -0.02f}, {0.03f, 0.25f}};
        for (int k = 0; k < holes && k < 5; ++k)
            out.push_back(slots[k]);
    } else {
        const cv::Point2f slots[6] = {{-0.3f, -0.18f}, {0.3f, -0.18f}, {-0.3f, 0.18f}, {0.3f, 0.18f}, {0.0f, -0.18f}, {0.0f, 0.18f}};
        for (int k = 0; k < holes && k < 6; ++k)
            out.push_back(slots[k]);
    }
    return out;
}

} // namespace

std::vector<std::string> holeSlotNames(const std::string &kind, int holes)
{
    static const char *plate[6] = {"top-left", "top-right", "bottom-left", "bottom-right", "top-middle", "bottom-middle"};
    static const char *bracket[5] = {"top of the arm", "corner", "end of the foot", "middle of the arm", "middle of the foot"};
    std::vector<std::string> out;
    for (int k = 0; k < holes; ++k) {
        if (kind == "plate" && k < 6) {
            out.emplace_back(plate[k]);
        } else if (kind == "bracket" && k < 5) {
            out.emplace_back(bracket[k]);
        } else {
            int hour = int(std::lround(12.0 * k / std::max(1, holes)));
            out.push_back(std::to_string(hour == 0 ? 12 : hour) + " o'clock");
        }
    }
    return out;
}

namespace {

// Where the part lies in a photo: around the centre, turned by a small angle.
struct PartPose {
    float S; // the photo's size
    cv::Point2f centre;
    float ca, sa; // cosine and sine of the angle
    cv::Point toImage(cv::Point2f p) const // p in part units, [-0.5, 0.5]
    {
        const float x = p.x * S * 0.8f, y = p.y * S * 0.8f;
        return cv::Point(int(centre.x + x * ca - y * sa), int(centre.y + x * sa + y * ca));
    }
};

// The part's plate: its outline filled with metal, and a flange's bore.
void drawPart(cv::Mat &img, const Part &part, const PartPose &pose, const cv::Scalar &metalColour)
{
    std::vector<cv::Point2f> outline;
    if (part.kind == "flange") {
        for (int k = 0; k < 32; ++k)
            outline.emplace_back(0.45f * std::cos(k * float(CV_PI) / 16), 0.45f * std::sin(k * float(CV_PI) / 16));
    } else if (part.kind == "bracket") {
        outline = {{-0.45f, -0.4f}, {-0.1f, -0.4f}, {-0.1f, 0.1f}, {0.45f, 0.1f}, {0.45f, 0.4f}, {-0.45f, 0.4f}};
    } else {
        outline = {{-0.45f, -0.32f}, {0.45f, -0.32f}, {0.45f, 0.32f}, {-0.45f, 0.32f}};
    }
    std::vector<cv::Point> poly;
    for (const auto &p : outline)
        poly.push_back(pose.toImage(p));
    cv::fillPoly(img, std::vector<std::vector<cv::Point>>{poly}, metalColour, cv::LINE_AA);
    cv::polylines(img, std::vector<std::vector<cv::Point>>{poly}, true, cv::Scalar(60, 60, 60), 1, cv::LINE_AA);
    if (part.kind == "flange")
        cv::circle(img, pose.toImage({0, 0}), int(pose.S * 0.09f), cv::Scalar(35, 35, 35), cv::FILLED, cv::LINE_AA);
}

// The drilled holes, and the slots of missing ones, each marked.
void drawHoles(cv::Mat &img, const Part &part, const PartPose &pose, std::vector<PhotoMark> &marks)
{
    const std::vector<cv::Point2f> slots = holeSlots(part.kind, part.drawingHoles);
    // Holes are large enough to fill most of a patch of a 64-pixel vision tower (8-pixel
    // patches): smaller ones were invisible to the demo teacher's decoder.
    const int holeRadius = std::max(2, int(std::lround(pose.S * 0.09f)));
    for (int h = 0; h < int(slots.size()); ++h) {
        const cv::Point p = pose.toImage(slots[std::size_t(h)]);
        marks.push_back({float(p.x), float(p.y), h < part.photoHoles ? PhotoMark::Hole : PhotoMark::MissingHole});
        if (h < part.photoHoles) {
            cv::circle(img, p, holeRadius, cv::Scalar(25, 25, 25), cv::FILLED, cv::LINE_AA);
            cv::circle(img, p, holeRadius, cv::Scalar(220, 220, 220), 1, cv::LINE_AA);
        } else {
            // A missing hole: the position is scribed (a light ring) but not drilled.
            cv::circle(img, p, holeRadius, cv::Scalar(235, 235, 235), 1, cv::LINE_AA);
        }
    }
}

// The part's defect in its region, with points along it marked.
void drawDefect(cv::Mat &img, const Part &part, Rng &rng, int size, std::vector<PhotoMark> &marks)
{
    const float S = float(size);
    const cv::Point2f d = regionCentre(part.region, S, S);
    if (part.defect == "crack") {
        std::vector<cv::Point> pts;
        cv::Point2f p = d - cv::Point2f(S * 0.08f, 0);
        for (int k = 0; k < 6; ++k) {
            pts.emplace_back(p);
            p += cv::Point2f(S * 0.03f, float(rng.real(-0.03, 0.03)) * S);
        }
        // Dark with a light rim, so a crack across a hole still shows.
        cv::polylines(img, std::vector<std::vector<cv::Point>>{pts}, false, cv::Scalar(215, 215, 215), std::max(3, size / 12), cv::LINE_AA);
        cv::polylines(img, std::vector<std::vector<cv::Point>>{pts}, false, cv::Scalar(15, 15, 15), std::max(2, size / 20), cv::LINE_AA);
        for (const auto &q : pts)
            marks.push_back({float(q.x), float(q.y), PhotoMark::Defect});
    } else if (part.defect == "scratch") {
        const cv::Point2f off(float(rng.real(0.06, 0.1)) * S, float(rng.real(-0.05, 0.05)) * S);
        cv::line(img, d - off, d + off, cv::Scalar(250, 250, 250), std::max(3, size / 16), cv::LINE_AA);
        for (float t = -1.f; t <= 1.f; t += 0.25f)
            marks.push_back({d.x + t * off.x, d.y + t * off.y, PhotoMark::Defect});
    } else if (part.defect == "corrosion") {
        for (int k = 0; k < 5; ++k) {
            const cv::Point2f c = d + cv::Point2f(float(rng.real(-0.03, 0.03)) * S, float(rng.real(-0.03, 0.03)) * S);
            cv::circle(img, c, std::max(2, int(S * float(rng.real(0.04, 0.07)))), cv::Scalar(30, 80, 160), cv::FILLED, cv::LINE_AA);
            marks.push_back({c.x, c.y, PhotoMark::Defect});
        }
    }
}

// Lighting (a linear gradient across the whole image, slopes gx and gy) and sensor noise.
void lightAndNoise(cv::Mat &img, Rng &rng, int size, double gx, double gy)
{
    const float S = float(size);
    cv::Mat noise(size, size, CV_8UC3);
    cv::Mat light(size, size, CV_32FC3);
    for (int y = 0; y < size; ++y) {
        auto *row = light.ptr<cv::Vec3f>(y);
        auto *nrow = noise.ptr<cv::Vec3b>(y);
        for (int x = 0; x < size; ++x) {
            const float f = float(1.0 + gx * (x / S - 0.5) + gy * (y / S - 0.5));
            row[x] = cv::Vec3f(f, f, f);
            const auto n = std::uint8_t(rng.next() % 17);
            nrow[x] = cv::Vec3b(n, n, n);
        }
    }
    cv::Mat f;
    img.convertTo(f, CV_32FC3);
    f = f.mul(light);
    f.convertTo(img, CV_8UC3);
    img += noise;
}

// The random draws come in one order (background, lighting, pose, metal, then the defect's and
// the noise's): the photos of a seed are part of what the seed means.
cv::Mat drawPhoto(const Part &part, Rng &rng, int size, std::vector<PhotoMark> &marks)
{
    const float S = float(size);
    const int bgBase = rng.uniform(40, 120);
    cv::Mat img(size, size, CV_8UC3, cv::Scalar(bgBase, bgBase + rng.uniform(-10, 10), bgBase + rng.uniform(-15, 15)));
    // Lighting: a linear gradient across the whole image.
    const double gx = rng.real(-0.4, 0.4), gy = rng.real(-0.4, 0.4);
    // The part around the centre, in a random pose.
    const cv::Point2f centre(S / 2 + float(rng.real(-0.04, 0.04)) * S, S / 2 + float(rng.real(-0.04, 0.04)) * S);
    const float angle = float(rng.real(-12, 12));
    const PartPose pose{S, centre, std::cos(angle * float(CV_PI) / 180.f), std::sin(angle * float(CV_PI) / 180.f)};
    const int metal = rng.uniform(130, 185); // leaves room for a bright scratch to stand out
    const cv::Scalar metalColour(metal, metal + rng.uniform(-8, 8), metal + rng.uniform(-8, 8));
    drawPart(img, part, pose, metalColour);
    drawHoles(img, part, pose, marks);
    drawDefect(img, part, rng, size, marks);
    lightAndNoise(img, rng, size, gx, gy);
    return img;
}

std::string drawingSvg(const Part &part)
{
    std::string s;
    s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"240\" viewBox=\"0 0 320 240\">\n";
    s += "<rect x=\"0\" y=\"0\" width=\"320\" height=\"240\" fill=\"white\"/>\n";
    // Outline in the drawing's frame: part units [-0.5, 0.5] mapped to x 30..210, y 0..180.
    auto X = [](float u) { return int(120 + u * 180); };
    auto Y = [](float v) { return int(90 + v * 180); };
    if (part.kind == "flange") {
        s += "<circle cx=\"120\" cy=\"90\" r=\"81\" fill=\"none\" stroke=\"black\" stroke-width=\"2\"/>\n";
        s += "<circle cx=\"120\" cy=\"90\" r=\"16\" fill=\"none\" stroke=\"black\" stroke-width=\"1.5\"/>\n";
    } else if (part.kind == "bracket") {
        s += "<polygon points=\"39,18 102,18 102,108 201,108 201,162 39,162\" fill=\"none\" stroke=\"black\" stroke-width=\"2\"/>\n";
    } else {
        s += "<rect x=\"39\" y=\"32\" width=\"162\" height=\"116\" fill=\"none\" stroke=\"black\" stroke-width=\"2\"/>\n";
    }
    for (const auto &slot : holeSlots(part.kind, part.drawingHoles)) {
        const int x = X(slot.x), y = Y(slot.y);
        s += "<circle cx=\"" + std::to_string(x) + "\" cy=\"" + std::to_string(y)
             + "\" r=\"8\" fill=\"none\" stroke=\"black\" stroke-width=\"1.5\"/>\n";
    }
    s += "<line x1=\"30\" y1=\"165\" x2=\"210\" y2=\"165\" stroke=\"black\"/>\n";
    s += "<text x=\"105\" y=\"178\" font-family=\"sans-serif\" font-size=\"11\">" + std::to_string(part.widthMm) + "</text>\n";
    s += "<line x1=\"222\" y1=\"30\" x2=\"222\" y2=\"150\" stroke=\"black\"/>\n";
    s += "<text x=\"226\" y=\"94\" font-family=\"sans-serif\" font-size=\"11\">" + std::to_string(part.heightMm) + "</text>\n";
    s += "<text x=\"40\" y=\"24\" font-family=\"sans-serif\" font-size=\"10\">" + std::to_string(part.drawingHoles) + "x Ø8</text>\n";
    s += "<rect x=\"200\" y=\"185\" width=\"115\" height=\"50\" fill=\"none\" stroke=\"black\"/>\n";
    s += "<text x=\"204\" y=\"197\" font-family=\"sans-serif\" font-size=\"9\">PART " + part.partNumber + "</text>\n";
    s += "<text x=\"204\" y=\"208\" font-family=\"sans-serif\" font-size=\"9\">REV " + part.revision + "</text>\n";
    s += "<text x=\"204\" y=\"219\" font-family=\"sans-serif\" font-size=\"9\">MAT " + part.material + "</text>\n";
    s += "<text x=\"204\" y=\"230\" font-family=\"sans-serif\" font-size=\"9\">HOLES " + std::to_string(part.drawingHoles) + "</text>\n";
    s += "</svg>\n";
    return s;
}

std::string noteText(const Part &part, int index)
{
    const std::string wo = "WO-" + std::to_string(1000 + index);
    if (part.japaneseNote)
        return "作業指示 " + wo + "\n部品番号: " + part.partNumber + " 改訂 " + part.revision + "\n材質: " + part.material
               + "\n穴数: " + std::to_string(part.noteHoles) + "\n備考: 外観検査を実施すること。\n";
    return "Work order " + wo + "\nPart: " + part.partNumber + " rev " + part.revision + "\nMaterial: " + part.material
           + "\nExpected holes: " + std::to_string(part.noteHoles) + "\nRemarks: visual inspection required.\n";
}

Result<void> writeBytes(const QString &path, const QByteArray &bytes)
{
    if (auto w = common::writeFileAtomically(QFile::encodeName(path).toStdString(), std::string_view(bytes.constData(), std::size_t(bytes.size())));
        !w)
        return fail(QCoreApplication::translate("sdrt::demo", "Cannot write %1: %2").arg(path, QString::fromStdString(w.error().describe())));
    return {};
}

QByteArray encodePng(const cv::Mat &img)
{
    std::vector<uchar> buf;
    cv::imencode(".png", img, buf, {cv::IMWRITE_PNG_COMPRESSION, 6});
    return QByteArray(reinterpret_cast<const char *>(buf.data()), qsizetype(buf.size()));
}

} // namespace

const std::vector<std::string> &taskFamilies()
{
    static const std::vector<std::string> families = {"counting", "defect", "note_check", "drawing_check", "drawing_value"};
    return families;
}

DemoItem withFamily(DemoItem item, const std::string &family)
{
    const DemoPart &part = item.part;
    item.family = family;
    item.usesPhoto = true;
    item.usesDrawing = false;
    item.usesNote = false;
    if (item.family == "counting") {
        item.question = "How many holes does the part have?";
        item.answer = std::to_string(part.photoHoles);
        item.answerType = "number";
    } else if (item.family == "defect") {
        item.question = "Where is the defect on the part? Answer with the region or none.";
        item.answer = part.region;
        item.answerType = "region";
    } else if (item.family == "note_check") {
        item.question = "Does the number of holes on the part match the work order?";
        item.answer = part.photoHoles == part.noteHoles ? "yes" : "no";
        item.answerType = "yesno";
        item.usesNote = true;
    } else if (item.family == "drawing_check") {
        item.question = "Does the part in the photo have the hole count the drawing specifies?";
        item.answer = part.photoHoles == part.drawingHoles ? "yes" : "no";
        item.answerType = "yesno";
        item.usesDrawing = true;
    } else {
        item.question = "What material does the drawing specify?";
        item.answer = part.material;
        item.answerType = "text";
        item.usesPhoto = false;
        item.usesDrawing = true;
        item.usesNote = true;
    }
    return item;
}

std::vector<DemoItem> generateItems(std::uint32_t seed, int first, int count, double evalFraction, int photoSize)
{
    static const std::vector<std::string> kinds = {"plate", "flange", "bracket"};
    std::vector<DemoItem> out;
    for (int i = first; i < first + count; ++i) {
        Rng rng(seed * 2654435761u + std::uint32_t(i) * 40503u + 17u);
        DemoItem item;
        Part &part = item.part;
        part.kind = rng.pick(kinds);
        part.partNumber = "PN-" + std::to_string(rng.uniform(1000, 9999));
        part.revision = rng.pick(kRevisions);
        part.material = rng.pick(kMaterials);
        part.drawingHoles = rng.uniform(2, part.kind == "bracket" ? 5 : 6); // a bracket has five hole positions
        part.defect = rng.chance(0.55) ? rng.pick(kDefects) : "none";
        part.photoHoles = part.drawingHoles - (part.defect == "missing-hole" ? 1 : 0);
        part.noteHoles = rng.chance(0.35) ? part.drawingHoles + (rng.chance(0.5) ? 1 : -1) : part.drawingHoles;
        part.region = part.defect == "none" || part.defect == "missing-hole" ? "none" : rng.pick(kRegions);
        part.japaneseNote = rng.chance(0.35);
        part.widthMm = 80 + 10 * rng.uniform(0, 8);
        part.heightMm = 50 + 10 * rng.uniform(0, 5);
        char stem[32];
        std::snprintf(stem, sizeof stem, "part%05d", i + 1);
        item.id = stem;
        item.split = rng.real() < evalFraction ? "eval" : "train";
        const std::string &family = taskFamilies()[std::size_t(rng.next() % 5)];
        // The drawing check asks about a missing hole: without this, "yes" would be right for
        // six of seven parts. About half of the parts it is asked about miss one.
        if (family == "drawing_check" && part.defect != "missing-hole" && rng.chance(0.4)) {
            part.defect = "missing-hole";
            part.region = "none";
            part.photoHoles = part.drawingHoles - 1;
        }
        item = withFamily(std::move(item), family);
        const cv::Mat photo = drawPhoto(part, rng, photoSize, item.photoMarks);
        cv::Mat rgb;
        cv::cvtColor(photo, rgb, cv::COLOR_BGR2RGB);
        item.photoSize = photoSize;
        item.photoRgb.assign(rgb.data, rgb.data + rgb.total() * 3);
        item.drawingSvg = drawingSvg(part);
        item.note = noteText(part, i + 1);
        out.push_back(std::move(item));
    }
    return out;
}

Result<MakeDataResult> makeData(const MakeDataParams &p)
{
    QDir root(p.dir);
    for (const char *sub : {"photos", "drawings", "notes"}) {
        if (!root.mkpath(QString::fromLatin1(sub)))
            return fail(QCoreApplication::translate("sdrt::demo", "Cannot create the folder %1.").arg(root.filePath(QString::fromLatin1(sub))));
    }
    QByteArray manifest;
    const int chunk = 64;
    for (int start = 0; start < p.items; start += chunk) {
        const auto items = generateItems(p.seed, start, std::min(chunk, p.items - start), p.evalFraction);
        for (const DemoItem &item : items) {
            if (p.cancel && p.cancel->load())
                return fail(QCoreApplication::translate("sdrt::demo", "Cancelled."));
            const QString stem = QString::fromStdString(item.id);
            const QString photo = QStringLiteral("photos/%1.png").arg(stem);
            // Some drawings carry Japanese file names, as they do on the shop floor.
            const QString drawing = item.part.japaneseNote ? QStringLiteral("drawings/図面_%1.svg").arg(stem.mid(4))
                                                           : QStringLiteral("drawings/%1.svg").arg(stem);
            const QString note = QStringLiteral("notes/%1.txt").arg(stem);
            cv::Mat rgb(item.photoSize, item.photoSize, CV_8UC3, const_cast<std::uint8_t *>(item.photoRgb.data()));
            cv::Mat bgr;
            cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
            if (auto r = writeBytes(root.filePath(photo), encodePng(bgr)); !r)
                return fail(r.error());
            if (auto r = writeBytes(root.filePath(drawing), QByteArray::fromStdString(item.drawingSvg)); !r)
                return fail(r.error());
            if (auto r = writeBytes(root.filePath(note), QByteArray::fromStdString(item.note)); !r)
                return fail(r.error());
            nlohmann::ordered_json j;
            j["id"] = item.id;
            j["question"] = item.question;
            j["answer"] = item.answer;
            j["answer_type"] = item.answerType;
            j["task_family"] = item.family;
            j["split"] = item.split;
            j["tags"] = {item.part.kind};
            j["assets"] = nlohmann::json::array();
            if (item.usesPhoto)
                j["assets"].push_back({{"path", photo.toStdString()}, {"role", "photo"}});
            if (item.usesDrawing)
                j["assets"].push_back({{"path", drawing.toStdString()}, {"role", "drawing"}});
            if (item.usesNote)
                j["note"] = {{"path", note.toStdString()}};
            manifest += QByteArray::fromStdString(j.dump()) + '\n';
        }
        if (p.progress)
            p.progress(std::min(p.items, start + chunk), p.items);
    }
    const QString manifestPath = root.filePath(QStringLiteral("manifest.jsonl"));
    if (auto r = writeBytes(manifestPath, manifest); !r)
        return fail(r.error());
    return MakeDataResult{p.items, manifestPath};
}

Result<void> writeSmallPhotos(const QString &dir, int count, std::uint32_t seed)
{
    QDir root(dir);
    if (!root.mkpath(QStringLiteral(".")))
        return fail(QCoreApplication::translate("sdrt::demo", "Cannot create the folder %1.").arg(dir));
    Rng rng(seed);
    for (int i = 0; i < count; ++i) {
        cv::Mat img(64, 64, CV_8UC3, cv::Scalar(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)));
        cv::circle(img, cv::Point(rng.uniform(8, 56), rng.uniform(8, 56)), rng.uniform(3, 12),
                   cv::Scalar(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)), cv::FILLED);
        cv::putText(img, std::to_string(i), cv::Point(2, 60), cv::FONT_HERSHEY_PLAIN, 0.8, cv::Scalar(255, 255, 255));
        if (auto r = writeBytes(root.filePath(QStringLiteral("img%1.png").arg(i, 6, 10, QLatin1Char('0'))), encodePng(img)); !r)
            return r;
    }
    return {};
}

} // namespace sdrt::demo
