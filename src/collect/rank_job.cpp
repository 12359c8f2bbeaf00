// `mpirun -np K tailq run` (tailq/ranks.hpp, docs/multi-node.md): finding the job, loading the
// MPI part, and setting the run up on every rank in phases that all ranks pass or none does, so
// that a refusal is one line (rank 0's) and no rank starts measuring alone.
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "collect/environment.hpp"
#include "collect/rank_checks.hpp"
#include "collect/rank_link.hpp"
#include "collect/rank_loop.hpp"
#include "collect/session.hpp"
#include "store/node_list.hpp"
#include "tailq/error.hpp"
#include "tailq/plugin.hpp"
#include "tailq/ranks.hpp"

namespace tailq::detail {

// libtailq-mpi.so, loaded once, with its symbols global: OpenMPI's own components, which it
// loads in turn, look for MPI's symbols there.
Transport& open_transport(const LaunchedJob& job) {
  const char* file = "libtailq-mpi.so";
  std::string looked;
  for (const auto& dir : plugin_directories()) {
    std::error_code error;
    if (!std::filesystem::exists(dir / file, error)) {
      if (looked.find(dir.string()) == std::string::npos) {
        looked += (looked.empty() ? "" : ", ") + dir.string();
      }
      continue;
    }
    void* handle = dlopen((dir / file).c_str(), RTLD_NOW | RTLD_GLOBAL);
    using Entry = const TransportTable* (*)();
    auto entry = handle ? reinterpret_cast<Entry>(dlsym(handle, "tailq_transport")) : nullptr;
    const TransportTable* table = entry ? entry() : nullptr;
    if (!table || table->abi != kTransportAbi) {
      if (job.rank != 0) throw RankExit(2);
      const char* why = handle ? "not this tailq's MPI part" : dlerror();
      throw InputError((dir / file).string() + ": cannot load it (" + (why ? why : "") + ")");
    }
    return *table->open();
  }
  if (job.rank != 0) throw RankExit(2);
  throw InputError("mpirun started " + std::to_string(job.size) +
                   " processes, but this tailq was built without its MPI part (no " + file +
                   " in " + looked + "): install OpenMPI (libopenmpi-dev) and build again, or " +
                   "run one process");
}

}  // namespace tailq::detail

