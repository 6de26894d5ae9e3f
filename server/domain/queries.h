// Answering queries: entities now or as of an earlier instant, lists of
// reviews and actions (by index), histories and the global log. Reads only;
// nothing here writes.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rectrack/v1/domain.pb.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/domain/as_of.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

// Most events one ReadEvents call returns, and the default.
inline constexpr uint32_t kMaxReadLimit = 10000;
inline constexpr uint32_t kDefaultReadLimit = 1000;
// Most bytes of events in one ReadEvents page: a page is held in memory
// whole while it is sent, and with one more event it stays under gRPC's
// default 4 MiB limit on a message a client receives.
inline constexpr size_t kReadEventsMaxBytes = size_t{2} << 20;
// Most bytes of events in one page of whole-log work (verify, rebuild).
inline constexpr size_t kWholeLogPageBytes = size_t{16} << 20;

class Queries {
 public:
  // `store` is not owned and must outlive this.
  explicit Queries(store::EventStore* store) : store_(store) {}

  // Current stored state, as folded (no standing filled in).
  absl::StatusOr<v1::Review> GetReview(const std::string& id);
  absl::StatusOr<v1::Recommendation> GetRecommendation(const std::string& id);
  // The whole action: every progress note and target.
  absl::StatusOr<v1::Action> GetAction(const std::string& id);
  // The action as lists show it: its latest note and current target only
  // (one read, whatever its history).
  absl::StatusOr<v1::Action> GetActionParent(const std::string& id);
  // The API's reads: current state, or as of an earlier instant; actions
  // carry their standing on today (the store's clock) or the as-of day.
  absl::StatusOr<v1::Review> GetReview(const v1::GetReviewRequest& request);
  absl::StatusOr<v1::Recommendation> GetRecommendation(
      const v1::GetRecommendationRequest& request);
  absl::StatusOr<v1::Action> GetAction(const v1::GetActionRequest& request);
  // Every review, oldest first.
  absl::StatusOr<std::vector<v1::Review>> ListReviews();
  // Reviews matching `request`'s filters, oldest first, one page.
  absl::StatusOr<v1::ListReviewsResponse> ListReviews(
      const v1::ListReviewsRequest& request);
  // Recommendations matching `request`'s filters, in id order, one page.
  // With a review, reads that review's recommendations; else walks every
  // recommendation from the page token (there is no index by status or
  // portfolio: a council holds thousands, not millions).
  absl::StatusOr<v1::ListRecommendationsResponse> ListRecommendations(
      const v1::ListRecommendationsRequest& request);
  // Actions matching every filter set in `request`, in id order, one page
  // (list_actions.cc).
  absl::StatusOr<v1::ListActionsResponse> ListActions(
      const v1::ListActionsRequest& request);
  // Every event of one entity, oldest first. NOT_FOUND if it has none.
  absl::StatusOr<std::vector<v1::Event>> GetHistory(const std::string& id);
  // Up to `limit` (0 = 1000, at most 10000) events from `from_position`,
  // ending early once the page holds `max_bytes` of events (at least one).
  absl::StatusOr<v1::ReadEventsResponse> ReadEvents(
      uint64_t from_position, uint32_t limit,
      size_t max_bytes = kReadEventsMaxBytes);
  // Whether `event` belongs to review `review_id`: the review's own events
  // and those of its recommendations and actions.
  absl::StatusOr<bool> BelongsToReview(const v1::Event& event,
                                       const std::string& review_id);

  // The directory of people, in the order added (list_updates.cc).
  absl::StatusOr<v1::ListPeopleResponse> ListPeople();
  // Actions with an update asked of them that match every filter set in
  // `request`, in id order, overdue worked out for today (list_updates.cc).
  absl::StatusOr<v1::ListUpdatesResponse> ListUpdates(
      const v1::ListUpdatesRequest& request);

  // `current` as it stood by `spec` (NOT_FOUND if it did not exist yet).
  absl::StatusOr<v1::Action> ActionAsOf(const v1::Action& current,
                                        const std::optional<AsOfSpec>& spec);

 private:
  store::EventStore* store_;
};

}  // namespace rectrack::domain
