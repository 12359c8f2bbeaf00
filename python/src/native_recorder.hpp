// The C++ object behind tailq.Recorder: the Recorder and the scratch vectors its Python calls
// convert into, sized once, so that a bracketing call allocates nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tailq/recorder.hpp"

namespace tailq::python {

struct NativeRecorder {
  explicit NativeRecorder(Recorder r) : recorder(std::move(r)) {
    ids.reserve(recorder.instance_count());
  }
  Recorder recorder;
  std::vector<std::uint32_t> ids, output_ids;
  std::vector<std::string> predictions;
  std::vector<double> scores;
};

}  // namespace tailq::python
