#include "server/domain/decider.h"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/error_details.h"
#include "common/status_macros.h"
#include "server/domain/action_parts.h"
#include "server/domain/derived.h"

namespace rectrack::domain {

absl::Status Required(absl::string_view value, absl::string_view field) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    return WithFieldViolation(
        absl::InvalidArgumentError(absl::StrCat(field, " is required")), field,
        "FIELD_REQUIRED");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> OptionalDate(absl::string_view value,
                                         absl::string_view field) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    return std::string();
  }
  absl::StatusOr<std::string> date = NormalizeDate(value, field);
  if (!date.ok()) {
    return WithFieldViolation(date.status(), field, "DATE_INVALID");
  }
  return date;
}

std::string ViewDayOr(const std::string& stated, const std::string& inherited) {
  return stated.empty() ? inherited : stated;
}

absl::Status NotBefore(const std::string& stated, absl::string_view field,
                       const std::string& floor, absl::string_view what) {
  if (stated.empty() || floor.empty() || stated >= floor) {
    return absl::OkStatus();
  }
  return WithFieldViolation(absl::InvalidArgumentError(absl::StrCat(
                                field, ": ", stated, " is before ", what, " (",
                                floor, "); give a date on or after it")),
                            field, "DATE_TOO_EARLY");
}

namespace {

// Fields of Command itself rather than of its operation.
bool IsCommandField(absl::string_view field) {
  return field == "expected_version" || field == "event_id";
}

// The field violations of command `index`'s `status`, as paths in the
// request ("commands[2].add_action.text"); a failure that names no field is
// one violation of the command as a whole.
google::rpc::BadRequest PlacedViolations(const absl::Status& status, int index,
                                         const v1::Command& command) {
  const std::string at = absl::StrCat("commands[", index, "]");
  const google::protobuf::FieldDescriptor* op =
      command.GetReflection()->GetOneofFieldDescriptor(
          command, command.GetDescriptor()->FindOneofByName("op"));
  google::rpc::BadRequest placed =
      BadRequestOf(status).value_or(google::rpc::BadRequest());
  for (auto& v : *placed.mutable_field_violations()) {
    v.set_field(IsCommandField(v.field()) || op == nullptr
                    ? absl::StrCat(at, ".", v.field())
                    : absl::StrCat(at, ".", op->name(), ".", v.field()));
  }
  if (placed.field_violations().empty()) {
    auto* v = placed.add_field_violations();
    v->set_field(op == nullptr ? at : absl::StrCat(at, ".", op->name()));
    v->set_description(std::string(status.message()));
  }
  return placed;
}

}  // namespace

