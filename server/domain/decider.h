// Deciding commands: turns the commands of one request into events, checking
// every business rule against the state inside the committer's transaction.
// The shared rules (resolving ids, loading, versions, recording an event
// with its index entries) live in decider.cc; the commands of each kind of
// entity in decide_review.cc, decide_recommendation.cc and decide_action.cc.
// Used only by commands.cc.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/error_details.h"
#include "common/ids.h"
#include "rectrack/v1/commands.pb.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/domain/actor.h"
#include "server/domain/fold.h"
#include "server/domain/index_entries.h"
#include "server/domain/stored_state.h"
#include "server/domain/update_settings.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

class RequestDecider {
 public:
  // With `keep_going` (dry runs), a failing command does not stop the run:
  // every problem is reported. `txn` and `actor` must outlive the decider.
  RequestDecider(store::Transaction& txn, const Actor& actor, bool keep_going,
                 UpdateSettings settings = {})
      : txn_(txn),
        actor_(actor),
        keep_going_(keep_going),
        settings_(settings) {}

  // Runs `commands` after any run before on this decider: "$N" counts from
  // the first command of the first run. Returns this run's results; with
  // more than one command an error message starts with "command N: ".
  absl::StatusOr<v1::ApplyResponse> Run(
      const google::protobuf::RepeatedPtrField<v1::Command>& commands);

 private:
  absl::Status RunOne(const v1::Command& c);

  // Shared rules (decider.cc).
  // "$N" → the id created by command N of this request; anything else must
  // be an id of `kind`.
  absl::StatusOr<std::string> Resolve(const std::string& ref, EntityKind kind,
                                      absl::string_view field);
  template <typename Entity>
  absl::StatusOr<Entity> Load(const std::string& id, EntityKind kind);
  absl::StatusOr<v1::Review> LoadReview(const std::string& ref,
                                        absl::string_view field);
  absl::StatusOr<v1::Recommendation> LoadRecommendation(
      const std::string& ref, absl::string_view field);
  absl::StatusOr<v1::Action> LoadAction(const std::string& ref,
                                        absl::string_view field);
  // The review must exist and be open.
  absl::Status CheckReviewOpen(const std::string& review_id);
  absl::Status CheckReviewOpen(const v1::Review& review);
  // Optimistic concurrency against the target's current version.
  absl::Status CheckVersion(const std::string& id, uint64_t actual);
  // "" when blank, else the date as "YYYY-MM-DD"; INVALID_ARGUMENT naming
  // `field` if it is not a date or is later than tomorrow (a day's
  // tolerance for time zones): only what has happened is recorded.
  absl::StatusOr<std::string> PastDate(absl::string_view value,
                                       absl::string_view field);
  // The next id of `kind` (a new entity is at version 0).
  absl::StatusOr<std::string> NewId(EntityKind kind);
  // Appends the event, folds it into `states` and stores every entity in
  // `states` (with the index entries kept in step).
  absl::Status Record(const std::string& stream, const std::string& type,
                      const std::string& effective_on, v1::EventPayload payload,
                      EntityStates states);
  // Stores each entity of `after`, putting and deleting index entries as
  // they differ from those in `before`.
  template <typename Map>
  void StoreWithIndexes(
      const absl::flat_hash_map<std::string, IndexEntries>& before,
      const std::string& stream, const Map& after);

  // Entities this run has read or changed, decoded, in their stored form
  // (see action_parts.h): each command on an entity starts from the one
  // before's, without parsing it again, and a changed entity is serialised
  // into the transaction once, when the run ends (SaveHeld), not once per
  // command. At most kMaxHeld are held; past that they are saved and let go.
  static constexpr size_t kMaxHeld = 10000;
  template <typename Entity>
  absl::flat_hash_map<std::string, Entity>& HeldOf();
  void Hold(const std::string& id, const v1::Review& review);
  void Hold(const std::string& id, const v1::Recommendation& rec);
  void Hold(const std::string& id, const v1::Action& action);
  void Hold(const std::string& id, const v1::Person& person);
  size_t HeldCount() const {
    return held_.reviews.size() + held_.recommendations.size() +
           held_.actions.size() + held_.people.size();
  }
  // Puts every changed held entity into the transaction.
  void SaveHeld();

  // Reviews (decide_review.cc).
  absl::Status OpenReview(const v1::OpenReview& c);
  absl::Status ScheduleReportBack(const v1::ScheduleReportBack& c);
  absl::Status CloseReview(const v1::CloseReview& c);

  // Recommendations (decide_recommendation.cc).
  absl::Status AddRecommendation(const v1::AddRecommendation& c);
  absl::Status AmendRecommendation(const v1::AmendRecommendation& c);
  absl::Status RecordResponse(const v1::RecordResponse& c);
  absl::Status SetRecommendationStatus(const v1::SetRecommendationStatus& c);
  // Its actions that are not cancelled (nor completed, if
  // `completed_counts`), each as "action-4 (in progress)".
  absl::StatusOr<std::vector<std::string>> ActionsNotDone(
      const v1::Recommendation& rec, bool completed_counts);
  // Sign-off needs every action done and no rejection, unless an override
  // reason is given; closing, superseding and withdrawing need a note.
  absl::Status CheckFinalStep(const v1::Recommendation& rec,
                              const v1::SetRecommendationStatus& c);

