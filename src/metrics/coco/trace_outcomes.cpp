// Detection outcomes as a trace keeps them: one compact JSON array per image for the ground
// truth (label) and one for the detections (prediction); docs/detection.md, "In a trace".
#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "metrics/registry.hpp"
#include "tailq/coco.hpp"
#include "tailq/error.hpp"

namespace tailq {

namespace {

using nlohmann::json;

json box_row(const StoredBox& b) {
  return json::array({b.category_id, b.box.x, b.box.y, b.box.width, b.box.height, b.value});
}

// One image's entries: [[category_id, x, y, w, h, value(, iscrowd)], ...]. `where` names the
// instance for errors.
std::vector<StoredBox> decode(const std::string& text, bool truth, const std::string& where) {
  const std::size_t width = truth ? 7 : 6;
  const std::string shape = truth ? "[[category_id, x, y, width, height, area, iscrowd], ...]"
                                  : "[[category_id, x, y, width, height, score], ...]";
  std::vector<StoredBox> out;
  if (text.empty()) return out;  // an image with nothing on it
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) throw InputError(where + ": expected a JSON array " + shape);
  for (const json& row : j) {
    if (!row.is_array() || row.size() != width || !row[0].is_number_integer() ||
        !std::all_of(row.begin() + 1, row.end(), [](const json& v) { return v.is_number(); })) {
      throw InputError(where + ": expected " + shape + ", found " + row.dump());
    }
    StoredBox b;
    b.category_id = row[0].get<std::int64_t>();
    b.box = {row[1].get<double>(), row[2].get<double>(), row[3].get<double>(),
             row[4].get<double>()};
    b.value = row[5].get<double>();
    const CocoBox& x = b.box;
    if (!std::isfinite(x.x) || !std::isfinite(x.y) || !std::isfinite(x.width) ||
        !std::isfinite(x.height) || x.width < 0 || x.height < 0) {
      throw InputError(where + ": a box needs finite x, y and a width and height >= 0, found " +
                       row.dump());
    }
    if (!std::isfinite(b.value) || (truth && b.value < 0)) {
      throw InputError(where +
                       (truth ? ": the area must be finite and >= 0, found "
                              : ": the score must be finite, found ") +
                       row.dump());
    }
    if (truth) {
      const double crowd = row[6].get<double>();
      if (crowd != 0 && crowd != 1) throw InputError(where + ": iscrowd must be 0 or 1");
      b.crowd = crowd == 1;
    }
    out.push_back(b);
  }
  return out;
}

}  // namespace

std::string encode_ground_truth(std::span<const StoredBox> boxes) {
  json j = json::array();
  for (const StoredBox& b : boxes) {
    json row = box_row(b);
    row.push_back(b.crowd ? 1 : 0);
    j.push_back(std::move(row));
  }
  return j.dump();
}

std::string encode_detections(std::span<const StoredBox> boxes) {
  json j = json::array();
  for (const StoredBox& b : boxes) j.push_back(box_row(b));
  return j.dump();
}

CocoDataset coco_dataset_of(const Outcomes& outcomes, std::span<const Instance> instances) {
  if (outcomes.kind != Outcomes::Kind::detection)
    throw InputError("outcomes: COCO AP needs detection outcomes, not " +
                     std::string(to_string(outcomes.kind)));
  const std::size_t images = outcomes.labels.size();
  if (outcomes.predictions.size() != images)
    throw InputError("outcomes: " + std::to_string(images) + " labels but " +
                     std::to_string(outcomes.predictions.size()) + " predictions");
  const auto where = [&](std::size_t i, const char* what) {
    const std::string name = i < instances.size() ? " ('" + instances[i].name + "')" : "";
    return "instance " + std::to_string(i) + name + ", " + what;
  };
  std::vector<std::vector<StoredBox>> truths(images), detections(images);
  std::map<std::int64_t, std::size_t> category_of;  // ascending id -> index
  for (std::size_t i = 0; i < images; ++i) {
    truths[i] = decode(outcomes.labels[i], true, where(i, "ground truth"));
    detections[i] = decode(outcomes.predictions[i], false, where(i, "detections"));
    for (const StoredBox& b : truths[i]) category_of.emplace(b.category_id, 0);
  }
  std::size_t next = 0;
  for (auto& [id, index] : category_of) index = next++;

  CocoDataset data;
  data.image_count = images;
  data.category_count = category_of.size();
  for (std::size_t i = 0; i < images; ++i) {
    for (const StoredBox& b : truths[i])
      data.ground_truths.push_back({i, category_of[b.category_id], b.box, b.value, b.crowd});
    for (const StoredBox& b : detections[i]) {
      const auto c = category_of.find(b.category_id);
      if (c != category_of.end()) data.detections.push_back({i, c->second, b.box, b.value});
    }
  }
  return data;
}

std::unique_ptr<Metric> make_detection_metric(const Outcomes& outcomes, CocoSummary::Index index) {
  auto evaluation = std::make_shared<const CocoEvaluation>(coco_dataset_of(outcomes));
  // With every image on time a number is -1 only when no category has a counted truth for it.
  if (evaluation->summary()[index] < 0) {
    throw InputError("metric '" + std::string(coco_metric_name(index)) +
                     "' is undefined for this data: no ground-truth box counts for it (e.g. no "
                     "box in that area range); choose another metric");
  }
  return make_coco_metric(std::move(evaluation), index);
}

}  // namespace tailq
