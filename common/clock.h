// The time source. Everything that reads the time takes a Clock so tests
// can set it.
#pragma once

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

}  // namespace rectrack
