#include "server/domain/fold.h"

#include <algorithm>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "server/domain/rules.h"
#include "server/domain/timescale.h"

namespace rectrack::domain {
namespace {

template <typename Entity>
absl::StatusOr<Entity*> Existing(absl::flat_hash_map<std::string, Entity>& map,
                                 const v1::Event& event) {
  auto it = map.find(event.stream());
  if (it == map.end()) {
    return absl::InternalError(absl::StrCat(
        "event ", event.position(), " (", event.type(), ") is for ",
        event.stream(), ", which has no state to fold into"));
  }
  return &it->second;
}

// Version and update time follow the entity's own stream.
template <typename Entity>
void Touch(const v1::Event& event, Entity* entity) {
  entity->set_version(event.version());
  *entity->mutable_updated_at() = event.recorded_at();
}

// The timescale `text` as read against `reference`.
v1::Timescale ReadTimescale(const std::string& text,
                            const std::string& reference) {
  v1::Timescale out;
  out.set_text(text);
  out.set_reference_date(reference);
  TimescaleWindow w = ParseTimescale(text, reference);
  out.set_earliest(w.earliest);
  out.set_latest(w.latest);
  out.set_tentative(w.tentative);
  out.set_ongoing(w.ongoing);
  out.set_unparsed(w.unparsed);
  return out;
}

// The note numbered `number` among those `action` holds, or null. A folded
// action holds them all (note n at n - 1); a stored one only some.
v1::ProgressUpdate* NoteNumbered(v1::Action* action, uint32_t number) {
  auto* notes = action->mutable_progress();
  if (number >= 1 && number <= static_cast<uint32_t>(notes->size()) &&
      notes->Get(static_cast<int>(number) - 1).number() == number) {
    return notes->Mutable(static_cast<int>(number) - 1);
  }
  for (auto& note : *notes) {
    if (note.number() == number) return &note;
  }
  return nullptr;
}

// The current target revision (numbered target_count), or null.
v1::TargetRevision* CurrentTarget(v1::Action* action) {
  for (int i = action->targets_size() - 1; i >= 0; --i) {
    if (action->targets(i).number() == action->target_count()) {
      return action->mutable_targets(i);
    }
  }
  return nullptr;
}

void SetDaysSlipped(v1::Action* action) {
  v1::Slippage* slip = action->mutable_slippage();
  const std::string& original = slip->original_latest();
  const std::string& current = action->timescale().latest();
  slip->set_days_slipped(
      original.empty() || current.empty() ? 0 : DaysBetween(original, current));
}

}  // namespace

void AddTarget(const v1::Event& event, const std::string& reason,
               v1::Action* action) {
  if (action->timescale().text().empty() && action->target_count() == 0) {
    return;  // still no target at all
  }
  const uint32_t number = action->target_count() + 1;
  v1::TargetRevision* t = action->add_targets();
  *t->mutable_target() = action->timescale();
  if (number > 1) t->set_reason(reason);
  *t->mutable_recorded_at() = event.recorded_at();
  t->set_recorded_by(event.actor());
  t->set_effective_on(event.effective_on());
  t->set_number(number);
  action->set_target_count(number);
  v1::Slippage* slip = action->mutable_slippage();
  slip->set_revisions(number - 1);
  if (number == 1) slip->set_original_latest(action->timescale().latest());
  SetDaysSlipped(action);
}

void ReviseTarget(const v1::Event& event, const std::string& timescale,
                  const std::string& reason, v1::Action* action) {
  if (timescale == action->timescale().text()) return;
  std::string reference = action->timescale().reference_date();
  *action->mutable_timescale() = ReadTimescale(timescale, reference);
  AddTarget(event, reason, action);
}

void SetActionStatusTo(const v1::Event& event, v1::ActionStatus status,
                       const std::string& note, const std::string& effective_on,
                       v1::Action* action) {
  action->set_status(status);
  action->set_status_note(note);
  action->set_status_on(effective_on);
  Touch(event, action);
}

v1::ProgressUpdate* RecordProgressNote(const v1::Event& event,
                                       const std::string& text,
                                       const std::string& reported_on,
                                       v1::Action* action) {
  const uint32_t number = action->progress_count() + 1;
  v1::ProgressUpdate* u = action->add_progress();
  u->set_text(text);
  u->set_reported_on(reported_on);
  *u->mutable_recorded_at() = event.recorded_at();
  u->set_recorded_by(event.actor());
  u->set_number(number);
  action->set_progress_count(number);
  Touch(event, action);
  return u;
}

namespace {

// One function per kind of event, each folding it into `states`.

absl::Status FoldReviewOpened(const v1::Event& event, const v1::EventPayload& p,
                              EntityStates* states) {
  v1::Review& r = states->reviews[event.stream()];
  r.Clear();
  r.set_id(event.stream());
  r.set_title(p.review_opened().title());
  r.set_committee(p.review_opened().committee());
  r.set_council(p.review_opened().council());
  r.set_published_on(p.review_opened().published_on());
  r.set_status(v1::REVIEW_STATUS_OPEN);
  r.set_effective_from(event.effective_on());
  *r.mutable_created_at() = event.recorded_at();
  Touch(event, &r);
  return absl::OkStatus();
}

absl::Status FoldReportBackScheduled(const v1::Event& event,
                                     const v1::EventPayload& p,
                                     EntityStates* states) {
  auto r = Existing(states->reviews, event);
  if (!r.ok()) return r.status();
  v1::ReportBack rb;
  rb.set_date(p.report_back_scheduled().date());
  rb.set_note(p.report_back_scheduled().note());
  auto* list = (*r)->mutable_report_backs();
  auto pos =
      std::upper_bound(list->begin(), list->end(), rb,
                       [](const v1::ReportBack& a, const v1::ReportBack& b) {
                         return a.date() < b.date();
                       });
  int index = static_cast<int>(pos - list->begin());
  *list->Add() = rb;
  for (int i = list->size() - 1; i > index; --i) {
    list->SwapElements(i, i - 1);
  }
  Touch(event, *r);
  return absl::OkStatus();
}

absl::Status FoldReviewClosed(const v1::Event& event, const v1::EventPayload& p,
                              EntityStates* states) {
  auto r = Existing(states->reviews, event);
  if (!r.ok()) return r.status();
  (*r)->set_status(v1::REVIEW_STATUS_CLOSED);
  (*r)->set_closing_note(p.review_closed().note());
  Touch(event, *r);
  return absl::OkStatus();
}

absl::Status FoldRecommendationAdded(const v1::Event& event,
                                     const v1::EventPayload& p,
                                     EntityStates* states) {
  const v1::AddRecommendation& a = p.recommendation_added();
  v1::Recommendation& rec = states->recommendations[event.stream()];
  rec.Clear();
  rec.set_id(event.stream());
  rec.set_review_id(a.review_id());
  rec.set_ref(a.ref());
  rec.set_text(a.text());
  rec.set_portfolio(a.portfolio());
  rec.set_status(v1::RECOMMENDATION_STATUS_AWAITING_RESPONSE);
  *rec.mutable_created_at() = event.recorded_at();
  Touch(event, &rec);
  rec.set_effective_from(event.effective_on());
  if (auto it = states->reviews.find(a.review_id());
      it != states->reviews.end()) {
    it->second.add_recommendation_ids(event.stream());
    if (event.effective_on().empty()) {
      rec.set_effective_from(it->second.effective_from());
    }
  }
  return absl::OkStatus();
}

absl::Status FoldRecommendationAmended(const v1::Event& event,
                                       const v1::EventPayload& p,
                                       EntityStates* states) {
  auto rec = Existing(states->recommendations, event);
  if (!rec.ok()) return rec.status();
  const v1::AmendRecommendation& a = p.recommendation_amended();
  if (a.has_ref()) (*rec)->set_ref(a.ref());
  if (a.has_text()) (*rec)->set_text(a.text());
  if (a.has_portfolio()) (*rec)->set_portfolio(a.portfolio());
  Touch(event, *rec);
  return absl::OkStatus();
}

absl::Status FoldResponseRecorded(const v1::Event& event,
                                  const v1::EventPayload& p,
                                  EntityStates* states) {
  auto rec = Existing(states->recommendations, event);
  if (!rec.ok()) return rec.status();
  const v1::RecordResponse& r = p.response_recorded();
  v1::Response* out = (*rec)->mutable_response();
  out->set_decision(r.decision());
  out->set_text(r.text());
  out->set_reason(r.reason());
  out->set_responded_by(r.responded_by());
  out->set_responded_on(r.responded_on());
  (*rec)->set_status(StatusForDecision(r.decision()));
  (*rec)->set_status_on(r.responded_on());
  Touch(event, *rec);
  return absl::OkStatus();
}

absl::Status FoldRecommendationStatusSet(const v1::Event& event,
                                         const v1::EventPayload& p,
                                         EntityStates* states) {
  auto rec = Existing(states->recommendations, event);
  if (!rec.ok()) return rec.status();
  const v1::SetRecommendationStatus& s = p.recommendation_status_set();
  (*rec)->set_status(s.status());
  (*rec)->set_status_note(s.note());
  const bool signed_off = s.status() == v1::RECOMMENDATION_STATUS_SIGNED_OFF;
  (*rec)->set_signed_off_on(signed_off ? s.effective_on() : "");
  (*rec)->set_override_reason(signed_off ? s.override_reason() : "");
  (*rec)->set_status_on(s.effective_on());
  Touch(event, *rec);
  return absl::OkStatus();
}

absl::Status FoldActionAdded(const v1::Event& event, const v1::EventPayload& p,
                             EntityStates* states) {
  const v1::AddAction& a = p.action_added();
  v1::Action& act = states->actions[event.stream()];
  act.Clear();
  act.set_id(event.stream());
  act.set_recommendation_id(a.recommendation_id());
  auto parent = states->recommendations.find(a.recommendation_id());
  act.set_effective_from(event.effective_on());
  if (parent != states->recommendations.end()) {
    act.set_review_id(parent->second.review_id());
    parent->second.add_action_ids(event.stream());
    if (event.effective_on().empty()) {
      act.set_effective_from(parent->second.effective_from());
    }
  }
  act.set_text(a.text());
  *act.mutable_leads() = a.leads();
  *act.mutable_timescale() =
      ReadTimescale(a.timescale(), a.timescale_reference());
  act.set_status(v1::ACTION_STATUS_NOT_STARTED);
  *act.mutable_created_at() = event.recorded_at();
  AddTarget(event, "", &act);
  Touch(event, &act);
  return absl::OkStatus();
}

absl::Status FoldActionUpdated(const v1::Event& event,
                               const v1::EventPayload& p,
                               EntityStates* states) {
  auto act = Existing(states->actions, event);
  if (!act.ok()) return act.status();
  const v1::UpdateAction& u = p.action_updated();
  if (u.has_text()) (*act)->set_text(u.text());
  if (u.set_leads()) *(*act)->mutable_leads() = u.leads();
  if (u.has_timescale()) ReviseTarget(event, u.timescale(), u.reason(), *act);
  Touch(event, *act);
  return absl::OkStatus();
}

absl::Status FoldActionStatusSet(const v1::Event& event,
                                 const v1::EventPayload& p,
                                 EntityStates* states) {
  auto act = Existing(states->actions, event);
  if (!act.ok()) return act.status();
  const v1::SetActionStatus& s = p.action_status_set();
  SetActionStatusTo(event, s.status(), s.note(), s.effective_on(), *act);
  return absl::OkStatus();
}

absl::Status FoldProgressReported(const v1::Event& event,
                                  const v1::EventPayload& p,
                                  EntityStates* states) {
  auto act = Existing(states->actions, event);
  if (!act.ok()) return act.status();
  RecordProgressNote(event, p.progress_reported().text(),
                     p.progress_reported().reported_on(), *act)
      ->set_answered_by(p.progress_reported().answered_by());
  return absl::OkStatus();
}

// A correction puts the entity as it should have been; see CorrectRecord.
void CorrectRecommendation(const v1::CorrectRecord& c,
                           v1::Recommendation* rec) {
  const bool decision_stage =
      rec->status() == StatusForDecision(rec->response().decision());
  if (c.decision() != v1::DECISION_UNSPECIFIED) {
    rec->mutable_response()->set_decision(c.decision());
    if (!c.effective_on().empty()) {
      rec->mutable_response()->set_responded_on(c.effective_on());
    }
    if (decision_stage) {
      rec->set_status(StatusForDecision(c.decision()));
      rec->set_status_on(rec->response().responded_on());
    }
  }
  if (c.recommendation_status() != v1::RECOMMENDATION_STATUS_UNSPECIFIED) {
    rec->set_status(c.recommendation_status());
    rec->set_status_on(c.effective_on());
    rec->set_override_reason("");
  } else if (c.decision() == v1::DECISION_UNSPECIFIED &&
             !c.effective_on().empty()) {
    // Only the date: of the response while the status is its decision's,
    // else of the current status.
    if (decision_stage && rec->has_response()) {
      rec->mutable_response()->set_responded_on(c.effective_on());
    }
    rec->set_status_on(c.effective_on());
  }
  rec->set_signed_off_on(rec->status() == v1::RECOMMENDATION_STATUS_SIGNED_OFF
                             ? rec->status_on()
                             : "");
}

absl::Status CorrectAction(const v1::Event& event, const v1::CorrectRecord& c,
                           v1::Action* act) {
  if (c.action_status() != v1::ACTION_STATUS_UNSPECIFIED) {
    act->set_status(c.action_status());
    act->set_status_on(c.effective_on());
  } else if (!c.effective_on().empty() && !c.has_timescale()) {
    act->set_status_on(c.effective_on());
  }
  if (!c.has_timescale()) return absl::OkStatus();
  *act->mutable_timescale() =
      ReadTimescale(c.timescale(), act->timescale().reference_date());
  if (act->target_count() == 0) {
    AddTarget(event, "", act);
    return absl::OkStatus();
  }
  // The target as it should have been: not a revision.
  v1::TargetRevision* last = CurrentTarget(act);
  if (last == nullptr) {
    return absl::InternalError(absl::StrCat(
        "event ", event.position(), " corrects the target of ", event.stream(),
        ", whose current target is not in its state"));
  }
  *last->mutable_target() = act->timescale();
  if (act->target_count() == 1) {
    act->mutable_slippage()->set_original_latest(act->timescale().latest());
  }
  SetDaysSlipped(act);
  return absl::OkStatus();
}

absl::Status FoldRecordCorrected(const v1::Event& event,
                                 const v1::EventPayload& p,
                                 EntityStates* states) {
  const v1::CorrectRecord& c = p.record_corrected();
  if (auto it = states->recommendations.find(event.stream());
      it != states->recommendations.end()) {
    CorrectRecommendation(c, &it->second);
    Touch(event, &it->second);
    return absl::OkStatus();
  }
  auto act = Existing(states->actions, event);
  if (!act.ok()) return act.status();
  RECTRACK_RETURN_IF_ERROR(CorrectAction(event, c, *act));
  Touch(event, *act);
  return absl::OkStatus();
}

absl::Status FoldProgressRetracted(const v1::Event& event,
                                   const v1::EventPayload& p,
                                   EntityStates* states) {
  auto act = Existing(states->actions, event);
  if (!act.ok()) return act.status();
  const v1::RetractProgress& r = p.progress_retracted();
  v1::ProgressUpdate* u = r.number() <= (*act)->progress_count()
                              ? NoteNumbered(*act, r.number())
                              : nullptr;
  if (u == nullptr) {
    return absl::InternalError(absl::StrCat(
        "event ", event.position(), " retracts progress note ", r.number(),
        " of ", event.stream(), ", which has no such note"));
  }
  u->set_retracted(true);
  u->set_retraction_reason(r.reason());
  Touch(event, *act);
  return absl::OkStatus();
}

// The first PersonAdded of a stream creates the person; a later one (an
// address changed) replaces the address.
absl::Status FoldPersonAdded(const v1::Event& event, const v1::EventPayload& p,
                             EntityStates* states) {
  v1::Person& person = states->people[event.stream()];
  person.set_id(event.stream());
  person.set_name(p.person_added().name());
  person.set_email(p.person_added().email());
  person.set_version(event.version());
  return absl::OkStatus();
}

absl::Status FoldUpdateRequested(const v1::Event& event,
                                 const v1::EventPayload& p,
                                 EntityStates* states) {
  auto act = Existing(states->actions, event);
  if (!act.ok()) return act.status();
  v1::UpdateRequest* r = (*act)->mutable_update_request();
  r->Clear();
  r->set_meeting(p.update_requested().meeting());
  r->set_due(p.update_requested().due());
  r->set_status(v1::UPDATE_STATUS_OPEN);
  r->set_requested_by(event.actor());
  *r->mutable_requested_at() = event.recorded_at();
  Touch(event, *act);
  return absl::OkStatus();
}

absl::Status FoldUpdateAnswered(const v1::Event& event,
                                const v1::EventPayload& p,
                                EntityStates* states) {
  auto act = Existing(states->actions, event);
  if (!act.ok()) return act.status();
  const v1::AnswerUpdate& a = p.update_answered();
  v1::UpdateRequest* r = (*act)->mutable_update_request();
  v1::UpdateAnswer* out = r->mutable_answer();
  out->Clear();
  out->set_text(a.text());
  out->set_status(a.status());
  out->set_has_timescale(a.has_timescale());
  out->set_timescale(a.timescale());
  out->set_reason(a.reason());
  out->set_answered_on(a.answered_on());
  out->set_answered_by(event.actor());
  *out->mutable_answered_at() = event.recorded_at();
  r->set_status(v1::UPDATE_STATUS_ANSWERED);
  r->clear_comment();
  r->clear_decided_by();
  Touch(event, *act);
  return absl::OkStatus();
}

// Approved or returned. An approval's note, status and target are events
// of their own (ProgressReported, ActionStatusChanged, ActionUpdated)
// recorded with it, so they fold as every other.
absl::Status FoldUpdateDecided(const v1::Event& event,
                               const v1::EventPayload& p,
                               EntityStates* states) {
  auto act = Existing(states->actions, event);
  if (!act.ok()) return act.status();
  v1::UpdateRequest* r = (*act)->mutable_update_request();
  r->set_status(p.update_decided().status());
  r->set_comment(p.update_decided().comment());
  r->set_decided_by(event.actor());
  Touch(event, *act);
  return absl::OkStatus();
}

absl::Status FoldMessageSent(const v1::Event& event, const v1::EventPayload& p,
                             EntityStates* states) {
  auto review = Existing(states->reviews, event);
  if (!review.ok()) return review.status();
  Touch(event, *review);
  const v1::RecordMessageSent& m = p.message_sent();
  v1::OutboxMessage& out = states->sent[m.key()];
  out.set_key(m.key());
  out.set_kind(m.key().substr(0, m.key().find('/')));
  out.set_review_id(m.review_id());
  out.set_to(m.to());
  out.set_subject(m.subject());
  out.set_body(m.body());
  out.set_sent(true);
  *out.mutable_sent_at() = event.recorded_at();
  out.set_position(event.position());
  return absl::OkStatus();
}

}  // namespace

std::string SentMessageKey(const std::string& key) {
  return absl::StrCat("sent/", key);
}

absl::Status FoldEvent(const v1::Event& event, EntityStates* states) {
  const v1::EventPayload& p = event.payload();
  switch (p.kind_case()) {
    case v1::EventPayload::kReviewOpened:
      return FoldReviewOpened(event, p, states);
    case v1::EventPayload::kReportBackScheduled:
      return FoldReportBackScheduled(event, p, states);
    case v1::EventPayload::kReviewClosed:
      return FoldReviewClosed(event, p, states);
    case v1::EventPayload::kRecommendationAdded:
      return FoldRecommendationAdded(event, p, states);
    case v1::EventPayload::kRecommendationAmended:
      return FoldRecommendationAmended(event, p, states);
    case v1::EventPayload::kResponseRecorded:
      return FoldResponseRecorded(event, p, states);
    case v1::EventPayload::kRecommendationStatusSet:
      return FoldRecommendationStatusSet(event, p, states);
    case v1::EventPayload::kActionAdded:
      return FoldActionAdded(event, p, states);
    case v1::EventPayload::kActionUpdated:
      return FoldActionUpdated(event, p, states);
    case v1::EventPayload::kActionStatusSet:
      return FoldActionStatusSet(event, p, states);
    case v1::EventPayload::kProgressReported:
      return FoldProgressReported(event, p, states);
    case v1::EventPayload::kRecordCorrected:
      return FoldRecordCorrected(event, p, states);
    case v1::EventPayload::kProgressRetracted:
      return FoldProgressRetracted(event, p, states);
    case v1::EventPayload::kPersonAdded:
      return FoldPersonAdded(event, p, states);
    case v1::EventPayload::kUpdateRequested:
      return FoldUpdateRequested(event, p, states);
    case v1::EventPayload::kUpdateAnswered:
      return FoldUpdateAnswered(event, p, states);
    case v1::EventPayload::kUpdateDecided:
      return FoldUpdateDecided(event, p, states);
    case v1::EventPayload::kMessageSent:
      return FoldMessageSent(event, p, states);
    case v1::EventPayload::KIND_NOT_SET:
      break;
  }
  return absl::InternalError(absl::StrCat("event ", event.position(),
                                          " has a payload this server does "
                                          "not know"));
}

}  // namespace rectrack::domain
