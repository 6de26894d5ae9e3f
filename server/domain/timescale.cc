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
    // Letters, digits and "/", and "-" after a digit (2010-11, 2007-05-17).
    if (absl::ascii_isalnum(c) || c == '/' ||
        (c == '-' && !cur.empty() && absl::ascii_isdigit(cur.back()))) {
      cur += c;
    } else {
      flush();
      if (c == '?') out.push_back("?");
    }
  }
  flush();
  return out;
}

// Reads the dates in the words of a timescale, left to right: each kind of
// date a council writes is one step, tried in turn on each word.
class TimescaleReader {
 public:
  TimescaleReader(const std::vector<std::string>& words, int ref_year)
      : words_(words), ref_year_(ref_year) {}

  std::vector<Window> Read() {
    for (i_ = 0; i_ < words_.size(); ++i_) {
      const std::string& w = words_[i_];
      if (NumericDate(w) || DayMonthYear(w) || Quarter(w) || Season(w) ||
          Third(w) || MonthWord(w)) {
        continue;
      }
      YearAlone(w);
    }
    return found_;
  }

  // A date that does not exist was written ("31/02/2010", "31 June 2010"):
  // the text is not read at all rather than read as something else.
  bool impossible() const { return impossible_; }

 private:
  std::optional<int> YearAt(size_t j) const {
    return j < words_.size() ? Year(words_[j], ref_year_) : std::nullopt;
  }
  void Add(absl::CivilDay first, absl::CivilDay last) {
    found_.push_back({first, last});
  }
  void AddMonth(int year, int month) {
    Add(absl::CivilDay(year, month, 1), LastDayOfMonth(year, month));
  }

  // 2007-05-17, 2010-2011, 17/05/2007, or a financial year 2024/25 (April
  // to March, maybe after "Q3" or "winter").
  bool NumericDate(const std::string& w) {
    int y = 0, m = 0, d = 0, y2 = 0;
    std::vector<std::string> dash = absl::StrSplit(w, '-');
    std::vector<std::string> slash = absl::StrSplit(w, '/');
    if (dash.size() == 3 && absl::SimpleAtoi(dash[0], &y) &&
        absl::SimpleAtoi(dash[1], &m) && absl::SimpleAtoi(dash[2], &d) &&
        dash[0].size() == 4) {
      if (auto day = ValidDay(y, m, d)) {
        Add(*day, *day);
        return true;
      }
      impossible_ = true;
      return true;
    }
    if (dash.size() == 2 && dash[0].size() == 4 && dash[1].size() == 4 &&
        absl::SimpleAtoi(dash[0], &y) && absl::SimpleAtoi(dash[1], &y2) &&
        ValidDay(y, 1, 1) && ValidDay(y2, 1, 1) && y <= y2) {
      Add(absl::CivilDay(y, 1, 1), absl::CivilDay(y2, 12, 31));
      return true;
    }
    if (slash.size() == 3 && absl::SimpleAtoi(slash[0], &d) &&
        absl::SimpleAtoi(slash[1], &m) && absl::SimpleAtoi(slash[2], &y)) {
      if (slash[2].size() == 2) y = *Year(slash[2], ref_year_);
      if (auto day = ValidDay(y, m, d)) {
        Add(*day, *day);
        return true;
      }
      impossible_ = true;
      return true;
    }
    if (slash.size() == 2 && slash[0].size() == 4 &&
        absl::SimpleAtoi(slash[0], &y) && y >= 1900 && y <= 2200) {
      FinancialYear(y);
      return true;
    }
    return false;
  }
  void FinancialYear(int y) {
    int quarter = 0;
    const std::string* before = i_ > 0 ? &words_[i_ - 1] : nullptr;
    if (before != nullptr && before->size() == 2 && (*before)[0] == 'q' &&
        !absl::SimpleAtoi(before->substr(1), &quarter)) {
      quarter = 0;
    }
    if (quarter >= 1 && quarter <= 4) {
      absl::CivilMonth start =
          absl::CivilMonth(y, 4) + int64_t{3} * (quarter - 1);
      Add(absl::CivilDay(start), absl::CivilDay(start + 3) - 1);
    } else if (before != nullptr && *before == "winter") {
      Add(absl::CivilDay(y, 12, 1), LastDayOfMonth(y + 1, 2));
    } else {
      Add(absl::CivilDay(y, 4, 1), absl::CivilDay(y + 1, 3, 31));
    }
  }

