#include "store/writer_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "tailq/error.hpp"

namespace tailq::store {

WriterLock::WriterLock(const std::filesystem::path& path, bool create) {
  const int flags = O_RDONLY | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
  fd_ = ::open(path.c_str(), flags, 0644);
  if (fd_ < 0) {
    if (create && errno == EEXIST) throw StoreError(path.string() + ": file exists");
    throw StoreError(path.string() + ": cannot open trace: " + std::strerror(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      throw StoreError(path.string() +
                       ": another process is writing this trace (one writer at a time; "
                       "tailq analyze and report can read it meanwhile)");
    }
    throw StoreError(path.string() + ": cannot lock trace: " + std::strerror(error));
  }
}

WriterLock::~WriterLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace tailq::store
