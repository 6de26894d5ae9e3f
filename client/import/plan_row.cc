// The plan interpreter's reading of one row: its recommendation, its
// actions with their leads and timescales, labels inside cells and dated
// updates.
#include <algorithm>
#include <map>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "client/import/plan_interpreter.h"

namespace rectrack::cli {

int PlanInterpreter::Column(Role role) const {
  int found = -1;
  for (size_t i = 0; i < roles_.size(); ++i) {
    if (roles_[i].role != role) continue;
    if (!roles_[i].unsure) return static_cast<int>(i);
    if (found < 0) found = static_cast<int>(i);
  }
  return found;
}

namespace {

// "Revised due date", "New target": a target that replaces the first.
bool NamesARevisedTarget(const std::string& header) {
  const std::string h = absl::AsciiStrToLower(header);
  for (const char* word : {"revised", "new ", "current", "latest", "amended",
                           "updated", "extended"}) {
    if (absl::StrContains(h, word)) return true;
  }
  return false;
}

}  // namespace

const TableCell* PlanInterpreter::CellOf(const std::vector<TableCell>& cells,
                                         Role role) const {
  int c = Column(role);
  if (c < 0 || static_cast<size_t>(c) >= cells.size()) return nullptr;
  return &cells[c];
}

std::vector<std::string> PlanInterpreter::Paragraphs(
    const std::vector<TableCell>& cells, Role role) const {
  const TableCell* c = CellOf(cells, role);
  return c == nullptr ? std::vector<std::string>() : c->paragraphs;
}

std::string PlanInterpreter::Text(const std::vector<TableCell>& cells,
                                  Role role) const {
  return absl::StrJoin(Paragraphs(cells, role), "\n");
}

void PlanInterpreter::Emit(const std::string& where, int line,
                           v1::Command command) {
  out_->commands.push_back({line, std::move(command)});
  out_->where.push_back(where);
}

void PlanInterpreter::OpenReview(const TitleBlock& block, int line) {
  opened_ = true;
  meeting_date_ = block.meeting_date;
  if (!block.decision_said.empty()) {
    default_decision_ = block.decision;
    out_->unsure.push_back(absl::StrCat(
        "recommendations without a decision of their own are read as ",
        block.decision == v1::DECISION_ACCEPTED ? "accepted" : "rejected",
        ", as the text above the plan says: \"", block.decision_said, "\""));
  }
  if (!options_.review_id.empty()) {
    review_ref_ = options_.review_id;
    return;
  }
  v1::Command c;
  auto* o = c.mutable_open_review();
  o->set_title(!options_.title.empty() ? options_.title
               : block.title.empty()   ? "Imported action plan"
                                       : block.title);
  o->set_committee(!options_.committee.empty() ? options_.committee
                   : block.committee.empty()   ? "Not stated in the document"
                                               : block.committee);
  o->set_published_on(block.published);
  review_ref_ = absl::StrCat("$", out_->commands.size());
  Emit("title block", line, std::move(c));
}

void PlanInterpreter::RecommendationCells(const std::vector<TableCell>& cells,
                                          const TableRow& row) {
  std::vector<std::string> paragraphs =
      Paragraphs(cells, Role::kRecommendation);
  std::vector<std::string> label_leads;
  std::vector<std::string> kept;
  for (const std::string& p : paragraphs) {
    std::optional<Labelled> l = TakeLabel(p);
    if (l.has_value() && !l->leads.empty()) {
      label_leads = l->leads;
      if (!l->rest.empty()) kept.push_back(l->rest);
    } else {
      kept.push_back(p);
    }
  }
  std::string rec_text = absl::StrJoin(kept, "\n");
  std::string ref_cell = CleanRef(Text(cells, Role::kRef));
  if (Column(Role::kRecommendation) < 0 && !ref_cell.empty()) {
    // A plan of numbered actions: each is its own recommendation, unless
    // the recommendations are listed above the table by the same numbers.
    auto listed = listed_.find(ref_cell);
    rec_text =
        listed != listed_.end() ? listed->second : Text(cells, Role::kAction);
  }
  if (rec_text.empty() && ref_cell.empty()) return;
  int filled = 0;
  for (const TableCell& c : cells) filled += c.paragraphs.empty() ? 0 : 1;
  if (ref_cell.empty() && filled == 1 && absl::EndsWith(rec_text, ":") &&
      !LeadingRef(rec_text).has_value()) {
    // "It was resolved that ...:" leads in to the lettered items below.
    FlushRecommendation();
    return;
  }
  auto numbered = LeadingRef(rec_text);
  if (!ref_cell.empty()) {
    numbered = std::make_pair(ref_cell, numbered && !LooksLikeRef(ref_cell)
                                            ? numbered->second
                                            : rec_text);
  }
  // In pasted text a row broken by the page goes on in the next line; in a
  // .docx or web page a row is a row, and only a new table or a repeated
  // header (a page break) can cut one.
  bool continues =
      !numbered.has_value() && pending_.has_value() &&
      (after_page_break_ || (text_format_ && !EndsSentence(pending_->text)));
  if (continues) {
    pending_->text = absl::StrCat(pending_->text, " ", rec_text);
    return;
  }
  FlushRecommendation();
  pending_ =
      NewRec(row.where, row.line,
             numbered ? numbered->first : absl::StrCat(recommendations_ + 1),
             numbered ? numbered->second : rec_text);
  pending_->leads = label_leads;
  if (pending_->text.empty()) {
    out_->problems.push_back(absl::StrCat(
        row.where, ": recommendation ", pending_->ref,
        " has a reference but no text; it was read with its reference as "
        "its text"));
    pending_->text = absl::StrCat("Recommendation ", pending_->ref);
  }
}

void PlanInterpreter::Row(const std::vector<TableCell>& cells,
                          const TableRow& row) {
  RecommendationCells(cells, row);
  if (!pending_.has_value()) {
    out_->problems.push_back(absl::StrCat(
        row.where,
        ": this row comes before any recommendation, so it was not "
        "imported"));
    return;
  }
  std::string decision = Text(cells, Role::kAccepted);
  if (!decision.empty() && pending_->decision.empty()) {
    pending_->decision = decision;
  }
  std::string response = Text(cells, Role::kResponse);
  if (!response.empty()) {
    pending_->response = pending_->response.empty()
                             ? response
                             : absl::StrCat(pending_->response, "\n", response);
  }
  std::string portfolio = Text(cells, Role::kPortfolio);
  if (!portfolio.empty() && pending_->portfolio.empty()) {
    pending_->portfolio = portfolio;
  }
  RowActions(cells, row);
}

void PlanInterpreter::FillFromRow(const std::vector<TableCell>& cells,
                                  PendingAction* a) const {
  a->progress_date = DateIn(Text(cells, Role::kProgressDate));
  a->completed_on = DateIn(Text(cells, Role::kCompletedOn));
  // Of an original and a revised target, the revised one is a revision.
  const int first = Column(Role::kTiming);
  for (size_t i = 0; i < roles_.size() && i < cells.size(); ++i) {
    if (static_cast<int>(i) != first && roles_[i].role == Role::kTiming &&
        NamesARevisedTarget(roles_[i].header) && cells[i].Text() != a->timing) {
      a->revised_timing = cells[i].Text();
    }
  }
  std::optional<v1::ActionStatus> done = StatusWord(a->timing);
  if (a->status.empty() && done.has_value() &&
      (*done == v1::ACTION_STATUS_COMPLETED ||
       *done == v1::ACTION_STATUS_CANCELLED)) {
    a->status = std::move(a->timing);
    a->timing.clear();
  }
  if (a->status.empty() && !a->completed_on.empty()) a->status = "Completed";
}

void PlanInterpreter::RowActions(const std::vector<TableCell>& cells,
                                 const TableRow& row) {
  std::vector<std::string> actions = Paragraphs(cells, Role::kAction);
  std::vector<std::string> leads = Paragraphs(cells, Role::kLead);
  std::vector<std::string> timings = Paragraphs(cells, Role::kTiming);
  std::vector<std::string> statuses = Paragraphs(cells, Role::kStatus);
  std::vector<std::string> taken = Paragraphs(cells, Role::kTaken);
  const std::string action_role_why =
      Column(Role::kAction) >= 0 ? roles_[Column(Role::kAction)].why : "";
  if (absl::StrContains(action_role_why, "no action column") &&
      !actions.empty()) {
    pending_->response_is_action = true;
    if (pending_->response.empty()) {
      pending_->response = absl::StrJoin(actions, "\n");
    }
    actions[0] = WithoutDecisionClause(actions[0]);
  }
  const bool bulleted =  // a list of actions, however many leads it has
      std::all_of(actions.begin(), actions.end(), IsBullet);
  CleanFields({&actions, &leads, &timings, &statuses, &taken});
  for (std::string& a : actions) a = WithoutStepNumber(a);
  TakeUpdates(&actions);
  TakeUpdates(&taken);
  if (statuses.empty() && taken.size() == 1 &&
      StatusWord(taken[0]).has_value()) {
    // "Completed" under "Progress" or "Outcome" is the action's status.
    statuses = std::move(taken);
    taken.clear();
  }
  std::vector<std::string> label_leads;
  std::string label_timing;
  TakeLabels(&actions, &label_leads, &label_timing);
  bool split =
      actions.size() >= 2 && (leads.size() == actions.size() ||
                              timings.size() == actions.size() || bulleted);
  if (!split && actions.size() > 1) {
    actions = {absl::StrJoin(actions, "\n")};
  }
  auto nth = [split](const std::vector<std::string>& v, size_t i) {
    if (v.empty()) return std::string();
    if (!split) return absl::StrJoin(v, "\n");
    return i < v.size() ? v[i] : (v.size() == 1 ? v[0] : std::string());
  };
  if (actions.empty() && !taken.empty() && !pending_->actions.empty()) {
    // Progress on its own row: news of the action above.
    for (std::string& t : taken) {
      pending_->actions.back().progress.push_back(std::move(t));
    }
    return;
  }
  if (actions.empty() && (!leads.empty() || !timings.empty())) {
    // A lead or a timescale with no action text: the response (or the
    // decision) as written is what they lead.
    std::string said = Text(cells, Role::kResponse);
    if (said.empty()) said = Text(cells, Role::kAccepted);
    if (!said.empty()) actions.push_back(said);
  }
  for (size_t i = 0; i < actions.size(); ++i) {
    PendingAction a{row.where,
                    row.line,
                    actions[i],
                    SplitLeads(nth(leads, i)),
                    nth(timings, i),
                    nth(statuses, i),
                    {},
                    {},
                    "",
                    "",
                    ""};
    if (a.leads.empty()) a.leads = label_leads;
    if (a.timing.empty()) a.timing = label_timing;
    if (i == 0 && !taken.empty()) a.progress = taken;
    FillFromRow(cells, &a);
    AddAction(std::move(a), CellOf(cells, Role::kLead),
              CellOf(cells, Role::kTiming));
  }
}

void PlanInterpreter::CleanFields(
    std::initializer_list<std::vector<std::string>*> cells) {
  for (std::vector<std::string>* cell : cells) {
    for (std::string& p : *cell) p = WithoutBullet(p);
  }
}

void PlanInterpreter::TakeUpdates(std::vector<std::string>* paragraphs) {
  std::vector<std::string> kept;
  for (std::string& p : *paragraphs) {
    auto update = ActionUpdate(p);
    if (!update.has_value()) {
      kept.push_back(std::move(p));
    } else if (!pending_->actions.empty()) {
      pending_->actions.back().dated.push_back(*update);
    } else {
      pending_->early_updates.push_back(*update);
    }
  }
  *paragraphs = std::move(kept);
}

void PlanInterpreter::TakeLabels(std::vector<std::string>* actions,
                                 std::vector<std::string>* leads,
                                 std::string* timing) {
  std::vector<std::string> kept;
  for (const std::string& p : *actions) {
    std::optional<Labelled> l = TakeLabel(p);
    if (!l.has_value()) {
      kept.push_back(p);
      continue;
    }
    if (!l->leads.empty()) *leads = l->leads;
    if (!l->timing.empty()) *timing = l->timing;
    if (!l->rest.empty()) kept.push_back(l->rest);
  }
  *actions = std::move(kept);
}

void PlanInterpreter::AddAction(PendingAction a, const TableCell* lead_cell,
                                const TableCell* timing_cell) {
  // A merged cell (Word's vMerge, HTML's rowspan) repeats the one above.
  if (!pending_->actions.empty()) {
    const PendingAction& prev = pending_->actions.back();
    if (a.leads.empty() && lead_cell != nullptr && lead_cell->merged_above) {
      a.leads = prev.leads;
    }
    if (a.timing.empty() && timing_cell != nullptr &&
        timing_cell->merged_above) {
      a.timing = prev.timing;
    }
  }
  // An action with nobody and no date after another reads as news of it.
  if (a.leads.empty() && a.timing.empty() && a.status.empty() &&
      !pending_->actions.empty() && Column(Role::kLead) >= 0) {
    pending_->actions.back().progress.push_back(a.text);
    return;
  }
  pending_->actions.push_back(std::move(a));
}

std::vector<std::string> PlanInterpreter::InheritedLeads(
    const PendingRec& rec) const {
  if (!rec.leads.empty()) return rec.leads;
  if (Column(Role::kLead) < 0 && !rec.portfolio.empty()) {
    return SplitLeads(rec.portfolio);
  }
  for (std::string parent = ParentRef(rec.ref); !parent.empty();
       parent = ParentRef(parent)) {
    auto it = leads_by_ref_.find(parent);
    if (it != leads_by_ref_.end()) return it->second;
  }
  return {};
}

}  // namespace rectrack::cli
