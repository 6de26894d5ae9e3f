#include "common/clock.h"

#include <fstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
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

// The time in the file at `path`, or INVALID_ARGUMENT saying what is wrong
// with the file.
absl::StatusOr<absl::Time> ReadTime(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("test-clock-file: cannot read ", path,
                     "; it must hold one time such as 2026-11-30T09:00:00Z"));
  }
  std::getline(in, text);
  absl::Time t;
  std::string error;
  const absl::string_view line = absl::StripAsciiWhitespace(text);
  if (!absl::ParseTime(absl::RFC3339_full, line, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("test-clock-file: ", path, " holds \"", line,
                     "\", not a time such as 2026-11-30T09:00:00Z (a date, "
                     "T, the time and Z or an offset such as +01:00)"));
  }
  return t;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileClock>> FileClock::Open(std::string path) {
  absl::StatusOr<absl::Time> first = ReadTime(path);
  if (!first.ok()) return first.status();
  return std::unique_ptr<FileClock>(new FileClock(std::move(path), *first));
}

absl::Time FileClock::Now() {
  absl::StatusOr<absl::Time> t = ReadTime(path_);
  absl::MutexLock lock(&mu_);
  if (t.ok()) last_ = *t;
  return last_;
}

}  // namespace rectrack
