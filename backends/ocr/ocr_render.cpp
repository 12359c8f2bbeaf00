// Renders planned OCR lines and pages (ocr_lines.hpp) the way real text is rendered: Pango lays
// the text out in the real font and Cairo rasterises it with grayscale anti-aliasing (hinting
// off, so the pixels do not depend on the screen's settings), rotated about the centre. A word's
// box is the union of its glyphs' ink extents in Pango's layout, its corners mapped through the
// same rotation, rounded outwards to whole pixels. Then the
// degradations: the coverage is mapped between the paper and ink gray levels, blurred by
// Leptonica's separable Gaussian convolution and given additive Gaussian noise from a seeded
// PCG stream, and quantised to 8 bits.
#include <allheaders.h>  // Leptonica
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>
#include <pcg_random.hpp>
#include <set>

#include "ocr/ocr_lines.hpp"
#include "tailq/error.hpp"

namespace tailq {
namespace {

struct GObjectUnref {
  void operator()(void* object) const { g_object_unref(object); }
};
struct FontOptionsFree {
  void operator()(cairo_font_options_t* options) const { cairo_font_options_destroy(options); }
};
struct FontDescriptionFree {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
struct SurfaceFree {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoFree {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct FPixFree {
  void operator()(FPIX* pix) const { fpixDestroy(&pix); }
};
struct KernelFree {
  void operator()(L_KERNEL* kernel) const { kernelDestroy(&kernel); }
};
using FontDescription = std::unique_ptr<PangoFontDescription, FontDescriptionFree>;
using FloatImage = std::unique_ptr<FPIX, FPixFree>;
using Kernel = std::unique_ptr<L_KERNEL, KernelFree>;

std::string family_of(const std::string& font) {
  const FontDescription d(pango_font_description_from_string(font.c_str()));
  const char* family = pango_font_description_get_family(d.get());
  return family ? family : "";
}

// Pango substitutes another font for a missing one without a word: refuse instead, since the
// data set would silently change.
void require_font(PangoFontMap* map, PangoContext* context, const std::string& font) {
  const FontDescription wanted(pango_font_description_from_string(font.c_str()));
  std::unique_ptr<PangoFont, GObjectUnref> loaded(
      pango_font_map_load_font(map, context, wanted.get()));
  std::string got;
  if (loaded) {
    const FontDescription d(pango_font_describe(loaded.get()));
    if (const char* family = pango_font_description_get_family(d.get())) got = family;
  }
  if (g_ascii_strcasecmp(got.c_str(), family_of(font).c_str()) != 0) {
    throw InputError("font '" + family_of(font) + "' is not installed (found '" + got +
                     "' instead; Debian packages fonts-dejavu-core fonts-dejavu-extra "
                     "fonts-liberation2)");
  }
}

// Standard normal draws by the Box-Muller transform, from the stream's 32-bit outputs.
class Normal {
 public:
  explicit Normal(pcg32 rng) : rng_(rng) {}
  double operator()() {
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    const double u1 = (static_cast<double>(rng_()) + 0.5) / 4294967296.0;
    const double u2 = static_cast<double>(rng_()) / 4294967296.0;
    const double r = std::sqrt(-2 * std::log(u1));
    spare_ = r * std::sin(2 * std::numbers::pi * u2);
    have_spare_ = true;
    return r * std::cos(2 * std::numbers::pi * u2);
  }

