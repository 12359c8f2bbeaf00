// libmine.so: the example's workload as a plug-in, so that the command measures it too:
//   tailq run --plugin ./libmine.so --workload mine --max-rounds 30
#include <tailq/error.hpp>
#include <tailq/plugin.hpp>

#include "centroid_workload.hpp"

namespace {

const char* const kWorkloads[] = {"mine", nullptr};

tailq::Workload make_workload(const tailq::RunSettings& settings, unsigned /*replica*/) {
  // --model applies to plug-ins' workloads; this one has its model built in, and ignoring a
  // given option would measure something other than what the user asked for.
  if (!settings.model.empty()) {
    throw tailq::InputError("the mine workload has its own model (no --model)");
  }
  return example::make_centroid_workload();
}

const tailq::PluginTable kTable{
    tailq::kPluginAbi, "mine",  "tailq's C++ example: a nearest-centroid classifier",
    nullptr,           nullptr, kWorkloads,
    &make_workload};

}  // namespace

TAILQ_PLUGIN(kTable)
