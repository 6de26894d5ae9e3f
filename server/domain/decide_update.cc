// The update cycle: the directory of people, update requests before a
// meeting, officers' answers, and their approval or return. An approved
// answer enters the record through ReportProgress, SetActionStatus and
// UpdateAction (decide_action.cc), the same code that records them when
// given directly, so every rule of those applies and they fold alike.
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "server/domain/decider.h"
#include "server/domain/derived.h"
#include "server/domain/rules.h"

namespace rectrack::domain {
namespace {

absl::Status CheckEmail(const std::string& email) {
  const size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size() ||
      email.find_first_of(" \t,;<>") != std::string::npos) {
    return WithFieldViolation(
        absl::InvalidArgumentError(
            absl::StrCat("email: \"", email,
                         "\" is not an email address; give one such as "
                         "gemma.barron@council.gov.uk")),
        "email", "EMAIL_INVALID");
  }
  return absl::OkStatus();
}

std::string UpdateWords(v1::UpdateStatus status) {
  switch (status) {
    case v1::UPDATE_STATUS_OPEN:
      return "asked and not answered yet";
    case v1::UPDATE_STATUS_ANSWERED:
      return "answered and waiting for approval";
    case v1::UPDATE_STATUS_APPROVED:
      return "answered and approved";
    case v1::UPDATE_STATUS_RETURNED:
      return "returned to its lead";
    default:
      return "not asked";
  }
}

absl::Status NoUpdateWaiting(const v1::Action& action, absl::string_view verb) {
  return WithErrorInfo(
      absl::FailedPreconditionError(absl::StrCat(
          "no answer on ", action.id(), " waits to be ", verb,
          ": its update is ", UpdateWords(action.update_request().status()))),
      "NO_ANSWER_WAITING", {{"action", action.id()}});
}

}  // namespace

void RequestDecider::CollapseResults(size_t first,
                                     const std::string& entity_id) {
  v1::CommandResult result;
  if (results_.size() > first) result = results_.back();
  result.set_events(static_cast<uint32_t>(results_.size() - first));
  result.set_entity_id(entity_id);
  results_.resize(first);
  results_.push_back(std::move(result));
}

absl::Status RequestDecider::AddPerson(const v1::AddPerson& c) {
  RECTRACK_RETURN_IF_ERROR(Required(c.name(), "name"));
  RECTRACK_RETURN_IF_ERROR(Required(c.email(), "email"));
  const std::string email = Trimmed(c.email());
  RECTRACK_RETURN_IF_ERROR(CheckEmail(email));
  v1::EventPayload p;
  p.mutable_person_added()->set_name(Trimmed(c.name()));
  p.mutable_person_added()->set_email(email);
  const std::string key = PersonNameKey(c.name());
  RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> known,
                            txn_.GetState(key));
  EntityStates states;
  if (known.has_value()) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Person person,
                              Load<v1::Person>(*known, EntityKind::kPerson));
    RECTRACK_RETURN_IF_ERROR(CheckVersion(person.id(), person.version()));
    if (person.email() == email && person.name() == Trimmed(c.name())) {
      // Already so: nothing to record (an import run twice adds nothing).
      v1::CommandResult same;
      same.set_entity_id(person.id());
      same.set_version(person.version());
      results_.push_back(std::move(same));
      return absl::OkStatus();
    }
    states.people[person.id()] = person;
    return Record(person.id(), "PersonChanged", "", std::move(p),
                  std::move(states));
  }
  RECTRACK_ASSIGN_OR_RETURN(std::string id, NewId(EntityKind::kPerson));
  txn_.PutState(key, id);
  return Record(id, "PersonAdded", "", std::move(p), std::move(states));
}

std::string RequestDecider::DefaultDue(const std::string& meeting) const {
  return AddDays(meeting, -settings_.due_days_before_meeting);
}

absl::Status RequestDecider::RequestUpdates(const v1::RequestUpdates& c) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                            LoadReview(c.review_id(), "review_id"));
  RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(review));
  RECTRACK_ASSIGN_OR_RETURN(std::string meeting,
                            OptionalDate(c.meeting(), "meeting"));
  const std::string today = DayOf(txn_.now());
  if (meeting.empty()) {
    for (const v1::ReportBack& rb : review.report_backs()) {
      if (rb.date() > today) {
        meeting = rb.date();
        break;
      }
    }
  }
  if (meeting.empty()) {
    return WithErrorInfo(
        absl::FailedPreconditionError(absl::StrCat(
            "review ", review.id(),
            " has no report-back scheduled after today (", today,
            "): give the meeting's date, or schedule the report-back first")),
        "NO_MEETING", {{"review", review.id()}});
  }
  RECTRACK_ASSIGN_OR_RETURN(std::string due, OptionalDate(c.due(), "due"));
  if (due.empty()) due = DefaultDue(meeting);
  if (due > meeting) {
    return WithFieldViolation(
        absl::InvalidArgumentError(
            absl::StrCat("due: ", due, " is after the meeting (", meeting,
                         "); updates must be due by the meeting")),
        "due", "DATE_TOO_LATE");
  }
  const size_t first = results_.size();
  for (const std::string& rec_id : review.recommendation_ids()) {
    RECTRACK_ASSIGN_OR_RETURN(
        v1::Recommendation rec,
        Load<v1::Recommendation>(rec_id, EntityKind::kRecommendation));
    for (const std::string& action_id : rec.action_ids()) {
      RECTRACK_ASSIGN_OR_RETURN(
          v1::Action action, Load<v1::Action>(action_id, EntityKind::kAction));
      RECTRACK_RETURN_IF_ERROR(RequestUpdate(action, meeting, due).status());
    }
  }
  CollapseResults(first, review.id());
  return absl::OkStatus();
}

