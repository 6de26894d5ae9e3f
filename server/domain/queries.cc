#include "server/domain/queries.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "server/domain/action_parts.h"
#include "server/domain/derived.h"
#include "server/domain/stored_state.h"

namespace rectrack::domain {

absl::StatusOr<v1::Review> Queries::GetReview(const std::string& id) {
  return LoadState<v1::Review>(store_, id, EntityKind::kReview);
}

absl::StatusOr<v1::Recommendation> Queries::GetRecommendation(
    const std::string& id) {
  return LoadState<v1::Recommendation>(store_, id, EntityKind::kRecommendation);
}

absl::StatusOr<v1::Action> Queries::GetAction(const std::string& id) {
  return LoadWholeAction(store_, id);
}

absl::StatusOr<v1::Action> Queries::GetActionParent(const std::string& id) {
  return LoadState<v1::Action>(store_, id, EntityKind::kAction);
}

absl::StatusOr<std::vector<v1::Review>> Queries::ListReviews() {
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

// Page tokens are "after:" and the last id of the previous page.
constexpr absl::string_view kAfter = "after:";

absl::StatusOr<std::string> PageAfter(absl::string_view token,
                                      EntityKind kind) {
  if (token.empty()) return std::string();
  absl::StatusOr<EntityId> id(absl::InvalidArgumentError(""));
  if (absl::ConsumePrefix(&token, kAfter)) id = ParseEntityId(token, "");
  if (!id.ok() || id->kind != kind) {
    return WithFieldViolation(
        absl::InvalidArgumentError("page_token: not a token this server gave "
                                   "for this list; start again without it"),
        "page_token", "PAGE_TOKEN_INVALID");
  }
  return std::string(token);
}

// AIP-158: 0 is the default; above the maximum is read as the maximum.
size_t PageSize(uint32_t requested, size_t default_size) {
  constexpr size_t kMaxPageSize = 1000;
  return requested == 0 ? default_size
                        : std::min<size_t>(requested, kMaxPageSize);
}

bool SameName(absl::string_view a, absl::string_view b) {
  return absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(a),
                                absl::StripAsciiWhitespace(b));
}

}  // namespace

absl::StatusOr<v1::ListReviewsResponse> Queries::ListReviews(
    const v1::ListReviewsRequest& request) {
  RECTRACK_ASSIGN_OR_RETURN(
      std::string after, PageAfter(request.page_token(), EntityKind::kReview));
  const size_t page_size = PageSize(request.page_size(), 1000);
  RECTRACK_ASSIGN_OR_RETURN(std::vector<v1::Review> reviews, ListReviews());
  v1::ListReviewsResponse response;
  for (v1::Review& review : reviews) {
    if (!after.empty() && !EntityIdLess(after, review.id())) continue;
    if (!request.committee().empty() &&
        !SameName(review.committee(), request.committee())) {
      continue;
    }
    if (request.status() != v1::REVIEW_STATUS_UNSPECIFIED &&
        review.status() != request.status()) {
      continue;
    }
    if (static_cast<size_t>(response.reviews_size()) == page_size) {
      response.set_next_page_token(
          absl::StrCat(kAfter, response.reviews().rbegin()->id()));
      break;
    }
    *response.add_reviews() = std::move(review);
  }
  return response;
}

absl::StatusOr<v1::ListRecommendationsResponse> Queries::ListRecommendations(
    const v1::ListRecommendationsRequest& request) {
  RECTRACK_ASSIGN_OR_RETURN(
      std::string after,
      PageAfter(request.page_token(), EntityKind::kRecommendation));
  const size_t page_size = PageSize(request.page_size(), 100);
  std::vector<v1::Recommendation> recs;
  if (!request.review_id().empty()) {
    absl::StatusOr<v1::Review> review = GetReview(request.review_id());
    if (!review.ok()) return WithFieldViolation(review.status(), "review_id");
    for (const std::string& id : review->recommendation_ids()) {
      RECTRACK_ASSIGN_OR_RETURN(v1::Recommendation rec, GetRecommendation(id));
      recs.push_back(std::move(rec));
    }
  } else {
    RECTRACK_ASSIGN_OR_RETURN(auto rows, store_->ScanState("rec-"));
    for (const auto& [id, bytes] : rows) {
      RECTRACK_ASSIGN_OR_RETURN(v1::Recommendation rec,
                                ParseState<v1::Recommendation>(id, bytes));
      recs.push_back(std::move(rec));
    }
  }
  std::sort(recs.begin(), recs.end(),
            [](const v1::Recommendation& a, const v1::Recommendation& b) {
              return EntityIdLess(a.id(), b.id());
            });
  v1::ListRecommendationsResponse response;
  for (v1::Recommendation& rec : recs) {
    if (!after.empty() && !EntityIdLess(after, rec.id())) continue;
    if ((request.status() != v1::RECOMMENDATION_STATUS_UNSPECIFIED &&
         rec.status() != request.status()) ||
        (!request.portfolio().empty() &&
         !SameName(rec.portfolio(), request.portfolio()))) {
      continue;
    }
    if (static_cast<size_t>(response.recommendations_size()) == page_size) {
      response.set_next_page_token(
          absl::StrCat(kAfter, response.recommendations().rbegin()->id()));
      break;
    }
    *response.add_recommendations() = std::move(rec);
  }
  return response;
}

