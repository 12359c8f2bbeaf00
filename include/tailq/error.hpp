// Errors that tailq reports to its user.
#pragma once

#include <stdexcept>
#include <string>

namespace tailq {

// Bad input from the user (a malformed file, an unknown option value, a missing instance).
// The message is one line that names the file, line and field where it can; the CLI prints it
// and exits with status 2. Thrown before anything is written, so no half-written output stays.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The trace store could not be read or written (I/O, corruption, wrong schema version).
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A call out of order on a stateful API (a batch outside a round, a round inside a round, a
// closed recorder): a bug in the calling program, not in its data.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tailq
