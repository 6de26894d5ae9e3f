#include "server/domain/tracker.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "common/dates.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "server/domain/derived.h"
#include "server/domain/fold.h"
#include "server/domain/rules.h"
#include "server/store/keys.h"

namespace rectrack::domain {
namespace {

constexpr uint32_t kDefaultReadLimit = 1000;
constexpr uint32_t kMaxReadLimit = 10000;

std::string Trimmed(absl::string_view s) {
  return std::string(absl::StripAsciiWhitespace(s));
}

absl::Status Required(absl::string_view value, absl::string_view field) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  return absl::OkStatus();
}

// Dates are optional unless `required`; returns "" or "YYYY-MM-DD".
absl::StatusOr<std::string> OptionalDate(absl::string_view value,
                                         absl::string_view field) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    return std::string();
  }
  return NormalizeDate(value, field);
}

std::string Fingerprint(const v1::ApplyRequest& request) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    for (const v1::Command& c : request.commands()) {
      c.SerializeToCodedStream(&coded);
    }
  }
  return out;
}

using IndexEntries = std::set<std::pair<std::string, std::string>>;

// Index entries of each kind of entity: (index name, value). Recomputed
// from the state before and after every event; Verify rebuilds them.
IndexEntries IndexEntriesOf(const v1::Review& r) {
  return {{"review_by_committee", absl::AsciiStrToLower(Trimmed(r.committee()))}};
}

IndexEntries IndexEntriesOf(const v1::Recommendation& r) {
  IndexEntries out;
  for (std::string& word : SearchWords(r.text())) {
    out.insert({"rec_by_word", std::move(word)});
  }
  return out;
}

IndexEntries IndexEntriesOf(const v1::Action& a) {
  IndexEntries out;
  out.insert({"action_by_review", a.review_id()});
  out.insert({"action_by_status", v1::ActionStatus_Name(a.status())});
  for (const std::string& lead : a.leads()) {
    out.insert({"action_by_lead", absl::AsciiStrToLower(Trimmed(lead))});
  }
  for (std::string& word : SearchWords(a.text())) {
    out.insert({"action_by_word", std::move(word)});
  }
  const std::string& due = a.timescale().latest();
  if (!due.empty()) {
    out.insert({"action_by_due", due});
    if (IsOpen(a.status())) out.insert({"open_action_by_due", due});
  }
  if (IsOpen(a.status()) && a.slippage().revisions() > 1) {
    out.insert({"open_action_revised_twice", ""});
  }
  return out;
}

template <typename Entity>
absl::StatusOr<Entity> ParseState(const std::string& id,
                                  const std::string& bytes) {
  Entity entity;
  if (!entity.ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("the stored state of ", id, " cannot be read (damaged)"));
  }
  return entity;
}

// Turns the commands of one request into events, one command at a time.
class RequestDecider {
 public:
  // With `keep_going` (dry runs), a failing command does not stop the run:
  // every problem is reported.
  RequestDecider(store::Transaction& txn, const std::string& actor,
                 bool keep_going)
      : txn_(txn), actor_(actor), keep_going_(keep_going) {}

  // Runs `commands` after any run before on this decider: "$N" counts from
  // the first command of the first run. Returns this run's results.
  absl::StatusOr<v1::ApplyResponse> Run(
      const google::protobuf::RepeatedPtrField<v1::Command>& commands) {
    size_t first = results_.size();
    absl::StatusCode code = absl::StatusCode::kOk;
    std::vector<std::string> problems;
    for (int i = 0; i < commands.size(); ++i) {
      absl::Status status = RunOne(commands[i]);
      if (!status.ok()) {
        std::string message =
            commands.size() == 1
                ? std::string(status.message())
                : absl::StrCat("command ", i, ": ", status.message());
        if (!keep_going_) {
          return absl::Status(status.code(), message);
        }
        if (code == absl::StatusCode::kOk) code = status.code();
        problems.push_back(std::move(message));
        results_.emplace_back();  // keeps "$N" counting; refers to nothing
      }
    }
    if (!problems.empty()) {
      return absl::Status(code, absl::StrJoin(problems, "\n"));
    }
    v1::ApplyResponse response;
    *response.mutable_results() = {results_.begin() + first, results_.end()};
    return response;
  }

