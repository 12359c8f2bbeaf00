// Output and input path checks (tailq/output_path.hpp).
#include "tailq/output_path.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tailq/run_options.hpp"

namespace tailq {
namespace fs = std::filesystem;

namespace {

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// The folder an output goes into must exist (or be made) and take a new file: tried by creating
// the temporary file the writers use, as permissions alone do not tell (root, read-only mounts).
void check_folder(const fs::path& path, bool create_folders) {
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  const fs::file_status status = fs::status(folder, ec);
  if (!fs::exists(status)) {
    if (!create_folders) {
      throw OptionError("output", "the folder " + quoted(folder) +
                                      " does not exist: create it first (mkdir -p " +
                                      folder.string() + ")");
    }
    if (!fs::create_directories(folder, ec) && ec) {
      throw OptionError("output",
                        "cannot create the folder " + quoted(folder) + ": " + ec.message());
    }
  } else if (!fs::is_directory(status)) {
    throw OptionError("output", quoted(folder) + " is not a folder: give a path in a folder");
  }
  fs::path probe = path;
  probe += ".partial";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST) {
    throw OptionError("output", "cannot create files in " + quoted(folder) + " (" +
                                    std::strerror(errno) + "): choose another folder");
  }
  if (fd >= 0) {
    ::close(fd);
    ::unlink(probe.c_str());
  }
}

}  // namespace

void check_output_path(const fs::path& path, const OutputRules& rules) {
  if (path.empty()) throw OptionError("output", "give a file name");
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (fs::is_directory(status)) {
    throw OptionError("output", quoted(path) + " is a folder: give a file path, e.g. " +
                                    (path / rules.example).string());
  }
  if (fs::exists(status)) {
    if (!fs::is_regular_file(status)) {
      throw OptionError("output", quoted(path) + " is not a regular file: give a file name");
    }
    if (!rules.overwrite) {
      throw OptionError("overwrite", quoted(path) + " exists");
    }
  }
  check_folder(path, rules.create_folders);
}

void check_input_file(const fs::path& path, std::string_view what) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    throw InputError(path.string() + ": no such file (expected a " + std::string(what) + ")");
  }
  if (fs::is_directory(status)) {
    throw InputError(path.string() + ": is a folder, not a " + std::string(what));
  }
}

PartialFile::PartialFile(fs::path path) : final_(std::move(path)), tmp_(final_) {
  tmp_ += ".partial";
  remove_all();  // left over from a crash of an earlier attempt
}

PartialFile::~PartialFile() { remove_all(); }

void PartialFile::commit() {
  fs::rename(tmp_, final_);
  committed_ = true;
}

void PartialFile::remove_all() const noexcept {
  std::error_code ignored;
  for (const char* suffix : {"-wal", "-shm", "-journal", ""}) {
    fs::path p = tmp_;
    p += suffix;
    // After commit() the temporary name is free, but SQLite's companions may remain.
    if (!committed_ || *suffix != '\0') fs::remove(p, ignored);
  }
}

}  // namespace tailq
