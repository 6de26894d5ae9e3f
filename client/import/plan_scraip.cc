// The SCRAIP layout as pasted text: one table cell per line, cells
// separated by lines holding only a non-breaking space, a "Recommendation X"
// heading per recommendation, then its text, the cabinet member and the
// response. (A .docx or HTML SCRAIP is read as a table by the interpreter.)
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/import/plan_internal.h"

namespace rectrack::cli {
namespace {

// A SCRAIP cell: a trimmed non-empty line, with how many empty cells (lines
// of a lone non-breaking space) came before it.
struct ScraipCell {
  int line;
  std::string text;
  int gap;
};

// The cells of a SCRAIP document, in order.
std::vector<ScraipCell> ScraipCells(const std::vector<std::string>& lines) {
  std::vector<ScraipCell> cells;
  int gap = 0;
  for (size_t n = 0; n < lines.size(); ++n) {
    std::string t = absl::StrReplaceAll(lines[n], {{"\xC2\xA0", " "}});
    t = std::string(absl::StripAsciiWhitespace(t));
    if (lines[n].empty()) continue;
    if (t.empty()) {
      ++gap;
      continue;
    }
    cells.push_back({static_cast<int>(n) + 1, t, gap});
    gap = 0;
  }
  return cells;
}

// "Recommendation A ..." → "A": the heading that starts a recommendation.
std::optional<std::string> ScraipHeading(const std::string& line) {
  absl::string_view l = line;
  if (!absl::ConsumePrefix(&l, "Recommendation ")) return std::nullopt;
  std::string ref(l.substr(0, l.find(' ')));
  if (ref.empty() || ref.size() > 6 || !absl::ascii_isalnum(ref[0])) {
    return std::nullopt;
  }
  return ref;
}

// What the SCRAIP cells before the first recommendation say of the review.
struct ScraipReview {
  std::string title;
  std::string committee;
  std::string published;
  std::vector<std::pair<std::string, std::string>> report_backs;  // date, note
};

// The review that cells[0, first) describe, `first` being the first
// recommendation's heading; a title or committee in `options` wins over the
// document's.
ScraipReview ReadScraipReview(const std::vector<ScraipCell>& cells,
                              size_t first, const PlanOptions& options) {
  ScraipReview review{options.title, options.committee, "", {}};
  std::string ordinal;
  bool in_report_backs = false;
  for (size_t i = 0; i < first; ++i) {
    absl::string_view t = cells[i].text;
    if (absl::ConsumePrefix(&t, "Report Title:") && review.title.empty()) {
      review.title = std::string(absl::StripAsciiWhitespace(t));
    } else if (absl::ConsumePrefix(&t, "Report of ") &&
               review.committee.empty()) {
      review.committee = std::string(absl::StripAsciiWhitespace(t));
    } else if (absl::ConsumePrefix(&t, "Date of Publication:")) {
      review.published = std::string(absl::StripAsciiWhitespace(t));
    } else if (absl::StartsWith(t, "Dates to report back")) {
      in_report_backs = true;
    } else if (in_report_backs && !t.empty()) {
      if (t.size() <= 4 && absl::ascii_isdigit(t[0])) {
        ordinal = std::string(t);
      } else if (absl::ascii_isdigit(t.back())) {
        // "27 November 2007"; "October 2008" means its first day.
        std::string date =
            absl::ascii_isdigit(t[0]) ? std::string(t) : absl::StrCat("1 ", t);
        review.report_backs.emplace_back(
            date, ordinal.empty() ? std::string(t)
                                  : absl::StrCat(ordinal, " update"));
      }
    }
  }
  return review;
}

// A cell naming the cabinet member who answers for a recommendation.
bool IsCabinetMember(const std::string& t) {
  if (t.size() > 50) return false;
  for (const char* start : {"The Leader", "Leader", "Cllr", "Councillor",
                            "Cabinet Member", "Portfolio Holder"}) {
    if (absl::StartsWith(t, start)) return true;
  }
  return false;
}

// One SCRAIP recommendation: its text, then the cabinet member and the
// response.
struct ScraipRecommendation {
  int line;
  std::string ref;
  std::vector<std::string> text;
  std::string member;
  std::vector<std::string> response;
};

// The recommendation whose heading is cells[*i]; *i moves past its cells,
// to the next heading or the end.
ScraipRecommendation ReadScraipRecommendation(
    const std::vector<ScraipCell>& cells, size_t* i) {
  ScraipRecommendation rec{
      cells[*i].line, *ScraipHeading(cells[*i].text), {}, "", {}};
  ++*i;
  bool in_response = false;
  for (; *i < cells.size() && !ScraipHeading(cells[*i].text); ++*i) {
    const ScraipCell& c = cells[*i];
    if (absl::StartsWith(c.text, "Notes on the completion")) {
      *i = cells.size();
      break;
    }
    if (rec.member.empty() && IsCabinetMember(c.text)) {
      rec.member = c.text;
      in_response = true;
      continue;
    }
    if (!in_response && !rec.text.empty() && c.gap >= 2) in_response = true;
    (in_response ? rec.response : rec.text).push_back(c.text);
  }
  return rec;
}

class ScraipReader {
 public:
  explicit ScraipReader(const PlanOptions& options) : options_(options) {}

