#include "server/domain/timescale.h"

#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"

namespace rectrack::domain {
namespace {

std::string Day(absl::CivilDay d) {
  return absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

absl::CivilDay LastDayOfMonth(int year, int month) {
  return absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;
}

int MonthNumber(absl::string_view word) {
  static const char* kNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (word.size() < 3) return 0;
  std::string w = absl::AsciiStrToLower(word);
  for (int i = 0; i < 12; ++i) {
    if (w.compare(0, 3, kNames[i]) == 0) {
      // Whole names, abbreviations and "Sept"; not words like "mayor".
      static const char* kFull[] = {"january", "february", "march",
                                    "april",   "may",      "june",
                                    "july",    "august",   "september",
                                    "october", "november", "december"};
      std::string full = kFull[i];
      if (w.size() <= full.size() && full.compare(0, w.size(), w) == 0) {
        return i + 1;
      }
      if (w == "sept") return 9;
      return 0;
    }
  }
  return 0;
}

// A year written with 2 or 4 digits; two digits take the century of
// `reference_year` (or the 2000s).
std::optional<int> Year(absl::string_view word, int reference_year) {
  int y = 0;
  if (!absl::SimpleAtoi(word, &y)) return std::nullopt;
  if (word.size() == 4 && y >= 1900 && y <= 2200) return y;
  if (word.size() == 2) {
    int century = reference_year > 0 ? reference_year / 100 * 100 : 2000;
    return century + y;
  }
  return std::nullopt;
}

// The day y-m-d if it exists on the calendar, in a plausible year.
std::optional<absl::CivilDay> ValidDay(int y, int m, int d) {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  absl::CivilDay day(y, m, d);
  if (day.month() != m || day.day() != d) return std::nullopt;  // 31 June
  return day;
}

struct Window {
  absl::CivilDay first;
  absl::CivilDay last;
};

// Splits into words: letters and digits; keeps "/" and "-" joined forms
// like "2024/25" as one word, and "?" as its own word.
std::vector<std::string> Words(absl::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  for (char c : text) {
    if (absl::ascii_isalnum(c) || c == '/') {
      cur += c;
    } else if (c == '-' && !cur.empty() && absl::ascii_isdigit(cur.back())) {
      cur += c;  // 2010-11 or 2007-05-17
    } else {
      flush();
      if (c == '?') out.push_back("?");
    }
  }
  flush();
  return out;
}

}  // namespace

TimescaleWindow ParseTimescale(absl::string_view text,
                               absl::string_view reference) {
  TimescaleWindow result;
  std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (lower.empty()) return result;
  int ref_year = 0;
  int ref_month = 0;
  int ref_day = 0;
  if (reference.size() == 10 &&
      !(absl::SimpleAtoi(reference.substr(0, 4), &ref_year) &&
        absl::SimpleAtoi(reference.substr(5, 2), &ref_month) &&
        absl::SimpleAtoi(reference.substr(8, 2), &ref_day))) {
    ref_year = ref_month = ref_day = 0;  // not a date: no reference
  }
  result.tentative = absl::StrContains(lower, "?") ||
                     absl::StrContains(lower, "tbc") ||
                     absl::StrContains(lower, "to be confirmed") ||
                     absl::StrContains(lower, "provisional");
  if (absl::StrContains(lower, "ongoing") ||
      absl::StrContains(lower, "continuous") ||
      absl::StrContains(lower, "on-going")) {
    result.ongoing = true;
  }
  if ((lower.rfind("immediate", 0) == 0 || lower == "now") && ref_year > 0) {
    result.earliest = result.latest =
        Day(absl::CivilDay(ref_year, ref_month, ref_day));
    return result;
  }
  bool by = absl::StartsWith(lower, "by ") ||
            absl::StartsWith(lower, "before ") ||
            absl::StartsWith(lower, "no later than ") ||
            absl::StrContains(lower, "end of ");

  std::vector<std::string> words = Words(lower);
  std::vector<Window> found;
  // A pending month waiting for its year ("June-Aug 2010": June waits).
  std::vector<int> pending_months;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    auto next_year = [&](size_t j) -> std::optional<int> {
      return j < words.size() ? Year(words[j], ref_year) : std::nullopt;
    };
    // ISO date 2007-05-17 or UK date 17/05/2007.
    int y = 0, m = 0, d = 0;
    std::vector<std::string> dash = absl::StrSplit(w, '-');
    std::vector<std::string> slash = absl::StrSplit(w, '/');
    if (dash.size() == 3 && absl::SimpleAtoi(dash[0], &y) &&
        absl::SimpleAtoi(dash[1], &m) && absl::SimpleAtoi(dash[2], &d) &&
        dash[0].size() == 4) {
      if (auto day = ValidDay(y, m, d)) {
        found.push_back({*day, *day});
        continue;
      }
    }
    // A range of years: "2010-2011".
    int y2 = 0;
    if (dash.size() == 2 && dash[0].size() == 4 && dash[1].size() == 4 &&
        absl::SimpleAtoi(dash[0], &y) && absl::SimpleAtoi(dash[1], &y2) &&
        ValidDay(y, 1, 1) && ValidDay(y2, 1, 1) && y <= y2) {
      found.push_back({absl::CivilDay(y, 1, 1), absl::CivilDay(y2, 12, 31)});
      continue;
    }
    if (slash.size() == 3 && absl::SimpleAtoi(slash[0], &d) &&
        absl::SimpleAtoi(slash[1], &m) && absl::SimpleAtoi(slash[2], &y)) {
      if (slash[2].size() == 2) y = *Year(slash[2], ref_year);
      if (auto day = ValidDay(y, m, d)) {
        found.push_back({*day, *day});
        continue;
      }
    }
    // Financial year 2024/25 (April to March), maybe after "Q3".
    if (slash.size() == 2 && slash[0].size() == 4 &&
        absl::SimpleAtoi(slash[0], &y) && y >= 1900 && y <= 2200) {
      int quarter = 0;
      if (i > 0 && words[i - 1].size() == 2 && words[i - 1][0] == 'q') {
        if (!absl::SimpleAtoi(words[i - 1].substr(1), &quarter)) quarter = 0;
      }
      if (quarter >= 1 && quarter <= 4) {
        absl::CivilMonth start = absl::CivilMonth(y, 4) + 3 * (quarter - 1);
        found.push_back({absl::CivilDay(start), absl::CivilDay(start + 3) - 1});
      } else if (i > 0 && words[i - 1] == "winter") {
        found.push_back({absl::CivilDay(y, 12, 1), LastDayOfMonth(y + 1, 2)});
      } else {
        found.push_back(
            {absl::CivilDay(y, 4, 1), absl::CivilDay(y + 1, 3, 31)});
      }
      continue;
    }
    // Day, month, year: "6 April 2006", "17th May 2007".
    int day_number = 0;
    std::string digits = w;
    for (const char* suffix : {"st", "nd", "rd", "th"}) {
      if (absl::EndsWith(digits, suffix)) {
        digits = digits.substr(0, digits.size() - 2);
        break;
      }
    }
    if (absl::SimpleAtoi(digits, &day_number) && day_number >= 1 &&
        day_number <= 31 && w.size() <= 4 && i + 1 < words.size() &&
        MonthNumber(words[i + 1]) > 0) {
      int month = MonthNumber(words[i + 1]);
      std::optional<int> year = next_year(i + 2);
      if (year.has_value()) {
        absl::CivilDay day(*year, month, day_number);
        found.push_back({day, day});
        i += 2;
        continue;
      }
    }
    // Quarter of a calendar year: "Q1 2025".
    if (w.size() == 2 && w[0] == 'q' && absl::ascii_isdigit(w[1])) {
      std::optional<int> year = next_year(i + 1);
      int q = w[1] - '0';
      if (year.has_value() && words[i + 1].find('/') == std::string::npos &&
          q >= 1 && q <= 4) {
        absl::CivilMonth start(*year, 3 * (q - 1) + 1);
        found.push_back({absl::CivilDay(start), absl::CivilDay(start + 3) - 1});
        ++i;
      }
      continue;
    }
    // Seasons.
    static const std::pair<const char*, int> kSeasons[] = {{"spring", 3},
                                                           {"summer", 6},
                                                           {"autumn", 9},
                                                           {"fall", 9},
                                                           {"winter", 12}};
    bool season = false;
    for (const auto& [name, start_month] : kSeasons) {
      if (w == name) {
        std::optional<int> year = next_year(i + 1);
        if (year.has_value()) {
          absl::CivilMonth start(*year, start_month);
          found.push_back(
              {absl::CivilDay(start), absl::CivilDay(start + 3) - 1});
          ++i;
        }
        season = true;
      }
    }
    if (season) continue;
    // Early / mid / late YEAR: thirds of the year.
    if ((w == "early" || w == "mid" || w == "late") && next_year(i + 1)) {
      int year = *next_year(i + 1);
      int start = w == "early" ? 1 : w == "mid" ? 5 : 9;
      found.push_back(
          {absl::CivilDay(year, start, 1), LastDayOfMonth(year, start + 3)});
      ++i;
      continue;
    }
    // Month [year]: "May 10", "Sept 10?", "June-Aug 2010".
    int month = MonthNumber(w);
    if (month > 0) {
      std::optional<int> year = next_year(i + 1);
      if (year.has_value()) {
        for (int pm : pending_months) {
          found.push_back(
              {absl::CivilDay(*year, pm, 1), LastDayOfMonth(*year, pm)});
        }
        pending_months.clear();
        found.push_back(
            {absl::CivilDay(*year, month, 1), LastDayOfMonth(*year, month)});
        ++i;
      } else {
        pending_months.push_back(month);
      }
      continue;
    }
    // A year alone: "2011".
    if (w.size() == 4) {
      std::optional<int> year = Year(w, ref_year);
      if (year.has_value()) {
        for (int pm : pending_months) {
          found.push_back(
              {absl::CivilDay(*year, pm, 1), LastDayOfMonth(*year, pm)});
        }
        if (pending_months.empty()) {
          found.push_back(
              {absl::CivilDay(*year, 1, 1), absl::CivilDay(*year, 12, 31)});
        }
        pending_months.clear();
      }
    }
  }
  if (found.empty()) {
    result.unparsed = !result.ongoing;
    return result;
  }
  absl::CivilDay first = found.front().first;
  absl::CivilDay last = found.front().last;
  for (const Window& w : found) {
    first = std::min(first, w.first);
    last = std::max(last, w.last);
  }
  result.latest = Day(last);
  if (!by) result.earliest = Day(first);
  return result;
}

}  // namespace rectrack::domain
