// The generated pages on disk and in memory: the cache file (one per generator version, seed,
// page count and degradation, beside the OCR lines' sets) and the Dataset that hands the
// in-memory images to the backend and the word boxes to the trace.
#include <stdexcept>

#include "ocr/cache_file.hpp"
#include "ocr/textdet_pages.hpp"
#include "tailq/coco.hpp"

namespace tailq {
namespace {

constexpr std::string_view kMagic = "tailq-textdet-pages\n";

}  // namespace

std::string serialize_pages(const PageSetOptions& options, std::span<const PageImage> pages) {
  using cache_file::put;
  std::string out(kMagic);
  put(out, kTextdetGeneratorVersion, 4);
  put(out, options.seed, 8);
  put(out, pages.size(), 8);
  put(out, static_cast<std::uint32_t>(options.degradation), 4);
  for (const PageImage& page : pages) {
    put_image(out, page.image);
    put(out, page.words.size(), 4);
    for (const WordBox& b : page.words) {
      for (std::uint32_t v : {b.x, b.y, b.width, b.height}) put(out, v, 4);
    }
  }
  cache_file::seal(out);
  return out;
}

std::optional<std::vector<PageImage>> parse_pages(const PageSetOptions& options,
                                                  std::string_view bytes) {
  const auto body = cache_file::unseal(bytes);
  if (!body) return std::nullopt;
  cache_file::Reader in(*body);
  if (in.text(kMagic.size()) != kMagic || in.number(4) != kTextdetGeneratorVersion ||
      in.number(8) != options.seed || in.number(8) != options.pages ||
      in.number(4) != static_cast<std::uint32_t>(options.degradation)) {
    return std::nullopt;
  }
  std::vector<PageImage> pages(options.pages);
  for (PageImage& page : pages) {
    if (!read_image(in, page.image)) return std::nullopt;
    const std::uint64_t words = in.number(4);
    if (!in.ok() || words > page.image.text.size()) return std::nullopt;
    page.words.resize(words);
    for (WordBox& b : page.words) {
      for (std::uint32_t* v : {&b.x, &b.y, &b.width, &b.height}) {
        *v = static_cast<std::uint32_t>(in.number(4));
      }
    }
  }
  if (!in.at_end()) return std::nullopt;
  return pages;
}

std::filesystem::path page_cache_path(const std::filesystem::path& cache_dir,
                                      const PageSetOptions& options) {
  return cache_dir / ("pages-v" + std::to_string(kTextdetGeneratorVersion) + "-seed" +
                      std::to_string(options.seed) + "-n" + std::to_string(options.pages) + "-" +
                      std::string(to_string(options.degradation)) + ".bin");
}

std::vector<PageImage> load_or_generate_pages(const std::filesystem::path& cache_dir,
                                              const PageSetOptions& options, bool* generated) {
  const std::filesystem::path path = page_cache_path(cache_dir, options);
  if (const auto bytes = cache_file::read(path)) {
    if (auto pages = parse_pages(options, *bytes)) {
      if (generated) *generated = false;
      return std::move(*pages);
    }
    // A damaged or foreign file: made again below and replaced.
  }
  std::vector<PageImage> pages = generate_pages(options);
  cache_file::write(path, serialize_pages(options, pages), "the text detection page cache");
  if (generated) *generated = true;
  return pages;
}

std::string page_ground_truth(const PageImage& page) {
  std::vector<StoredBox> boxes;
  for (const WordBox& w : page.words) {
    StoredBox b;
    b.category_id = kWordCategory;
    b.box = {double(w.x), double(w.y), double(w.width), double(w.height)};
    b.value = double(w.width) * double(w.height);
    boxes.push_back(b);
  }
  return encode_ground_truth(boxes);
}

TextdetDataset::TextdetDataset(std::vector<PageImage> pages, std::string name)
    : pages_(std::move(pages)), name_(std::move(name)) {
  for (const PageImage& page : pages_) labels_.push_back(page_ground_truth(page));
}

void TextdetDataset::prepare(std::span<const std::uint32_t> instances, Batch& batch) {
  if (batch.images.size() < instances.size() || batch.shape.empty()) {
    throw std::logic_error("TextdetDataset::prepare: the batch has no room for the images");
  }
  for (std::size_t j = 0; j < instances.size(); ++j) {
    const LineImage& image = pages_.at(instances[j]).image;
    batch.images[j] = GrayImage{image.pixels.data(), static_cast<int>(image.width),
                                static_cast<int>(image.height), static_cast<int>(image.width)};
  }
  batch.size = instances.size();
  batch.shape[0] = static_cast<std::int64_t>(instances.size());
}

}  // namespace tailq