 private:
  absl::Status RunOne(const v1::Command& c) {
    command_ = &c;
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
      case v1::Command::OP_NOT_SET:
        break;
    }
    return absl::InvalidArgumentError(
        "the command is empty: set one operation, such as open_review");
  }

  // "$N" → the id created by command N of this request; anything else must
  // be an id of `kind`.
  absl::StatusOr<std::string> Resolve(const std::string& ref, EntityKind kind,
                                      absl::string_view field) {
    std::string id = Trimmed(ref);
    if (absl::StartsWith(id, "$")) {
      size_t n = 0;
      if (!absl::SimpleAtoi(id.substr(1), &n) || n >= results_.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": \"", id,
                         "\" does not refer to an earlier command of "
                         "this request ($0 is the first command)"));
      }
      id = results_[n].entity_id();
      if (id.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, ": \"", ref, "\" refers to a command that failed"));
      }
    }
    RECTRACK_ASSIGN_OR_RETURN(EntityId parsed, ParseEntityId(id, field));
    if (parsed.kind != kind) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": ", id, " is not a ", KindName(kind), " id"));
    }
    return id;
  }

  template <typename Entity>
  absl::StatusOr<Entity> Load(const std::string& id, EntityKind kind) {
    RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                              txn_.GetState(id));
    if (!bytes.has_value()) {
      return absl::NotFoundError(
          absl::StrCat(KindName(kind), " ", id, " does not exist"));
    }
    return ParseState<Entity>(id, *bytes);
  }
  absl::StatusOr<v1::Review> LoadReview(const std::string& ref,
                                        absl::string_view field) {
    RECTRACK_ASSIGN_OR_RETURN(std::string id,
                              Resolve(ref, EntityKind::kReview, field));
    return Load<v1::Review>(id, EntityKind::kReview);
  }
  absl::StatusOr<v1::Recommendation> LoadRecommendation(
      const std::string& ref, absl::string_view field) {
    RECTRACK_ASSIGN_OR_RETURN(std::string id,
                              Resolve(ref, EntityKind::kRecommendation, field));
    return Load<v1::Recommendation>(id, EntityKind::kRecommendation);
  }
  absl::StatusOr<v1::Action> LoadAction(const std::string& ref,
                                        absl::string_view field) {
    RECTRACK_ASSIGN_OR_RETURN(std::string id,
                              Resolve(ref, EntityKind::kAction, field));
    return Load<v1::Action>(id, EntityKind::kAction);
  }

  // The review `review_id` must exist and be open.
  absl::Status CheckReviewOpen(const std::string& review_id) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                              Load<v1::Review>(review_id, EntityKind::kReview));
    return CheckReviewOpen(review);
  }
  absl::Status CheckReviewOpen(const v1::Review& review) {
    if (review.status() == v1::REVIEW_STATUS_CLOSED) {
      return absl::FailedPreconditionError(absl::StrCat(
          "review ", review.id(), " is closed; nothing in it can change"));
    }
    return absl::OkStatus();
  }

  // Optimistic concurrency against the target's current version.
  absl::Status CheckVersion(const std::string& id, uint64_t actual) {
    if (command_->has_expected_version() &&
        command_->expected_version() != actual) {
      return absl::AbortedError(absl::StrCat(
          id, " is at version ", actual, ", not the expected version ",
          command_->expected_version(),
          "; someone else changed it: reload it and try again"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> NewId(EntityKind kind) {
    if (command_->has_expected_version() && command_->expected_version() != 0) {
      return absl::AbortedError(absl::StrCat("the new ", KindName(kind),
                                             " has version 0, not the expected "
                                             "version ",
                                             command_->expected_version()));
    }
    RECTRACK_ASSIGN_OR_RETURN(uint64_t n,
                              txn_.NextSequence(std::string(KindPrefix(kind))));
    return MakeEntityId(kind, n);
  }

  // Appends the event, folds it into `states` and stores every entity in
  // `states` (with the action indexes kept in step).
  absl::Status Record(const std::string& stream, const std::string& type,
                      const std::string& effective_on, v1::EventPayload payload,
                      EntityStates states) {
    v1::Event event;
    event.set_stream(stream);
    event.set_type(type);
    event.set_effective_on(effective_on);
    event.set_actor(actor_);
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
    RECTRACK_RETURN_IF_ERROR(FoldEvent(stored, &states));
    StoreWithIndexes(before, stream, states.reviews);
    StoreWithIndexes(before, stream, states.recommendations);
    StoreWithIndexes(before, stream, states.actions);
    v1::CommandResult result;
    result.set_entity_id(stored.stream());
    result.set_version(stored.version());
    result.set_position(stored.position());
    result.set_event_id(stored.event_id());
    results_.push_back(std::move(result));
    return absl::OkStatus();
  }

  // Stores each entity of `after`, putting and deleting index entries as
  // they differ from those in `before` (an entity absent there is new, or a
  // parent whose own index entries the event of `stream` cannot change).
  template <typename Map>
  void StoreWithIndexes(
      const absl::flat_hash_map<std::string, IndexEntries>& before,
      const std::string& stream, const Map& after) {
    for (const auto& [id, entity] : after) {
      auto it = before.find(id);
      if (it == before.end() && id != stream &&
          !std::is_same_v<typename Map::mapped_type, v1::Action>) {
        txn_.PutState(id, entity.SerializeAsString());
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
      txn_.PutState(id, entity.SerializeAsString());
    }
  }

  absl::Status OpenReview(const v1::OpenReview& c) {
    RECTRACK_RETURN_IF_ERROR(Required(c.title(), "title"));
    RECTRACK_RETURN_IF_ERROR(Required(c.committee(), "committee"));
    v1::EventPayload p;
    v1::OpenReview* e = p.mutable_review_opened();
    e->set_title(Trimmed(c.title()));
    e->set_committee(Trimmed(c.committee()));
    e->set_council(Trimmed(c.council()));
    RECTRACK_ASSIGN_OR_RETURN(*e->mutable_published_on(),
                              OptionalDate(c.published_on(), "published_on"));
    RECTRACK_ASSIGN_OR_RETURN(std::string id, NewId(EntityKind::kReview));
    return Record(id, "ReviewOpened", e->published_on(), std::move(p), {});
  }

  absl::Status ScheduleReportBack(const v1::ScheduleReportBack& c) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                              LoadReview(c.review_id(), "review_id"));
    RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(review));
    RECTRACK_RETURN_IF_ERROR(CheckVersion(review.id(), review.version()));
    RECTRACK_RETURN_IF_ERROR(Required(c.date(), "date"));
    v1::EventPayload p;
    v1::ScheduleReportBack* e = p.mutable_report_back_scheduled();
    e->set_review_id(review.id());
    RECTRACK_ASSIGN_OR_RETURN(*e->mutable_date(),
                              NormalizeDate(c.date(), "date"));
    e->set_note(Trimmed(c.note()));
    EntityStates states;
    states.reviews[review.id()] = review;
    return Record(review.id(), "ReportBackScheduled", "", std::move(p),
                  std::move(states));
  }

  absl::Status AddRecommendation(const v1::AddRecommendation& c) {
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
    RECTRACK_ASSIGN_OR_RETURN(std::string id,
                              NewId(EntityKind::kRecommendation));
    EntityStates states;
    states.reviews[review.id()] = review;
    // A recommendation stands from its review's publication.
    return Record(id, "RecommendationAdded", review.published_on(),
                  std::move(p), std::move(states));
  }

  absl::Status AmendRecommendation(const v1::AmendRecommendation& c) {
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

  absl::Status RecordResponse(const v1::RecordResponse& c) {
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
      std::vector<std::string> open;
      for (const std::string& action_id : rec.action_ids()) {
        RECTRACK_ASSIGN_OR_RETURN(
            v1::Action action,
            Load<v1::Action>(action_id, EntityKind::kAction));
        if (action.status() != v1::ACTION_STATUS_CANCELLED) {
          open.push_back(action_id);
        }
      }
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
                              OptionalDate(c.responded_on(), "responded_on"));
    EntityStates states;
    states.recommendations[rec.id()] = rec;
    return Record(rec.id(), "ResponseRecorded", e->responded_on(), std::move(p),
                  std::move(states));
  }

  absl::Status SetRecommendationStatus(const v1::SetRecommendationStatus& c) {
    RECTRACK_ASSIGN_OR_RETURN(
        v1::Recommendation rec,
        LoadRecommendation(c.recommendation_id(), "recommendation_id"));
    RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(rec.review_id()));
    RECTRACK_RETURN_IF_ERROR(CheckVersion(rec.id(), rec.version()));
    RECTRACK_RETURN_IF_ERROR(
        CheckRecommendationTransition(rec.id(), rec.status(), c.status()));
    v1::EventPayload p;
    v1::SetRecommendationStatus* e = p.mutable_recommendation_status_set();
    e->set_recommendation_id(rec.id());
    e->set_status(c.status());
    e->set_note(Trimmed(c.note()));
    RECTRACK_ASSIGN_OR_RETURN(std::string on,
                              OptionalDate(c.effective_on(), "effective_on"));
    e->set_effective_on(on.empty() ? DayOf(txn_.now()) : on);
    EntityStates states;
    states.recommendations[rec.id()] = rec;
    return Record(rec.id(), "RecommendationStatusChanged", e->effective_on(),
                  std::move(p), std::move(states));
  }

  absl::Status CheckLeads(
      const google::protobuf::RepeatedPtrField<std::string>& leads,
      google::protobuf::RepeatedPtrField<std::string>* out) {
    if (leads.empty()) {
      return absl::InvalidArgumentError("leads: at least one lead is required");
    }
    for (int i = 0; i < leads.size(); ++i) {
      if (absl::StripAsciiWhitespace(leads[i]).empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("leads[", i, "] is empty; name a person or role"));
      }
      *out->Add() = Trimmed(leads[i]);
    }
    return absl::OkStatus();
  }

  absl::Status AddAction(const v1::AddAction& c) {
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
    RECTRACK_ASSIGN_OR_RETURN(std::string id, NewId(EntityKind::kAction));
    EntityStates states;
    states.recommendations[rec.id()] = rec;
    // An action is agreed with the response to its recommendation.
    return Record(id, "ActionAdded", rec.response().responded_on(),
                  std::move(p), std::move(states));
  }

  // An action that may still change: exists, not cancelled, review open.
  absl::StatusOr<v1::Action> LoadChangeableAction(const std::string& ref,
                                                  bool allow_cancelled) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Action action, LoadAction(ref, "id"));
    RECTRACK_RETURN_IF_ERROR(CheckReviewOpen(action.review_id()));
    RECTRACK_RETURN_IF_ERROR(CheckVersion(action.id(), action.version()));
    if (!allow_cancelled && action.status() == v1::ACTION_STATUS_CANCELLED) {
      return absl::FailedPreconditionError(absl::StrCat(
          "action ", action.id(), " is cancelled; it cannot change"));
    }
    return action;
  }

  absl::Status UpdateAction(const v1::UpdateAction& c) {
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
    EntityStates states;
    states.actions[action.id()] = action;
    return Record(action.id(), "ActionUpdated", "", std::move(p),
                  std::move(states));
  }

  absl::Status SetActionStatus(const v1::SetActionStatus& c) {
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
                              OptionalDate(c.effective_on(), "effective_on"));
    EntityStates states;
    states.actions[action.id()] = action;
    return Record(action.id(), "ActionStatusChanged", e->effective_on(),
                  std::move(p), std::move(states));
  }

  absl::Status ReportProgress(const v1::ReportProgress& c) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                              LoadChangeableAction(c.id(), false));
    RECTRACK_RETURN_IF_ERROR(Required(c.text(), "text"));
    v1::EventPayload p;
    v1::ReportProgress* e = p.mutable_progress_reported();
    e->set_id(action.id());
    e->set_text(Trimmed(c.text()));
    RECTRACK_ASSIGN_OR_RETURN(std::string on,
                              OptionalDate(c.reported_on(), "reported_on"));
    e->set_reported_on(on.empty() ? DayOf(txn_.now()) : on);
    EntityStates states;
    states.actions[action.id()] = action;
    return Record(action.id(), "ProgressReported", e->reported_on(),
                  std::move(p), std::move(states));
  }

  absl::Status CloseReview(const v1::CloseReview& c) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                              LoadReview(c.review_id(), "review_id"));
    RECTRACK_RETURN_IF_ERROR(CheckVersion(review.id(), review.version()));
    if (review.status() == v1::REVIEW_STATUS_CLOSED) {
      return absl::FailedPreconditionError(
          absl::StrCat("review ", review.id(), " is already closed"));
    }
    v1::EventPayload p;
    p.mutable_review_closed()->set_review_id(review.id());
    p.mutable_review_closed()->set_note(Trimmed(c.note()));
    EntityStates states;
    states.reviews[review.id()] = review;
    return Record(review.id(), "ReviewClosed", "", std::move(p),
                  std::move(states));
  }

  store::Transaction& txn_;
  const std::string& actor_;
  const bool keep_going_;
  const v1::Command* command_ = nullptr;
  std::vector<v1::CommandResult> results_;
};

