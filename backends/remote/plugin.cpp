// The remote runner as a plug-in (tailq/plugin.hpp): libtailq-remote.so, a model on an
// inference server (tailq run --server) and tailq's models behind one (tailq serve).
#include "tailq/plugin.hpp"

#include "remote/remote_backend.hpp"
#include "remote/v2_server.hpp"

namespace {

const tailq::PluginTable kTable{
    tailq::kPluginAbi,
    "remote",
    "models on an Open Inference Protocol (KServe v2) server, over HTTP",
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    &tailq::remote::make_remote_backend,
    &tailq::remote::serve_v2};

}  // namespace

TAILQ_PLUGIN(kTable)
