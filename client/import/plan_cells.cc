// What the text of one cell says: a date or timescale, a decision, a
// status, a reference, a person, a label ("Lead Officer: ..."). What the
// title block above a plan says is in plan_title.cc.
#include <algorithm>
#include <cstring>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/import/plan_internal.h"

namespace rectrack::cli {
namespace {

std::string Lower(absl::string_view s) {
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(s));
}

std::vector<std::string> Words(absl::string_view text) {
  return absl::StrSplit(text, absl::ByAnyChar(" \n\t"), absl::SkipEmpty());
}

// 1-12 for a month's name or abbreviation ("Sept", "sep.", "March"), 0
// otherwise.
int MonthNumber(absl::string_view word) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                  "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string w = absl::AsciiStrToLower(word);
  while (!w.empty() && !absl::ascii_isalpha(w.back())) w.pop_back();
  if (w.size() < 3) return 0;
  for (int m = 0; m < 12; ++m) {
    if (absl::StartsWith(w, kMonths[m])) {
      static const char* kFull[] = {"january", "february", "march",
                                    "april",   "may",      "june",
                                    "july",    "august",   "september",
                                    "october", "november", "december"};
      if (absl::StartsWith(kFull[m], w) || w == "sept") return m + 1;
    }
  }
  return 0;
}

bool IsYear(absl::string_view w) {
  std::string t(w);
  while (!t.empty() && !absl::ascii_isdigit(t.back())) t.pop_back();
  int y = 0;
  return (t.size() == 4 && absl::SimpleAtoi(t, &y) && y >= 1990 && y <= 2100) ||
         (t.size() == 2 && absl::ascii_isdigit(t[0]) && w.size() <= 3);
}

}  // namespace

bool LooksLikeTimescale(absl::string_view text) {
  std::string t = Lower(text);
  if (t.empty() || t.size() > 60) return false;
  std::vector<std::string> words = Words(t);
  if (words.size() > 8) return false;
  // Whole words, not parts of words: "Financial Reporting" or "Annual
  // Governance Statement" is a subject, "by" in "Led by" is not a date.
  static const char* kTimeWords[] = {
      "ongoing", "on-going", "immediate", "immediately", "spring",    "summer",
      "autumn",  "winter",   "quarter",   "quarters",    "q1",        "q2",
      "q3",      "q4",       "annually",  "monthly",     "quarterly", "yearly",
      "weekly",  "tbc",      "tba",       "year",        "years",     "week",
      "weeks",   "month",    "months",    "completed",   "asap"};
  if (absl::StartsWith(t, "by ") || absl::StartsWith(t, "end of ") ||
      absl::StrContains(t, " end of ") || t == "annual") {
    return true;
  }
  for (const std::string& raw : words) {
    std::string w(raw);
    while (!w.empty() && !absl::ascii_isalnum(w.back())) w.pop_back();
    while (!w.empty() && !absl::ascii_isalnum(w.front()) && w[0] != '-') {
      w.erase(0, 1);
    }
    for (const char* time_word : kTimeWords) {
      if (w == time_word) return true;
    }
  }
  for (const std::string& w : words) {
    if (MonthNumber(w) != 0) return true;
    int slashes = static_cast<int>(std::count(w.begin(), w.end(), '/'));
    if (slashes >= 1 && absl::ascii_isdigit(w[0])) return true;  // 12/03/2011
    std::string digits(absl::StripTrailingAsciiWhitespace(w));
    if (digits.size() == 4 && IsYear(digits)) return true;
  }
  return false;
}