template <typename Entity>
absl::StatusOr<Entity> GetEntity(store::EventStore* store,
                                 const std::string& id, EntityKind kind) {
  RECTRACK_ASSIGN_OR_RETURN(EntityId parsed, ParseEntityId(id, "id"));
  if (parsed.kind != kind) {
    return absl::InvalidArgumentError(
        absl::StrCat("id: ", id, " is not a ", KindName(kind), " id"));
  }
  RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                            store->GetState(id));
  if (!bytes.has_value()) {
    return absl::NotFoundError(
        absl::StrCat(KindName(kind), " ", id, " does not exist"));
  }
  return ParseState<Entity>(id, *bytes);
}

}  // namespace

namespace {

absl::Status CheckSize(const v1::ApplyRequest& request) {
  if (request.commands().empty()) {
    return absl::InvalidArgumentError(
        "commands: the request has no commands; give at least one");
  }
  if (request.commands_size() > kMaxCommandsPerRequest) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a request may hold at most ", kMaxCommandsPerRequest,
        " commands and this one has ", request.commands_size(),
        "; split it into smaller requests, or stream them with BulkApply"));
  }
  return absl::OkStatus();
}

// Several results stored as one: each is a u32 big-endian length, then it.
std::string JoinResults(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    uint32_t n = static_cast<uint32_t>(p.size());
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((n >> shift) & 0xFF));
    }
    out += p;
  }
  return out;
}

absl::StatusOr<std::vector<v1::ApplyResponse>> SplitResults(
    absl::string_view bytes, bool replayed) {
  std::vector<v1::ApplyResponse> out;
  while (!bytes.empty()) {
    if (bytes.size() < 4) {
      return absl::DataLossError(
          "the stored result of this request is damaged");
    }
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) {
      n = (n << 8) | static_cast<uint8_t>(bytes[i]);
    }
    bytes.remove_prefix(4);
    v1::ApplyResponse response;
    if (n > bytes.size() ||
        !response.ParseFromArray(bytes.data(), static_cast<int>(n))) {
      return absl::DataLossError(
          "the stored result of this request is damaged");
    }
    bytes.remove_prefix(n);
    response.set_replayed(replayed);
    out.push_back(std::move(response));
  }
  return out;
}

// The decider for `chunks`, applied in order in one transaction as if they
// were one request ("$N" counts across them). With more than one chunk,
// errors name the chunk.
store::EventStore::Decider DecideChunks(
    std::shared_ptr<const std::vector<v1::ApplyRequest>> chunks,
    std::string actor) {
  return
      [chunks, actor](store::Transaction& txn) -> absl::StatusOr<std::string> {
        std::vector<std::string> results;
        // A dry run reports every problem; a real run stops at the first.
        const bool dry_run = (*chunks)[0].dry_run();
        RequestDecider decider(txn, actor, dry_run);
        absl::StatusCode code = absl::StatusCode::kOk;
        std::vector<std::string> problems;
        for (size_t i = 0; i < chunks->size(); ++i) {
          absl::StatusOr<v1::ApplyResponse> response =
              decider.Run((*chunks)[i].commands());
          if (response.ok()) {
            results.push_back(response->SerializeAsString());
            continue;
          }
          if (code == absl::StatusCode::kOk) code = response.status().code();
          for (absl::string_view line :
               absl::StrSplit(response.status().message(), '\n')) {
            problems.push_back(chunks->size() == 1
                                   ? std::string(line)
                                   : absl::StrCat("chunk ", i, ": ", line));
          }
          if (!dry_run) break;
        }
        if (!problems.empty()) {
          return absl::Status(code, absl::StrJoin(problems, "\n"));
        }
        return JoinResults(results);
      };
}

}  // namespace

void Tracker::Apply(const v1::ApplyRequest& request, const std::string& actor,
                    ApplyDone done, absl::Time deadline) {
  if (absl::Status s = CheckSize(request); !s.ok()) {
    done(s);
    return;
  }
  store::RequestInfo info{request.request_id(), Fingerprint(request),
                          request.correlation_id(), request.dry_run(),
                          deadline};
  // The decider runs later on the committer thread: it owns its copy.
  auto chunks = std::make_shared<const std::vector<v1::ApplyRequest>>(
      std::vector<v1::ApplyRequest>{request});
  store_->Submit(
      std::move(info), DecideChunks(std::move(chunks), actor),
      [done = std::move(done)](absl::StatusOr<store::CommitResult> result) {
        if (!result.ok()) {
          done(result.status());
          return;
        }
        auto responses = SplitResults(result->result, result->replayed);
        if (!responses.ok()) {
          done(responses.status());
          return;
        }
        done(std::move(responses->at(0)));
      });
}

void Tracker::ApplyAll(std::vector<v1::ApplyRequest> chunks,
                       const std::string& actor, ApplyAllDone done) {
  if (chunks.empty()) {
    done(absl::InvalidArgumentError("no chunks were sent"));
    return;
  }
  size_t total = 0;
  std::string fingerprint;
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (absl::Status s = CheckSize(chunks[i]); !s.ok()) {
      done(
          absl::Status(s.code(), absl::StrCat("chunk ", i, ": ", s.message())));
      return;
    }
    total += chunks[i].commands_size();
    fingerprint += Fingerprint(chunks[i]);
  }
  if (total > static_cast<size_t>(kMaxCommandsAllOrNothing)) {
    done(absl::ResourceExhaustedError(absl::StrCat(
        "an all-or-nothing batch may hold at most ", kMaxCommandsAllOrNothing,
        " commands and this one has ", total,
        "; send it without all_or_nothing, chunk by chunk")));
    return;
  }
  const v1::ApplyRequest& first = chunks[0];
  store::RequestInfo info{
      first.request_id().empty() ? ""
                                 : absl::StrCat("bulk:", first.request_id()),
      std::move(fingerprint), first.correlation_id(), first.dry_run()};
  auto shared =
      std::make_shared<const std::vector<v1::ApplyRequest>>(std::move(chunks));
  store_->Submit(
      std::move(info), DecideChunks(std::move(shared), actor),
      [done = std::move(done)](absl::StatusOr<store::CommitResult> result) {
        if (!result.ok()) {
          done(result.status());
          return;
        }
        done(SplitResults(result->result, result->replayed));
      });
}

