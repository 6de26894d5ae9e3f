#include "common/log.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace rectrack {

LogField::LogField(absl::string_view k, double v)
    : key(k), value(absl::StrFormat("%.3f", v)), is_number(true) {}

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void Log(Clock* clock, absl::string_view level, absl::string_view message,
         std::initializer_list<LogField> fields) {
  std::string line = absl::StrCat(
      "{\"time\":",
      JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock->Now(),
                                 absl::UTCTimeZone())),
      ",\"level\":", JsonQuote(level), ",\"msg\":", JsonQuote(message));
  for (const LogField& f : fields) {
    absl::StrAppend(&line, ",", JsonQuote(f.key), ":",
                    f.is_number ? f.value : JsonQuote(f.value));
  }
  line += "}\n";
  // One write per line keeps lines whole when threads log at once.
  ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace rectrack
