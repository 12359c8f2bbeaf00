// The digits workload's dataset loader (gzip-compressed CSV, as python3-sklearn ships it). The
// first byte chooses: odd, the rest is the file as it is (gzip framing, truncation, CRC);
// even, the rest is CSV that this target compresses first, so the fuzzer reaches the parser.
#include <zlib.h>

#include <string>

#include "collect/digits_dataset.hpp"
#include "fuzz_util.hpp"

namespace {

std::string gzip(std::string_view text) {
  z_stream z{};
  deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);  // 15 + 16: gzip framing
  std::string out(deflateBound(&z, text.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tailq;
  if (size == 0) return 0;
  const std::string_view rest = fuzz::as_text(data + 1, size - 1);
  const auto path =
      fuzz::write_scratch("digits.csv.gz", (data[0] & 1) ? std::string(rest) : gzip(rest));
  fuzz::expect_clean([&] {
    DigitsDataset dataset(path);
    if (dataset.size() == 0) __builtin_trap();
    for (std::size_t i = 0; i < dataset.size(); ++i) dataset.label(i);
  });
  return 0;
}