absl::StatusOr<v1::ApplyResponse> Tracker::ApplyAndWait(
    const v1::ApplyRequest& request, const std::string& actor) {
  absl::Notification finished;
  absl::StatusOr<v1::ApplyResponse> outcome;
  Apply(request, actor, [&](absl::StatusOr<v1::ApplyResponse> r) {
    outcome = std::move(r);
    finished.Notify();
  });
  finished.WaitForNotification();
  return outcome;
}

absl::StatusOr<v1::Review> Tracker::GetReview(const std::string& id) {
  return GetEntity<v1::Review>(store_, id, EntityKind::kReview);
}

absl::StatusOr<v1::Recommendation> Tracker::GetRecommendation(
    const std::string& id) {
  return GetEntity<v1::Recommendation>(store_, id, EntityKind::kRecommendation);
}

absl::StatusOr<v1::Action> Tracker::GetAction(const std::string& id) {
  return GetEntity<v1::Action>(store_, id, EntityKind::kAction);
}

absl::StatusOr<std::vector<v1::Review>> Tracker::ListReviews() {
  RECTRACK_ASSIGN_OR_RETURN(auto rows, store_->ScanState("review-"));
  std::vector<v1::Review> out;
  for (const auto& [id, bytes] : rows) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                              ParseState<v1::Review>(id, bytes));
    out.push_back(std::move(review));
  }
  std::sort(out.begin(), out.end(),
            [](const v1::Review& a, const v1::Review& b) {
              return EntityIdLess(a.id(), b.id());
            });
  return out;
}

namespace {

// A past instant to read state at (see v1::AsOf).
struct AsOfSpec {
  absl::Time at;
  bool effective = false;
  std::string day;  // the UTC day of `at`
};

absl::StatusOr<std::optional<AsOfSpec>> ReadAsOf(bool has,
                                                 const v1::AsOf& as_of) {
  if (!has) return std::nullopt;
  if (!v1::TimeAxis_IsValid(as_of.axis())) {
    return absl::InvalidArgumentError(
        "as_of.axis: not a known axis (recorded or effective)");
  }
  if (!as_of.has_at()) {
    return absl::InvalidArgumentError(
        "as_of.at is required when as_of is given");
  }
  AsOfSpec spec;
  spec.at = TimeFromProto(as_of.at());
  spec.effective = as_of.axis() == v1::TIME_AXIS_EFFECTIVE;
  spec.day = DayOf(spec.at);
  return spec;
}

std::string DescribeAsOf(const AsOfSpec& spec) {
  return spec.effective
             ? absl::StrCat("by ", spec.day, " (effective dates)")
             : absl::StrCat("at ", absl::FormatTime(absl::RFC3339_sec, spec.at,
                                                    absl::UTCTimeZone()));
}

// The day an event counts from on the effective axis: its effective date
// where it has one, else the day it was recorded.
std::string EffectiveDay(const v1::Event& e) {
  return e.effective_on().empty() ? DayOf(TimeFromProto(e.recorded_at()))
                                  : e.effective_on();
}

// The day an event counts from on `spec`'s axis (recorded when none).
std::string EventDay(const std::optional<AsOfSpec>& spec, const v1::Event& e) {
  return spec.has_value() && spec->effective
             ? EffectiveDay(e)
             : DayOf(TimeFromProto(e.recorded_at()));
}

bool Includes(const AsOfSpec& spec, const v1::Event& e) {
  if (spec.effective) return EffectiveDay(e) <= spec.day;
  return TimeFromProto(e.recorded_at()) <= spec.at;
}

bool CreatesEntity(const v1::Event& e) {
  switch (e.payload().kind_case()) {
    case v1::EventPayload::kReviewOpened:
    case v1::EventPayload::kRecommendationAdded:
    case v1::EventPayload::kActionAdded:
      return true;
    default:
      return false;
  }
}

bool HasEntity(const EntityStates& s, const std::string& id) {
  return s.reviews.contains(id) || s.recommendations.contains(id) ||
         s.actions.contains(id);
}

// Folds the events of `streams`, merged in log order, that `spec` includes
// (all of them when there is no spec). Events committed after the call
// starts are left out, so the streams are read as one consistent cut. On
// the effective axis an event about an entity that had not been created by
// then is skipped. The events folded are appended to `folded` if given.
absl::StatusOr<EntityStates> FoldStreams(
    store::EventStore* store, const std::vector<std::string>& streams,
    const std::optional<AsOfSpec>& spec,
    std::vector<v1::Event>* folded = nullptr) {
  const uint64_t cut = store->LastPosition();
  std::vector<v1::Event> events;
  for (const std::string& stream : streams) {
    RECTRACK_ASSIGN_OR_RETURN(std::vector<v1::Event> part,
                              store->ReadStream(stream));
    for (v1::Event& e : part) {
      if (e.position() <= cut) events.push_back(std::move(e));
    }
  }
  std::sort(events.begin(), events.end(),
            [](const v1::Event& a, const v1::Event& b) {
              return a.position() < b.position();
            });
  EntityStates states;
  for (v1::Event& e : events) {
    if (spec.has_value() && !Includes(*spec, e)) continue;
    if (!CreatesEntity(e) && !HasEntity(states, e.stream())) continue;
    RECTRACK_RETURN_IF_ERROR(FoldEvent(e, &states));
    if (folded != nullptr) folded->push_back(std::move(e));
  }
  return states;
}

absl::Status NotYet(absl::string_view kind, const std::string& id,
                    const AsOfSpec& spec) {
  return absl::NotFoundError(absl::StrCat(kind, " ", id, " did not exist yet ",
                                          DescribeAsOf(spec)));
}

absl::StatusOr<int> DueSoonDays(uint32_t requested) {
  constexpr uint32_t kMaxDueSoonDays = 3660;
  if (requested > kMaxDueSoonDays) {
    return absl::InvalidArgumentError(absl::StrCat(
        "due_soon_days: at most ", kMaxDueSoonDays, " (ten years)"));
  }
  return requested == 0 ? kDefaultDueSoonDays : static_cast<int>(requested);
}

constexpr absl::string_view kPageTokenPrefix = "after:";

// Ids of the entries, in any order.
std::vector<std::string> IdsOf(
    std::vector<std::pair<std::string, std::string>> entries) {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (auto& [value, id] : entries) out.push_back(std::move(id));
  return out;
}

// Every query word starts some word of `words`.
bool AllWordsMatch(const std::vector<std::string>& query,
                   const std::vector<std::string>& words) {
  for (const std::string& q : query) {
    // `words` is sorted: the first word not less than q is the candidate.
    auto it = std::lower_bound(words.begin(), words.end(), q);
    if (it == words.end() || !absl::StartsWith(*it, q)) return false;
  }
  return true;
}

}  // namespace

std::string Tracker::Today() { return DayOf(store_->clock()->Now()); }

absl::StatusOr<v1::Review> Tracker::GetReview(
    const v1::GetReviewRequest& request) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Review current, GetReview(request.id()));
  RECTRACK_ASSIGN_OR_RETURN(std::optional<AsOfSpec> spec,
                            ReadAsOf(request.has_as_of(), request.as_of()));
  if (!spec.has_value()) return current;
  std::vector<std::string> streams = {current.id()};
  streams.insert(streams.end(), current.recommendation_ids().begin(),
                 current.recommendation_ids().end());
  RECTRACK_ASSIGN_OR_RETURN(EntityStates states,
                            FoldStreams(store_, streams, spec));
  auto it = states.reviews.find(current.id());
  if (it == states.reviews.end()) return NotYet("review", current.id(), *spec);
  return std::move(it->second);
}

