#include "client/plan.h"

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

std::string Clean(absl::string_view cell) {
  return std::string(absl::StripAsciiWhitespace(HtmlToText(cell)));
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
        std::string t = Clean(lines[n]);
        if (!t.empty()) title_lines.push_back(t);
        continue;
      }
      if (absl::StripAsciiWhitespace(lines[n]).empty()) continue;
      Row(cells, line);
      after_page_break_ = false;
    }
    if (roles_.empty()) {
      return absl::InvalidArgumentError(
          "no action-plan table was found: no row has headings such as "
          "Recommendation, Action, Lead, Timescale or Status separated by "
          "tabs. Nothing was imported.");
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
      Role r = RoleOf(Clean(c));
      if (r != Role::kNone) ++known;
      if (r == Role::kAction || r == Role::kLead || r == Role::kTiming) {
        actionish = true;
      }
      // Headings are short; a long cell is content that mentions the words.
      if (Clean(c).size() > 40) return false;
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
    std::string rec_cell = Clean(Cell(cells, Role::kRecommendation));
    if (!rec_cell.empty()) {
      auto numbered = LeadingNumber(rec_cell);
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
            absl::AsciiStrToLower(Clean(Cell(cells, Role::kAccepted)));
        if (!accepted.empty()) pending_rec_->accepted = accepted;
        std::string response = Clean(Cell(cells, Role::kResponse));
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
    for (size_t i = 0; i < actions.size(); ++i) {
      PendingAction a{line,
                      actions[i],
                      SplitLeads(nth(leads, i)),
                      nth(timings, i),
                      nth(statuses, i),
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
  };
  struct PendingRec {
    int line;
    std::string ref;
    std::string text;
    std::vector<PendingAction> actions;
    std::string accepted;
    std::string response;
  };

  void FlushRecommendation() {
    if (!pending_rec_.has_value()) return;
    PendingRec rec = std::move(*pending_rec_);
    pending_rec_.reset();
    ++recommendations_;
    // "(accepted)" / "(rejected)" at the end of the text is the response.
    std::optional<v1::Decision> decision;
    std::string text = rec.text;
    for (auto [marker, d] :
         {std::make_pair("(accepted)", v1::DECISION_ACCEPTED),
          std::make_pair("(rejected)", v1::DECISION_REJECTED)}) {
      if (absl::StrContains(absl::AsciiStrToLower(text), marker)) {
        decision = d;
        text = absl::StrReplaceAll(text, {{marker, ""}});
      }
    }
    if (absl::StartsWith(rec.accepted, "y")) decision = v1::DECISION_ACCEPTED;
    if (absl::StartsWith(rec.accepted, "n")) decision = v1::DECISION_REJECTED;

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
      v1::Command respond;
      auto* r = respond.mutable_record_response();
      r->set_recommendation_id(rec_ref);
      r->set_decision(*decision);
      r->set_text(
          rec.response.empty()
              ? (*decision == v1::DECISION_ACCEPTED ? "Accepted" : "Rejected")
              : rec.response);
      if (*decision == v1::DECISION_REJECTED) {
        r->set_reason(rec.response.empty()
                          ? "No reason is given in the imported document"
                          : rec.response);
      }
      Emit(rec.line, std::move(respond));
    }
    for (PendingAction& a : rec.actions) {
      v1::Command c;
      auto* add_action = c.mutable_add_action();
      add_action->set_recommendation_id(rec_ref);
      add_action->set_text(a.text);
      if (a.leads.empty()) a.leads.push_back("Not stated");
      for (const std::string& l : a.leads) add_action->add_leads(l);
      add_action->set_timescale(a.timing);
      std::string action_ref = absl::StrCat("$", out_.size());
      Emit(a.line, std::move(c));
      std::optional<v1::ActionStatus> status = StatusWord(a.status);
      if (status.has_value() && *status != v1::ACTION_STATUS_NOT_STARTED) {
        v1::Command s;
        s.mutable_set_action_status()->set_id(action_ref);
        s.mutable_set_action_status()->set_status(*status);
        Emit(a.line, std::move(s));
      } else if (!status.has_value() && !a.status.empty()) {
        a.progress.insert(a.progress.begin(), a.status);
      }
      for (const std::string& p : a.progress) {
        v1::Command u;
        u.mutable_report_progress()->set_id(action_ref);
        u.mutable_report_progress()->set_text(p);
        Emit(a.line, std::move(u));
      }
    }
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

std::string HtmlToText(absl::string_view html) {
  std::string out;
  size_t i = 0;
  while (i < html.size()) {
    char c = html[i];
    if (c == '<') {
      size_t end = html.find('>', i);
      if (end == absl::string_view::npos) {
        out.append(html.data() + i, html.size() - i);
        break;
      }
      std::string tag = absl::AsciiStrToLower(html.substr(i + 1, end - i - 1));
      absl::string_view name = tag;
      absl::ConsumePrefix(&name, "/");
      name = name.substr(0, name.find_first_of(" /"));
      if (name == "br" || (name == "p" && tag[0] == '/')) {
        out += '\n';
      } else if (name == "li" && tag[0] != '/') {
        out += "\n- ";
      }
      i = end + 1;
    } else if (c == '&') {
      size_t end = html.find(';', i);
      std::string entity = end == absl::string_view::npos || end - i > 8
                               ? ""
                               : std::string(html.substr(i + 1, end - i - 1));
      static const std::map<std::string, std::string> kEntities = {
          {"amp", "&"},
          {"lt", "<"},
          {"gt", ">"},
          {"quot", "\""},
          {"apos", "'"},
          {"nbsp", " "},
          {"pound", "\xC2\xA3"},
          {"ndash", "\xE2\x80\x93"},
          {"rsquo", "\xE2\x80\x99"}};
      uint32_t code = 0;
      if (auto it = kEntities.find(entity); it != kEntities.end()) {
        out += it->second;
        i = end + 1;
      } else if (absl::StartsWith(entity, "#") &&
                 absl::SimpleAtoi(entity.substr(1), &code) && code < 0x80) {
        out += static_cast<char>(code);
        i = end + 1;
      } else {
        out += c;
        ++i;
      }
    } else {
      out += c;
      ++i;
    }
  }
  // Tidy the line breaks the tags left.
  std::vector<std::string> lines;
  for (absl::string_view l : absl::StrSplit(out, '\n')) {
    l = absl::StripAsciiWhitespace(l);
    if (!l.empty()) lines.emplace_back(l);
  }
  return absl::StrJoin(lines, "\n");
}

std::vector<std::string> CellParagraphs(absl::string_view cell) {
  std::vector<std::string> out;
  if (absl::StrContains(absl::AsciiStrToLower(cell), "<p")) {
    for (absl::string_view part : absl::StrSplit(cell, "</p>")) {
      std::string text = Clean(part);
      if (!text.empty()) out.push_back(text);
    }
    return out;
  }
  std::string text = Clean(cell);
  if (!text.empty()) out.push_back(text);
  return out;
}

std::vector<std::string> SplitLeads(absl::string_view cell) {
  std::string text = Clean(cell);
  for (const char* label : {"Lead Officer:", "Lead Member:", "Lead:"}) {
    size_t at = absl::AsciiStrToLower(text).find(absl::AsciiStrToLower(label));
    if (at != std::string::npos) text = text.substr(at + strlen(label));
  }
  text = absl::StrReplaceAll(text, {{" and ", ";"},
                                    {" & ", ";"},
                                    {"/", ";"},
                                    {",", ";"},
                                    {"\n", ";"},
                                    {" Cllr ", "; Cllr "}});
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

absl::StatusOr<std::vector<FileCommand>> PlanToCommands(
    absl::string_view content, const PlanOptions& options) {
  PlanReader reader(options);
  return reader.Read(content);
}

}  // namespace rectrack::cli
