// What is worked out from state rather than stored: overdue, due soon and
// RAG on a given day, response deadlines, and the words text search uses.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "rectrack/v1/domain.pb.h"

namespace rectrack::domain {

// "Due soon" window when a request gives none.
inline constexpr int kDefaultDueSoonDays = 30;

// Neither completed nor cancelled: can still become overdue.
bool IsOpen(v1::ActionStatus status);

// An update asked of an action's leads that is still unanswered (open or
// returned) after its due day, on `day`.
bool UpdateOverdue(const v1::UpdateRequest& request, const std::string& day);

// A target a person can read: given, and holding a date (or "Ongoing").
bool HasReadableTarget(const v1::Timescale& t);

// Where `action` stands on `day` ("YYYY-MM-DD"): overdue when the latest
// day of its target is before `day` and it is open; due soon when open, not
// overdue and the latest day is within `due_soon_days` of `day`; RAG by the
// rules RagRules() states (the one place they are written down).
v1::ActionStanding StandingOn(const v1::Action& action, const std::string& day,
                              int due_soon_days);

// The RAG rules as StandingOn applies them, one sentence each, in the order
// they are tried: printed in the report's footnote.
std::vector<std::string> RagRules(int due_soon_days);

// The day a response to a review published on `published_on` is due:
// `deadline_days` later, or two calendar months later when 0. Empty when
// `published_on` is not a date.
std::string ResponseDueOn(const std::string& published_on, int deadline_days);

// Distinct lower-case words of `text` for the word indexes: runs of ASCII
// letters and digits (bytes above 0x7F count as letters, so accented words
// stay whole), at least 2 characters, at most 40 bytes (longer ones are
// cut), at most 200 words, leaving out common words ("the", "and", "that",
// ...) that nobody searches for.
std::vector<std::string> SearchWords(absl::string_view text);

// `s` without leading and trailing ASCII white space: how every text field
// of a command is stored, and how leads and committees are compared.
std::string Trimmed(absl::string_view s);

}  // namespace rectrack::domain
