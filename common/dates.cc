#include "common/dates.h"

#include <google/protobuf/timestamp.pb.h>

#include <array>
#include <cstdio>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace rectrack {
namespace {

int MonthFromName(absl::string_view name) {
  static constexpr std::array<const char*, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun",
      "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string lower = absl::AsciiStrToLower(name);
  if (lower.size() < 3) {
    return 0;
  }
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (lower.compare(0, 3, kMonths[i]) == 0) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

bool ValidDay(int y, int m, int d) {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) {
    return false;
  }
  absl::CivilDay day(y, m, d);
  return day.year() == y && day.month() == m && day.day() == d;
}

}  // namespace

absl::StatusOr<std::string> NormalizeDate(absl::string_view text,
                                          absl::string_view field) {
  std::string t(absl::StripAsciiWhitespace(text));
  int y = 0;
  int m = 0;
  int d = 0;
  bool parsed = false;
  std::vector<std::string> parts;
  if (t.find('-') != std::string::npos) {
    parts = absl::StrSplit(t, '-');
    parsed = parts.size() == 3 && parts[0].size() == 4 &&
             absl::SimpleAtoi(parts[0], &y) && absl::SimpleAtoi(parts[1], &m) &&
             absl::SimpleAtoi(parts[2], &d);
  } else if (t.find('/') != std::string::npos) {
    parts = absl::StrSplit(t, '/');
    parsed = parts.size() == 3 && parts[2].size() == 4 &&
             absl::SimpleAtoi(parts[0], &d) && absl::SimpleAtoi(parts[1], &m) &&
             absl::SimpleAtoi(parts[2], &y);
  } else {
    parts = absl::StrSplit(t, ' ', absl::SkipEmpty());
    if (parts.size() == 3 && absl::SimpleAtoi(parts[0], &d) &&
        absl::SimpleAtoi(parts[2], &y)) {
      m = MonthFromName(parts[1]);
      if (parts[2].size() == 2) {
        y += 2000;
      }
      parsed = m != 0 && (parts[2].size() == 2 || parts[2].size() == 4);
    }
  }
  if (!parsed || !ValidDay(y, m, d)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": \"", text,
                     "\" is not a date; write it as YYYY-MM-DD, DD/MM/YYYY or "
                     "\"17 May 2007\""));
  }
  return absl::StrFormat("%04d-%02d-%02d", y, m, d);
}

std::string DayOf(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}

std::optional<absl::CivilDay> ParseDay(absl::string_view ymd) {
  absl::CivilDay day;
  if (ymd.size() != 10 || !absl::ParseCivilTime(ymd, &day)) {
    return std::nullopt;
  }
  return day;
}

std::string FormatDay(absl::CivilDay day) { return absl::FormatCivilTime(day); }

std::string AddDays(absl::string_view ymd, int days) {
  std::optional<absl::CivilDay> day = ParseDay(ymd);
  return day.has_value() ? FormatDay(*day + days) : std::string(ymd);
}

int DaysBetween(absl::string_view from, absl::string_view to) {
  std::optional<absl::CivilDay> a = ParseDay(from);
  std::optional<absl::CivilDay> b = ParseDay(to);
  if (!a.has_value() || !b.has_value()) return 0;
  return static_cast<int>(*b - *a);
}

std::optional<absl::Time> StartOfDay(absl::string_view ymd) {
  std::optional<absl::CivilDay> day = ParseDay(ymd);
  if (!day.has_value()) return std::nullopt;
  return absl::FromCivil(*day, absl::UTCTimeZone());
}

TimestampParts ToTimestampParts(absl::Time t) {
  int64_t nanos = absl::ToUnixNanos(t);
  int64_t seconds = nanos / 1000000000;
  int32_t rem = static_cast<int32_t>(nanos % 1000000000);
  if (rem < 0) {
    rem += 1000000000;
    --seconds;
  }
  return {seconds, rem};
}

absl::Time FromTimestampParts(int64_t seconds, int32_t nanos) {
  return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
}

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  TimestampParts parts = ToTimestampParts(t);
  out->set_seconds(parts.seconds);
  out->set_nanos(parts.nanos);
}

absl::Time TimeFromProto(const google::protobuf::Timestamp& ts) {
  return FromTimestampParts(ts.seconds(), ts.nanos());
}

}  // namespace rectrack
