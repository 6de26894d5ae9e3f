// Calendar dates as the API carries them: "YYYY-MM-DD" strings.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace rectrack {

// Parses a date a person might type: "2007-05-17", "17/05/2007",
// "17 May 2007", "17 May 07". Returns it as "YYYY-MM-DD", or
// INVALID_ARGUMENT naming `field` and the accepted forms.
absl::StatusOr<std::string> NormalizeDate(absl::string_view text,
                                          absl::string_view field);

// The UTC calendar day of `t` as "YYYY-MM-DD".
std::string DayOf(absl::Time t);

// "YYYY-MM-DD" (as stored) to a civil day; nullopt if it is not one.
std::optional<absl::CivilDay> ParseDay(absl::string_view ymd);
std::string FormatDay(absl::CivilDay day);
// `ymd` moved by `days`; `ymd` must be a stored "YYYY-MM-DD" date.
std::string AddDays(absl::string_view ymd, int days);
// Days from `from` to `to` (negative when `to` is earlier); 0 if either is
// not a date.
int DaysBetween(absl::string_view from, absl::string_view to);
// Start of the UTC day `ymd`; nullopt if it is not a date.
std::optional<absl::Time> StartOfDay(absl::string_view ymd);

// Converts between absl::Time and google.protobuf.Timestamp fields.
struct TimestampParts {
  int64_t seconds;
  int32_t nanos;
};
TimestampParts ToTimestampParts(absl::Time t);
absl::Time FromTimestampParts(int64_t seconds, int32_t nanos);
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* out);
absl::Time TimeFromProto(const google::protobuf::Timestamp& ts);

}  // namespace rectrack
