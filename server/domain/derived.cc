#include "server/domain/derived.h"

#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/dates.h"

namespace rectrack::domain {

bool IsOpen(v1::ActionStatus status) {
  return status != v1::ACTION_STATUS_COMPLETED &&
         status != v1::ACTION_STATUS_CANCELLED;
}

bool HasReadableTarget(const v1::Timescale& t) {
  return !t.text().empty() && !t.unparsed();
}

v1::ActionStanding StandingOn(const v1::Action& action, const std::string& day,
                              int due_soon_days) {
  v1::ActionStanding out;
  out.set_day(day);
  if (action.status() == v1::ACTION_STATUS_CANCELLED) {
    out.set_rag(v1::RAG_NOT_RATED);
    return out;
  }
  if (action.status() == v1::ACTION_STATUS_COMPLETED) {
    out.set_rag(v1::RAG_GREEN);
    return out;
  }
  const std::string& latest = action.timescale().latest();
  if (!latest.empty() && latest < day) {
    out.set_overdue(true);
    out.set_days_overdue(DaysBetween(latest, day));
  } else if (!latest.empty() && latest <= AddDays(day, due_soon_days)) {
    out.set_due_soon(true);
  }
  if (out.overdue() || action.status() == v1::ACTION_STATUS_BLOCKED) {
    out.set_rag(v1::RAG_RED);
  } else if (!HasReadableTarget(action.timescale())) {
    out.set_rag(v1::RAG_NO_TARGET);
  } else if (out.due_soon() || action.slippage().revisions() > 1) {
    out.set_rag(v1::RAG_AMBER);
  } else {
    out.set_rag(v1::RAG_GREEN);
  }
  return out;
}

std::vector<std::string> RagRules(int due_soon_days) {
  std::vector<std::string> rules;
  rules.emplace_back("Not rated: the action was cancelled.");
  rules.emplace_back("Green: the action is completed.");
  rules.emplace_back(
      "Red: the latest day of its target has passed, or it is blocked.");
  rules.emplace_back(
      "No target (grey): its target cannot be read as a date (\"tbc\", an "
      "impossible date such as 31/02/2010) or none was given.");
  rules.push_back(absl::StrCat(
      "Amber: the latest day of its target is within ", due_soon_days,
      " days, or its target has been revised more than once."));
  rules.emplace_back(
      "Green: otherwise (on track, or ongoing work with no end date).");
  return rules;
}

std::string ResponseDueOn(const std::string& published_on, int deadline_days) {
  std::optional<absl::CivilDay> published = ParseDay(published_on);
  if (!published.has_value()) return "";
  if (deadline_days > 0) return FormatDay(*published + deadline_days);
  // Two calendar months; a day past the end of the month is its last day.
  absl::CivilMonth month = absl::CivilMonth(*published) + 2;
  absl::CivilDay last_of_month = absl::CivilDay(month + 1) - 1;
  int day = std::min<int>(published->day(), last_of_month.day());
  return FormatDay(absl::CivilDay(month.year(), month.month(), day));
}

bool IsStopWord(absl::string_view word) {
  // The commonest words of council English: nobody searches for them, and
  // indexing them cost a third of the index entries of a recommendation.
  static const auto* kStopWords = new absl::flat_hash_set<absl::string_view>{
      "a",     "an",   "and",   "are",   "as",    "at",   "be",     "been",
      "but",   "by",   "can",   "could", "do",    "for",  "from",   "had",
      "has",   "have", "he",    "her",   "his",   "if",   "in",     "into",
      "is",    "it",   "its",   "may",   "more",  "must", "no",     "not",
      "of",    "on",   "or",    "our",   "shall", "she",  "should", "so",
      "such",  "than", "that",  "the",   "their", "them", "then",   "there",
      "these", "they", "this",  "those", "to",    "was",  "we",     "were",
      "what",  "when", "where", "which", "while", "who",  "will",   "with",
      "would", "you",  "your"};
  return kStopWords->contains(word);
}

std::string Trimmed(absl::string_view s) {
  return std::string(absl::StripAsciiWhitespace(s));
}

std::vector<std::string> SearchWords(absl::string_view text) {
  constexpr size_t kMaxWordBytes = 40;
  constexpr size_t kMaxWords = 200;
  std::set<std::string> words;
  std::string current;
  auto flush = [&] {
    if (current.size() >= 2 && words.size() < kMaxWords &&
        !IsStopWord(current)) {
      words.insert(current.substr(0, kMaxWordBytes));
    }
    current.clear();
  };
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(u) || u >= 0x80) {
      current.push_back(absl::ascii_tolower(u));
    } else {
      flush();
    }
  }
  flush();
  return {words.begin(), words.end()};
}

bool UpdateOverdue(const v1::UpdateRequest& r, const std::string& day) {
  return (r.status() == v1::UPDATE_STATUS_OPEN ||
          r.status() == v1::UPDATE_STATUS_RETURNED) &&
         !r.due().empty() && r.due() < day;
}

}  // namespace rectrack::domain
