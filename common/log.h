// Structured logs: one JSON object per line on stderr, for people and log
// collectors alike. Never pass secrets or whole request bodies.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "common/clock.h"

namespace rectrack {

// A field of a log line; numbers are written as numbers.
struct LogField {
  LogField(absl::string_view k, absl::string_view v)
      : key(k), value(v), is_number(false) {}
  LogField(absl::string_view k, const char* v)
      : LogField(k, absl::string_view(v)) {}
  LogField(absl::string_view k, const std::string& v)
      : LogField(k, absl::string_view(v)) {}
  LogField(absl::string_view k, double v);
  std::string key;
  std::string value;
  bool is_number;
};

// Writes {"time": ..., "level": level, "msg": message, fields...} and a
// line break to stderr in one write.
void Log(Clock* clock, absl::string_view level, absl::string_view message,
         std::initializer_list<LogField> fields = {});

// `s` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view s);

}  // namespace rectrack