std::optional<v1::Decision> DecisionWord(absl::string_view text) {
  std::string t = Lower(text);
  // The decision is the cell's first words: "Agreed – the council will…".
  static const std::pair<const char*, v1::Decision> kWords[] = {
      {"agreed in principle", v1::DECISION_ACCEPTED_IN_PRINCIPLE},
      {"accepted in principle", v1::DECISION_ACCEPTED_IN_PRINCIPLE},
      {"supported in principle", v1::DECISION_ACCEPTED_IN_PRINCIPLE},
      {"agree in principle", v1::DECISION_ACCEPTED_IN_PRINCIPLE},
      {"in principle", v1::DECISION_ACCEPTED_IN_PRINCIPLE},
      {"partially accepted", v1::DECISION_PARTIALLY_ACCEPTED},
      {"partly accepted", v1::DECISION_PARTIALLY_ACCEPTED},
      {"partially agreed", v1::DECISION_PARTIALLY_ACCEPTED},
      {"partly agreed", v1::DECISION_PARTIALLY_ACCEPTED},
      {"accepted in part", v1::DECISION_PARTIALLY_ACCEPTED},
      {"agreed in part", v1::DECISION_PARTIALLY_ACCEPTED},
      {"partially", v1::DECISION_PARTIALLY_ACCEPTED},
      {"partly", v1::DECISION_PARTIALLY_ACCEPTED},
      {"partial", v1::DECISION_PARTIALLY_ACCEPTED},
      {"not accepted", v1::DECISION_REJECTED},
      {"not agreed", v1::DECISION_REJECTED},
      {"not supported", v1::DECISION_REJECTED},
      {"not approved", v1::DECISION_REJECTED},
      {"rejected", v1::DECISION_REJECTED},
      {"declined", v1::DECISION_REJECTED},
      {"accepted", v1::DECISION_ACCEPTED},
      {"agreed", v1::DECISION_ACCEPTED},
      {"supported", v1::DECISION_ACCEPTED},
      {"approved", v1::DECISION_ACCEPTED},
      {"accept", v1::DECISION_ACCEPTED},
      {"agree", v1::DECISION_ACCEPTED},
      {"noted", v1::DECISION_NOTED},
      {"yes", v1::DECISION_ACCEPTED},
      {"no", v1::DECISION_REJECTED},
      {"y", v1::DECISION_ACCEPTED},
      {"n", v1::DECISION_REJECTED},
  };
  for (const auto& [word, decision] : kWords) {
    size_t n = strlen(word);
    if (absl::StartsWith(t, word) &&
        (t.size() == n || !absl::ascii_isalnum(t[n]))) {
      return decision;
    }
  }
  return std::nullopt;
}

std::optional<v1::Decision> ExactDecision(absl::string_view text) {
  std::string t = Lower(text);
  while (!t.empty() && (t.back() == '.' || t.back() == '!')) t.pop_back();
  std::optional<v1::Decision> d = DecisionWord(t);
  if (!d.has_value()) return std::nullopt;
  // Every word of the text is part of the decision phrase.
  for (size_t cut = t.size(); cut > 0; --cut) {
    if (cut < t.size() && t[cut] != ' ') continue;
    std::string head = t.substr(0, cut);
    if (DecisionWord(head) == d && head.size() == t.size()) return d;
  }
  static const char* kPhrases[] = {"agreed in principle",
                                   "accepted in principle",
                                   "supported in principle",
                                   "partially accepted",
                                   "partly accepted",
                                   "partially agreed",
                                   "partly agreed",
                                   "accepted in part",
                                   "agreed in part",
                                   "not accepted",
                                   "not agreed",
                                   "not supported",
                                   "not approved"};
  for (const char* p : kPhrases) {
    if (t == p) return d;
  }
  return std::nullopt;
}

std::optional<v1::Decision> DecisionPhraseWithin(absl::string_view text) {
  std::string t = Lower(text);
  for (const char* p : {"not agreed", "not supported", "not accepted",
                        "was rejected", "is rejected"}) {
    if (absl::StrContains(t, p)) return v1::DECISION_REJECTED;
  }
  for (const char* p :
       {"is supported", "is agreed", "is accepted", "was agreed", "were agreed",
        "is endorsed", "was accepted"}) {
    if (absl::StrContains(t, p)) return v1::DECISION_ACCEPTED;
  }
  return std::nullopt;
}

