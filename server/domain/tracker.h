// The tracker: turns commands into events (checking every business rule
// against current state) and answers queries. Knows nothing of gRPC; all
// storage goes through store::EventStore.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rectrack/v1/domain.pb.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

// Most commands in one Apply request or BulkApply chunk.
inline constexpr int kMaxCommandsPerRequest = 10000;
// Most commands in one all-or-nothing BulkApply.
inline constexpr int kMaxCommandsAllOrNothing = 200000;

class Tracker {
 public:
  // `store` is not owned and must outlive the tracker.
  explicit Tracker(store::EventStore* store) : store_(store) {}

  using ApplyDone = std::function<void(absl::StatusOr<v1::ApplyResponse>)>;

  // Validates `request` and commits all of its events atomically, recorded
  // as made by `actor`. `done` runs once the events are on disk, or with
  // the first command's error (then nothing is written). With more than
  // one command, an error message starts with "command N: ". A request
  // still waiting to be written at `deadline` is dropped (DEADLINE_EXCEEDED).
  void Apply(const v1::ApplyRequest& request, const std::string& actor,
             ApplyDone done, absl::Time deadline = absl::InfiniteFuture());
  absl::StatusOr<v1::ApplyResponse> ApplyAndWait(
      const v1::ApplyRequest& request, const std::string& actor);

  using ApplyAllDone =
      std::function<void(absl::StatusOr<std::vector<v1::ApplyResponse>>)>;
  // Applies every chunk in one atomic commit, in order, as if they were one
  // request ("$N" counts from the first command of the first chunk). The first
  // chunk's request id, if any, makes the whole retry-safe; its dry_run and
  // correlation id apply to all. Errors start with "chunk N: ".
  void ApplyAll(std::vector<v1::ApplyRequest> chunks, const std::string& actor,
                ApplyAllDone done);

  // Current stored state, as folded (no standing filled in).
  absl::StatusOr<v1::Review> GetReview(const std::string& id);
  absl::StatusOr<v1::Recommendation> GetRecommendation(const std::string& id);
  absl::StatusOr<v1::Action> GetAction(const std::string& id);
  // The API's reads: current state, or as of an earlier instant; actions
  // carry their standing on today (the store's clock) or the as-of day.
  absl::StatusOr<v1::Review> GetReview(const v1::GetReviewRequest& request);
  absl::StatusOr<v1::Recommendation> GetRecommendation(
      const v1::GetRecommendationRequest& request);
  absl::StatusOr<v1::Action> GetAction(const v1::GetActionRequest& request);
  // Every review, oldest first.
  absl::StatusOr<std::vector<v1::Review>> ListReviews();
  // Actions matching every filter set in `request`, in id order, one page.
  absl::StatusOr<v1::ListActionsResponse> ListActions(
      const v1::ListActionsRequest& request);
  // The committee report of one review (see rectrack.v1.Report).
  absl::StatusOr<v1::Report> GetReport(const v1::GetReportRequest& request);
  // Every event of one entity, oldest first. NOT_FOUND if it has none.
  absl::StatusOr<std::vector<v1::Event>> GetHistory(const std::string& id);
  // Up to `limit` (0 = 1000, at most 10000) events from `from_position`.
  absl::StatusOr<v1::ReadEventsResponse> ReadEvents(uint64_t from_position,
                                                    uint32_t limit);

    // Watching the log (see store::EventStore::WakeAfter).
  uint64_t WakeAfter(uint64_t position, std::function<void()> wake) {
    return store_->WakeAfter(position, std::move(wake));
  }
  void CancelWake(uint64_t ticket) { store_->CancelWake(ticket); }
  bool accepting() { return store_->accepting(); }
  // Whether `event` belongs to review `review_id`: the review's own events
  // and those of its recommendations and actions.
  absl::StatusOr<bool> BelongsToReview(const v1::Event& event,
                                       const std::string& review_id);

  // Folds the whole log afresh and compares every projection, index entry
  // and id counter with what is stored; checks positions and versions run
  // without gaps. Problems are reported in the response, not as an error.
  absl::StatusOr<v1::VerifyResponse> Verify();
  // Folds the whole log afresh and replaces every projection and index with
  // the result (store::EventStore::ReplaceProjections). Run at start-up when
  // the store reports projections_stale(). Returns the events folded.
  absl::StatusOr<uint64_t> RebuildProjections();
  // See store::EventStore::Backup.
  absl::StatusOr<v1::BackupResponse> Backup(const std::string& directory);

 private:
  // Today by the store's clock, "YYYY-MM-DD" (UTC).
  std::string Today();

  store::EventStore* store_;
};

}  // namespace rectrack::domain
