// Checks of the files a command reads and writes, made before any work, so that a mistake in a
// path costs one line and leaves nothing behind; and the temporary file every output is written
// to before it is renamed into place.
#pragma once

#include <filesystem>
#include <string_view>

namespace tailq {

struct OutputRules {
  bool overwrite = false;                   // an existing file may be replaced
  bool create_folders = false;              // missing folders are created, not refused
  std::string_view example = "NAME.trace";  // a file name the message suggests for a folder
};

// Refuses, with an OptionError keyed "output" (or "overwrite" for an existing file), an output
// path that is a folder or a device, lies in a missing folder or one where no file can be
// created, or exists and may not be replaced.
void check_output_path(const std::filesystem::path& path, const OutputRules& rules);

// Refuses, with an InputError, an input that is missing or a folder; `what` names what it should
// be ("trace file", "CSV file").
void check_input_file(const std::filesystem::path& path, std::string_view what);

// `path` + ".partial", removed (with SQLite's -wal, -shm and -journal files) when the object dies
// unless commit() renamed it to `path`: an output appears whole or not at all.
class PartialFile {
 public:
  explicit PartialFile(std::filesystem::path path);
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;
  ~PartialFile();
  const std::filesystem::path& path() const { return tmp_; }
  void commit();

 private:
  void remove_all() const noexcept;
  std::filesystem::path final_, tmp_;
  bool committed_ = false;
};

}  // namespace tailq
