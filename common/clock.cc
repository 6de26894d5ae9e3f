#include "common/clock.h"

namespace rectrack {

absl::Time RealClock::Now() { return absl::Now(); }

Clock* RealClock::Get() {
  static RealClock* clock = new RealClock();
  return clock;
}

absl::Time FakeClock::Now() {
  absl::MutexLock lock(&mu_);
  return now_;
}

void FakeClock::Set(absl::Time t) {
  absl::MutexLock lock(&mu_);
  now_ = t;
}

void FakeClock::Advance(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  now_ += d;
}

}  // namespace rectrack
