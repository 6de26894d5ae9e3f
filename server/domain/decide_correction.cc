// Corrections: putting right what was recorded wrongly, as events of their
// own. Nothing is deleted; history shows the original beside the
// correction, and reads as of an earlier instant still show the original.
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "server/domain/action_parts.h"
#include "server/domain/decider.h"
#include "server/domain/derived.h"
#include "server/domain/rules.h"

namespace rectrack::domain {
namespace {

bool IsDecisionStatus(v1::RecommendationStatus s) {
  return s >= v1::RECOMMENDATION_STATUS_ACCEPTED &&
         s <= v1::RECOMMENDATION_STATUS_REJECTED;
}

std::string DatedText(const std::string& what, const std::string& on) {
  return on.empty() ? what : absl::StrCat(what, " on ", on);
}

// What a correction of `rec` replaces, for history.
std::string WasOf(const v1::Recommendation& rec, const v1::CorrectRecord& c) {
  std::string was;
  if (c.decision() != v1::DECISION_UNSPECIFIED) {
    was = DatedText(
        absl::StrCat("decision ", Describe(rec.response().decision())),
        rec.response().responded_on());
  }
  if (c.recommendation_status() != v1::RECOMMENDATION_STATUS_UNSPECIFIED ||
      c.decision() == v1::DECISION_UNSPECIFIED) {
    absl::StrAppend(&was, was.empty() ? "" : "; ",
                    DatedText(absl::StrCat("status ", Describe(rec.status())),
                              rec.status_on()));
  }
  return was;
}

}  // namespace

absl::Status RequestDecider::CorrectRecord(const v1::CorrectRecord& c) {
  const std::string ref = Trimmed(c.id());
  RECTRACK_ASSIGN_OR_RETURN(EntityId parsed, ParseEntityId(ref, "id"));
  if (parsed.kind == EntityKind::kRecommendation) {
    RECTRACK_ASSIGN_OR_RETURN(std::string id,
                              Resolve(ref, EntityKind::kRecommendation, "id"));
    return CorrectRecommendation(c, id);
  }
  if (parsed.kind == EntityKind::kAction) {
    RECTRACK_ASSIGN_OR_RETURN(std::string id,
                              Resolve(ref, EntityKind::kAction, "id"));
    return CorrectAction(c, id);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("id: ", ref,
                   " cannot be corrected; corrections are for "
                   "recommendations (rec-N) and actions (action-N)"));
}

absl::Status RequestDecider::CorrectRecommendation(const v1::CorrectRecord& c,
                                                   const std::string& id) {
  RECTRACK_ASSIGN_OR_RETURN(
      v1::Recommendation rec,
      Load<v1::Recommendation>(id, EntityKind::kRecommendation));
  RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(rec.review_id()));
  RECTRACK_RETURN_IF_ERROR(CheckVersion(rec.id(), rec.version()));
  if (c.action_status() != v1::ACTION_STATUS_UNSPECIFIED || c.has_timescale()) {
    return absl::InvalidArgumentError(
        absl::StrCat(rec.id(),
                     " is a recommendation: an action status or timescale can "
                     "be corrected only on an action"));
  }
  const v1::RecommendationStatus status = c.recommendation_status();
  if (status == v1::RECOMMENDATION_STATUS_UNSPECIFIED &&
      c.decision() == v1::DECISION_UNSPECIFIED && c.effective_on().empty()) {
    return absl::InvalidArgumentError(
        "nothing to correct: give the status, decision or date it should "
        "have");
  }
  RECTRACK_RETURN_IF_ERROR(Required(c.reason(), "reason"));
  if (c.decision() != v1::DECISION_UNSPECIFIED) {
    if (!v1::Decision_IsValid(c.decision())) {
      return absl::InvalidArgumentError("decision: not a known decision");
    }
    if (!rec.has_response()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "recommendation ", rec.id(),
          " has no response to correct; record the response instead"));
    }
    if (c.decision() == v1::DECISION_REJECTED) {
      RECTRACK_ASSIGN_OR_RETURN(std::vector<std::string> live,
                                ActionsNotDone(rec, false));
      if (!live.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "recommendation ", rec.id(),
            " cannot be corrected to rejected while it has actions that are "
            "not cancelled: ",
            absl::StrJoin(live, ", "), "; cancel them first"));
      }
    }
  }
  if (status != v1::RECOMMENDATION_STATUS_UNSPECIFIED) {
    if (!v1::RecommendationStatus_IsValid(status) ||
        status == v1::RECOMMENDATION_STATUS_AWAITING_RESPONSE ||
        IsDecisionStatus(status)) {
      return absl::InvalidArgumentError(
          "recommendation_status: give a status that follows the response "
          "(in progress, implemented, signed off, closed not implemented, "
          "superseded, withdrawn); to correct the decision give decision");
    }
    if (status == v1::RECOMMENDATION_STATUS_SIGNED_OFF) {
      RECTRACK_ASSIGN_OR_RETURN(std::vector<std::string> open,
                                ActionsNotDone(rec, true));
      if (!open.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "recommendation ", rec.id(),
            " cannot be corrected to signed off while its actions are not "
            "completed or cancelled: ",
            absl::StrJoin(open, ", ")));
      }
    }
  }
  v1::EventPayload p;
  v1::CorrectRecord* e = p.mutable_record_corrected();
  e->set_id(rec.id());
  e->set_reason(Trimmed(c.reason()));
  e->set_recommendation_status(status);
  e->set_decision(c.decision());
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_effective_on(),
                            PastDate(c.effective_on(), "effective_on"));
  RECTRACK_RETURN_IF_ERROR(NotBefore(e->effective_on(), "effective_on",
                                     rec.effective_from(),
                                     "the recommendation was made"));
  e->set_was(WasOf(rec, c));
  EntityStates states;
  states.recommendations[rec.id()] = rec;
  return Record(rec.id(), "RecordCorrected", e->effective_on(), std::move(p),
                std::move(states));
}