  // "6 April 2006", "17th May 2007".
  bool DayMonthYear(const std::string& w) {
    int day_number = 0;
    std::string digits = w;
    for (const char* suffix : {"st", "nd", "rd", "th"}) {
      if (absl::EndsWith(digits, suffix)) {
        digits = digits.substr(0, digits.size() - 2);
        break;
      }
    }
    if (!absl::SimpleAtoi(digits, &day_number) || day_number < 1 ||
        day_number > 31 || w.size() > 4 || i_ + 1 >= words_.size() ||
        MonthNumber(words_[i_ + 1]) == 0) {
      return false;
    }
    std::optional<int> year = YearAt(i_ + 2);
    if (!year.has_value()) return false;
    std::optional<absl::CivilDay> day =
        ValidDay(*year, MonthNumber(words_[i_ + 1]), day_number);
    if (day.has_value()) {
      Add(*day, *day);
    } else {
      impossible_ = true;  // "31 Feb 2010" is not 3 March
    }
    i_ += 2;
    return true;
  }

  // A quarter of a calendar year: "Q1 2025".
  bool Quarter(const std::string& w) {
    if (w.size() != 2 || w[0] != 'q' || !absl::ascii_isdigit(w[1])) {
      return false;
    }
    std::optional<int> year = YearAt(i_ + 1);
    int q = w[1] - '0';
    if (year.has_value() && words_[i_ + 1].find('/') == std::string::npos &&
        q >= 1 && q <= 4) {
      absl::CivilMonth start(*year, 3 * (q - 1) + 1);
      Add(absl::CivilDay(start), absl::CivilDay(start + 3) - 1);
      ++i_;
    }
    return true;
  }

  // "Autumn 2006".
  bool Season(const std::string& w) {
    static const std::pair<const char*, int> kSeasons[] = {{"spring", 3},
                                                           {"summer", 6},
                                                           {"autumn", 9},
                                                           {"fall", 9},
                                                           {"winter", 12}};
    for (const auto& [name, start_month] : kSeasons) {
      if (w != name) continue;
      if (std::optional<int> year = YearAt(i_ + 1)) {
        absl::CivilMonth start(*year, start_month);
        Add(absl::CivilDay(start), absl::CivilDay(start + 3) - 1);
        ++i_;
      }
      return true;
    }
    return false;
  }

  // Early / mid / late YEAR: thirds of the year.
  bool Third(const std::string& w) {
    if (w != "early" && w != "mid" && w != "late") return false;
    std::optional<int> year = YearAt(i_ + 1);
    if (!year.has_value()) return false;
    int start = w == "early" ? 1 : w == "mid" ? 5 : 9;
    Add(absl::CivilDay(*year, start, 1), LastDayOfMonth(*year, start + 3));
    ++i_;
    return true;
  }

  // Month [year]: "May 10", "Sept 10?", "June-Aug 2010" (June waits for
  // the year after Aug).
  bool MonthWord(const std::string& w) {
    int month = MonthNumber(w);
    if (month == 0) return false;
    std::optional<int> year = YearAt(i_ + 1);
    if (!year.has_value()) {
      pending_months_.push_back(month);
      return true;
    }
    for (int pm : pending_months_) AddMonth(*year, pm);
    pending_months_.clear();
    AddMonth(*year, month);
    ++i_;
    return true;
  }

  // A year alone: "2011" (or the year of months waiting for one).
  void YearAlone(const std::string& w) {
    if (w.size() != 4) return;
    std::optional<int> year = Year(w, ref_year_);
    if (!year.has_value()) return;
    for (int pm : pending_months_) AddMonth(*year, pm);
    if (pending_months_.empty()) {
      Add(absl::CivilDay(*year, 1, 1), absl::CivilDay(*year, 12, 31));
    }
    pending_months_.clear();
  }

  const std::vector<std::string>& words_;
  const int ref_year_;
  size_t i_ = 0;
  std::vector<Window> found_;
  bool impossible_ = false;
  std::vector<int> pending_months_;
};

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

  const std::vector<std::string> words = Words(lower);
  TimescaleReader reader(words, ref_year);
  std::vector<Window> found = reader.Read();
  if (reader.impossible()) {
    result.unparsed = true;
    return result;
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
