// TEST FIXTURE, not an example to copy: a plug-in that claims another interface version than the
// headers it was built with, standing for one built against an older or newer tailq. The loader
// must refuse it before it calls anything in it (tests/examples_cpp_test.sh).
#include <tailq/plugin.hpp>

namespace {

const char* const kWorkloads[] = {"mine", nullptr};

const tailq::PluginTable kTable{tailq::kPluginAbi + 1,
                                "wrongabi",
                                "test fixture: built for another plug-in interface",
                                nullptr,
                                nullptr,
                                kWorkloads,
                                nullptr};

}  // namespace

TAILQ_PLUGIN(kTable)
