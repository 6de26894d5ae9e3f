// The business rules about statuses, in one place.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "rectrack/v1/domain.pb.h"

namespace rectrack::domain {

// "in progress", "signed off", … for messages a person reads.
std::string Describe(v1::RecommendationStatus status);
std::string Describe(v1::ActionStatus status);
std::string Describe(v1::Decision decision);

// The recommendation status a decision puts it in.
v1::RecommendationStatus StatusForDecision(v1::Decision decision);

// True for statuses after which nothing more happens.
bool IsFinal(v1::RecommendationStatus status);

// OK if a recommendation may move from `from` to `to` through
// SetRecommendationStatus; otherwise FAILED_PRECONDITION naming both, or
// INVALID_ARGUMENT if `to` is not a status that command sets.
absl::Status CheckRecommendationTransition(const std::string& id,
                                           v1::RecommendationStatus from,
                                           v1::RecommendationStatus to);

// OK if an action may move from `from` to `to`; otherwise
// FAILED_PRECONDITION naming both (INVALID_ARGUMENT for an unset status).
absl::Status CheckActionTransition(const std::string& id, v1::ActionStatus from,
                                   v1::ActionStatus to);

// OK if a response may be recorded on a recommendation in `status`.
absl::Status CheckCanRespond(const std::string& id,
                             v1::RecommendationStatus status);

// OK if actions may be added to a recommendation in `status`.
absl::Status CheckCanAddAction(const std::string& id,
                               v1::RecommendationStatus status);

}  // namespace rectrack::domain