std::optional<v1::ActionStatus> StatusWord(absl::string_view text) {
  std::string t = Lower(text);
  while (!t.empty() && (t.back() == '.' || t.back() == '!')) t.pop_back();
  if (t == "complete" || t == "completed" || t == "done" || t == "achieved" ||
      t == "implemented" || t == "green - complete" || t == "closed" ||
      t == "actioned") {
    return v1::ACTION_STATUS_COMPLETED;
  }
  if (t == "in progress" || t == "underway" || t == "started" ||
      t == "on track" || t == "ongoing" || t == "on-going" ||
      t == "partially complete" || t == "partly complete") {
    return v1::ACTION_STATUS_IN_PROGRESS;
  }
  if (t == "not started" || t == "not yet started" || t == "pending") {
    return v1::ACTION_STATUS_NOT_STARTED;
  }
  if (t == "blocked" || t == "on hold" || t == "delayed" || t == "stalled") {
    return v1::ACTION_STATUS_BLOCKED;
  }
  if (t == "cancelled" || t == "withdrawn" || t == "superseded") {
    return v1::ACTION_STATUS_CANCELLED;
  }
  // A plan's own key of a few words ("Delivered", "On track to deliver",
  // "Not on track to deliver", "Some issues - narrative disclosure"): how
  // it opens says where the action stands; a longer cell is prose.
  if (Words(t).size() > 6) return std::nullopt;
  for (const char* done : {"delivered", "fully delivered", "complete -",
                           "completed -", "achieved -"}) {
    if (absl::StartsWith(t, done)) return v1::ACTION_STATUS_COMPLETED;
  }
  for (const char* going :
       {"on track", "on target", "not on track", "off track", "behind",
        "at risk", "some issues", "slipped", "slipping", "in hand",
        "progressing", "partially delivered", "partly delivered"}) {
    if (absl::StartsWith(t, going)) return v1::ACTION_STATUS_IN_PROGRESS;
  }
  return std::nullopt;
}

bool IsRagRating(absl::string_view text) {
  std::string t = Lower(text);
  for (const char* w : {"red", "amber", "green", "r", "a", "g", "blue",
                        "red/amber", "amber/green"}) {
    if (t == w) return true;
  }
  return false;
}

std::string CleanRef(absl::string_view text) {
  std::string t(absl::StripAsciiWhitespace(text));
  for (const char* prefix : {"Recommendation ", "recommendation ", "Rec. ",
                             "Rec ", "Required action ", "Action "}) {
    if (absl::StartsWith(t, prefix) && t.size() > strlen(prefix)) {
      t = t.substr(strlen(prefix));
    }
  }
  while (!t.empty() && (t.back() == '.' || t.back() == ':' || t.back() == ')' ||
                        t.back() == '-')) {
    t.pop_back();
  }
  if (!t.empty() && t[0] == '(') t = t.substr(1);
  return std::string(absl::StripAsciiWhitespace(t));
}

// "01/02/26", "15.03.23", "2010-11-05": a date, not a reference.
bool IsNumericDate(absl::string_view t) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(t, absl::ByAnyChar("./-"));
  if (parts.size() != 3) return false;
  for (absl::string_view p : parts) {
    if (p.empty() || p.size() > 4) return false;
    for (char c : p) {
      if (!absl::ascii_isdigit(c)) return false;
    }
  }
  // A day and a month of one or two digits and a year of two or four
  // ("12.03.2011", "2024-03-12"); "1.1.1" is a reference.
  const size_t year = parts[0].size() == 4 ? 0 : 2;
  return (parts[year].size() == 2 || parts[year].size() == 4) &&
         parts[2 - year].size() <= 2 && parts[1].size() <= 2;
}

