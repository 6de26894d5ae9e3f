// The words the committee report is written in, shared by its formats:
// dates as a UK reader writes them, references as printed, and each change
// as a sentence.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "rectrack/v1/tracker.pb.h"

namespace rectrack::cli {

// "2007-11-27" → "27 November 2007"; "" → `missing`; anything else as is.
std::string UkDate(const std::string& ymd,
                   const std::string& missing = "date not recorded");

// What a clerk calls each thing in the report: "Recommendation A",
// "action 'Set up the database'" (cut at 60 characters), and the targets
// each action has had, to say what a revision replaced.
class ReportNames {
 public:
  // Without a report, ids stand for themselves.
  ReportNames() = default;
  explicit ReportNames(const v1::Report& report);
  // The label for an id of the report; the id itself if unknown.
  std::string Of(const std::string& id) const;
  // The action's target before the revision recorded by `event`, if known.
  std::string TargetBefore(const v1::Event& event) const;

 private:
  absl::flat_hash_map<std::string, std::string> labels_;
  absl::flat_hash_map<std::string, const v1::Action*> actions_;
};

// "Recommendation A" (or "Recommendation rec-3" without a ref).
std::string RecommendationLabel(const v1::Recommendation& rec);

// One sentence about what an event changed, e.g. "Target for action 'Set
// up the database' revised from Autumn 2007 to March 2008: staff left".
std::string DescribeChange(const v1::Event& event, const ReportNames& names);

// How long the executive took: "responded 3 March 2008, 41 days after
// publication, on time (due 1 April 2008)"; "responded, date not recorded".
std::string TimingWords(const v1::ResponseTiming& timing);

// "Overdue", "No target", "Target revised more than once", "Proposed for
// sign-off".
std::string ExceptionKindWords(v1::ReportException::Kind kind);

// "Meeting of 27 November 2007" / "" when the report names no meeting.
std::string MeetingLine(const v1::Report& report);

}  // namespace rectrack::cli
