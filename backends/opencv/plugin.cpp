// The ONNX runner as a plug-in (tailq/plugin.hpp): libtailq-opencv.so.
#include "tailq/plugin.hpp"

#include "opencv/opencv_backend.hpp"

namespace {

const char* const kExtensions[] = {".onnx", nullptr};

std::unique_ptr<tailq::Backend> make_backend(const tailq::ModelRequest& request) {
  return std::make_unique<tailq::OpenCvBackend>(request.model, static_cast<int>(request.threads));
}

const tailq::PluginTable kTable{tailq::kPluginAbi,
                                "opencv",
                                "ONNX models on the CPU with OpenCV's DNN module",
                                kExtensions,
                                &make_backend,
                                nullptr,
                                nullptr};

}  // namespace

TAILQ_PLUGIN(kTable)
