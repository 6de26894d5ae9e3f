// The plan interpreter's output: the commands a recommendation, its
// decision, its actions and their progress become.
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

namespace {

// A response whose first sentence rejects the recommendation
// ("Recommendation not agreed. Members were concerned ..."): the decision,
// whatever the proposed actions beside it.
bool OpensWithRejection(const std::string& response) {
  std::string first = response.substr(0, response.find_first_of(".;\n"));
  return DecisionPhraseWithin(first) == v1::DECISION_REJECTED ||
         DecisionWord(first) == v1::DECISION_REJECTED;
}

}  // namespace

std::optional<v1::Decision> PlanInterpreter::Decide(
    const PendingRec& rec) const {
  if (!rec.decision.empty()) {
    std::optional<v1::Decision> d = DecisionWord(rec.decision);
    if (!d.has_value()) d = DecisionInText(rec.decision);
    if (d.has_value()) return d;
  }
  // "(accepted)" / "(rejected)" written after the recommendation.
  std::string lower = absl::AsciiStrToLower(rec.text);
  bool accepted = absl::StrContains(lower, "(accepted)");
  bool rejected = absl::StrContains(lower, "(rejected)");
  if (accepted || rejected) {
    return accepted && rejected ? v1::DECISION_PARTIALLY_ACCEPTED
           : accepted           ? v1::DECISION_ACCEPTED
                                : v1::DECISION_REJECTED;
  }
  std::optional<v1::Decision> d;
  if (!rec.response.empty()) {
    d = DecisionInText(rec.response);
    if (d.has_value()) return d;
    // Words of a response that neither accept nor reject.
    if (!rec.response_is_action) return v1::DECISION_NOTED;
  }
  return default_decision_;
}

void PlanInterpreter::FlushRecommendation() {
  if (!pending_.has_value()) return;
  PendingRec rec = std::move(*pending_);
  pending_.reset();
  ++recommendations_;
  std::string text = rec.text;
  for (const char* marker :
       {"(accepted)", "(rejected)", "(Accepted)", "(Rejected)"}) {
    text = absl::StrReplaceAll(text, {{marker, ""}});
  }
  std::optional<v1::Decision> decision = Decide(rec);
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
  add.mutable_add_recommendation()->set_portfolio(rec.portfolio);
  std::string rec_ref = absl::StrCat("$", out_->commands.size());
  Emit(rec.where, rec.line, std::move(add));
  if (decision.has_value() && *decision == v1::DECISION_REJECTED &&
      !rec.actions.empty()) {
    if (rec.decision.empty() && !rec.response_is_action &&
        !OpensWithRejection(rec.response)) {
      decision.reset();  // actions were agreed, so it was not rejected
    } else {
      // A rejected recommendation takes no actions: what the row says is
      // the reason.
      if (rec.response.empty()) {
        rec.response = rec.actions.front().text;
      } else if (!rec.response_is_action) {
        // Kept with the reason, so that nothing the row says is lost.
        for (const PendingAction& a : rec.actions) {
          absl::StrAppend(&rec.response,
                          "\nProposed action, not taken up: ", a.text);
        }
        out_->unsure.push_back(absl::StrCat(
            rec.where, ": recommendation ", rec.ref,
            " is rejected, so its proposed actions are kept in the response, "
            "not imported as actions"));
      }
      rec.actions.clear();
    }
  }
  if (decision.has_value()) EmitResponse(rec, rec_ref, *decision);
  std::vector<std::string> inherited = InheritedLeads(rec);
  for (PendingAction& a : rec.actions) {
    if (&a == &rec.actions.front()) {
      a.dated.insert(a.dated.begin(), rec.early_updates.begin(),
                     rec.early_updates.end());
    }
    if (a.leads.empty()) a.leads = inherited;
    if (!a.leads.empty() && !leads_by_ref_.count(rec.ref)) {
      leads_by_ref_[rec.ref] = a.leads;
    }
    EmitAction(rec_ref, &a);
  }
}

void PlanInterpreter::EmitResponse(const PendingRec& rec,
                                   const std::string& rec_ref,
                                   v1::Decision decision) {
  std::string said = !rec.response.empty()               ? rec.response
                     : !rec.decision.empty()             ? rec.decision
                     : decision == v1::DECISION_REJECTED ? "Rejected"
                                                         : "Accepted";
  v1::Command respond;
  auto* r = respond.mutable_record_response();
  r->set_recommendation_id(rec_ref);
  r->set_decision(decision);
  r->set_text(said);
  if (decision == v1::DECISION_REJECTED) {
    r->set_reason(rec.response.empty()
                      ? "No reason is given in the imported document"
                      : rec.response);
  }
  r->set_responded_by(rec.portfolio);
  r->set_responded_on(meeting_date_);
  Emit(rec.where, rec.line, std::move(respond));
}

void PlanInterpreter::EmitAction(const std::string& rec_ref, PendingAction* a) {
  v1::Command c;
  auto* add_action = c.mutable_add_action();
  add_action->set_recommendation_id(rec_ref);
  add_action->set_text(a->text);
  if (a->leads.empty()) a->leads.push_back("Not stated");
  for (const std::string& l : a->leads) add_action->add_leads(l);
  add_action->set_timescale(a->timing);
  std::string action_ref = absl::StrCat("$", out_->commands.size());
  Emit(a->where, a->line, std::move(c));
  if (!a->revised_timing.empty()) {
    v1::Command revise;
    revise.mutable_update_action()->set_id(action_ref);
    revise.mutable_update_action()->set_timescale(a->revised_timing);
    revise.mutable_update_action()->set_reason(
        absl::StrCat("a revised target in the imported plan (first set as ",
                     a->timing.empty() ? "not stated" : a->timing, ")"));
    Emit(a->where, a->line, std::move(revise));
  }
  std::optional<v1::ActionStatus> status = StatusWord(a->status);
  if (status.has_value() && *status != v1::ACTION_STATUS_NOT_STARTED) {
    v1::Command s;
    s.mutable_set_action_status()->set_id(action_ref);
    s.mutable_set_action_status()->set_status(*status);
    s.mutable_set_action_status()->set_effective_on(
        a->completed_on.empty() ? meeting_date_ : a->completed_on);
    Emit(a->where, a->line, std::move(s));
  } else if (!status.has_value() && !a->status.empty() &&
             !IsRagRating(a->status)) {
    a->progress.insert(a->progress.begin(), a->status);
  }
  for (const std::string& p : a->progress) {
    EmitProgress(*a, action_ref, p,
                 a->progress_date.empty() ? meeting_date_ : a->progress_date);
  }
  for (const auto& [date, update] : a->dated) {
    EmitProgress(*a, action_ref, update, date);
  }
}

void PlanInterpreter::EmitProgress(const PendingAction& a,
                                   const std::string& action_ref,
                                   const std::string& text,
                                   const std::string& reported_on) {
  v1::Command u;
  u.mutable_report_progress()->set_id(action_ref);
  u.mutable_report_progress()->set_text(text);
  u.mutable_report_progress()->set_reported_on(reported_on);
  Emit(a.where, a.line, std::move(u));
}

}  // namespace rectrack::cli
