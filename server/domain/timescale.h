// Reading a council's fuzzy target ("Sept 10?", "Autumn 2006", "Q3
// 2024/25", "Report to 6 April 2006 Scrutiny Board", "Ongoing") as the
// window of days a person would read from it. The text itself is always
// kept verbatim; this only derives from it.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace rectrack::domain {

struct TimescaleWindow {
  // First and last day of the window, "YYYY-MM-DD"; empty when unknown
  // ("by March 2011" has no earliest day).
  std::string earliest;
  std::string latest;
  bool tentative = false;  // "?", "tbc", "provisional"
  bool ongoing = false;    // "Ongoing", "continuous": no end
  bool unparsed = false;   // text a person could not read a date from
};

// The window `text` describes. `reference` ("YYYY-MM-DD" or empty, e.g. the
// review's publication date) gives the century of two-digit years and the
// day of "Immediate". Never fails: unreadable text is flagged `unparsed`.
// Empty text is no target at all (nothing set, not unparsed).
TimescaleWindow ParseTimescale(absl::string_view text,
                               absl::string_view reference);

}  // namespace rectrack::domain
