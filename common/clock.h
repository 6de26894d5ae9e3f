// The time source. Everything that reads the time takes a Clock so tests
// can set it.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace rectrack {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
};

// The system clock.
class RealClock final : public Clock {
 public:
  absl::Time Now() override;
  // A process-wide instance.
  static Clock* Get();
};

// A clock that moves only when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() override;
  void Set(absl::Time t);
  void Advance(absl::Duration d);

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// For tests of the rectrackd binary only (--test-clock-file): the time is
// read from a file, one RFC 3339 time such as "2026-11-30T09:00:00Z", each
// time it is asked for, so a test moves a running server's clock by
// rewriting the file (write it elsewhere and rename it over, so it is never
// read half-written). Thread-safe.
class FileClock final : public Clock {
 public:
  // INVALID_ARGUMENT naming the file when it cannot be read or holds no
  // time.
  static absl::StatusOr<std::unique_ptr<FileClock>> Open(std::string path);
  // The time in the file; the last one read if it cannot be read now.
  absl::Time Now() override;

 private:
  FileClock(std::string path, absl::Time first)
      : path_(std::move(path)), last_(first) {}

  const std::string path_;
  absl::Mutex mu_;
  absl::Time last_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rectrack