absl::StatusOr<bool> RequestDecider::RequestUpdate(const v1::Action& action,
                                                   const std::string& meeting,
                                                   const std::string& due) {
  const v1::UpdateRequest& asked = action.update_request();
  if (!IsOpen(action.status()) ||
      (asked.status() != v1::UPDATE_STATUS_UNSPECIFIED &&
       asked.meeting() == meeting) ||
      asked.status() == v1::UPDATE_STATUS_ANSWERED) {
    return false;
  }
  v1::EventPayload p;
  v1::UpdateRequested* e = p.mutable_update_requested();
  e->set_action_id(action.id());
  e->set_review_id(action.review_id());
  e->set_meeting(meeting);
  e->set_due(due);
  *e->mutable_leads() = action.leads();
  EntityStates states;
  states.actions[action.id()] = action;
  RECTRACK_RETURN_IF_ERROR(Record(action.id(), "UpdateRequested", "",
                                  std::move(p), std::move(states)));
  return true;
}

absl::Status RequestDecider::AnswerUpdate(const v1::AnswerUpdate& c) {
  // The guard (an officer's: only actions it leads) is asked here, on the
  // action as it stands in this commit.
  RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                            LoadChangeableAction(c.id(), false));
  const v1::UpdateStatus status = action.update_request().status();
  if (status != v1::UPDATE_STATUS_OPEN &&
      status != v1::UPDATE_STATUS_RETURNED) {
    return WithErrorInfo(
        absl::FailedPreconditionError(absl::StrCat(
            "no update is waiting to be answered on ", action.id(),
            ": its update is ", UpdateWords(status),
            status == v1::UPDATE_STATUS_UNSPECIFIED
                ? "; a scrutiny officer asks with rectrack updates request"
                : "")),
        "NO_UPDATE_ASKED", {{"action", action.id()}});
  }
  RECTRACK_RETURN_IF_ERROR(Required(c.text(), "text"));
  v1::EventPayload p;
  v1::AnswerUpdate* e = p.mutable_update_answered();
  e->set_id(action.id());
  e->set_text(Trimmed(c.text()));
  if (c.status() != v1::ACTION_STATUS_UNSPECIFIED &&
      c.status() != action.status()) {
    RECTRACK_RETURN_IF_ERROR(
        CheckActionTransition(action.id(), action.status(), c.status()));
    e->set_status(c.status());
  }
  if (c.has_timescale() &&
      Trimmed(c.timescale()) != action.timescale().text()) {
    e->set_timescale(Trimmed(c.timescale()));
    RECTRACK_RETURN_IF_ERROR(Required(c.reason(), "reason"));
    e->set_reason(Trimmed(c.reason()));
  }
  RECTRACK_ASSIGN_OR_RETURN(std::string on,
                            PastDate(c.answered_on(), "answered_on"));
  e->set_answered_on(on.empty() ? DayOf(txn_.now()) : on);
  RECTRACK_RETURN_IF_ERROR(NotBefore(e->answered_on(), "answered_on",
                                     action.effective_from(),
                                     "the action was agreed"));
  const size_t first = results_.size();
  EntityStates states;
  states.actions[action.id()] = action;
  RECTRACK_RETURN_IF_ERROR(Record(action.id(), "UpdateAnswered", "",
                                  std::move(p), std::move(states)));
  if (settings_.need_approval) return absl::OkStatus();
  // This server takes officers' updates straight into the record.
  RECTRACK_ASSIGN_OR_RETURN(v1::Action answered,
                            Load<v1::Action>(action.id(), EntityKind::kAction));
  v1::EventPayload entered;
  v1::UpdateDecided* d = entered.mutable_update_decided();
  d->set_action_id(action.id());
  d->set_answered_by(actor_.name);
  d->set_status(v1::UPDATE_STATUS_APPROVED);
  d->set_comment("entered without approval (this server does not ask for it)");
  EntityStates after;
  after.actions[action.id()] = answered;
  RECTRACK_RETURN_IF_ERROR(Record(action.id(), "UpdateEntered", "",
                                  std::move(entered), std::move(after)));
  RECTRACK_RETURN_IF_ERROR(
      EnterAnswer(action.id(), answered.update_request().answer()));
  CollapseResults(first, action.id());
  return absl::OkStatus();
}

