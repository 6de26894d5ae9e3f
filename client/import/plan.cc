#include "client/import/plan.h"

#include <cstring>
#include <map>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace rectrack::cli {
namespace {

enum class Role {
  kNone,
  kRef,  // the recommendation's number in a column of its own
  kRecommendation,
  kAction,
  kTaken,
  kLead,
  kTiming,
  kStatus,
  kAccepted,
  kResponse
};

// What a header cell's words say the column holds.
Role RoleOf(absl::string_view header) {
  std::string h = absl::AsciiStrToLower(absl::StripAsciiWhitespace(header));
  h = absl::StrReplaceAll(h, {{"?", ""}, {":", ""}, {"(s)", "s"}});
  if (h.empty()) return Role::kNone;
  if (h == "no" || h == "no." || h == "number" || h == "ref" || h == "ref." ||
      h == "reference" || h == "rec no" || h == "rec no." || h == "#") {
    return Role::kRef;
  }
  if (absl::StrContains(h, "action taken") ||
      absl::StrContains(h, "progress") || absl::StrContains(h, "update")) {
    return Role::kTaken;
  }
  if (absl::StrContains(h, "recommendation")) return Role::kRecommendation;
  if (absl::StrContains(h, "action")) return Role::kAction;
  if (absl::StrContains(h, "lead") || absl::StrContains(h, "responsib") ||
      absl::StrContains(h, "owner") || h == "who") {
    return Role::kLead;
  }
  if (absl::StrContains(h, "timing") || absl::StrContains(h, "timescale") ||
      absl::StrContains(h, "deadline") || absl::StrContains(h, "target") ||
      h == "when" || h == "by when" || h == "date") {
    return Role::kTiming;
  }
  if (h == "status" || absl::StrContains(h, "rag")) return Role::kStatus;
  if (absl::StartsWith(h, "accepted") || h == "agreed") return Role::kAccepted;
  if (absl::StrContains(h, "response")) return Role::kResponse;
  return Role::kNone;
}

// "1: That ..." / "1. That" / "01 That" → ("1", "That ..."); nullopt when
// the text does not start with a number.
std::optional<std::pair<std::string, std::string>> LeadingNumber(
    const std::string& text) {
  size_t i = 0;
  while (i < text.size() && absl::ascii_isdigit(text[i])) ++i;
  if (i == 0 || i > 3) return std::nullopt;
  std::string ref = text.substr(0, i);
  size_t j = i;
  if (j < text.size() && (text[j] == ':' || text[j] == '.' || text[j] == ')')) {
    ++j;
  }
  if (j < text.size() && !absl::ascii_isspace(text[j])) return std::nullopt;
  return std::make_pair(ref, std::string(absl::StripAsciiWhitespace(
                                 absl::string_view(text).substr(j))));
}

// "Action update (October 2006): text" → ("1 October 2006", "text").
std::optional<std::pair<std::string, std::string>> ActionUpdate(
    const std::string& paragraph) {
  absl::string_view p = paragraph;
  if (!absl::ConsumePrefix(&p, "Action update (")) return std::nullopt;
  size_t close = p.find(')');
  if (close == absl::string_view::npos) return std::nullopt;
  std::string when(absl::StripAsciiWhitespace(p.substr(0, close)));
  p.remove_prefix(close + 1);
  absl::ConsumePrefix(&p, ":");
  if (!when.empty() && !absl::ascii_isdigit(when[0])) when = "1 " + when;
  return std::make_pair(when, std::string(absl::StripAsciiWhitespace(p)));
}

bool EndsSentence(const std::string& text) {
  return !text.empty() && (text.back() == '.' || text.back() == ';' ||
                           text.back() == '!' || text.back() == '?');
}

// Free text in a status column that means an action status.
std::optional<v1::ActionStatus> StatusWord(const std::string& text) {
  std::string t = absl::AsciiStrToLower(text);
  if (t == "complete" || t == "completed" || t == "done" || t == "achieved") {
    return v1::ACTION_STATUS_COMPLETED;
  }
  if (t == "in progress" || t == "underway" || t == "started") {
    return v1::ACTION_STATUS_IN_PROGRESS;
  }
  if (t == "not started") return v1::ACTION_STATUS_NOT_STARTED;
  if (t == "blocked" || t == "on hold") return v1::ACTION_STATUS_BLOCKED;
  if (t == "cancelled" || t == "withdrawn") return v1::ACTION_STATUS_CANCELLED;
  return std::nullopt;
}

// The response that a recommendation's text or its "accepted" column
// records: "(accepted)" / "(rejected)" in the text, which is taken out of
// it, then a yes or no in the column, which wins.
std::optional<v1::Decision> TakeDecision(const std::string& accepted,
                                         std::string* text) {
  std::optional<v1::Decision> decision;
  for (auto [marker, d] :
       {std::make_pair("(accepted)", v1::DECISION_ACCEPTED),
        std::make_pair("(rejected)", v1::DECISION_REJECTED)}) {
    if (absl::StrContains(absl::AsciiStrToLower(*text), marker)) {
      decision = d;
      *text = absl::StrReplaceAll(*text, {{marker, ""}});
    }
  }
  if (absl::StartsWith(accepted, "y")) decision = v1::DECISION_ACCEPTED;
  if (absl::StartsWith(accepted, "n")) decision = v1::DECISION_REJECTED;
  return decision;
}

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

class PlanReader {
 public:
  explicit PlanReader(const PlanOptions& options) : options_(options) {}