absl::StatusOr<v1::Recommendation> Tracker::GetRecommendation(
    const v1::GetRecommendationRequest& request) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Recommendation current,
                            GetRecommendation(request.id()));
  RECTRACK_ASSIGN_OR_RETURN(std::optional<AsOfSpec> spec,
                            ReadAsOf(request.has_as_of(), request.as_of()));
  if (!spec.has_value()) return current;
  std::vector<std::string> streams = {current.id()};
  streams.insert(streams.end(), current.action_ids().begin(),
                 current.action_ids().end());
  RECTRACK_ASSIGN_OR_RETURN(EntityStates states,
                            FoldStreams(store_, streams, spec));
  auto it = states.recommendations.find(current.id());
  if (it == states.recommendations.end()) {
    return NotYet("recommendation", current.id(), *spec);
  }
  return std::move(it->second);
}

namespace {

// `current` as it stood by `spec`.
absl::StatusOr<v1::Action> ActionAsOf(store::EventStore* store,
                                      const v1::Action& current,
                                      const std::optional<AsOfSpec>& spec) {
  RECTRACK_ASSIGN_OR_RETURN(EntityStates states,
                            FoldStreams(store, {current.id()}, spec));
  auto it = states.actions.find(current.id());
  if (it == states.actions.end()) return NotYet("action", current.id(), *spec);
  // Folded without its recommendation; the review never changes.
  it->second.set_review_id(current.review_id());
  return std::move(it->second);
}

}  // namespace

absl::StatusOr<v1::Action> Tracker::GetAction(
    const v1::GetActionRequest& request) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Action action, GetAction(request.id()));
  RECTRACK_ASSIGN_OR_RETURN(std::optional<AsOfSpec> spec,
                            ReadAsOf(request.has_as_of(), request.as_of()));
  RECTRACK_ASSIGN_OR_RETURN(int due_soon_days,
                            DueSoonDays(request.due_soon_days()));
  if (spec.has_value()) {
    RECTRACK_ASSIGN_OR_RETURN(action, ActionAsOf(store_, action, spec));
  }
  *action.mutable_standing() =
      StandingOn(action, spec.has_value() ? spec->day : Today(), due_soon_days);
  return action;
}