  // The SCRAIP layout: one table cell per line, cells separated by lines
  // holding only a non-breaking space, a "Recommendation X" heading per
  // recommendation, then its text, the cabinet member and the response.
  absl::StatusOr<std::vector<FileCommand>> Read(
      const std::vector<std::string>& lines) {
    std::vector<ScraipCell> cells = ScraipCells(lines);
    size_t first = 0;
    while (first < cells.size() && !ScraipHeading(cells[first].text)) ++first;
    if (first == cells.size()) {
      return absl::InvalidArgumentError(
          "no action-plan table was found: no row has headings such as "
          "Recommendation, Action, Lead, Timescale or Status separated by "
          "tabs, and no \"Recommendation A\" headings. Nothing was "
          "imported.");
    }
    // What comes before the first recommendation describes the review.
    OpenScraipReview(ReadScraipReview(cells, first, options_),
                     cells[first].line);
    for (size_t i = first; i < cells.size();) {
      EmitScraipRecommendation(ReadScraipRecommendation(cells, &i));
    }
    return std::move(out_);
  }

  // The review and its report-back dates, unless the options name a review
  // to add to.
  void OpenScraipReview(const ScraipReview& review, int line) {
    if (!options_.review_id.empty()) {
      review_ref_ = options_.review_id;
      return;
    }
    v1::Command c;
    auto* o = c.mutable_open_review();
    o->set_title(review.title.empty() ? "Imported action plan" : review.title);
    o->set_committee(review.committee.empty() ? "Not stated in the document"
                                              : review.committee);
    o->set_published_on(review.published);
    review_ref_ = absl::StrCat("$", out_.size());
    Emit(line, std::move(c));
    for (const auto& [date, note] : review.report_backs) {
      v1::Command rb;
      rb.mutable_schedule_report_back()->set_review_id(review_ref_);
      rb.mutable_schedule_report_back()->set_date(date);
      rb.mutable_schedule_report_back()->set_note(note);
      Emit(line, std::move(rb));
    }
  }

  // The recommendation and, when the document gives one, the response.
  void EmitScraipRecommendation(const ScraipRecommendation& rec) {
    ++recommendations_;
    v1::Command add;
    add.mutable_add_recommendation()->set_review_id(review_ref_);
    add.mutable_add_recommendation()->set_ref(rec.ref);
    add.mutable_add_recommendation()->set_text(absl::StrJoin(rec.text, "\n"));
    add.mutable_add_recommendation()->set_portfolio(rec.member);
    std::string rec_ref = absl::StrCat("$", out_.size());
    Emit(rec.line, std::move(add));
    if (rec.response.empty()) return;
    std::string said = absl::StrJoin(rec.response, "\n");
    std::string lower = absl::AsciiStrToLower(said);
    bool accepted = absl::StrContains(lower, "(accepted)");
    bool rejected = absl::StrContains(lower, "(rejected)");
    v1::Command respond;
    auto* r = respond.mutable_record_response();
    r->set_recommendation_id(rec_ref);
    // Without a marker the executive neither accepted nor rejected it.
    r->set_decision(accepted && rejected ? v1::DECISION_PARTIALLY_ACCEPTED
                    : accepted           ? v1::DECISION_ACCEPTED
                    : rejected           ? v1::DECISION_REJECTED
                                         : v1::DECISION_NOTED);
    r->set_text(said);
    if (rejected && !accepted) r->set_reason(said);
    r->set_responded_by(rec.member);
    Emit(rec.line, std::move(respond));
  }

  void Emit(int line, v1::Command command) {
    out_.push_back({line, std::move(command)});
  }

  const PlanOptions& options_;
  std::string review_ref_;
  int recommendations_ = 0;
  std::vector<FileCommand> out_;
};

}  // namespace

absl::StatusOr<std::vector<FileCommand>> ReadScraipText(
    absl::string_view content, const PlanOptions& options) {
  if (absl::StartsWith(content, "\xEF\xBB\xBF")) content.remove_prefix(3);
  std::vector<std::string> lines =
      absl::StrSplit(absl::StrReplaceAll(content, {{"\r\n", "\n"}}), '\n');
  ScraipReader reader(options);
  return reader.Read(lines);
}

}  // namespace rectrack::cli