  absl::StatusOr<std::vector<FileCommand>> Read(absl::string_view content) {
    if (absl::StartsWith(content, "\xEF\xBB\xBF")) content.remove_prefix(3);
    std::vector<std::string> lines =
        absl::StrSplit(absl::StrReplaceAll(content, {{"\r\n", "\n"}}), '\n');
    std::vector<std::string> title_lines;
    for (size_t n = 0; n < lines.size(); ++n) {
      const int line = static_cast<int>(n) + 1;
      if (lines[n].size() > kMaxLineBytes) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line, " is ", lines[n].size(),
                         " bytes long; a line may take at most 1 MiB"));
      }
      std::vector<std::string> cells = absl::StrSplit(lines[n], '\t');
      if (IsHeader(cells)) {
        if (roles_.empty()) {
          for (const std::string& c : cells) roles_.push_back(RoleOf(c));
          // A table whose first column has no heading keeps the
          // recommendations there.
          if (std::find(roles_.begin(), roles_.end(), Role::kRecommendation) ==
              roles_.end()) {
            roles_[0] = Role::kRecommendation;
          }
          OpenReview(title_lines, line);
        }
        after_page_break_ = true;
        continue;
      }
      if (roles_.empty()) {
        std::string t = CleanCell(lines[n]);
        if (!t.empty()) title_lines.push_back(t);
        continue;
      }
      if (absl::StripAsciiWhitespace(lines[n]).empty()) continue;
      Row(cells, line);
      after_page_break_ = false;
    }
    if (roles_.empty()) {
      return ReadScraip(lines);
    }
    FlushRecommendation();
    if (recommendations_ == 0) {
      return absl::InvalidArgumentError(
          "the action-plan table has headings but no recommendations under "
          "them. Nothing was imported.");
    }
    return std::move(out_);
  }

 private:
  bool IsHeader(const std::vector<std::string>& cells) {
    if (cells.size() < 2) return false;
    int known = 0;
    bool actionish = false;
    for (const std::string& c : cells) {
      Role r = RoleOf(CleanCell(c));
      if (r != Role::kNone) ++known;
      if (r == Role::kAction || r == Role::kLead || r == Role::kTiming) {
        actionish = true;
      }
      // Headings are short; a long cell is content that mentions the words.
      if (CleanCell(c).size() > 40) return false;
    }
    return known >= 2 && actionish;
  }

  void Emit(int line, v1::Command command) {
    out_.push_back({line, std::move(command)});
  }

  void OpenReview(const std::vector<std::string>& title_lines, int line) {
    if (!options_.review_id.empty()) {
      review_ref_ = options_.review_id;
      return;
    }
    v1::Command c;
    auto* o = c.mutable_open_review();
    o->set_title(!options_.title.empty() ? options_.title
                 : title_lines.empty()   ? "Imported action plan"
                                         : title_lines.front());
    o->set_committee(options_.committee.empty() ? "Not stated in the document"
                                                : options_.committee);
    review_ref_ = absl::StrCat("$", out_.size());
    Emit(line, std::move(c));
  }

  std::string Cell(const std::vector<std::string>& cells, Role role) {
    for (size_t i = 0; i < cells.size() && i < roles_.size(); ++i) {
      if (roles_[i] == role) return cells[i];
    }
    return "";
  }

  void Row(const std::vector<std::string>& cells, int line) {
    std::string rec_cell = CleanCell(Cell(cells, Role::kRecommendation));
    std::string ref_cell = CleanCell(Cell(cells, Role::kRef));
    if (!rec_cell.empty() || !ref_cell.empty()) {
      auto numbered = LeadingNumber(rec_cell);
      if (!ref_cell.empty()) {
        // A number column says where each recommendation starts.
        std::string ref(absl::StripSuffix(
            absl::StripSuffix(absl::StripSuffix(ref_cell, "."), ":"), ")"));
        numbered = std::make_pair(ref, numbered ? numbered->second : rec_cell);
      }
      bool continues = !numbered.has_value() && pending_rec_.has_value() &&
                       (after_page_break_ || !EndsSentence(pending_rec_->text));
      if (continues) {
        pending_rec_->text += " " + rec_cell;
      } else {
        FlushRecommendation();
        pending_rec_ = PendingRec{
            line,
            numbered ? numbered->first : absl::StrCat(recommendations_ + 1),
            numbered ? numbered->second : rec_cell,
            {},
            "",
            ""};
        std::string accepted =
            absl::AsciiStrToLower(CleanCell(Cell(cells, Role::kAccepted)));
        if (!accepted.empty()) pending_rec_->accepted = accepted;
        std::string response = CleanCell(Cell(cells, Role::kResponse));
        if (!response.empty()) pending_rec_->response = response;
      }
    }
    if (!pending_rec_.has_value()) return;  // actions before any recommendation
    std::vector<std::string> actions =
        CellParagraphs(Cell(cells, Role::kAction));
    std::vector<std::string> leads = CellParagraphs(Cell(cells, Role::kLead));
    std::vector<std::string> timings =
        CellParagraphs(Cell(cells, Role::kTiming));
    std::vector<std::string> statuses =
        CellParagraphs(Cell(cells, Role::kStatus));
    std::vector<std::string> taken = CellParagraphs(Cell(cells, Role::kTaken));
    auto nth = [](const std::vector<std::string>& v, size_t i) {
      if (v.empty()) return std::string();
      return i < v.size() ? v[i] : (v.size() == 1 ? v[0] : std::string());
    };
    // "Action update (October 2006): ..." anywhere is a dated progress
    // update on the action it follows.
    auto take_updates = [&](std::vector<std::string>* paragraphs) {
      std::vector<std::string> kept;
      for (std::string& p : *paragraphs) {
        auto update = ActionUpdate(p);
        if (!update.has_value()) {
          kept.push_back(std::move(p));
        } else if (!pending_rec_->actions.empty()) {
          pending_rec_->actions.back().dated.push_back(*update);
        } else {
          pending_rec_->early_updates.push_back(*update);
        }
      }
      *paragraphs = std::move(kept);
    };
    take_updates(&actions);
    take_updates(&taken);
    for (size_t i = 0; i < actions.size(); ++i) {
      PendingAction a{line,
                      actions[i],
                      SplitLeads(nth(leads, i)),
                      nth(timings, i),
                      nth(statuses, i),
                      {},
                      {}};
      if (i == 0 && !taken.empty()) a.progress = taken;
      // An action with nobody and no date after another reads as news of it.
      if (a.leads.empty() && a.timing.empty() &&
          !pending_rec_->actions.empty()) {
        pending_rec_->actions.back().progress.push_back(a.text);
        continue;
      }
      pending_rec_->actions.push_back(std::move(a));
    }
  }

  struct PendingAction {
    int line;
    std::string text;
    std::vector<std::string> leads;
    std::string timing;
    std::string status;
    std::vector<std::string> progress;
    // (date, text) from "Action update (Month YYYY): text".
    std::vector<std::pair<std::string, std::string>> dated;
  };
  struct PendingRec {
    int line;
    std::string ref;
    std::string text;
    std::vector<PendingAction> actions;
    std::string accepted;
    std::string response;
    // Dated updates met before the first action; they go to that action.
    std::vector<std::pair<std::string, std::string>> early_updates = {};
  };

  void FlushRecommendation() {
    if (!pending_rec_.has_value()) return;
    PendingRec rec = std::move(*pending_rec_);
    pending_rec_.reset();
    ++recommendations_;
    std::string text = rec.text;
    std::optional<v1::Decision> decision = TakeDecision(rec.accepted, &text);
    // Dated updates with no action to carry them stay with the text.
    if (rec.actions.empty()) {
      for (const auto& [date, update] : rec.early_updates) {
        absl::StrAppend(&text, "\nAction update (", date, "): ", update);
      }
    }
    v1::Command add;
    add.mutable_add_recommendation()->set_review_id(review_ref_);
    add.mutable_add_recommendation()->set_ref(rec.ref);
    add.mutable_add_recommendation()->set_text(
        std::string(absl::StripAsciiWhitespace(text)));
    std::string rec_ref = absl::StrCat("$", out_.size());
    Emit(rec.line, std::move(add));
    if (decision.has_value() && *decision == v1::DECISION_REJECTED &&
        !rec.actions.empty()) {
      decision.reset();  // actions were agreed, so it was not rejected
    }
    if (decision.has_value()) {
      EmitResponse(rec.line, rec_ref, *decision, rec.response);
    }
    for (PendingAction& a : rec.actions) {
      if (&a == &rec.actions.front()) {
        a.dated.insert(a.dated.begin(), rec.early_updates.begin(),
                       rec.early_updates.end());
      }
      EmitAction(rec_ref, &a);
    }
  }

  // The response to recommendation `rec_ref`, in the words of the document's
  // response column when it has them.
  void EmitResponse(int line, const std::string& rec_ref, v1::Decision decision,
                    const std::string& response) {
    v1::Command respond;
    auto* r = respond.mutable_record_response();
    r->set_recommendation_id(rec_ref);
    r->set_decision(decision);
    r->set_text(
        response.empty()
            ? (decision == v1::DECISION_ACCEPTED ? "Accepted" : "Rejected")
            : response);
    if (decision == v1::DECISION_REJECTED) {
      r->set_reason(response.empty()
                        ? "No reason is given in the imported document"
                        : response);
    }
    Emit(line, std::move(respond));
  }

  // The action under recommendation `rec_ref`, then its status (when the
  // status column names one past not started) and its progress: the
  // status column's other words, the progress notes, the dated updates.
  void EmitAction(const std::string& rec_ref, PendingAction* a) {
    v1::Command c;
    auto* add_action = c.mutable_add_action();
    add_action->set_recommendation_id(rec_ref);
    add_action->set_text(a->text);
    if (a->leads.empty()) a->leads.push_back("Not stated");
    for (const std::string& l : a->leads) add_action->add_leads(l);
    add_action->set_timescale(a->timing);
    std::string action_ref = absl::StrCat("$", out_.size());
    Emit(a->line, std::move(c));
    std::optional<v1::ActionStatus> status = StatusWord(a->status);
    if (status.has_value() && *status != v1::ACTION_STATUS_NOT_STARTED) {
      v1::Command s;
      s.mutable_set_action_status()->set_id(action_ref);
      s.mutable_set_action_status()->set_status(*status);
      Emit(a->line, std::move(s));
    } else if (!status.has_value() && !a->status.empty()) {
      a->progress.insert(a->progress.begin(), a->status);
    }
    for (const std::string& p : a->progress) {
      EmitProgress(a->line, action_ref, p, "");
    }
    for (const auto& [date, update] : a->dated) {
      EmitProgress(a->line, action_ref, update, date);
    }
  }

  // Progress on action `action_ref`; with no `reported_on`, the tracker dates
  // it the day it is recorded.
  void EmitProgress(int line, const std::string& action_ref,
                    const std::string& text, const std::string& reported_on) {
    v1::Command u;
    u.mutable_report_progress()->set_id(action_ref);
    u.mutable_report_progress()->set_text(text);
    u.mutable_report_progress()->set_reported_on(reported_on);
    Emit(line, std::move(u));
  }

  // The SCRAIP layout: one table cell per line, cells separated by lines
  // holding only a non-breaking space, a "Recommendation X" heading per
  // recommendation, then its text, the cabinet member and the response.
  absl::StatusOr<std::vector<FileCommand>> ReadScraip(
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

  const PlanOptions& options_;
  std::vector<Role> roles_;
  std::string review_ref_;
  bool after_page_break_ = false;
  std::optional<PendingRec> pending_rec_;
  int recommendations_ = 0;
  std::vector<FileCommand> out_;
};

}  // namespace

absl::StatusOr<std::vector<FileCommand>> PlanToCommands(
    absl::string_view content, const PlanOptions& options) {
  PlanReader reader(options);
  return reader.Read(content);
}

}  // namespace rectrack::cli