absl::StatusOr<v1::ListActionsResponse> Tracker::ListActions(
    const v1::ListActionsRequest& r) {
  constexpr uint32_t kDefaultPageSize = 100;
  constexpr uint32_t kMaxPageSize = 1000;
  // Check every filter before reading anything.
  if (!r.review_id().empty()) {
    RECTRACK_RETURN_IF_ERROR(GetReview(r.review_id()).status());
  }
  if (r.status() != v1::ACTION_STATUS_UNSPECIFIED &&
      !v1::ActionStatus_IsValid(r.status())) {
    return absl::InvalidArgumentError("status: not a known action status");
  }
  if (!v1::Rag_IsValid(r.rag())) {
    return absl::InvalidArgumentError("rag: not red, amber or green");
  }
  std::string due_before, due_after;
  if (!r.due_before().empty()) {
    RECTRACK_ASSIGN_OR_RETURN(due_before,
                              NormalizeDate(r.due_before(), "due_before"));
  }
  if (!r.due_after().empty()) {
    RECTRACK_ASSIGN_OR_RETURN(due_after,
                              NormalizeDate(r.due_after(), "due_after"));
  }
  if (r.page_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: at most ", kMaxPageSize, " actions a page"));
  }
  const size_t page_size =
      r.page_size() == 0 ? kDefaultPageSize : r.page_size();
  std::string after;
  if (!r.page_token().empty()) {
    absl::string_view token = r.page_token();
    if (!absl::ConsumePrefix(&token, kPageTokenPrefix) ||
        !ParseEntityId(token, "page_token").ok()) {
      return absl::InvalidArgumentError(
          "page_token: not a token this server gave; start again without it");
    }
    after = std::string(token);
  }
  RECTRACK_ASSIGN_OR_RETURN(int due_soon_days, DueSoonDays(r.due_soon_days()));
  RECTRACK_ASSIGN_OR_RETURN(std::optional<AsOfSpec> spec,
                            ReadAsOf(r.has_as_of(), r.as_of()));
  const std::string day = spec.has_value() ? spec->day : Today();
  absl::flat_hash_set<std::string> leads;
  for (const std::string& lead : r.leads()) {
    std::string l = absl::AsciiStrToLower(Trimmed(lead));
    if (!l.empty()) leads.insert(std::move(l));
  }
  const std::string committee = absl::AsciiStrToLower(Trimmed(r.committee()));
  const std::vector<std::string> words = SearchWords(r.text());
  if (!Trimmed(r.text()).empty() && words.empty()) {
    return absl::InvalidArgumentError(
        "text: give at least one word of two or more letters or digits "
        "other than common words such as \"the\" and \"and\", which are "
        "not indexed");
  }

  // 1. Candidates: the intersection of what each filter's index selects
  // (none given: every action). As of an earlier time only the review and
  // committee narrow it (they never change); the rest is checked on each.
  std::optional<absl::flat_hash_set<std::string>> candidates;
  auto narrow = [&](std::vector<std::string> ids) {
    if (!candidates.has_value()) {
      candidates.emplace(std::make_move_iterator(ids.begin()),
                         std::make_move_iterator(ids.end()));
      return;
    }
    absl::flat_hash_set<std::string> kept;
    for (std::string& id : ids) {
      if (candidates->contains(id)) kept.insert(std::move(id));
    }
    candidates = std::move(kept);
  };
  auto scan = [&](absl::string_view name, absl::string_view value)
      -> absl::StatusOr<std::vector<std::string>> {
    return store_->ScanIndex(name, value);
  };
  auto range = [&](absl::string_view name, absl::string_view from,
                   absl::string_view to)
      -> absl::StatusOr<std::vector<std::string>> {
    RECTRACK_ASSIGN_OR_RETURN(auto entries,
                              store_->ScanIndexRange(name, from, to));
    return IdsOf(std::move(entries));
  };
  if (!r.review_id().empty()) {
    RECTRACK_ASSIGN_OR_RETURN(auto ids, scan("action_by_review", r.review_id()));
    narrow(std::move(ids));
  }
  if (!committee.empty()) {
    RECTRACK_ASSIGN_OR_RETURN(auto reviews,
                              scan("review_by_committee", committee));
    std::vector<std::string> ids;
    for (const std::string& review : reviews) {
      RECTRACK_ASSIGN_OR_RETURN(auto part, scan("action_by_review", review));
      ids.insert(ids.end(), part.begin(), part.end());
    }
    narrow(std::move(ids));
  }
  if (!spec.has_value()) {
    if (!leads.empty()) {
      std::vector<std::string> ids;
      for (const std::string& lead : leads) {
        RECTRACK_ASSIGN_OR_RETURN(auto part, scan("action_by_lead", lead));
        ids.insert(ids.end(), part.begin(), part.end());
      }
      narrow(std::move(ids));
    }
    if (r.status() != v1::ACTION_STATUS_UNSPECIFIED) {
      RECTRACK_ASSIGN_OR_RETURN(
          auto ids, scan("action_by_status", v1::ActionStatus_Name(r.status())));
      narrow(std::move(ids));
    }
    const std::string soon_end = AddDays(day, due_soon_days + 1);
    if (r.overdue()) {
      RECTRACK_ASSIGN_OR_RETURN(auto ids, range("open_action_by_due", "", day));
      narrow(std::move(ids));
    }
    if (r.due_soon()) {
      RECTRACK_ASSIGN_OR_RETURN(auto ids,
                                range("open_action_by_due", day, soon_end));
      narrow(std::move(ids));
    }
    if (!due_before.empty()) {
      RECTRACK_ASSIGN_OR_RETURN(auto ids,
                                range("action_by_due", "", due_before));
      narrow(std::move(ids));
    }
    if (!due_after.empty()) {
      RECTRACK_ASSIGN_OR_RETURN(auto ids, range("action_by_due", due_after, ""));
      narrow(std::move(ids));
    }
    if (r.rag() == v1::RAG_RED) {
      RECTRACK_ASSIGN_OR_RETURN(auto ids, range("open_action_by_due", "", day));
      RECTRACK_ASSIGN_OR_RETURN(
          auto blocked,
          scan("action_by_status",
               v1::ActionStatus_Name(v1::ACTION_STATUS_BLOCKED)));
      ids.insert(ids.end(), blocked.begin(), blocked.end());
      narrow(std::move(ids));
    } else if (r.rag() == v1::RAG_AMBER) {
      RECTRACK_ASSIGN_OR_RETURN(auto ids,
                                range("open_action_by_due", day, soon_end));
      RECTRACK_ASSIGN_OR_RETURN(auto revised,
                                scan("open_action_revised_twice", ""));
      ids.insert(ids.end(), revised.begin(), revised.end());
      narrow(std::move(ids));
    }
    for (const std::string& word : words) {
      RECTRACK_ASSIGN_OR_RETURN(
          auto ids,
          store_->ScanIndexValuePrefix("action_by_word", word));
      std::vector<std::string> found = IdsOf(std::move(ids));
      RECTRACK_ASSIGN_OR_RETURN(
          auto recs, store_->ScanIndexValuePrefix("rec_by_word", word));
      for (const auto& [value, rec_id] : recs) {
        RECTRACK_ASSIGN_OR_RETURN(v1::Recommendation rec,
                                  GetRecommendation(rec_id));
        found.insert(found.end(), rec.action_ids().begin(),
                     rec.action_ids().end());
      }
      narrow(std::move(found));
    }
  }

  // 2. Walk the candidates in id order, checking every filter on each. With
  // no index to narrow them, walk the ids themselves: they are numbered
  // densely, so a page costs the same wherever it starts.
  std::vector<std::string> ids;
  const bool dense = !candidates.has_value();
  uint64_t next_number = 1, last_number = 0;
  if (dense) {
    RECTRACK_ASSIGN_OR_RETURN(
        last_number,
        store_->CurrentSequence(std::string(KindPrefix(EntityKind::kAction))));
    if (!after.empty()) {
      RECTRACK_ASSIGN_OR_RETURN(EntityId parsed,
                                ParseEntityId(after, "page_token"));
      next_number = parsed.number + 1;
    }
  } else {
    ids.assign(candidates->begin(), candidates->end());
    std::sort(ids.begin(), ids.end(), EntityIdLess);
  }
  size_t next_index = 0;
  auto next_id = [&]() -> std::optional<std::string> {
    if (dense) {
      if (next_number > last_number) return std::nullopt;
      return MakeEntityId(EntityKind::kAction, next_number++);
    }
    while (next_index < ids.size()) {
      const std::string& id = ids[next_index++];
      if (after.empty() || EntityIdLess(after, id)) return id;
    }
    return std::nullopt;
  };
  absl::flat_hash_map<std::string, std::string> committee_of;  // by review
  absl::flat_hash_map<std::string, std::vector<std::string>> rec_words;
  v1::ListActionsResponse response;
  while (std::optional<std::string> next = next_id()) {
    const std::string& id = *next;
    RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                              store_->GetState(id));
    if (!bytes.has_value()) continue;  // an id handed out, never stored
    RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                              ParseState<v1::Action>(id, *bytes));
    if (spec.has_value()) {
      absl::StatusOr<v1::Action> then = ActionAsOf(store_, action, spec);
      if (absl::IsNotFound(then.status())) continue;  // not yet added
      if (!then.ok()) return then.status();
      action = *std::move(then);
    }
    *action.mutable_standing() = StandingOn(action, day, due_soon_days);
    const v1::ActionStanding& standing = action.standing();
    const std::string& due = action.timescale().latest();
    if ((!r.review_id().empty() && action.review_id() != r.review_id()) ||
        (r.status() != v1::ACTION_STATUS_UNSPECIFIED &&
         action.status() != r.status()) ||
        (r.overdue() && !standing.overdue()) ||
        (r.due_soon() && !standing.due_soon()) ||
        (r.rag() != v1::RAG_UNSPECIFIED && standing.rag() != r.rag()) ||
        (!due_before.empty() && (due.empty() || due >= due_before)) ||
        (!due_after.empty() && (due.empty() || due < due_after))) {
      continue;
    }
    if (!leads.empty() &&
        std::none_of(action.leads().begin(), action.leads().end(),
                     [&](const std::string& l) {
                       return leads.contains(absl::AsciiStrToLower(Trimmed(l)));
                     })) {
      continue;
    }
    if (!committee.empty()) {
      auto it = committee_of.find(action.review_id());
      if (it == committee_of.end()) {
        RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                                  GetReview(action.review_id()));
        it = committee_of
                 .emplace(action.review_id(),
                          absl::AsciiStrToLower(Trimmed(review.committee())))
                 .first;
      }
      if (it->second != committee) continue;
    }
    if (!words.empty()) {
      auto it = rec_words.find(action.recommendation_id());
      if (it == rec_words.end()) {
        RECTRACK_ASSIGN_OR_RETURN(v1::Recommendation rec,
                                  GetRecommendation(action.recommendation_id()));
        it = rec_words.emplace(action.recommendation_id(),
                               SearchWords(rec.text())).first;
      }
      std::vector<std::string> all = SearchWords(action.text());
      all.insert(all.end(), it->second.begin(), it->second.end());
      std::sort(all.begin(), all.end());
      if (!AllWordsMatch(words, all)) continue;
    }
    if (static_cast<size_t>(response.actions_size()) == page_size) {
      response.set_next_page_token(absl::StrCat(
          kPageTokenPrefix,
          response.actions(response.actions_size() - 1).id()));
      break;
    }
    *response.add_actions() = std::move(action);
  }
  return response;
}

