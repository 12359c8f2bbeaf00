// Shared by the fuzz targets: the readers under test take file paths, so each input is written
// to a scratch file (in /dev/shm when there is one: memory, no disk I/O per execution), and
// the documented clean failures (InputError, StoreError) are expected outcomes. Anything else
// -- another exception type, a crash, undefined behaviour, a leak -- escapes and is a finding.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "tailq/error.hpp"

namespace tailq::fuzz {

inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? "/dev/shm"
                                           : std::filesystem::temp_directory_path();
    auto d = base / ("tailq-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes `bytes` to scratch file `name` and returns its path.
inline std::filesystem::path write_scratch(const std::string& name, std::string_view bytes) {
  const auto path = scratch_dir() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

inline void remove_scratch(const std::string& name) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(scratch_dir() / (name + suffix), ignored);
  }
}

// Runs `body`; the library's documented failures are fine, everything else propagates.
template <typename Body>
void expect_clean(Body&& body) {
  try {
    body();
  } catch (const InputError&) {
  } catch (const StoreError&) {
  }
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace tailq::fuzz
