#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "server/domain/decider.h"
#include "server/domain/derived.h"
#include "server/domain/rules.h"

namespace rectrack::domain {

absl::Status RequestDecider::AddRecommendation(const v1::AddRecommendation& c) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                            LoadReview(c.review_id(), "review_id"));
  RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(review));
  RECTRACK_RETURN_IF_ERROR(Required(c.ref(), "ref"));
  RECTRACK_RETURN_IF_ERROR(Required(c.text(), "text"));
  v1::EventPayload p;
  v1::AddRecommendation* e = p.mutable_recommendation_added();
  e->set_review_id(review.id());
  e->set_ref(Trimmed(c.ref()));
  e->set_text(Trimmed(c.text()));
  e->set_portfolio(Trimmed(c.portfolio()));
  RECTRACK_ASSIGN_OR_RETURN(std::string id, NewId(EntityKind::kRecommendation));
  EntityStates states;
  states.reviews[review.id()] = review;
  // A recommendation stands from its review's publication.
  return Record(id, "RecommendationAdded", review.published_on(), std::move(p),
                std::move(states));
}

absl::Status RequestDecider::AmendRecommendation(
    const v1::AmendRecommendation& c) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Recommendation rec,
                            LoadRecommendation(c.id(), "id"));
  RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(rec.review_id()));
  RECTRACK_RETURN_IF_ERROR(CheckVersion(rec.id(), rec.version()));
  if (!c.has_ref() && !c.has_text() && !c.has_portfolio()) {
    return absl::InvalidArgumentError(
        "nothing to amend: give a new ref, text or portfolio");
  }
  v1::EventPayload p;
  v1::AmendRecommendation* e = p.mutable_recommendation_amended();
  e->set_id(rec.id());
  if (c.has_ref()) {
    RECTRACK_RETURN_IF_ERROR(Required(c.ref(), "ref"));
    e->set_ref(Trimmed(c.ref()));
  }
  if (c.has_text()) {
    RECTRACK_RETURN_IF_ERROR(Required(c.text(), "text"));
    e->set_text(Trimmed(c.text()));
  }
  if (c.has_portfolio()) {
    e->set_portfolio(Trimmed(c.portfolio()));
  }
  EntityStates states;
  states.recommendations[rec.id()] = rec;
  return Record(rec.id(), "RecommendationAmended", "", std::move(p),
                std::move(states));
}

absl::Status RequestDecider::RecordResponse(const v1::RecordResponse& c) {
  RECTRACK_ASSIGN_OR_RETURN(
      v1::Recommendation rec,
      LoadRecommendation(c.recommendation_id(), "recommendation_id"));
  RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(rec.review_id()));
  RECTRACK_RETURN_IF_ERROR(CheckVersion(rec.id(), rec.version()));
  if (c.decision() == v1::DECISION_UNSPECIFIED ||
      !v1::Decision_IsValid(c.decision())) {
    return absl::InvalidArgumentError(
        "decision is required: accepted, partially accepted, accepted in "
        "principle, noted or rejected");
  }
  RECTRACK_RETURN_IF_ERROR(Required(c.text(), "text"));
  if (c.decision() == v1::DECISION_REJECTED) {
    if (absl::StripAsciiWhitespace(c.reason()).empty()) {
      return absl::InvalidArgumentError(
          "reason is required: a rejection must say why");
    }
  }
  RECTRACK_RETURN_IF_ERROR(CheckCanRespond(rec.id(), rec.status()));
  if (c.decision() == v1::DECISION_REJECTED) {
    RECTRACK_ASSIGN_OR_RETURN(std::vector<std::string> open,
                              ActionsNotDone(rec, /*completed_counts=*/false));
    if (!open.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("recommendation ", rec.id(),
                       " has actions that are not "
                       "cancelled (",
                       absl::StrJoin(open, ", "),
                       "); cancel them before recording a rejection"));
    }
  }
  v1::EventPayload p;
  v1::RecordResponse* e = p.mutable_response_recorded();
  e->set_recommendation_id(rec.id());
  e->set_decision(c.decision());
  e->set_text(Trimmed(c.text()));
  e->set_reason(Trimmed(c.reason()));
  e->set_responded_by(Trimmed(c.responded_by()));
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_responded_on(),
                            PastDate(c.responded_on(), "responded_on"));
  RECTRACK_RETURN_IF_ERROR(NotBefore(e->responded_on(), "responded_on",
                                     rec.effective_from(),
                                     "the recommendation was made"));
  EntityStates states;
  states.recommendations[rec.id()] = rec;
  return Record(rec.id(), "ResponseRecorded", e->responded_on(), std::move(p),
                std::move(states));
}