absl::Status RequestDecider::ApproveUpdate(const v1::ApproveUpdate& c) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                            LoadChangeableAction(c.id(), false));
  if (action.update_request().status() != v1::UPDATE_STATUS_ANSWERED) {
    return NoUpdateWaiting(action, "approved");
  }
  const v1::UpdateAnswer answer = action.update_request().answer();
  v1::EventPayload p;
  v1::UpdateDecided* d = p.mutable_update_decided();
  d->set_action_id(action.id());
  d->set_comment(Trimmed(c.comment()));
  d->set_answered_by(answer.answered_by());
  d->set_status(v1::UPDATE_STATUS_APPROVED);
  const size_t first = results_.size();
  EntityStates states;
  states.actions[action.id()] = action;
  RECTRACK_RETURN_IF_ERROR(Record(action.id(), "UpdateApproved", "",
                                  std::move(p), std::move(states)));
  RECTRACK_RETURN_IF_ERROR(EnterAnswer(action.id(), answer));
  CollapseResults(first, action.id());
  return absl::OkStatus();
}

absl::Status RequestDecider::ReturnUpdate(const v1::ReturnUpdate& c) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                            LoadChangeableAction(c.id(), false));
  if (action.update_request().status() != v1::UPDATE_STATUS_ANSWERED) {
    return NoUpdateWaiting(action, "returned");
  }
  RECTRACK_RETURN_IF_ERROR(Required(c.comment(), "comment"));
  v1::EventPayload p;
  v1::UpdateDecided* d = p.mutable_update_decided();
  d->set_action_id(action.id());
  d->set_comment(Trimmed(c.comment()));
  d->set_answered_by(action.update_request().answer().answered_by());
  d->set_status(v1::UPDATE_STATUS_RETURNED);
  EntityStates states;
  states.actions[action.id()] = action;
  return Record(action.id(), "UpdateReturned", "", std::move(p),
                std::move(states));
}

absl::Status RequestDecider::RecordMessageSent(const v1::RecordMessageSent& c) {
  RECTRACK_RETURN_IF_ERROR(Required(c.key(), "key"));
  RECTRACK_RETURN_IF_ERROR(Required(c.to(), "to"));
  RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                            LoadReview(c.review_id(), "review_id"));
  RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> sent,
                            txn_.GetState(SentMessageKey(c.key())));
  if (sent.has_value()) {
    // Recorded already: a message is never recorded as sent twice.
    v1::CommandResult same;
    same.set_entity_id(review.id());
    same.set_version(review.version());
    results_.push_back(std::move(same));
    return absl::OkStatus();
  }
  v1::EventPayload p;
  *p.mutable_message_sent() = c;
  p.mutable_message_sent()->set_review_id(review.id());
  EntityStates states;
  states.reviews[review.id()] = review;
  return Record(review.id(), "MessageSent", "", std::move(p),
                std::move(states));
}

absl::Status RequestDecider::EnterAnswer(const std::string& action_id,
                                         const v1::UpdateAnswer& answer) {
  const v1::Command* outer = command_;
  entering_answer_ = true;
  auto run = [&](const v1::Command& sub) -> absl::Status {
    command_ = &sub;
    switch (sub.op_case()) {
      case v1::Command::kReportProgress:
        return ReportProgress(sub.report_progress());
      case v1::Command::kSetActionStatus:
        return SetActionStatus(sub.set_action_status());
      default:
        return UpdateAction(sub.update_action());
    }
  };
  v1::Command note;
  v1::ReportProgress* progress = note.mutable_report_progress();
  progress->set_id(action_id);
  progress->set_text(answer.text());
  progress->set_reported_on(answer.answered_on());
  if (answer.answered_by() != actor_.name) {
    progress->set_answered_by(answer.answered_by());
  }
  absl::Status s = run(note);
  if (s.ok() && answer.status() != v1::ACTION_STATUS_UNSPECIFIED) {
    v1::Command status;
    status.mutable_set_action_status()->set_id(action_id);
    status.mutable_set_action_status()->set_status(answer.status());
    status.mutable_set_action_status()->set_effective_on(answer.answered_on());
    s = run(status);
  }
  if (s.ok() && !answer.timescale().empty()) {
    v1::Command target;
    target.mutable_update_action()->set_id(action_id);
    target.mutable_update_action()->set_timescale(answer.timescale());
    target.mutable_update_action()->set_reason(answer.reason());
    target.mutable_update_action()->set_effective_on(answer.answered_on());
    s = run(target);
  }
  entering_answer_ = false;
  command_ = outer;
  return s;
}

}  // namespace rectrack::domain