absl::Status CheckLeads(
    const google::protobuf::RepeatedPtrField<std::string>& leads,
    google::protobuf::RepeatedPtrField<std::string>* out) {
  if (leads.empty()) {
    return WithFieldViolation(
        absl::InvalidArgumentError("leads: at least one lead is required"),
        "leads", "FIELD_REQUIRED");
  }
  for (int i = 0; i < leads.size(); ++i) {
    if (absl::StripAsciiWhitespace(leads[i]).empty()) {
      return WithFieldViolation(
          absl::InvalidArgumentError(
              absl::StrCat("leads[", i, "] is empty; name a person or role")),
          absl::StrCat("leads[", i, "]"), "FIELD_REQUIRED");
    }
    *out->Add() = Trimmed(leads[i]);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ApplyResponse> RequestDecider::Run(
    const google::protobuf::RepeatedPtrField<v1::Command>& commands) {
  size_t first = results_.size();
  absl::Status first_failure;
  google::rpc::BadRequest violations;  // of every failing command
  std::vector<std::string> problems;
  for (int i = 0; i < commands.size(); ++i) {
    absl::Status status = RunOne(commands[i]);
    if (!status.ok()) {
      std::string message =
          commands.size() == 1
              ? std::string(status.message())
              : absl::StrCat("command ", i, ": ", status.message());
      violations.MergeFrom(PlacedViolations(status, i, commands[i]));
      if (first_failure.ok()) first_failure = status;
      problems.push_back(std::move(message));
      if (!keep_going_) break;
      results_.emplace_back();  // keeps "$N" counting; refers to nothing
    }
  }
  if (!first_failure.ok()) {
    // The first failure's code and details, with every failure's fields.
    absl::Status out =
        Reworded(first_failure, keep_going_ ? absl::StrJoin(problems, "\n")
                                            : problems.front());
    SetBadRequest(&out, violations);
    return out;
  }
  SaveHeld();
  v1::ApplyResponse response;
  *response.mutable_results() = {results_.begin() + first, results_.end()};
  return response;
}

absl::Status RequestDecider::RunOne(const v1::Command& c) {
  command_ = &c;
  // Changes to an existing action are put to the guard with the action, in
  // LoadChangeableAction; every other command here.
  const bool changes_action = c.has_update_action() ||
                              c.has_set_action_status() ||
                              c.has_report_progress() || c.has_answer_update();
  if (actor_.guard != nullptr && !changes_action) {
    RECTRACK_RETURN_IF_ERROR(actor_.guard->Admit(c, nullptr));
  }
  switch (c.op_case()) {
    case v1::Command::kOpenReview:
      return OpenReview(c.open_review());
    case v1::Command::kScheduleReportBack:
      return ScheduleReportBack(c.schedule_report_back());
    case v1::Command::kAddRecommendation:
      return AddRecommendation(c.add_recommendation());
    case v1::Command::kAmendRecommendation:
      return AmendRecommendation(c.amend_recommendation());
    case v1::Command::kRecordResponse:
      return RecordResponse(c.record_response());
    case v1::Command::kAddAction:
      return AddAction(c.add_action());
    case v1::Command::kUpdateAction:
      return UpdateAction(c.update_action());
    case v1::Command::kSetActionStatus:
      return SetActionStatus(c.set_action_status());
    case v1::Command::kReportProgress:
      return ReportProgress(c.report_progress());
    case v1::Command::kSetRecommendationStatus:
      return SetRecommendationStatus(c.set_recommendation_status());
    case v1::Command::kCloseReview:
      return CloseReview(c.close_review());
    case v1::Command::kCorrectRecord:
      return CorrectRecord(c.correct_record());
    case v1::Command::kRetractProgress:
      return RetractProgress(c.retract_progress());
    case v1::Command::kAddPerson:
      return AddPerson(c.add_person());
    case v1::Command::kRequestUpdates:
      return RequestUpdates(c.request_updates());
    case v1::Command::kAnswerUpdate:
      return AnswerUpdate(c.answer_update());
    case v1::Command::kApproveUpdate:
      return ApproveUpdate(c.approve_update());
    case v1::Command::kReturnUpdate:
      return ReturnUpdate(c.return_update());
    case v1::Command::kRecordMessageSent:
      return RecordMessageSent(c.record_message_sent());
    case v1::Command::OP_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      "the command is empty: set one operation, such as open_review");
}

absl::StatusOr<std::string> RequestDecider::Resolve(const std::string& ref,
                                                    EntityKind kind,
                                                    absl::string_view field) {
  std::string id = Trimmed(ref);
  if (absl::StartsWith(id, "$")) {
    size_t n = 0;
    if (!absl::SimpleAtoi(id.substr(1), &n) || n >= results_.size()) {
      return WithFieldViolation(
          absl::InvalidArgumentError(
              absl::StrCat(field, ": \"", id,
                           "\" does not refer to an earlier command of "
                           "this request ($0 is the first command)")),
          field, "REFERENCE_INVALID");
    }
    id = results_[n].entity_id();
    if (id.empty()) {
      return WithFieldViolation(
          absl::InvalidArgumentError(absl::StrCat(
              field, ": \"", ref, "\" refers to a command that failed")),
          field, "REFERENCE_FAILED");
    }
  }
  absl::StatusOr<EntityId> parsed = ParseEntityId(id, field);
  if (!parsed.ok()) {
    return WithFieldViolation(parsed.status(), field, "ID_INVALID");
  }
  if (parsed->kind != kind) {
    return WithFieldViolation(
        absl::InvalidArgumentError(
            absl::StrCat(field, ": ", id, " is not a ", KindName(kind), " id")),
        field, "ID_INVALID");
  }
  return id;
}

absl::StatusOr<v1::Review> RequestDecider::LoadReview(const std::string& ref,
                                                      absl::string_view field) {
  RECTRACK_ASSIGN_OR_RETURN(std::string id,
                            Resolve(ref, EntityKind::kReview, field));
  return InField(Load<v1::Review>(id, EntityKind::kReview), field);
}

absl::StatusOr<v1::Recommendation> RequestDecider::LoadRecommendation(
    const std::string& ref, absl::string_view field) {
  RECTRACK_ASSIGN_OR_RETURN(std::string id,
                            Resolve(ref, EntityKind::kRecommendation, field));
  return InField(Load<v1::Recommendation>(id, EntityKind::kRecommendation),
                 field);
}

absl::StatusOr<v1::Action> RequestDecider::LoadAction(const std::string& ref,
                                                      absl::string_view field) {
  RECTRACK_ASSIGN_OR_RETURN(std::string id,
                            Resolve(ref, EntityKind::kAction, field));
  return InField(Load<v1::Action>(id, EntityKind::kAction), field);
}

absl::Status RequestDecider::CheckReviewOpen(const std::string& review_id) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                            Load<v1::Review>(review_id, EntityKind::kReview));
  return CheckReviewOpen(review);
}