absl::StatusOr<v1::Report> Tracker::GetReport(
    const v1::GetReportRequest& request) {
  constexpr uint32_t kMaxDeadlineDays = 3660;
  constexpr int kMaxChanges = 1000;
  RECTRACK_ASSIGN_OR_RETURN(v1::Review current,
                            GetReview(request.review_id()));
  RECTRACK_ASSIGN_OR_RETURN(std::optional<AsOfSpec> spec,
                            ReadAsOf(request.has_as_of(), request.as_of()));
  RECTRACK_ASSIGN_OR_RETURN(int due_soon_days,
                            DueSoonDays(request.due_soon_days()));
  if (request.response_deadline_days() > kMaxDeadlineDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("response_deadline_days: at most ", kMaxDeadlineDays));
  }
  std::string since;
  if (!request.since().empty()) {
    RECTRACK_ASSIGN_OR_RETURN(since, NormalizeDate(request.since(), "since"));
  }
  // Every stream of the review; what exists now includes all that ever did.
  std::vector<std::string> streams = {current.id()};
  for (const std::string& rec_id : current.recommendation_ids()) {
    streams.push_back(rec_id);
    RECTRACK_ASSIGN_OR_RETURN(v1::Recommendation rec,
                              GetRecommendation(rec_id));
    streams.insert(streams.end(), rec.action_ids().begin(),
                   rec.action_ids().end());
  }
  std::vector<v1::Event> events;
  RECTRACK_ASSIGN_OR_RETURN(EntityStates states,
                            FoldStreams(store_, streams, spec, &events));
  auto review_it = states.reviews.find(current.id());
  if (review_it == states.reviews.end()) {
    return NotYet("review", current.id(), *spec);
  }
  const v1::Review& review = review_it->second;
  const std::string day = spec.has_value() ? spec->day : Today();

  v1::Report report;
  *report.mutable_review() = review;
  report.set_day(day);
  if (spec.has_value()) *report.mutable_as_of() = request.as_of();
  report.set_response_deadline_days(request.response_deadline_days());

  // The executive's first response to each recommendation, by its date.
  absl::flat_hash_map<std::string, std::string> first_response;
  for (const v1::Event& e : events) {
    if (e.payload().has_response_recorded()) {
      first_response.emplace(e.stream(), EffectiveDay(e));
    }
  }
  const std::string due_on = ResponseDueOn(
      review.published_on(), static_cast<int>(request.response_deadline_days()));
  v1::ReportSummary* summary = report.mutable_summary();
  std::map<v1::RecommendationStatus, uint32_t> by_status;
  for (const std::string& rec_id : review.recommendation_ids()) {
    auto rec_it = states.recommendations.find(rec_id);
    if (rec_it == states.recommendations.end()) continue;
    const v1::Recommendation& rec = rec_it->second;
    v1::ReportItem* item = report.add_items();
    *item->mutable_recommendation() = rec;
    ++by_status[rec.status()];
    summary->set_recommendations(summary->recommendations() + 1);

    v1::ResponseTiming* timing = item->mutable_response_timing();
    timing->set_due_on(due_on);
    if (auto r = first_response.find(rec_id); r != first_response.end()) {
      timing->set_responded(true);
      timing->set_responded_on(r->second);
      if (!review.published_on().empty()) {
        timing->set_days_taken(DaysBetween(review.published_on(), r->second));
      }
      timing->set_late(!due_on.empty() && r->second > due_on);
      if (timing->late()) {
        summary->set_responses_late(summary->responses_late() + 1);
      } else {
        summary->set_responses_on_time(summary->responses_on_time() + 1);
      }
    } else {
      timing->set_late(!due_on.empty() && day > due_on);
      summary->set_responses_awaited(summary->responses_awaited() + 1);
      if (timing->late()) {
        summary->set_responses_overdue(summary->responses_overdue() + 1);
      }
    }

    for (const std::string& action_id : rec.action_ids()) {
      auto act_it = states.actions.find(action_id);
      if (act_it == states.actions.end()) continue;
      v1::Action* action = item->add_actions();
      *action = act_it->second;
      *action->mutable_standing() = StandingOn(*action, day, due_soon_days);
      summary->set_actions(summary->actions() + 1);
      switch (action->standing().rag()) {
        case v1::RAG_RED:
          summary->set_red(summary->red() + 1);
          break;
        case v1::RAG_AMBER:
          summary->set_amber(summary->amber() + 1);
          break;
        default:
          summary->set_green(summary->green() + 1);
          break;
      }
      if (action->standing().overdue()) {
        summary->set_overdue(summary->overdue() + 1);
      }
      if (action->standing().due_soon()) {
        summary->set_due_soon(summary->due_soon() + 1);
      }
      if (action->slippage().revisions() > 0) {
        summary->set_actions_revised(summary->actions_revised() + 1);
        summary->set_revisions(summary->revisions() +
                               action->slippage().revisions());
        summary->set_days_slipped(summary->days_slipped() +
                                  action->slippage().days_slipped());
      }
    }
  }
  for (const auto& [status, count] : by_status) {
    v1::StatusCount* c = summary->add_by_status();
    c->set_status(status);
    c->set_count(count);
  }

  // What changed since the previous report-back.
  if (since.empty()) {
    for (const v1::ReportBack& rb : review.report_backs()) {
      if (rb.date() < day) since = rb.date();
    }
  }
  if (since.empty()) since = review.published_on();
  report.set_changed_since(since);
  for (const v1::Event& e : events) {
    if (!since.empty() && EventDay(spec, e) < since) continue;
    if (report.changes_size() == kMaxChanges) {
      report.set_changes_truncated(true);
      break;
    }
    *report.add_changes() = e;
  }

  // Recommendations by status at the end of each day on which any changed,
  // dated by when the change took effect (a plan imported today still shows
  // its real history). Those days need not rise with log order, so each
  // day's picture takes each recommendation's last change dated on or
  // before it.
  absl::flat_hash_map<std::string,
                      std::vector<std::pair<std::string, v1::RecommendationStatus>>>
      changes_of;
  std::set<std::string> days;
  for (const v1::Event& e : events) {
    const v1::EventPayload& p = e.payload();
    std::optional<v1::RecommendationStatus> status;
    if (p.has_recommendation_added()) {
      status = v1::RECOMMENDATION_STATUS_AWAITING_RESPONSE;
    } else if (p.has_response_recorded()) {
      status = StatusForDecision(p.response_recorded().decision());
    } else if (p.has_recommendation_status_set()) {
      status = p.recommendation_status_set().status();
    }
    if (!status.has_value()) continue;
    std::string event_day = EffectiveDay(e);
    days.insert(event_day);
    changes_of[e.stream()].emplace_back(std::move(event_day), *status);
  }
  for (const std::string& d : days) {
    std::map<v1::RecommendationStatus, uint32_t> counts;
    for (const auto& [rec_id, changes] : changes_of) {
      std::optional<v1::RecommendationStatus> status;
      for (const auto& [change_day, s] : changes) {
        if (change_day <= d) status = s;
      }
      if (status.has_value()) ++counts[*status];
    }
    v1::StatusPoint* point = report.add_timeline();
    point->set_day(d);
    for (const auto& [status, count] : counts) {
      v1::StatusCount* c = point->add_counts();
      c->set_status(status);
      c->set_count(count);
    }
  }
  return report;
}

absl::StatusOr<std::vector<v1::Event>> Tracker::GetHistory(
    const std::string& id) {
  RECTRACK_RETURN_IF_ERROR(ParseEntityId(id, "id").status());
  RECTRACK_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                            store_->ReadStream(id));
  if (events.empty()) {
    return absl::NotFoundError(absl::StrCat(id, " does not exist"));
  }
  return events;
}

absl::StatusOr<v1::ReadEventsResponse> Tracker::ReadEvents(
    uint64_t from_position, uint32_t limit) {
  if (limit > kMaxReadLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: at most ", kMaxReadLimit, " events per call"));
  }
  v1::ReadEventsResponse response;
  RECTRACK_ASSIGN_OR_RETURN(
      std::vector<v1::Event> events,
      store_->ReadAll(from_position, limit == 0 ? kDefaultReadLimit : limit));
  // An event may be readable a moment before the store's counter moves.
  uint64_t last = store_->LastPosition();
  if (!events.empty()) {
    last = std::max(last, events.back().position());
  }
  response.set_last_position(last);
  *response.mutable_events() = {events.begin(), events.end()};
  return response;
}

absl::StatusOr<bool> Tracker::BelongsToReview(const v1::Event& event,
                                              const std::string& review_id) {
  RECTRACK_ASSIGN_OR_RETURN(EntityId id,
                            ParseEntityId(event.stream(), "stream"));
  switch (id.kind) {
    case EntityKind::kReview:
      return event.stream() == review_id;
    case EntityKind::kRecommendation: {
      RECTRACK_ASSIGN_OR_RETURN(v1::Recommendation rec,
                                GetRecommendation(event.stream()));
      return rec.review_id() == review_id;
    }
    case EntityKind::kAction: {
      RECTRACK_ASSIGN_OR_RETURN(v1::Action action, GetAction(event.stream()));
      return action.review_id() == review_id;
    }
  }
  return false;
}