bool LooksLikeRef(absl::string_view text) {
  std::string t = CleanRef(text);
  if (IsNumericDate(t)) return false;
  if (absl::StrContains(t, ' ')) {
    // "SR (25/26) 01", "Rec 2.1": short, with a number, without words.
    if (t.size() > 16 || !std::any_of(t.begin(), t.end(), [](char c) {
          return absl::ascii_isdigit(c);
        })) {
      return false;
    }
    for (absl::string_view w : absl::StrSplit(t, ' ', absl::SkipEmpty())) {
      int lower = 0;
      for (char c : w) lower += absl::ascii_islower(c) ? 1 : 0;
      if (lower >= 3) return false;
    }
    return true;
  }
  if (t.empty() || t.size() > 10) return false;
  // "iv", "ii": roman numerals; "a": a letter.
  if (t.find_first_not_of("ivxIVX") == std::string::npos && t.size() <= 4) {
    return true;
  }
  if (t.size() == 1 && absl::ascii_isalpha(t[0])) return true;
  // Letters then a number, dotted or lettered: "R2.1", "SC07", "3a", "1.2".
  size_t i = 0;
  while (i < t.size() && absl::ascii_isalpha(t[i])) ++i;
  if (i > 4 || i == t.size() || !absl::ascii_isdigit(t[i])) return false;
  for (; i < t.size(); ++i) {
    if (!absl::ascii_isalnum(t[i]) && t[i] != '.' && t[i] != '/') return false;
  }
  return true;
}

bool LooksLikeLead(absl::string_view text) {
  std::string t(absl::StripAsciiWhitespace(text));
  if (t.empty() || t.size() > 80 || !absl::ascii_isupper(t[0])) return false;
  if (LooksLikeTimescale(t) || DecisionWord(t).has_value() ||
      StatusWord(t).has_value() || LooksLikeRef(t)) {
    return false;
  }
  std::vector<std::string> words = Words(t);
  if (words.size() > 10) return false;
  // Sentences end with a full stop; names and posts rarely do ("J. Smith"
  // ends in a letter).
  if (t.back() == '.' && words.size() > 3) return false;
  int capitals = 0;
  for (const std::string& w : words) {
    if (absl::ascii_isupper(w[0]) || w == "of" || w == "and" || w == "&" ||
        w == "for" || w == "the" || w == "/") {
      ++capitals;
    }
  }
  return capitals * 10 >= static_cast<int>(words.size()) * 7;
}

std::optional<std::pair<std::string, std::string>> LeadingRef(
    absl::string_view text) {
  std::string t(absl::StripAsciiWhitespace(text));
  std::string rest_after;
  std::string head;
  for (const char* label : {"Recommendation ", "Required action ", "Rec "}) {
    if (absl::StartsWith(t, label)) {
      absl::string_view after = absl::string_view(t).substr(strlen(label));
      size_t end = after.find_first_of(" \n");
      std::string ref = CleanRef(after.substr(0, end));
      if (!ref.empty() && LooksLikeRef(ref)) {
        return std::make_pair(
            ref, end == absl::string_view::npos
                     ? std::string()
                     : std::string(absl::StripAsciiWhitespace(
                           absl::StripPrefix(after.substr(end + 1), "-"))));
      }
    }
  }
  size_t end = t.find_first_of(" \n\t");
  if (end == std::string::npos) return std::nullopt;
  std::string token = t.substr(0, end);
  bool punctuated = token.back() == ':' || token.back() == '.' ||
                    token.back() == ')' || token[0] == '(';
  std::string ref = CleanRef(token);
  if (ref.empty() || !LooksLikeRef(ref)) return std::nullopt;
  // "A member ..." or "I welcome ...": a word, not a reference, unless
  // punctuated; a bare number is a reference ("01 That ...").
  bool has_digit = std::any_of(ref.begin(), ref.end(),
                               [](char c) { return absl::ascii_isdigit(c); });
  if (!punctuated && !(has_digit && absl::ascii_isdigit(ref.back()))) {
    return std::nullopt;
  }
  if (!has_digit && !punctuated) return std::nullopt;
  // "1." followed by a lower-case word is a list, still a reference; but
  // "2010." is a year.
  if (ref.size() == 4 && IsYear(ref)) return std::nullopt;
  return std::make_pair(
      ref, std::string(absl::StripAsciiWhitespace(t.substr(end + 1))));
}