absl::StatusOr<v1::Review> Queries::GetReview(
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

absl::StatusOr<v1::Recommendation> Queries::GetRecommendation(
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

// `current` as it stood by `spec`.
absl::StatusOr<v1::Action> Queries::ActionAsOf(
    const v1::Action& current, const std::optional<AsOfSpec>& spec) {
  RECTRACK_ASSIGN_OR_RETURN(EntityStates states,
                            FoldStreams(store_, {current.id()}, spec));
  auto it = states.actions.find(current.id());
  if (it == states.actions.end()) return NotYet("action", current.id(), *spec);
  // Folded without its recommendation; the review never changes.
  it->second.set_review_id(current.review_id());
  return std::move(it->second);
}

absl::StatusOr<v1::Action> Queries::GetAction(
    const v1::GetActionRequest& request) {
  RECTRACK_ASSIGN_OR_RETURN(std::optional<AsOfSpec> spec,
                            ReadAsOf(request.has_as_of(), request.as_of()));
  RECTRACK_ASSIGN_OR_RETURN(int due_soon_days,
                            DueSoonDays(request.due_soon_days()));
  v1::Action action;
  if (spec.has_value()) {
    // Folded from the log, whole; the stored action only says it exists.
    RECTRACK_ASSIGN_OR_RETURN(v1::Action parent, GetActionParent(request.id()));
    RECTRACK_ASSIGN_OR_RETURN(action, ActionAsOf(parent, spec));
    const int max = static_cast<int>(request.max_progress());
    if (max > 0 && action.progress_size() > max) {
      action.mutable_progress()->DeleteSubrange(0,
                                                action.progress_size() - max);
    }
  } else {
    RECTRACK_ASSIGN_OR_RETURN(
        action, LoadWholeAction(store_, request.id(), request.max_progress()));
  }
  *action.mutable_standing() = StandingOn(
      action, spec.has_value() ? spec->day : Today(store_), due_soon_days);
  return action;
}

absl::StatusOr<std::vector<v1::Event>> Queries::GetHistory(
    const std::string& id) {
  RECTRACK_RETURN_IF_ERROR(ParseEntityId(id, "id").status());
  RECTRACK_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                            store_->ReadStream(id));
  if (events.empty()) {
    return WithResourceInfo(
        absl::NotFoundError(absl::StrCat(id, " does not exist")), "entity", id);
  }
  return events;
}

absl::StatusOr<v1::ReadEventsResponse> Queries::ReadEvents(
    uint64_t from_position, uint32_t limit, size_t max_bytes) {
  if (limit > kMaxReadLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: at most ", kMaxReadLimit, " events per call"));
  }
  v1::ReadEventsResponse response;
  RECTRACK_ASSIGN_OR_RETURN(
      std::vector<v1::Event> events,
      store_->ReadAll(from_position, limit == 0 ? kDefaultReadLimit : limit,
                      max_bytes));
  // An event may be readable a moment before the store's counter moves.
  uint64_t last = store_->LastPosition();
  if (!events.empty()) {
    last = std::max(last, events.back().position());
  }
  response.set_last_position(last);
  *response.mutable_events() = {events.begin(), events.end()};
  return response;
}

absl::StatusOr<bool> Queries::BelongsToReview(const v1::Event& event,
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
      RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                                GetActionParent(event.stream()));
      return action.review_id() == review_id;
    }
    case EntityKind::kPerson:
      return false;
  }
  return false;
}

}  // namespace rectrack::domain