absl::StatusOr<v1::VerifyResponse> Tracker::Verify() {
  constexpr int kMaxProblems = 100;
  v1::VerifyResponse report;
  auto problem = [&](std::string what) {
    if (report.problems_size() < kMaxProblems) {
      report.add_problems(std::move(what));
    }
  };
  // 1. The log: positions 1..N, versions 1..M per stream, every event folds.
  EntityStates folded;
  absl::flat_hash_map<std::string, uint64_t> versions;
  uint64_t expected_position = 1;
  while (true) {
    RECTRACK_ASSIGN_OR_RETURN(
        std::vector<v1::Event> page,
        store_->ReadAll(expected_position, kMaxReadLimit));
    if (page.empty()) break;
    for (const v1::Event& e : page) {
      if (e.position() != expected_position) {
        problem(absl::StrCat("the log jumps from position ",
                             expected_position - 1, " to ", e.position()));
      }
      expected_position = e.position() + 1;
      uint64_t& version = versions[e.stream()];
      if (e.version() != version + 1) {
        problem(absl::StrCat(e.stream(), " jumps from version ", version,
                             " to ", e.version(), " at position ",
                             e.position()));
      }
      version = e.version();
      if (absl::Status s = FoldEvent(e, &folded); !s.ok()) {
        problem(std::string(s.message()));
      }
      report.set_events_checked(report.events_checked() + 1);
    }
  }
  // 2. Each stream's own index of versions agrees with the log (one pass
  // over the stream index, not a read per stream).
  RECTRACK_ASSIGN_OR_RETURN(auto listed, store_->CountStreamEvents());
  for (const auto& [stream, version] : versions) {
    auto it = listed.find(stream);
    uint64_t count = it == listed.end() ? 0 : it->second;
    if (count != version) {
      problem(absl::StrCat(stream, " lists ", count,
                           " events but the log holds ", version));
    }
  }
  for (const auto& [stream, count] : listed) {
    if (!versions.contains(stream)) {
      problem(absl::StrCat(stream, " lists ", count,
                           " events but the log holds none"));
    }
  }
  // 3. Stored projections equal the fold, and nothing else is stored.
  auto compare = [&](const auto& entities, absl::string_view prefix,
                     auto parsed_type) -> absl::Status {
    using Entity = decltype(parsed_type);
    RECTRACK_ASSIGN_OR_RETURN(auto stored, store_->ScanState(prefix));
    absl::flat_hash_map<std::string, std::string> by_id(stored.begin(),
                                                        stored.end());
    for (const auto& [id, entity] : entities) {
      report.set_entities_checked(report.entities_checked() + 1);
      auto it = by_id.find(id);
      if (it == by_id.end()) {
        problem(absl::StrCat(id, " is in the log but has no stored state"));
        continue;
      }
      Entity parsed;
      if (!parsed.ParseFromString(it->second) ||
          parsed.SerializeAsString() != entity.SerializeAsString()) {
        problem(
            absl::StrCat("the stored state of ", id,
                         " differs from the state rebuilt from its events"));
      }
      by_id.erase(it);
    }
    for (const auto& [id, bytes] : by_id) {
      problem(absl::StrCat(id, " has stored state but no events"));
    }
    return absl::OkStatus();
  };
  RECTRACK_RETURN_IF_ERROR(compare(folded.reviews, "review-", v1::Review()));
  RECTRACK_RETURN_IF_ERROR(
      compare(folded.recommendations, "rec-", v1::Recommendation()));
  RECTRACK_RETURN_IF_ERROR(compare(folded.actions, "action-", v1::Action()));
  // 4. Indexes hold exactly the entries the entities call for. There can be
  // tens of millions, so each expected entry is held as a 64-bit hash with
  // a count, and the stored ones are streamed past them; the names of
  // missing entries are worked out again only for the report.
  using EntryKey =
      std::tuple<absl::string_view, absl::string_view, absl::string_view>;
  const absl::Hash<EntryKey> hash_of;
  absl::flat_hash_map<size_t, uint32_t> expected;
  auto for_each_expected = [&](const auto& visit) {
    auto each = [&](const auto& entities) {
      for (const auto& [id, entity] : entities) {
        for (const auto& [name, value] : IndexEntriesOf(entity)) {
          visit(name, store::IndexValuePart(value), id);
        }
      }
    };
    each(folded.reviews);
    each(folded.recommendations);
    each(folded.actions);
  };
  for_each_expected([&](absl::string_view name, absl::string_view value,
                        absl::string_view id) {
    ++expected[hash_of(EntryKey(name, value, id))];
  });
  RECTRACK_RETURN_IF_ERROR(
      store_->ForEachIndexEntry([&](const store::EventStore::IndexEntry& e) {
        report.set_index_entries_checked(report.index_entries_checked() + 1);
        auto it = expected.find(hash_of(EntryKey(e.name, e.value, e.entity_id)));
        if (it == expected.end() || it->second == 0) {
          problem(absl::StrCat("index ", e.name, " lists ", e.entity_id,
                               " under \"", e.value,
                               "\", which its state does not call for"));
        } else {
          --it->second;
        }
      }));
  bool any_missing = false;
  for (const auto& [h, count] : expected) any_missing |= count > 0;
  if (any_missing) {
    for_each_expected([&](absl::string_view name, absl::string_view value,
                          absl::string_view id) {
      auto it = expected.find(hash_of(EntryKey(name, value, id)));
      if (it != expected.end() && it->second > 0) {
        --it->second;
        problem(absl::StrCat("index ", name, " is missing ", id, " under \"",
                             value, "\""));
      }
    });
  }
  // 5. Id counters are past every id handed out.
  for (EntityKind kind : {EntityKind::kReview, EntityKind::kRecommendation,
                          EntityKind::kAction}) {
    uint64_t highest = 0;
    for (const auto& [stream, version] : versions) {
      auto parsed = ParseEntityId(stream, "");
      if (parsed.ok() && parsed->kind == kind) {
        highest = std::max(highest, parsed->number);
      }
    }
    std::string name(KindPrefix(kind));
    RECTRACK_ASSIGN_OR_RETURN(uint64_t counter, store_->CurrentSequence(name));
    if (counter < highest) {
      problem(absl::StrCat("the ", name, " id counter is at ", counter, " but ",
                           MakeEntityId(kind, highest), " exists"));
    }
  }
  report.set_ok(report.problems().empty());
  return report;
}

absl::StatusOr<uint64_t> Tracker::RebuildProjections() {
  EntityStates folded;
  uint64_t next = 1;
  while (true) {
    RECTRACK_ASSIGN_OR_RETURN(std::vector<v1::Event> page,
                              store_->ReadAll(next, kMaxReadLimit));
    if (page.empty()) break;
    for (const v1::Event& e : page) {
      RECTRACK_RETURN_IF_ERROR(FoldEvent(e, &folded));
      next = e.position() + 1;
    }
  }
  std::vector<std::pair<std::string, std::string>> states;
  std::vector<store::EventStore::IndexEntry> index;
  auto add = [&](const auto& entities) {
    for (const auto& [id, entity] : entities) {
      states.emplace_back(id, entity.SerializeAsString());
      for (const auto& [name, value] : IndexEntriesOf(entity)) {
        index.push_back({name, value, id});
      }
    }
  };
  add(folded.reviews);
  add(folded.recommendations);
  add(folded.actions);
  RECTRACK_RETURN_IF_ERROR(store_->ReplaceProjections(states, index));
  return next - 1;
}

absl::StatusOr<v1::BackupResponse> Tracker::Backup(
    const std::string& directory) {
  if (absl::StripAsciiWhitespace(directory).empty()) {
    return absl::InvalidArgumentError("directory is required");
  }
  v1::BackupResponse response;
  response.set_last_position(store_->LastPosition());
  RECTRACK_ASSIGN_OR_RETURN(uint32_t id, store_->Backup(directory));
  response.set_backup_id(id);
  return response;
}

}  // namespace rectrack::domain
