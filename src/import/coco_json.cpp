// read_coco_outcomes: detection outcomes from the COCO formats that detectors write (an
// annotations file and a results file; docs/import-formats.md, "COCO detection").
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <unordered_map>

#include "tailq/coco.hpp"
#include "tailq/error.hpp"
#include "tailq/import.hpp"

namespace tailq {
namespace {

using nlohmann::json;

json parse_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::parse_error& e) {
    throw InputError(path.string() + ": not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
}

// Names one entry of a file in errors: "results.json: [12]" or "instances.json: annotations[3]".
struct Where {
  std::string text;
  [[noreturn]] void fail(const std::string& what) const { throw InputError(text + ": " + what); }
};

const json& member(const json& object, const char* key, const Where& where) {
  if (!object.is_object()) where.fail("expected a JSON object");
  const auto it = object.find(key);
  if (it == object.end()) where.fail(std::string("missing \"") + key + "\"");
  return *it;
}

std::int64_t integer(const json& object, const char* key, const Where& where) {
  const json& v = member(object, key, where);
  if (!v.is_number_integer()) where.fail(std::string("\"") + key + "\" must be an integer");
  return v.get<std::int64_t>();
}

double finite(const json& object, const char* key, const Where& where) {
  const json& v = member(object, key, where);
  if (!v.is_number() || !std::isfinite(v.get<double>()))
    where.fail(std::string("\"") + key + "\" must be a finite number");
  return v.get<double>();
}

CocoBox bbox(const json& object, const Where& where) {
  const json& b = member(object, "bbox", where);
  if (!b.is_array() || b.size() != 4 || !std::all_of(b.begin(), b.end(), [](const json& v) {
        return v.is_number() && std::isfinite(v.get<double>());
      }))
    where.fail("\"bbox\" must be [x, y, width, height], four finite numbers");
  const CocoBox box{b[0].get<double>(), b[1].get<double>(), b[2].get<double>(), b[3].get<double>()};
  if (box.width < 0 || box.height < 0) where.fail("\"bbox\" has a negative width or height");
  return box;
}

const json& array_of(const json& j, const char* key, const std::filesystem::path& file) {
  const json& v = member(j, key, {file.string()});
  if (!v.is_array()) throw InputError(file.string() + ": \"" + key + "\" must be an array");
  return v;
}

// Position of each COCO image id among the trace's instances (named by their image ids).
std::unordered_map<std::int64_t, std::size_t> images_of(std::span<const std::string> names,
                                                        const std::filesystem::path& file,
                                                        const json& images) {
  std::unordered_map<std::int64_t, std::size_t> position;
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::int64_t id = 0;
    const auto [ptr, ec] = std::from_chars(names[i].data(), names[i].data() + names[i].size(), id);
    if (ec != std::errc() || ptr != names[i].data() + names[i].size())
      throw InputError("times: instance '" + names[i] + "' is not a COCO image id (an integer)");
    position.emplace(id, i);
    ids.push_back(id);
  }
  std::set<std::int64_t> seen;
  for (std::size_t k = 0; k < images.size(); ++k) {
    const Where where{file.string() + ": images[" + std::to_string(k) + "]"};
    const std::int64_t id = integer(images[k], "id", where);
    if (!seen.insert(id).second) where.fail("image id " + std::to_string(id) + " appears twice");
    if (!position.contains(id))
      where.fail("image id " + std::to_string(id) +
                 " has no times (each image needs a row per "
                 "round in the times)");
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!seen.contains(ids[i]))
      throw InputError("times: instance '" + names[i] + "' is not an image of " + file.string());
  }
  return position;
}

}  // namespace

ImportedOutcomes read_coco_outcomes(const std::filesystem::path& annotations,
                                    const std::filesystem::path& detections,
                                    std::span<const std::string> instance_names) {
  const json truth = parse_file(annotations);
  const auto position =
      images_of(instance_names, annotations, array_of(truth, "images", annotations));
  std::set<std::int64_t> categories;
  const json& category_list = array_of(truth, "categories", annotations);
  for (std::size_t k = 0; k < category_list.size(); ++k) {
    const Where where{annotations.string() + ": categories[" + std::to_string(k) + "]"};
    if (!categories.insert(integer(category_list[k], "id", where)).second)
      where.fail("category id appears twice");
  }

  const auto image = [&](const json& entry, const Where& where) {
    const std::int64_t id = integer(entry, "image_id", where);
    const auto it = position.find(id);
    if (it == position.end())
      where.fail("image_id " + std::to_string(id) + " is not an image of " + annotations.string());
    return it->second;
  };
  std::vector<std::vector<StoredBox>> truths(instance_names.size()), found(instance_names.size());
  std::set<std::int64_t> annotation_ids;
  const json& annotation_list = array_of(truth, "annotations", annotations);
  for (std::size_t k = 0; k < annotation_list.size(); ++k) {
    const json& a = annotation_list[k];
    const Where where{annotations.string() + ": annotations[" + std::to_string(k) + "]"};
    const std::int64_t id = integer(a, "id", where);
    // The reference evaluator takes id 0 for "no match" and would score it as a false positive.
    if (id == 0)
      where.fail("annotation id 0 is not allowed (COCOeval miscounts it); renumber from 1");
    if (!annotation_ids.insert(id).second)
      where.fail("annotation id " + std::to_string(id) + " appears twice");
    StoredBox box{integer(a, "category_id", where), bbox(a, where), finite(a, "area", where)};
    if (!categories.contains(box.category_id))
      where.fail("category_id " + std::to_string(box.category_id) + " is not among the categories");
    if (box.value < 0) where.fail("\"area\" is negative");
    if (a.contains("iscrowd")) {
      const json& crowd = a["iscrowd"];
      if (!crowd.is_number_integer() || (crowd != 0 && crowd != 1))
        where.fail("\"iscrowd\" must be 0 or 1");
      box.crowd = crowd == 1;
    }
    truths[image(a, where)].push_back(box);
  }

  ImportedOutcomes out;
  const json results = parse_file(detections);
  if (!results.is_array())
    throw InputError(detections.string() + ": expected a JSON array of detections (COCO results)");
  std::size_t other_category = 0;
  for (std::size_t k = 0; k < results.size(); ++k) {
    const json& d = results[k];
    const Where where{detections.string() + ": [" + std::to_string(k) + "]"};
    StoredBox box{integer(d, "category_id", where), bbox(d, where), finite(d, "score", where)};
    found[image(d, where)].push_back(box);
    other_category += !categories.contains(box.category_id);
  }
  if (other_category > 0) {
    out.warnings.push_back(std::to_string(other_category) + " detections have a category_id that " +
                           annotations.string() +
                           " does not list; they are ignored, as COCOeval "
                           "ignores them (are the category ids of the same data set?)");
  }
  out.outcomes.kind = Outcomes::Kind::detection;
  for (std::size_t i = 0; i < instance_names.size(); ++i) {
    out.outcomes.labels.push_back(encode_ground_truth(truths[i]));
    out.outcomes.predictions.push_back(encode_detections(found[i]));
  }
  return out;
}

}  // namespace tailq
