// What the title block above a plan says of the review: its title,
// committee, meeting and publication dates, and a sentence that decides all
// its recommendations.
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/import/plan_internal.h"

namespace rectrack::cli {
namespace {

// A sentence above the plan that decides all its recommendations: one that
// speaks of the recommendations (or "them") as accepted or agreed, and does
// not say "not".
void DecisionAbove(const std::string& p, TitleBlock* out) {
  std::string lower = absl::AsciiStrToLower(p);
  if (!out->decision_said.empty() || absl::StrContains(lower, "not ") ||
      !(absl::StrContains(lower, "recommendations") ||
        absl::StrContains(lower, " them"))) {
    return;
  }
  for (const char* phrase :
       {"has accepted", "have accepted", "accepted the", "accepted all",
        "recommendations be agreed", "recommendations were agreed",
        "recommendations are agreed", "recommendations have been agreed",
        "recommendations were accepted", "recommendations have been accepted",
        "agreed all", "agreed the recommendations",
        // the passive with more than one verb: "have been recognised and
        // accepted by the Trust"
        "and accepted by", "and agreed by", "been accepted by",
        "been agreed by"}) {
    if (absl::StrContains(lower, phrase)) {
      out->decision = v1::DECISION_ACCEPTED;
      out->decision_said = p;
      return;
    }
  }
}

}  // namespace

TitleBlock ReadTitleBlock(const std::vector<std::string>& paragraphs) {
  TitleBlock out;
  std::string first;
  for (const std::string& raw : paragraphs) {
    std::string p(absl::StripAsciiWhitespace(raw));
    std::string lower = absl::AsciiStrToLower(p);
    if (p.empty()) continue;
    DecisionAbove(p, &out);
    auto value_after = [&](std::initializer_list<const char*> labels,
                           std::string* field) {
      for (const char* l : labels) {
        if (absl::StartsWith(lower, l)) {
          std::string v(absl::StripAsciiWhitespace(p.substr(strlen(l))));
          if (!v.empty() && field->empty()) *field = v;
          return true;
        }
      }
      return false;
    };
    std::string date;
    if (value_after({"report title:", "title:", "review title:", "topic:",
                     "review topic:", "scrutiny review:", "review:", "subject:",
                     "report:"},
                    &out.title) ||
        value_after({"committee:", "scrutiny committee:", "panel:",
                     "report of the ", "report of "},
                    &out.committee)) {
      continue;
    }
    if (value_after({"meeting date:", "date of meeting:", "meeting:",
                     "date of cabinet:", "cabinet date:", "date:"},
                    &date)) {
      if (out.meeting_date.empty()) out.meeting_date = DateIn(date);
      continue;
    }
    if (value_after({"date of publication:", "published:", "publication date:"},
                    &date)) {
      if (out.published.empty()) out.published = DateIn(date);
      continue;
    }
    // "Appendix 1", "Annex B": the first line of many plans names only
    // where it sits in the papers.
    std::vector<std::string> words =
        absl::StrSplit(lower, absl::ByAnyChar(" \n\t"), absl::SkipEmpty());
    if (words.size() <= 3 &&
        (absl::StartsWith(lower, "appendix") ||
         absl::StartsWith(lower, "annex") || absl::StartsWith(lower, "item") ||
         absl::StartsWith(lower, "agenda item") || lower == "page")) {
      continue;
    }
    if (first.empty()) first = p;
  }
  if (out.title.empty()) out.title = first;
  return out;
}

}  // namespace rectrack::cli
