#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "server/domain/decider.h"
#include "server/domain/derived.h"
#include "server/domain/rules.h"

namespace rectrack::domain {

absl::Status RequestDecider::AddAction(const v1::AddAction& c) {
  RECTRACK_ASSIGN_OR_RETURN(
      v1::Recommendation rec,
      LoadRecommendation(c.recommendation_id(), "recommendation_id"));
  RECTRACK_ASSIGN_OR_RETURN(
      v1::Review review,
      Load<v1::Review>(rec.review_id(), EntityKind::kReview));
  RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(review));
  RECTRACK_RETURN_IF_ERROR(CheckCanAddAction(rec.id(), rec.status()));
  RECTRACK_RETURN_IF_ERROR(Required(c.text(), "text"));
  v1::EventPayload p;
  v1::AddAction* e = p.mutable_action_added();
  e->set_recommendation_id(rec.id());
  e->set_text(Trimmed(c.text()));
  RECTRACK_RETURN_IF_ERROR(CheckLeads(c.leads(), e->mutable_leads()));
  e->set_timescale(Trimmed(c.timescale()));
  // Two-digit years and "Immediate" are read against the review's date.
  e->set_timescale_reference(review.published_on().empty()
                                 ? DayOf(txn_.now())
                                 : review.published_on());
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_effective_on(),
                            PastDate(c.effective_on(), "effective_on"));
  RECTRACK_RETURN_IF_ERROR(NotBefore(
      e->effective_on(), "effective_on",
      rec.status_on().empty() ? rec.effective_from() : rec.status_on(),
      absl::StrCat("recommendation ", rec.id(), " became ",
                   Describe(rec.status()))));
  RECTRACK_ASSIGN_OR_RETURN(std::string id, NewId(EntityKind::kAction));
  EntityStates states;
  states.recommendations[rec.id()] = rec;
  // Unless dated, an action is agreed with the response to its
  // recommendation.
  return Record(id, "ActionAdded",
                ViewDayOr(e->effective_on(), rec.response().responded_on()),
                std::move(p), std::move(states));
}

absl::StatusOr<v1::Action> RequestDecider::LoadChangeableAction(
    const std::string& ref, bool allow_cancelled) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Action action, LoadAction(ref, "id"));
  // Who may change it is decided on the action as it stands now, in the
  // commit, before anything else about it is told.
  if (actor_.guard != nullptr && !entering_answer_) {
    RECTRACK_RETURN_IF_ERROR(actor_.guard->Admit(*command_, &action));
  }
  RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(action.review_id()));
  RECTRACK_RETURN_IF_ERROR(CheckVersion(action.id(), action.version()));
  if (!allow_cancelled && action.status() == v1::ACTION_STATUS_CANCELLED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "action ", action.id(), " is cancelled; it cannot change"));
  }
  return action;
}

absl::Status RequestDecider::UpdateAction(const v1::UpdateAction& c) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                            LoadChangeableAction(c.id(), false));
  if (!c.has_text() && !c.set_leads() && !c.has_timescale()) {
    return absl::InvalidArgumentError(
        "nothing to update: give new text, leads or timescale");
  }
  v1::EventPayload p;
  v1::UpdateAction* e = p.mutable_action_updated();
  e->set_id(action.id());
  if (c.has_text()) {
    RECTRACK_RETURN_IF_ERROR(Required(c.text(), "text"));
    e->set_text(Trimmed(c.text()));
  }
  if (c.set_leads()) {
    e->set_set_leads(true);
    RECTRACK_RETURN_IF_ERROR(CheckLeads(c.leads(), e->mutable_leads()));
  }
  if (c.has_timescale()) {
    e->set_timescale(Trimmed(c.timescale()));
    if (!action.timescale().text().empty() &&
        e->timescale() != action.timescale().text()) {
      if (absl::StripAsciiWhitespace(c.reason()).empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "reason is required when the timescale changes (from \"",
            action.timescale().text(), "\" to \"", e->timescale(), "\")"));
      }
    }
  }
  e->set_reason(Trimmed(c.reason()));
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_effective_on(),
                            PastDate(c.effective_on(), "effective_on"));
  RECTRACK_RETURN_IF_ERROR(NotBefore(e->effective_on(), "effective_on",
                                     action.effective_from(),
                                     "the action was agreed"));
  EntityStates states;
  states.actions[action.id()] = action;
  return Record(action.id(), "ActionUpdated", e->effective_on(), std::move(p),
                std::move(states));
}

absl::Status RequestDecider::SetActionStatus(const v1::SetActionStatus& c) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                            LoadChangeableAction(c.id(), true));
  RECTRACK_RETURN_IF_ERROR(
      CheckActionTransition(action.id(), action.status(), c.status()));
  v1::EventPayload p;
  v1::SetActionStatus* e = p.mutable_action_status_set();
  e->set_id(action.id());
  e->set_status(c.status());
  e->set_note(Trimmed(c.note()));
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_effective_on(),
                            PastDate(c.effective_on(), "effective_on"));
  RECTRACK_RETURN_IF_ERROR(NotBefore(
      e->effective_on(), "effective_on",
      action.status_on().empty() ? action.effective_from() : action.status_on(),
      absl::StrCat("its current status (", Describe(action.status()),
                   ") took effect")));
  EntityStates states;
  states.actions[action.id()] = action;
  return Record(action.id(), "ActionStatusChanged", e->effective_on(),
                std::move(p), std::move(states));
}

absl::Status RequestDecider::ReportProgress(const v1::ReportProgress& c) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                            LoadChangeableAction(c.id(), false));
  RECTRACK_RETURN_IF_ERROR(Required(c.text(), "text"));
  v1::EventPayload p;
  v1::ReportProgress* e = p.mutable_progress_reported();
  e->set_id(action.id());
  e->set_text(Trimmed(c.text()));
  // Set by the server: only an answer entering the record says whose it is.
  if (entering_answer_) e->set_answered_by(c.answered_by());
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_reported_on(),
                            PastDate(c.reported_on(), "reported_on"));
  RECTRACK_RETURN_IF_ERROR(NotBefore(e->reported_on(), "reported_on",
                                     action.effective_from(),
                                     "the action was agreed"));
  EntityStates states;
  states.actions[action.id()] = action;
  return Record(action.id(), "ProgressReported", e->reported_on(), std::move(p),
                std::move(states));
}

}  // namespace rectrack::domain
