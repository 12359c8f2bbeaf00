// One writer per trace. SQLite alone would let a second `tailq run --resume` interleave its
// rounds with the first one's between transactions; an exclusive flock held for the writer's
// whole life refuses it at once, while readers (which never take it) keep reading through WAL.
#pragma once

#include <filesystem>

namespace tailq::store {

class WriterLock {
 public:
  // Locks `path`; with `create`, creates it first (it must not exist: O_EXCL, so two writers
  // racing to create the same trace cannot both succeed). Throws StoreError when another
  // process holds the lock.
  WriterLock(const std::filesystem::path& path, bool create);
  WriterLock(WriterLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  WriterLock& operator=(WriterLock&&) = delete;
  // Closing a descriptor drops every POSIX lock that this process holds on the file, SQLite's
  // included: destroy the lock only after the writer's SQLite connection is closed (declare it
  // before the connection). No other connection of this process to the trace should be open
  // then; tailq's commands close their readers before a writer ends.
  ~WriterLock();

 private:
  int fd_ = -1;
};

}  // namespace tailq::store