absl::Status RequestDecider::SetRecommendationStatus(
    const v1::SetRecommendationStatus& c) {
  RECTRACK_ASSIGN_OR_RETURN(
      v1::Recommendation rec,
      LoadRecommendation(c.recommendation_id(), "recommendation_id"));
  RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(rec.review_id()));
  RECTRACK_RETURN_IF_ERROR(CheckVersion(rec.id(), rec.version()));
  RECTRACK_RETURN_IF_ERROR(
      CheckRecommendationTransition(rec.id(), rec.status(), c.status()));
  RECTRACK_RETURN_IF_ERROR(CheckFinalStep(rec, c));
  v1::EventPayload p;
  v1::SetRecommendationStatus* e = p.mutable_recommendation_status_set();
  e->set_recommendation_id(rec.id());
  e->set_status(c.status());
  e->set_note(Trimmed(c.note()));
  if (c.status() == v1::RECOMMENDATION_STATUS_SIGNED_OFF) {
    e->set_override_reason(Trimmed(c.override_reason()));
  }
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_effective_on(),
                            PastDate(c.effective_on(), "effective_on"));
  RECTRACK_RETURN_IF_ERROR(NotBefore(
      e->effective_on(), "effective_on",
      rec.status_on().empty() ? rec.effective_from() : rec.status_on(),
      absl::StrCat("its current status (", Describe(rec.status()),
                   ") took effect")));
  EntityStates states;
  states.recommendations[rec.id()] = rec;
  return Record(rec.id(), "RecommendationStatusChanged", e->effective_on(),
                std::move(p), std::move(states));
}

absl::StatusOr<std::vector<std::string>> RequestDecider::ActionsNotDone(
    const v1::Recommendation& rec, bool completed_counts) {
  std::vector<std::string> open;
  for (const std::string& action_id : rec.action_ids()) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                              Load<v1::Action>(action_id, EntityKind::kAction));
    const bool done =
        action.status() == v1::ACTION_STATUS_CANCELLED ||
        (completed_counts && action.status() == v1::ACTION_STATUS_COMPLETED);
    if (!done) {
      open.push_back(
          absl::StrCat(action_id, " (", Describe(action.status()), ")"));
    }
  }
  return open;
}

absl::Status RequestDecider::CheckFinalStep(
    const v1::Recommendation& rec, const v1::SetRecommendationStatus& c) {
  switch (c.status()) {
    case v1::RECOMMENDATION_STATUS_CLOSED_NOT_IMPLEMENTED:
    case v1::RECOMMENDATION_STATUS_SUPERSEDED:
    case v1::RECOMMENDATION_STATUS_WITHDRAWN:
      if (Trimmed(c.note()).empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("note is required: say why recommendation ", rec.id(),
                         " is ", Describe(c.status())));
      }
      return absl::OkStatus();
    case v1::RECOMMENDATION_STATUS_SIGNED_OFF:
      break;
    default:
      return absl::OkStatus();
  }
  if (!Trimmed(c.override_reason()).empty()) return absl::OkStatus();
  if (rec.status() == v1::RECOMMENDATION_STATUS_REJECTED) {
    return absl::FailedPreconditionError(absl::StrCat(
        "recommendation ", rec.id(),
        " was rejected; signing off a rejected recommendation needs "
        "override_reason saying why (or close it as not implemented)"));
  }
  RECTRACK_ASSIGN_OR_RETURN(std::vector<std::string> open,
                            ActionsNotDone(rec, /*completed_counts=*/true));
  if (!open.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "recommendation ", rec.id(),
        " cannot be signed off while its actions are not completed or "
        "cancelled: ",
        absl::StrJoin(open, ", "),
        "; finish or cancel them first, or give override_reason saying why "
        "it is signed off anyway"));
  }
  return absl::OkStatus();
}

}  // namespace rectrack::domain
