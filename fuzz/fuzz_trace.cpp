// A trace file of arbitrary bytes: corrupt, truncated, another schema version, not SQLite at
// all. Seeds are small real traces (512-byte pages), so mutations land in real structures.
#include "trace_probe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tailq;
  fuzz::remove_scratch("fuzz.trace");
  const auto path = fuzz::write_scratch("fuzz.trace", fuzz::as_text(data, size));
  fuzz::probe_trace(path);
  fuzz::remove_scratch("fuzz.trace");
  return 0;
}