namespace tailq {
namespace {

using detail::Command;
using detail::Ranks;

int environment_number(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return *end == '\0' && value >= 0 && value < (1L << 30) ? static_cast<int>(value) : fallback;
}

RunResult ranked_run(Ranks& ranks, const RankedRun& request,
                     const std::function<void(const RunProgress&)>& progress) {
  const bool resume = !request.resume.empty();
  const std::filesystem::path path = resume ? request.resume : request.output;

  // 1. Every rank runs the same command, naming the trace.
  Command mine{detail::host_name(), path.string(), resume, request.given};
  std::sort(mine.given.begin(), mine.given.end());
  std::vector<std::string> hosts;
  ranks.phase(
      [&] {
        if (path.empty()) {
          throw OptionError("output",
                            "every rank of an MPI job names the trace that rank 0 writes");
        }
        if (resume && !request.output.empty()) {
          throw OptionError("output", "a resumed run writes to the trace it resumes");
        }
        if (!resume) detail::check_settings(run_settings_from(request.given));
        return detail::encode(mine);
      },
      [&](const std::vector<std::string>& reports) {
        for (std::size_t r = 0; r < reports.size(); ++r) {
          const Command theirs = detail::decode(reports[r]);
          hosts.push_back(theirs.host);
          if (r > 0) detail::require_same_command(mine, theirs, static_cast<int>(r));
        }
        return std::string();
      });

  // 2. Rank 0 settles the settings: a new trace's place, or the resumed trace's record.
  RunSettings settings;
  std::optional<TraceReader> reader;
  const std::string record = ranks.phase(
      [&] {
        if (!ranks.lead()) return std::string();
        if (resume) {
          reader.emplace(path);
          settings =
              detail::resumed_settings(reader->experiment().settings_json, path, request.given);
          return reader->experiment().settings_json;
        }
        settings = run_settings_from(request.given);
        settings.output = path;
        detail::new_trace_path(settings);
        return std::string();
      },
      [](const std::vector<std::string>& reports) { return reports[0]; });

  // 3. Every rank loads its workload, which must be rank 0's.
  std::vector<Workload> workloads;
  std::vector<std::string> warnings;
  ranks.phase(
      [&] {
        if (!ranks.lead()) {
          settings = resume ? detail::resumed_settings(record, path, request.given)
                            : run_settings_from(request.given);
          settings.output = path;
          detail::check_settings(settings);
        }
        detail::pin_to(settings.pin_cpus);
        workloads = detail::make_workloads(
            settings, [&](unsigned replica) { return make_workload(settings, replica); });
        if (reader) detail::check_resumed_workload(*reader, workloads.front());
        const auto env = detail::capture_environment(workloads.front().backend->description(),
                                                     settings.threads, settings.pin_cpus);
        return detail::workload_identity(workloads.front(), env.warnings);
      },
      [&](const std::vector<std::string>& reports) {
        for (std::size_t r = 1; r < reports.size(); ++r) {
          detail::require_same_workload(reports[0], reports[r], static_cast<int>(r), hosts[r],
                                        warnings);
        }
        return std::string();
      });

  // 4. Rank 0 creates the trace (or opens it) with every rank's node in its node list.
  std::optional<detail::Session> session;
  std::vector<std::uint32_t> node_of_rank;
  ranks.phase(
      [&] {
        if (!ranks.lead()) return std::string();
        std::vector<std::string> own;
        if (!resume) {
          NodeMap map;
          map.tagged = true;
          for (std::size_t r = 0; r < hosts.size(); ++r) {
            map.nodes.push_back({hosts[r], "rank " + std::to_string(r)});
            node_of_rank.push_back(static_cast<std::uint32_t>(r));
          }
          own = detail::create_trace(settings, workloads.front(), path,
                                     store::with_node_map("{}", map));
          session.emplace(settings, std::move(workloads), path);
        } else {
          session.emplace(settings, std::move(workloads), path);
          detail::restore_session(*session, *reader);
          node_of_rank = detail::join_nodes(session->writer, *reader, hosts);
          own = detail::capture_environment(session->workloads.front().backend->description(),
                                            settings.threads, settings.pin_cpus)
                    .warnings;
        }
        own.insert(own.end(), warnings.begin(), warnings.end());
        detail::start_session(*session, std::move(own));
        reader.reset();  // an open read would keep the writer from folding the trace at the end
        if (settings.stop == StopRule::precision && session->measured > 0) {
          session->precision = detail::look_at_precision(*session);
        }
        return std::string();
      },
      [](const std::vector<std::string>&) { return std::string(); });

  // 5. The rounds.
  if (ranks.lead()) return detail::lead_rounds(ranks, *session, node_of_rank, progress);
  RunResult result = detail::follow_rounds(ranks, settings, workloads);
  result.ranks = ranks.size();
  result.rank = ranks.rank();
  return result;
}

}  // namespace

LaunchedJob launched_job() {
  LaunchedJob job;
  job.size = std::max(1, environment_number("OMPI_COMM_WORLD_SIZE", 1));
  job.rank = std::min(job.size - 1, environment_number("OMPI_COMM_WORLD_RANK", 0));
  return job;
}

RunResult run_ranked(const RankedRun& request,
                     const std::function<void(const RunProgress&)>& progress) {
  const LaunchedJob job = launched_job();
  detail::Transport& transport = detail::open_transport(job);
  Ranks ranks(transport);
  try {
    RunResult result = ranked_run(ranks, request, progress);
    transport.finalize();
    return result;
  } catch (const std::exception& e) {
    if (ranks.agreed()) {
      transport.finalize();
      throw;
    }
    // An error that the other ranks cannot know of (a bug): say it here, and end the whole job.
    std::cerr << "tailq: internal error on rank " << ranks.rank() << ": " << e.what() << "\n";
    transport.abort(1);
    throw;  // not reached: abort ends the process
  }
}

}  // namespace tailq