  // Actions (decide_action.cc).
  absl::Status AddAction(const v1::AddAction& c);
  // An action that may still change: exists, review open, version as
  // expected, and not cancelled unless `allow_cancelled`.
  absl::StatusOr<v1::Action> LoadChangeableAction(const std::string& ref,
                                                  bool allow_cancelled);
  absl::Status UpdateAction(const v1::UpdateAction& c);
  absl::Status SetActionStatus(const v1::SetActionStatus& c);
  absl::Status ReportProgress(const v1::ReportProgress& c);

  // Corrections (decide_correction.cc).
  absl::Status CorrectRecord(const v1::CorrectRecord& c);
  absl::Status CorrectRecommendation(const v1::CorrectRecord& c,
                                     const std::string& id);
  absl::Status CorrectAction(const v1::CorrectRecord& c, const std::string& id);
  absl::Status RetractProgress(const v1::RetractProgress& c);

  // The update cycle (decide_update.cc).
  absl::Status AddPerson(const v1::AddPerson& c);
  absl::Status RequestUpdates(const v1::RequestUpdates& c);
  // One UpdateRequested on `action`, unless it was asked for `meeting`
  // already or an answer waits for approval; true if recorded.
  absl::StatusOr<bool> RequestUpdate(const v1::Action& action,
                                     const std::string& meeting,
                                     const std::string& due);
  absl::Status AnswerUpdate(const v1::AnswerUpdate& c);
  absl::Status ApproveUpdate(const v1::ApproveUpdate& c);
  absl::Status ReturnUpdate(const v1::ReturnUpdate& c);
  absl::Status RecordMessageSent(const v1::RecordMessageSent& c);
  // The answer's note, status and target enter the record on `action_id`
  // through ReportProgress, SetActionStatus and UpdateAction themselves,
  // as if given directly, dated the answer's day.
  absl::Status EnterAnswer(const std::string& action_id,
                           const v1::UpdateAnswer& answer);
  // The day an update for `meeting` is due by default.
  std::string DefaultDue(const std::string& meeting) const;
  // The command's results from `first` on become one, counting its events.
  void CollapseResults(size_t first, const std::string& entity_id);

  store::Transaction& txn_;
  const Actor& actor_;
  const bool keep_going_;
  const UpdateSettings settings_;
  // While an answer enters the record: the guard admitted the answer, so
  // it is not asked again about the changes the answer makes.
  bool entering_answer_ = false;
  const v1::Command* command_ = nullptr;
  std::vector<v1::CommandResult> results_;
  EntityStates held_;
  absl::flat_hash_set<std::string> unsaved_;
};

template <typename Entity>
absl::flat_hash_map<std::string, Entity>& RequestDecider::HeldOf() {
  if constexpr (std::is_same_v<Entity, v1::Review>) {
    return held_.reviews;
  } else if constexpr (std::is_same_v<Entity, v1::Recommendation>) {
    return held_.recommendations;
  } else if constexpr (std::is_same_v<Entity, v1::Person>) {
    return held_.people;
  } else {
    return held_.actions;
  }
}

template <typename Entity>
absl::StatusOr<Entity> RequestDecider::Load(const std::string& id,
                                            EntityKind kind) {
  auto& held = HeldOf<Entity>();
  if (auto it = held.find(id); it != held.end()) return it->second;
  RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                            txn_.GetState(id));
  if (!bytes.has_value()) {
    return WithResourceInfo(absl::NotFoundError(absl::StrCat(
                                KindName(kind), " ", id, " does not exist")),
                            KindName(kind), id);
  }
  RECTRACK_ASSIGN_OR_RETURN(Entity entity, ParseState<Entity>(id, *bytes));
  if (HeldCount() < kMaxHeld) held.emplace(id, entity);
  return entity;
}

// `loaded`, or its error naming `field` (the reference that was followed)
// when it names none yet.
template <typename Entity>
absl::StatusOr<Entity> InField(absl::StatusOr<Entity> loaded,
                               absl::string_view field) {
  if (loaded.ok() || BadRequestOf(loaded.status()).has_value()) return loaded;
  return WithFieldViolation(
      loaded.status(), field,
      loaded.status().code() == absl::StatusCode::kNotFound ? "NOT_FOUND" : "");
}

// Rules on the text and dates of a command, shared by the decide_*.cc files.
// INVALID_ARGUMENT "`field` is required" when `value` is blank.
absl::Status Required(absl::string_view value, absl::string_view field);
// "" when blank, else the date as "YYYY-MM-DD" (INVALID_ARGUMENT naming
// `field` if it is not a date).
absl::StatusOr<std::string> OptionalDate(absl::string_view value,
                                         absl::string_view field);
// `stated` if given, else `inherited`: the day a change counts from in
// effective-date views when it states none.
std::string ViewDayOr(const std::string& stated, const std::string& inherited);
// INVALID_ARGUMENT when `stated` (a date given for `field`) is before
// `floor`, the day `what` took effect in effective-date views: "a change to
// X cannot be dated before X existed".
absl::Status NotBefore(const std::string& stated, absl::string_view field,
                       const std::string& floor, absl::string_view what);
// Checks `leads` (at least one, none blank) and appends them trimmed to `out`.
absl::Status CheckLeads(
    const google::protobuf::RepeatedPtrField<std::string>& leads,
    google::protobuf::RepeatedPtrField<std::string>* out);

}  // namespace rectrack::domain
