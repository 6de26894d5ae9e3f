// The tracker: the one door the service goes through into the domain. It
// holds the classes that do the work and forwards to them, so that the
// service and the tests depend on one type while each job lives in a file
// of its own:
//   commands.h   applying requests (deciding in decider.h, decide_*.cc)
//   queries.h    reads now or as of a date, action lists (list_actions.cc)
//   report.h     the committee report
//   whole_log.h  verify, rebuild, backup
// Knows nothing of gRPC; all storage goes through store::EventStore.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "rectrack/v1/domain.pb.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/domain/commands.h"
#include "server/domain/outbox.h"
#include "server/domain/queries.h"
#include "server/domain/report.h"
#include "server/domain/whole_log.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

class Tracker {
 public:
  // `store` is not owned and must outlive the tracker.
  explicit Tracker(store::EventStore* store, UpdateSettings settings = {})
      : store_(store),
        settings_(settings),
        commands_(store, settings),
        queries_(store),
        whole_log_(store) {}

  using ApplyDone = Commands::ApplyDone;
  using ApplyAllDone = Commands::ApplyAllDone;

  // Commands (see commands.h).
  void Apply(const v1::ApplyRequest& request, const Actor& actor,
             ApplyDone done, absl::Time deadline = absl::InfiniteFuture()) {
    commands_.Apply(request, actor, std::move(done), deadline);
  }
  absl::StatusOr<v1::ApplyResponse> ApplyAndWait(
      const v1::ApplyRequest& request, const Actor& actor) {
    return commands_.ApplyAndWait(request, actor);
  }
  void ApplyAll(std::vector<v1::ApplyRequest> chunks, const Actor& actor,
                ApplyAllDone done) {
    commands_.ApplyAll(std::move(chunks), actor, std::move(done));
  }

  // Queries (see queries.h).
  absl::StatusOr<v1::Review> GetReview(const std::string& id) {
    return queries_.GetReview(id);
  }
  absl::StatusOr<v1::Recommendation> GetRecommendation(const std::string& id) {
    return queries_.GetRecommendation(id);
  }
  absl::StatusOr<v1::Action> GetAction(const std::string& id) {
    return queries_.GetAction(id);
  }
  absl::StatusOr<v1::Review> GetReview(const v1::GetReviewRequest& request) {
    return queries_.GetReview(request);
  }
  absl::StatusOr<v1::Recommendation> GetRecommendation(
      const v1::GetRecommendationRequest& request) {
    return queries_.GetRecommendation(request);
  }
  absl::StatusOr<v1::Action> GetAction(const v1::GetActionRequest& request) {
    return queries_.GetAction(request);
  }
  absl::StatusOr<std::vector<v1::Review>> ListReviews() {
    return queries_.ListReviews();
  }
  absl::StatusOr<v1::ListReviewsResponse> ListReviews(
      const v1::ListReviewsRequest& request) {
    return queries_.ListReviews(request);
  }
  absl::StatusOr<v1::ListRecommendationsResponse> ListRecommendations(
      const v1::ListRecommendationsRequest& request) {
    return queries_.ListRecommendations(request);
  }
  absl::StatusOr<v1::ListActionsResponse> ListActions(
      const v1::ListActionsRequest& request) {
    return queries_.ListActions(request);
  }
  absl::StatusOr<std::vector<v1::Event>> GetHistory(const std::string& id) {
    return queries_.GetHistory(id);
  }
  absl::StatusOr<v1::ReadEventsResponse> ReadEvents(
      uint64_t from_position, uint32_t limit,
      size_t max_bytes = kReadEventsMaxBytes) {
    return queries_.ReadEvents(from_position, limit, max_bytes);
  }
  // See store::EventStore::CheckResumePoint.
  absl::Status CheckResumePoint(uint64_t from_position,
                                const std::string& after_hash) {
    return store_->CheckResumePoint(from_position, after_hash);
  }
  absl::StatusOr<bool> BelongsToReview(const v1::Event& event,
                                       const std::string& review_id) {
    return queries_.BelongsToReview(event, review_id);
  }

  // The update cycle (see queries.h).
  absl::StatusOr<v1::ListPeopleResponse> ListPeople() {
    return queries_.ListPeople();
  }
  absl::StatusOr<v1::ListUpdatesResponse> ListUpdates(
      const v1::ListUpdatesRequest& request) {
    absl::StatusOr<v1::ListUpdatesResponse> response =
        queries_.ListUpdates(request);
    if (response.ok()) {
      response->set_updates_need_approval(settings_.need_approval);
    }
    return response;
  }
  absl::StatusOr<v1::ListOutboxResponse> ListOutbox(
      const v1::ListOutboxRequest& request) {
    return BuildOutbox(store_, &queries_, request, settings_);
  }

  // The committee report (see report.h).
  absl::StatusOr<v1::Report> GetReport(const v1::GetReportRequest& request) {
    return BuildReport(store_, &queries_, request);
  }

  // Watching the log (see store::EventStore::WakeAfter).
  uint64_t WakeAfter(uint64_t position, std::function<void()> wake) {
    return store_->WakeAfter(position, std::move(wake));
  }
  void CancelWake(uint64_t ticket) { store_->CancelWake(ticket); }
  bool accepting() { return store_->accepting(); }

  // Whole-log work (see whole_log.h).
  absl::StatusOr<v1::VerifyResponse> Verify(const VerifyOptions& options = {}) {
    return whole_log_.Verify(options);
  }
  absl::StatusOr<uint64_t> RebuildProjections(
      size_t max_entities = kFoldEntities) {
    return whole_log_.RebuildProjections(max_entities);
  }
  absl::StatusOr<v1::BackupResponse> Backup(const std::string& directory) {
    return whole_log_.Backup(directory);
  }

 private:
  store::EventStore* store_;
  const UpdateSettings settings_;
  Commands commands_;
  Queries queries_;
  WholeLog whole_log_;
};

}  // namespace rectrack::domain