 private:
  pcg32 rng_;
  double spare_ = 0;
  bool have_spare_ = false;
};

// The extent of each word of `text` (the runs between spaces and line ends), in Pango units of
// the layout's coordinates: the union of the ink of the glyph clusters that start inside it.
struct Extent {
  double x0 = std::numeric_limits<double>::infinity(), y0 = x0;
  double x1 = -x0, y1 = -x0;
};

std::vector<Extent> word_extents(PangoLayout* layout, const std::string& text) {
  std::vector<int> starts, ends;  // byte ranges of the words, ascending
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool gap = text[i] == ' ' || text[i] == '\n';
    if (!gap && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n')) {
      starts.push_back(static_cast<int>(i));
    }
    if (!gap && (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n')) {
      ends.push_back(static_cast<int>(i + 1));
    }
  }
  std::vector<Extent> extents(starts.size());
  PangoLayoutIter* iter = pango_layout_get_iter(layout);
  do {
    const int index = pango_layout_iter_get_index(iter);
    const auto after = std::upper_bound(starts.begin(), starts.end(), index);
    if (after == starts.begin()) continue;
    const auto word = static_cast<std::size_t>(after - starts.begin() - 1);
    PangoRectangle ink;
    pango_layout_iter_get_cluster_extents(iter, &ink, nullptr);
    if (index >= ends[word] || ink.width <= 0 || ink.height <= 0) continue;
    Extent& e = extents[word];
    e.x0 = std::min<double>(e.x0, ink.x);
    e.y0 = std::min<double>(e.y0, ink.y);
    e.x1 = std::max<double>(e.x1, ink.x + ink.width);
    e.y1 = std::max<double>(e.y1, ink.y + ink.height);
  } while (pango_layout_iter_next_cluster(iter));
  pango_layout_iter_free(iter);
  for (const Extent& e : extents) {
    if (!(e.x1 > e.x0)) throw std::logic_error("a word of '" + text + "' has no ink");
  }
  return extents;
}

// The whole-pixel box, inside the image, that holds `e` mapped by the context's transformation.
WordBox device_box(cairo_t* cr, const Extent& e, int width, int height) {
  double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
  for (const double px : {e.x0, e.x1}) {
    for (const double py : {e.y0, e.y1}) {
      double x = px / PANGO_SCALE, y = py / PANGO_SCALE;
      cairo_user_to_device(cr, &x, &y);
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  }
  const auto left = static_cast<std::uint32_t>(std::clamp(std::floor(x0), 0.0, double(width)));
  const auto top = static_cast<std::uint32_t>(std::clamp(std::floor(y0), 0.0, double(height)));
  const auto right = static_cast<std::uint32_t>(std::clamp(std::ceil(x1), 0.0, double(width)));
  const auto bottom = static_cast<std::uint32_t>(std::clamp(std::ceil(y1), 0.0, double(height)));
  return {left, top, right - left, bottom - top};
}

class Renderer {
 public:
  Renderer()
      : map_(pango_cairo_font_map_new()),
        context_(pango_font_map_create_context(map_.get())),
        layout_(pango_layout_new(context_.get())) {
    const std::unique_ptr<cairo_font_options_t, FontOptionsFree> options(
        cairo_font_options_create());
    cairo_font_options_set_antialias(options.get(), CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(context_.get(), options.get());
  }

  void check_font(const std::string& font) {
    if (checked_.insert(font).second) require_font(map_.get(), context_.get(), font);
  }

  LineImage render(const LineSpec& spec, std::uint64_t seed, std::uint64_t noise_stream,
                   std::vector<WordBox>* boxes) {
    FontDescription font(pango_font_description_from_string(spec.font.c_str()));
    pango_font_description_set_absolute_size(font.get(), spec.pixel_size * PANGO_SCALE);
    pango_layout_set_font_description(layout_.get(), font.get());
    pango_layout_set_text(layout_.get(), spec.text.data(), static_cast<int>(spec.text.size()));
    PangoRectangle logical;
    pango_layout_get_pixel_extents(layout_.get(), nullptr, &logical);
    const std::vector<Extent> words =
        boxes ? word_extents(layout_.get(), spec.text) : std::vector<Extent>();

    // The rotated text box plus a margin of half an em on every side.
    const double angle = spec.angle_deg * std::numbers::pi / 180;
    const double c = std::abs(std::cos(angle)), s = std::abs(std::sin(angle));
    const double margin = std::ceil(spec.pixel_size / 2);
    const int width =
        static_cast<int>(std::ceil(logical.width * c + logical.height * s + 2 * margin));
    const int height =
        static_cast<int>(std::ceil(logical.width * s + logical.height * c + 2 * margin));
    const std::unique_ptr<cairo_surface_t, SurfaceFree> surface(
        cairo_image_surface_create(CAIRO_FORMAT_A8, width, height));
    {
      const std::unique_ptr<cairo_t, CairoFree> cr(cairo_create(surface.get()));
      cairo_translate(cr.get(), width / 2.0, height / 2.0);
      cairo_rotate(cr.get(), -angle);  // y points down: a negative angle turns counter-clockwise
      cairo_translate(cr.get(), -logical.width / 2.0 - logical.x,
                      -logical.height / 2.0 - logical.y);
      pango_cairo_update_context(cr.get(), context_.get());
      pango_layout_context_changed(layout_.get());
      cairo_set_source_rgba(cr.get(), 0, 0, 0, 1);
      pango_cairo_show_layout(cr.get(), layout_.get());
      if (boxes) {
        boxes->clear();
        for (const Extent& e : words) boxes->push_back(device_box(cr.get(), e, width, height));
      }
    }
    cairo_surface_flush(surface.get());
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      throw std::runtime_error("cairo could not render the line '" + spec.text + "'");
    }
    const unsigned char* coverage = cairo_image_surface_get_data(surface.get());
    const int stride = cairo_image_surface_get_stride(surface.get());

    // Gray levels as floats: paper where nothing was drawn, ink where the glyphs cover a pixel.
    FloatImage gray(fpixCreate(width, height));
    if (!gray) throw std::bad_alloc();
    const auto row_floats = static_cast<std::size_t>(fpixGetWpl(gray.get()));
    float* data = fpixGetData(gray.get());
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        const double a = coverage[static_cast<std::size_t>(y * stride + x)] / 255.0;
        data[static_cast<std::size_t>(y) * row_floats + static_cast<std::size_t>(x)] =
            static_cast<float>(spec.paper + (spec.ink - spec.paper) * a);
      }
    }
    if (spec.blur_sigma > 0) {
      const int half = static_cast<int>(std::ceil(3 * spec.blur_sigma));
      L_KERNEL *kx = nullptr, *ky = nullptr;
      makeGaussianKernelSep(half, half, static_cast<float>(spec.blur_sigma), 1.0f, &kx, &ky);
      const Kernel kernel_x(kx), kernel_y(ky);
      FloatImage blurred(fpixConvolveSep(gray.get(), kx, ky, 1));
      if (!blurred) throw std::runtime_error("leptonica could not blur a line image");
      gray = std::move(blurred);
      data = fpixGetData(gray.get());
    }

    LineImage image;
    image.text = spec.text;
    image.font = spec.font + " " + std::to_string(static_cast<int>(spec.pixel_size)) + "px";
    image.width = static_cast<std::uint32_t>(width);
    image.height = static_cast<std::uint32_t>(height);
    image.pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
    Normal normal(pcg32(seed, noise_stream));
    const auto row_floats_out = static_cast<std::size_t>(fpixGetWpl(gray.get()));
    for (std::size_t y = 0; y < image.height; ++y) {
      for (std::size_t x = 0; x < image.width; ++x) {
        double v = data[y * row_floats_out + x];
        if (spec.noise_sigma > 0) v += spec.noise_sigma * normal();
        image.pixels[y * image.width + x] =
            static_cast<std::uint8_t>(std::clamp(std::lround(v), 0l, 255l));
      }
    }
    return image;
  }

 private:
  std::unique_ptr<PangoFontMap, GObjectUnref> map_;
  std::unique_ptr<PangoContext, GObjectUnref> context_;
  std::unique_ptr<PangoLayout, GObjectUnref> layout_;
  std::set<std::string> checked_;
};

}  // namespace

std::vector<LineImage> render_specs(std::span<const LineSpec> specs, std::uint64_t seed,
                                    std::vector<std::vector<WordBox>>* word_boxes) {
  Renderer renderer;
  for (const LineSpec& spec : specs) renderer.check_font(spec.font);
  std::vector<LineImage> images;
  images.reserve(specs.size());
  if (word_boxes) word_boxes->assign(specs.size(), {});
  for (std::size_t i = 0; i < specs.size(); ++i) {
    images.push_back(
        renderer.render(specs[i], seed, i + 1, word_boxes ? &(*word_boxes)[i] : nullptr));
  }
  return images;
}

std::vector<LineImage> generate_lines(const LineSetOptions& options) {
  const std::vector<std::string> words = read_word_list(options.word_list);
  return render_specs(plan_lines(words, options), options.seed);
}

}  // namespace tailq