absl::Status RequestDecider::CheckReviewOpen(const v1::Review& review) {
  if (review.status() == v1::REVIEW_STATUS_CLOSED) {
    return WithErrorInfo(
        absl::FailedPreconditionError(absl::StrCat(
            "review ", review.id(), " is closed; nothing in it can change")),
        "REVIEW_CLOSED", {{"review", review.id()}});
  }
  return absl::OkStatus();
}

absl::Status RequestDecider::CheckVersion(const std::string& id,
                                          uint64_t actual) {
  if (command_->has_expected_version() &&
      command_->expected_version() != actual) {
    return WithErrorInfo(
        WithFieldViolation(
            absl::AbortedError(absl::StrCat(
                id, " is at version ", actual, ", not the expected version ",
                command_->expected_version(),
                "; someone else changed it: reload it and try again")),
            "expected_version", "VERSION_MISMATCH"),
        "VERSION_MISMATCH",
        {{"entity", id},
         {"actualVersion", absl::StrCat(actual)},
         {"expectedVersion", absl::StrCat(command_->expected_version())}});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequestDecider::PastDate(absl::string_view value,
                                                     absl::string_view field) {
  RECTRACK_ASSIGN_OR_RETURN(std::string day, OptionalDate(value, field));
  const std::string today = DayOf(txn_.now());
  if (!day.empty() && day > AddDays(today, 1)) {
    return WithFieldViolation(
        absl::InvalidArgumentError(absl::StrCat(
            field, ": ", day, " is in the future (today is ", today,
            "); record what has happened, dated the day it happened")),
        field, "DATE_IN_FUTURE");
  }
  return day;
}

absl::StatusOr<std::string> RequestDecider::NewId(EntityKind kind) {
  if (command_->has_expected_version() && command_->expected_version() != 0) {
    return WithErrorInfo(
        WithFieldViolation(absl::AbortedError(absl::StrCat(
                               "the new ", KindName(kind),
                               " has version 0, not the expected version ",
                               command_->expected_version())),
                           "expected_version", "VERSION_MISMATCH"),
        "VERSION_MISMATCH",
        {{"actualVersion", "0"},
         {"expectedVersion", absl::StrCat(command_->expected_version())}});
  }
  RECTRACK_ASSIGN_OR_RETURN(uint64_t n,
                            txn_.NextSequence(std::string(KindPrefix(kind))));
  return MakeEntityId(kind, n);
}

absl::Status RequestDecider::Record(const std::string& stream,
                                    const std::string& type,
                                    const std::string& effective_on,
                                    v1::EventPayload payload,
                                    EntityStates states) {
  v1::Event event;
  event.set_stream(stream);
  event.set_type(type);
  event.set_effective_on(effective_on);
  event.set_actor(actor_.name);
  event.set_event_id(command_->event_id());
  *event.mutable_payload() = std::move(payload);
  // The entity's state carries its stream version; a new entity has none.
  uint64_t version = 0;
  if (auto it = states.reviews.find(stream); it != states.reviews.end()) {
    version = it->second.version();
  } else if (auto rit = states.recommendations.find(stream);
             rit != states.recommendations.end()) {
    version = rit->second.version();
  } else if (auto ait = states.actions.find(stream);
             ait != states.actions.end()) {
    version = ait->second.version();
  } else if (auto pit = states.people.find(stream);
             pit != states.people.end()) {
    version = pit->second.version();
  }
  RECTRACK_ASSIGN_OR_RETURN(v1::Event stored,
                            txn_.Append(std::move(event), version));
  // Index entries before the event, of what the event can re-index: a
  // review's committee and a recommendation's words never change with
  // events of other streams, so only the event's own entity and actions
  // are worked out twice.
  absl::flat_hash_map<std::string, IndexEntries> before;
  for (const auto& [id, action] : states.actions) {
    before.emplace(id, IndexEntriesOf(action));
  }
  if (auto it = states.recommendations.find(stream);
      it != states.recommendations.end()) {
    before.emplace(stream, IndexEntriesOf(it->second));
  }
  if (auto it = states.reviews.find(stream); it != states.reviews.end()) {
    before.emplace(stream, IndexEntriesOf(it->second));
  }
  // Actions as they were (small: stored actions hold only their latest note
  // and target), to write only the parts the event changed.
  const absl::flat_hash_map<std::string, v1::Action> actions_before =
      states.actions;
  RECTRACK_RETURN_IF_ERROR(FoldEvent(stored, &states));
  StoreWithIndexes(before, stream, states.reviews);
  StoreWithIndexes(before, stream, states.recommendations);
  StoreWithIndexes(before, stream, states.actions);
  StoreWithIndexes(before, stream, states.people);
  for (const auto& [key, message] : states.sent) {
    txn_.PutState(SentMessageKey(key), message.SerializeAsString());
  }
  for (const auto& [id, action] : states.actions) {
    auto it = actions_before.find(id);
    for (auto& [key, bytes] : it == actions_before.end()
                                  ? PartsOf(action)
                                  : ChangedParts(it->second, action)) {
      txn_.PutState(key, std::move(bytes));
    }
  }
  if (HeldCount() >= kMaxHeld) {
    SaveHeld();
    held_ = EntityStates();
  }
  v1::CommandResult result;
  result.set_entity_id(stored.stream());
  result.set_version(stored.version());
  result.set_position(stored.position());
  result.set_event_id(stored.event_id());
  results_.push_back(std::move(result));
  return absl::OkStatus();
}

// An entity absent from `before` is new, or a parent whose own index
// entries the event of `stream` cannot change.
template <typename Map>
void RequestDecider::StoreWithIndexes(
    const absl::flat_hash_map<std::string, IndexEntries>& before,
    const std::string& stream, const Map& after) {
  for (const auto& [id, entity] : after) {
    auto it = before.find(id);
    if (it == before.end() && id != stream &&
        !std::is_same_v<typename Map::mapped_type, v1::Action>) {
      Hold(id, entity);
      continue;
    }
    IndexEntries old_entries;
    if (it != before.end()) old_entries = it->second;
    IndexEntries new_entries = IndexEntriesOf(entity);
    for (const auto& e : old_entries) {
      if (!new_entries.count(e)) txn_.DeleteIndex(e.first, e.second, id);
    }
    for (const auto& e : new_entries) {
      if (!old_entries.count(e)) txn_.PutIndex(e.first, e.second, id);
    }
    Hold(id, entity);
  }
}

void RequestDecider::Hold(const std::string& id, const v1::Review& review) {
  held_.reviews[id] = review;
  unsaved_.insert(id);
}

void RequestDecider::Hold(const std::string& id,
                          const v1::Recommendation& rec) {
  held_.recommendations[id] = rec;
  unsaved_.insert(id);
}

void RequestDecider::Hold(const std::string& id, const v1::Action& action) {
  held_.actions[id] = ParentOf(action);
  unsaved_.insert(id);
}

void RequestDecider::Hold(const std::string& id, const v1::Person& person) {
  held_.people[id] = person;
  unsaved_.insert(id);
}

void RequestDecider::SaveHeld() {
  auto save = [&](const auto& entities) {
    for (const auto& [id, entity] : entities) {
      if (unsaved_.contains(id)) txn_.PutState(id, entity.SerializeAsString());
    }
  };
  save(held_.reviews);
  save(held_.recommendations);
  save(held_.actions);
  save(held_.people);
  unsaved_.clear();
}

}  // namespace rectrack::domain