absl::Status RequestDecider::CorrectAction(const v1::CorrectRecord& c,
                                           const std::string& id) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                            LoadChangeableAction(id, /*allow_cancelled=*/true));
  if (c.recommendation_status() != v1::RECOMMENDATION_STATUS_UNSPECIFIED ||
      c.decision() != v1::DECISION_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat(action.id(),
                     " is an action: a recommendation status or decision can "
                     "be corrected only on its recommendation"));
  }
  const v1::ActionStatus status = c.action_status();
  if (status == v1::ACTION_STATUS_UNSPECIFIED && !c.has_timescale() &&
      c.effective_on().empty()) {
    return absl::InvalidArgumentError(
        "nothing to correct: give the status, timescale or date it should "
        "have");
  }
  RECTRACK_RETURN_IF_ERROR(Required(c.reason(), "reason"));
  if (status != v1::ACTION_STATUS_UNSPECIFIED &&
      !v1::ActionStatus_IsValid(status)) {
    return absl::InvalidArgumentError("action_status: not a known status");
  }
  v1::EventPayload p;
  v1::CorrectRecord* e = p.mutable_record_corrected();
  e->set_id(action.id());
  e->set_reason(Trimmed(c.reason()));
  e->set_action_status(status);
  std::string was;
  if (c.has_timescale()) {
    e->set_timescale(Trimmed(c.timescale()));
    was = absl::StrCat("timescale \"", action.timescale().text(), "\"");
  }
  if (status != v1::ACTION_STATUS_UNSPECIFIED || !c.has_timescale()) {
    absl::StrAppend(
        &was, was.empty() ? "" : "; ",
        DatedText(absl::StrCat("status ", Describe(action.status())),
                  action.status_on()));
  }
  e->set_was(std::move(was));
  RECTRACK_ASSIGN_OR_RETURN(*e->mutable_effective_on(),
                            PastDate(c.effective_on(), "effective_on"));
  RECTRACK_RETURN_IF_ERROR(NotBefore(e->effective_on(), "effective_on",
                                     action.effective_from(),
                                     "the action was agreed"));
  EntityStates states;
  states.actions[action.id()] = action;
  return Record(action.id(), "RecordCorrected", e->effective_on(), std::move(p),
                std::move(states));
}

absl::Status RequestDecider::RetractProgress(const v1::RetractProgress& c) {
  RECTRACK_ASSIGN_OR_RETURN(
      v1::Action action,
      LoadChangeableAction(c.id(), /*allow_cancelled=*/true));
  RECTRACK_RETURN_IF_ERROR(Required(c.reason(), "reason"));
  if (c.number() < 1 || c.number() > action.progress_count()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "number: action ", action.id(), " has ", action.progress_count(),
        " progress notes; give a number from 1 to ", action.progress_count()));
  }
  // The stored action holds only its latest note: the one retracted is read
  // from its own key, for the fold to mark.
  RECTRACK_ASSIGN_OR_RETURN(std::optional<v1::ProgressUpdate> note,
                            LoadNote(txn_, action.id(), c.number()));
  if (!note.has_value()) {
    return absl::DataLossError(absl::StrCat("progress note ", c.number(),
                                            " of ", action.id(),
                                            " is missing from the store"));
  }
  if (c.number() != action.progress_count()) {
    *action.add_progress() = *note;
  }
  if (note->retracted()) {
    return absl::FailedPreconditionError(
        absl::StrCat("progress note ", c.number(), " of ", action.id(),
                     " is already retracted"));
  }
  v1::EventPayload p;
  v1::RetractProgress* e = p.mutable_progress_retracted();
  e->set_id(action.id());
  e->set_number(c.number());
  e->set_reason(Trimmed(c.reason()));
  EntityStates states;
  states.actions[action.id()] = action;
  return Record(action.id(), "ProgressRetracted", "", std::move(p),
                std::move(states));
}

}  // namespace rectrack::domain
