#include "common/clock.h"

#include <fstream>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

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

namespace {

std::optional<absl::Time> ReadTime(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !std::getline(in, text)) return std::nullopt;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, absl::StripAsciiWhitespace(text), &t,
                       &error)) {
    return std::nullopt;
  }
  return t;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileClock>> FileClock::Open(std::string path) {
  std::optional<absl::Time> first = ReadTime(path);
  if (!first.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("test-clock-file: ", path,
                     " does not hold a time such as 2026-11-30T09:00:00Z"));
  }
  return std::unique_ptr<FileClock>(new FileClock(std::move(path), *first));
}

absl::Time FileClock::Now() {
  std::optional<absl::Time> t = ReadTime(path_);
  absl::MutexLock lock(&mu_);
  if (t.has_value()) last_ = *t;
  return last_;
}

}  // namespace rectrack