std::optional<Labelled> TakeLabel(absl::string_view paragraph) {
  std::string p(absl::StripAsciiWhitespace(paragraph));
  std::string lower = absl::AsciiStrToLower(p);
  static const std::pair<const char*, bool> kLabels[] = {
      {"lead officer", true},
      {"lead member", true},
      {"responsible officer", true},
      {"lead officers", true},
      {"responsible", true},
      {"lead", true},
      {"officer", true},
      {"owner", true},
      {"timescale", false},
      {"target date", false},
      {"deadline", false},
      {"timing", false},
      {"by when", false}};
  for (const auto& [label, is_lead] : kLabels) {
    size_t at = lower.find(label);
    if (at == std::string::npos) continue;
    size_t colon = at + strlen(label);
    while (colon < p.size() && p[colon] == ' ') ++colon;
    if (colon >= p.size() || (p[colon] != ':' && p[colon] != '-')) continue;
    // The label opens the paragraph, or closes the text before it
    // ("... by March. Responsible: J Smith").
    if (at != 0 &&
        !(at >= 2 && (p[at - 1] == ' ' || p[at - 1] == '\n') &&
          (p[at - 2] == '.' || p[at - 2] == ';' || p[at - 2] == ')'))) {
      continue;
    }
    std::string before(absl::StripAsciiWhitespace(p.substr(0, at)));
    std::vector<std::string> words = Words(p.substr(colon + 1));
    // The value is the capitalised words (and "of", "and", "&") up to the
    // first word of a sentence: a capital followed by a lower-case word.
    size_t n = 0;
    while (n < words.size() && n < 12) {
      const std::string& w = words[n];
      bool capital = absl::ascii_isupper(w[0]) || absl::ascii_isdigit(w[0]);
      bool joiner = w == "of" || w == "and" || w == "&" || w == "/" ||
                    w == "for" || w == "supported" || w == "by";
      if (!is_lead && n < 4) {
        ++n;  // "March 2011", "End of May"
        if (n == words.size() ||
            LooksLikeTimescale(absl::StrJoin(words.begin(), words.begin() + n,
                                             " ")) == false) {
          --n;
          break;
        }
        continue;
      }
      if (!capital && !joiner) {
        if (n > 0 && absl::ascii_isupper(words[n - 1][0]) && n > 1) --n;
        break;
      }
      ++n;
    }
    if (n == 0) continue;
    std::string value = absl::StrJoin(words.begin(), words.begin() + n, " ");
    std::string after =
        absl::StrJoin(words.begin() + static_cast<long>(n), words.end(), " ");
    Labelled out;
    if (is_lead) {
      value = absl::StrReplaceAll(value, {{" supported by ", "; "}});
      out.leads = SplitLeads(value);
    } else {
      out.timing = value;
    }
    out.rest = std::string(absl::StripAsciiWhitespace(absl::StrCat(
        before, before.empty() || after.empty() ? "" : " ", after)));
    return out;
  }
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> ActionUpdate(
    absl::string_view paragraph) {
  absl::string_view p = paragraph;
  if (!absl::ConsumePrefix(&p, "Action update (") &&
      !absl::ConsumePrefix(&p, "Update (") &&
      !absl::ConsumePrefix(&p, "Progress (")) {
    return std::nullopt;
  }
  size_t close = p.find(')');
  if (close == absl::string_view::npos) return std::nullopt;
  std::string when(absl::StripAsciiWhitespace(p.substr(0, close)));
  p.remove_prefix(close + 1);
  absl::ConsumePrefix(&p, ":");
  if (!when.empty() && !absl::ascii_isdigit(when[0])) when = "1 " + when;
  return std::make_pair(when, std::string(absl::StripAsciiWhitespace(p)));
}

std::string DateIn(absl::string_view text) {
  // "12/03/2025", "12.03.25": day first, as UK councils write them.
  for (absl::string_view w :
       absl::StrSplit(text, absl::ByAnyChar(" ,\t"), absl::SkipEmpty())) {
    std::vector<absl::string_view> parts =
        absl::StrSplit(w, absl::ByAnyChar("/."));
    int day = 0;
    int month = 0;
    int year = 0;
    if (parts.size() == 3 && absl::SimpleAtoi(parts[0], &day) &&
        absl::SimpleAtoi(parts[1], &month) &&
        absl::SimpleAtoi(parts[2], &year) && day >= 1 && day <= 31 &&
        month >= 1 && month <= 12 &&
        (parts[2].size() == 2 || parts[2].size() == 4)) {
      if (parts[2].size() == 2) year += 2000;
      return absl::StrFormat("%04d-%02d-%02d", year, month, day);
    }
  }
  std::vector<std::string> words =
      absl::StrSplit(text, absl::ByAnyChar(" ,\t"), absl::SkipEmpty());
  for (size_t i = 0; i < words.size(); ++i) {
    int month = MonthNumber(words[i]);
    if (month == 0 || i + 1 >= words.size()) continue;
    int year = 0;
    std::string y = words[i + 1];
    while (!y.empty() && !absl::ascii_isdigit(y.back())) y.pop_back();
    if (y.size() != 4 || !absl::SimpleAtoi(y, &year)) continue;
    int day = 1;
    if (i > 0) {
      std::string d = words[i - 1];
      while (!d.empty() && absl::ascii_isalpha(d.back())) d.pop_back();  // 8th
      if (!absl::SimpleAtoi(d, &day) || day < 1 || day > 31) day = 1;
    }
    return absl::StrFormat("%04d-%02d-%02d", year, month, day);
  }
  return "";
}

bool EndsSentence(const std::string& text) {
  return !text.empty() && (text.back() == '.' || text.back() == ';' ||
                           text.back() == '!' || text.back() == '?');
}

bool IsBullet(const std::string& p) {
  // The bullets WithoutBullet takes off, and "1." or "2)".
  return WithoutBullet(p) != p || (p.size() > 2 && absl::ascii_isdigit(p[0]) &&
                                   (p[1] == ')' || p[1] == '.'));
}

// The decision a response's own words give: "(accepted)" / "(rejected)"
// markers, or a decision word opening it ("Agreed – ...").
namespace {

// "I agree plain English matters, but ... we will not use trend": an
// answer that opens by agreeing and then, after a "but", refuses a part.
bool AgreesButRefusesAPart(const std::string& lower) {
  bool agrees = false;
  for (const char* opening :
       {"i agree", "we agree", "i accept", "we accept", "agreed", "accepted",
        "i support", "we support", "supported"}) {
    agrees = agrees || absl::StartsWith(lower, opening);
  }
  size_t but = lower.find(" but ");
  if (!agrees || but == std::string::npos) return false;
  absl::string_view after = absl::string_view(lower).substr(but);
  for (const char* refusal :
       {"will not", "won't", "cannot", "can't", "do not", "does not", "not be ",
        "not possible", "not feasible", "not able"}) {
    if (absl::StrContains(after, refusal)) return true;
  }
  return false;
}

}  // namespace

std::optional<v1::Decision> DecisionInText(const std::string& text) {
  std::string lower = absl::AsciiStrToLower(text);
  bool accepted = absl::StrContains(lower, "(accepted)");
  bool rejected = absl::StrContains(lower, "(rejected)");
  if (accepted && rejected) return v1::DECISION_PARTIALLY_ACCEPTED;
  if (accepted) return v1::DECISION_ACCEPTED;
  if (rejected) return v1::DECISION_REJECTED;
  if (AgreesButRefusesAPart(lower)) return v1::DECISION_PARTIALLY_ACCEPTED;
  // A decision phrase that is the whole first clause ("Agreed - ...");
  // "No further action" is not a decision.
  size_t end = lower.find_first_of(".,;:-\xE2\n(");
  std::optional<v1::Decision> d = ExactDecision(lower.substr(0, end));
  if (d.has_value()) return d;
  return DecisionPhraseWithin(text);
}

// "Agreed. The plan has been changed" -> "The plan has been changed": in a
// response that is also the action, the opening decision is the decision.
std::string WithoutDecisionClause(const std::string& text) {
  size_t end = text.find_first_of(".,;:-\n");
  if (end == std::string::npos || !ExactDecision(text.substr(0, end))) {
    return text;
  }
  std::string rest(absl::StripAsciiWhitespace(text.substr(end + 1)));
  return rest.empty() ? text : rest;
}

// "R2.1" → "R2", "3a" → "3"; empty when it has no parent.
std::string ParentRef(const std::string& ref) {
  size_t dot = ref.rfind('.');
  if (dot != std::string::npos && dot > 0) return ref.substr(0, dot);
  if (ref.size() >= 2 && absl::ascii_isalpha(ref.back()) &&
      absl::ascii_isdigit(ref[ref.size() - 2])) {
    return ref.substr(0, ref.size() - 1);
  }
  return "";
}

namespace {

// A list marker opening an item: "a)", "(a)", "(ii)", "iii)", "2)", "(3)".
// `label` gets what is inside ("a", "ii", "2"); the marker's length is
// returned, 0 when `text` at `at` is no marker.
size_t ListMarkerAt(absl::string_view text, size_t at, std::string* label) {
  size_t i = at;
  bool open = i < text.size() && text[i] == '(';
  if (open) ++i;
  size_t start = i;
  while (i < text.size() && i - start < 5 && absl::ascii_isalnum(text[i])) ++i;
  if (i == start || i >= text.size() || text[i] != ')') return 0;
  std::string inside = absl::AsciiStrToLower(text.substr(start, i - start));
  bool digits = std::all_of(inside.begin(), inside.end(),
                            [](char c) { return absl::ascii_isdigit(c); });
  bool roman = inside.find_first_not_of("ivx") == std::string::npos;
  bool letter = inside.size() == 1 && absl::ascii_isalpha(inside[0]);
  if (!(digits && inside.size() <= 2) && !roman && !letter) return 0;
  // The marker stands alone: a space or the end follows it.
  if (i + 1 < text.size() && text[i + 1] != ' ' && text[i + 1] != '\n') {
    return 0;
  }
  *label = inside;
  return i + 1 - at;
}

std::string NextLabel(const std::string& label, bool roman) {
  static const char* kRoman[] = {"i",  "ii",  "iii",  "iv", "v",
                                 "vi", "vii", "viii", "ix", "x"};
  if (roman) {
    for (size_t k = 0; k + 1 < std::size(kRoman); ++k) {
      if (label == kRoman[k]) return kRoman[k + 1];
    }
    return "";
  }
  if (absl::ascii_isdigit(label[0])) {
    int n = 0;
    return absl::SimpleAtoi(label, &n) ? absl::StrCat(n + 1) : "";
  }
  return label.size() == 1 && label[0] < 'z'
             ? std::string(1, static_cast<char>(label[0] + 1))
             : "";
}

// What may come before the second and later items of a list: the end of
// the item before ("...;", "...; and", "..., and", "...."), or a new line.
bool EndsListItem(absl::string_view before) {
  absl::string_view t = absl::StripTrailingAsciiWhitespace(before);
  if (t.empty()) return true;
  if (absl::ConsumeSuffix(&t, " and") || absl::ConsumeSuffix(&t, " or")) {
    t = absl::StripTrailingAsciiWhitespace(t);
    return absl::EndsWith(t, ";") || absl::EndsWith(t, ",");
  }
  return absl::EndsWith(t, ";") || absl::EndsWith(t, ".") ||
         absl::EndsWith(t, ":");
}

std::string TrimItem(absl::string_view item) {
  absl::string_view t = absl::StripAsciiWhitespace(item);
  if (absl::ConsumeSuffix(&t, " and") || absl::ConsumeSuffix(&t, " or")) {
    t = absl::StripTrailingAsciiWhitespace(t);
  }
  while (!t.empty() && (t.back() == ';' || t.back() == ',')) {
    t.remove_suffix(1);
  }
  return std::string(absl::StripAsciiWhitespace(t));
}

}  // namespace

std::optional<LetteredItems> SplitLetteredItems(absl::string_view text) {
  struct Marker {
    size_t at;
    size_t length;
    std::string label;
  };
  std::vector<Marker> markers;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && text[i - 1] != ' ' && text[i - 1] != '\n') continue;
    std::string label;
    size_t n = ListMarkerAt(text, i, &label);
    if (n > 0) markers.push_back({i, n, label});
  }
  for (size_t first = 0; first < markers.size(); ++first) {
    const std::string& l = markers[first].label;
    if (l != "a" && l != "i" && l != "1") continue;
    // The first item opens the text or a line, or follows "...:".
    absl::string_view before =
        absl::StripTrailingAsciiWhitespace(text.substr(0, markers[first].at));
    if (!before.empty() && !absl::EndsWith(before, ":") &&
        text[markers[first].at - 1] != '\n') {
      continue;
    }
    std::vector<size_t> chain = {first};
    bool roman = l == "i";
    for (size_t k = first + 1; k < markers.size(); ++k) {
      const Marker& prev = markers[chain.back()];
      if (markers[k].label != NextLabel(prev.label, roman)) continue;
      size_t from = prev.at + prev.length;
      if (!EndsListItem(text.substr(from, markers[k].at - from))) continue;
      chain.push_back(k);
    }
    if (chain.size() < 2) continue;
    LetteredItems out;
    out.lead_in = std::string(absl::StripAsciiWhitespace(before));
    for (size_t c = 0; c < chain.size(); ++c) {
      const Marker& m = markers[chain[c]];
      size_t from = m.at + m.length;
      size_t to = c + 1 < chain.size() ? markers[chain[c + 1]].at : text.size();
      out.items.emplace_back(m.label, TrimItem(text.substr(from, to - from)));
    }
    return out;
  }
  return std::nullopt;
}

bool IsPageFurniture(absl::string_view paragraph) {
  std::string lower = Lower(paragraph);
  absl::string_view t = lower;
  absl::ConsumePrefix(&t, "page");
  std::vector<std::string> words = Words(t);
  if (words.empty() || words.size() > 3) return false;
  for (const std::string& w : words) {
    bool number = std::all_of(w.begin(), w.end(),
                              [](char c) { return absl::ascii_isdigit(c); });
    if (!number && w != "of" && w != "/") return false;
  }
  return true;
}

std::string WithoutBullet(const std::string& paragraph) {
  absl::string_view p = paragraph;
  for (const char* bullet : {"\xE2\x80\xA2", "\xC2\xB7", "- ", "o ",
                             "\xE2\x80\x93 ", "\xE2\x80\x94 "}) {
    if (absl::ConsumePrefix(&p, bullet)) {
      std::string rest(absl::StripLeadingAsciiWhitespace(p));
      return rest.empty() ? paragraph : rest;
    }
  }
  return paragraph;
}

}  // namespace rectrack::cli
