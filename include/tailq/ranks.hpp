// `mpirun -np K tailq run`: one experiment measured by K processes (ranks), typically one per
// node, each with its own workload, and written into one trace by rank 0 (docs/multi-node.md).
// The MPI part is libtailq-mpi.so, loaded only here: nothing else in tailq links MPI.
#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>

#include "tailq/run.hpp"
#include "tailq/run_options.hpp"

namespace tailq {

// The MPI job this process was started in, from OpenMPI's environment (OMPI_COMM_WORLD_SIZE and
// OMPI_COMM_WORLD_RANK): size 1 and rank 0 outside one.
struct LaunchedJob {
  int size = 1;
  int rank = 0;
};
LaunchedJob launched_job();

// What one rank's command line asked for; every rank must ask for the same.
struct RankedRun {
  GivenOptions given;            // the options as given (tailq/run_options.hpp)
  std::filesystem::path output;  // a new experiment's trace, or
  std::filesystem::path resume;  // the trace to continue
};

// Runs this process's part of the job: every rank measures rounds with its own workload (warm-up
// included) in steps of one round each; rank 0 stores them all, tagged with their node and wall
// clock interval, judges the stop rule over all of them and tells the others when to stop. Rank
// 0 returns the run's result; the others return one with only `ranks` and `rank` set. Errors of
// any rank are thrown by rank 0, naming the rank; the other ranks throw RankExit then. Throws
// InputError (rank 0) when tailq was built without the MPI part.
RunResult run_ranked(const RankedRun& request,
                     const std::function<void(const RunProgress&)>& progress = {});

// Thrown by ranks other than 0 when the job ends in an error that rank 0 reports: the process
// exits with `status` and prints nothing, so that a job's error is one line.
class RankExit : public std::runtime_error {
 public:
  explicit RankExit(int status) : std::runtime_error("rank 0 reports the error"), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace tailq
