#include "server/domain/rules.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace rectrack::domain {
namespace {

using RS = v1::RecommendationStatus;
using AS = v1::ActionStatus;

// "ACTION_STATUS_IN_PROGRESS" less "ACTION_STATUS_" → "in progress". A
// value outside the enum (a newer or broken client) has no name.
std::string Words(int value, const std::string& enum_name,
                  absl::string_view prefix) {
  if (!absl::StartsWith(enum_name, prefix)) {
    return absl::StrCat("unknown value ", value);
  }
  std::string s = enum_name.substr(prefix.size());
  absl::AsciiStrToLower(&s);
  return absl::StrReplaceAll(s, {{"_", " "}});
}

}  // namespace

std::string Describe(v1::RecommendationStatus status) {
  return Words(status, v1::RecommendationStatus_Name(status),
               "RECOMMENDATION_STATUS_");
}

std::string Describe(v1::ActionStatus status) {
  return Words(status, v1::ActionStatus_Name(status), "ACTION_STATUS_");
}

std::string Describe(v1::Decision decision) {
  return Words(decision, v1::Decision_Name(decision), "DECISION_");
}

v1::RecommendationStatus StatusForDecision(v1::Decision decision) {
  switch (decision) {
    case v1::DECISION_ACCEPTED:
      return v1::RECOMMENDATION_STATUS_ACCEPTED;
    case v1::DECISION_PARTIALLY_ACCEPTED:
      return v1::RECOMMENDATION_STATUS_PARTIALLY_ACCEPTED;
    case v1::DECISION_ACCEPTED_IN_PRINCIPLE:
      return v1::RECOMMENDATION_STATUS_ACCEPTED_IN_PRINCIPLE;
    case v1::DECISION_NOTED:
      return v1::RECOMMENDATION_STATUS_NOTED;
    case v1::DECISION_REJECTED:
      return v1::RECOMMENDATION_STATUS_REJECTED;
    default:
      return v1::RECOMMENDATION_STATUS_AWAITING_RESPONSE;
  }
}

bool IsFinal(v1::RecommendationStatus status) {
  return status == v1::RECOMMENDATION_STATUS_SIGNED_OFF ||
         status == v1::RECOMMENDATION_STATUS_SUPERSEDED ||
         status == v1::RECOMMENDATION_STATUS_WITHDRAWN;
}

absl::Status CheckRecommendationTransition(const std::string& id, RS from,
                                           RS to) {
  static const std::set<RS> kSettable = {
      v1::RECOMMENDATION_STATUS_IN_PROGRESS,
      v1::RECOMMENDATION_STATUS_IMPLEMENTED,
      v1::RECOMMENDATION_STATUS_SIGNED_OFF,
      v1::RECOMMENDATION_STATUS_CLOSED_NOT_IMPLEMENTED,
      v1::RECOMMENDATION_STATUS_SUPERSEDED,
      v1::RECOMMENDATION_STATUS_WITHDRAWN};
  if (to == v1::RECOMMENDATION_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError("status is required");
  }
  if (!v1::RecommendationStatus_IsValid(to)) {
    return absl::InvalidArgumentError(
        absl::StrCat("status: ", static_cast<int>(to),
                     " is not a known recommendation status"));
  }
  if (!kSettable.count(to)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "status: \"", Describe(to),
        "\" is the executive's decision; record it as a response instead"));
  }
  static const std::set<std::pair<RS, RS>> kAllowed = [] {
    std::set<std::pair<RS, RS>> allowed;
    const RS kAfterDecision[] = {
        v1::RECOMMENDATION_STATUS_ACCEPTED,
        v1::RECOMMENDATION_STATUS_PARTIALLY_ACCEPTED,
        v1::RECOMMENDATION_STATUS_ACCEPTED_IN_PRINCIPLE,
        v1::RECOMMENDATION_STATUS_NOTED};
    for (RS from_status : kAfterDecision) {
      for (RS to_status : kSettable) {
        allowed.insert({from_status, to_status});
      }
    }
    auto add = [&](RS from_status, std::initializer_list<RS> tos) {
      for (RS to_status : tos) {
        allowed.insert({from_status, to_status});
      }
    };
    add(v1::RECOMMENDATION_STATUS_AWAITING_RESPONSE,
        {v1::RECOMMENDATION_STATUS_SUPERSEDED,
         v1::RECOMMENDATION_STATUS_WITHDRAWN});
    add(v1::RECOMMENDATION_STATUS_REJECTED,
        {v1::RECOMMENDATION_STATUS_CLOSED_NOT_IMPLEMENTED,
         v1::RECOMMENDATION_STATUS_SIGNED_OFF,
         v1::RECOMMENDATION_STATUS_SUPERSEDED,
         v1::RECOMMENDATION_STATUS_WITHDRAWN});
    add(v1::RECOMMENDATION_STATUS_IN_PROGRESS,
        {v1::RECOMMENDATION_STATUS_IMPLEMENTED,
         v1::RECOMMENDATION_STATUS_SIGNED_OFF,
         v1::RECOMMENDATION_STATUS_CLOSED_NOT_IMPLEMENTED,
         v1::RECOMMENDATION_STATUS_SUPERSEDED,
         v1::RECOMMENDATION_STATUS_WITHDRAWN});
    add(v1::RECOMMENDATION_STATUS_IMPLEMENTED,
        {v1::RECOMMENDATION_STATUS_IN_PROGRESS,
         v1::RECOMMENDATION_STATUS_SIGNED_OFF,
         v1::RECOMMENDATION_STATUS_SUPERSEDED,
         v1::RECOMMENDATION_STATUS_WITHDRAWN});
    add(v1::RECOMMENDATION_STATUS_CLOSED_NOT_IMPLEMENTED,
        {v1::RECOMMENDATION_STATUS_IN_PROGRESS,
         v1::RECOMMENDATION_STATUS_SIGNED_OFF,
         v1::RECOMMENDATION_STATUS_SUPERSEDED,
         v1::RECOMMENDATION_STATUS_WITHDRAWN});
    return allowed;
  }();
  if (from == to) {
    return absl::FailedPreconditionError(
        absl::StrCat("recommendation ", id, " is already ", Describe(from)));
  }
  if (!kAllowed.count({from, to})) {
    std::string why;
    if (from == v1::RECOMMENDATION_STATUS_AWAITING_RESPONSE) {
      why = "; record the executive's response first";
    } else if (IsFinal(from)) {
      why = "; that is final";
    }
    return absl::FailedPreconditionError(
        absl::StrCat("recommendation ", id, " cannot move from ",
                     Describe(from), " to ", Describe(to), why));
  }
  return absl::OkStatus();
}

absl::Status CheckActionTransition(const std::string& id, AS from, AS to) {
  if (to == v1::ACTION_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError("status is required");
  }
  if (!v1::ActionStatus_IsValid(to)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "status: ", static_cast<int>(to), " is not a known action status"));
  }
  static const std::set<std::pair<AS, AS>> kAllowed = {
      {v1::ACTION_STATUS_NOT_STARTED, v1::ACTION_STATUS_IN_PROGRESS},
      {v1::ACTION_STATUS_NOT_STARTED, v1::ACTION_STATUS_COMPLETED},
      {v1::ACTION_STATUS_NOT_STARTED, v1::ACTION_STATUS_BLOCKED},
      {v1::ACTION_STATUS_NOT_STARTED, v1::ACTION_STATUS_CANCELLED},
      {v1::ACTION_STATUS_IN_PROGRESS, v1::ACTION_STATUS_COMPLETED},
      {v1::ACTION_STATUS_IN_PROGRESS, v1::ACTION_STATUS_BLOCKED},
      {v1::ACTION_STATUS_IN_PROGRESS, v1::ACTION_STATUS_CANCELLED},
      {v1::ACTION_STATUS_BLOCKED, v1::ACTION_STATUS_IN_PROGRESS},
      {v1::ACTION_STATUS_BLOCKED, v1::ACTION_STATUS_COMPLETED},
      {v1::ACTION_STATUS_BLOCKED, v1::ACTION_STATUS_CANCELLED},
      // Reopened: the work turned out not to be finished.
      {v1::ACTION_STATUS_COMPLETED, v1::ACTION_STATUS_IN_PROGRESS},
  };
  if (from == to) {
    return absl::FailedPreconditionError(
        absl::StrCat("action ", id, " is already ", Describe(from)));
  }
  if (!kAllowed.count({from, to})) {
    return absl::FailedPreconditionError(
        absl::StrCat("action ", id, " cannot move from ", Describe(from),
                     " to ", Describe(to),
                     from == v1::ACTION_STATUS_CANCELLED
                         ? "; a cancelled action stays cancelled"
                         : ""));
  }
  return absl::OkStatus();
}

absl::Status CheckCanRespond(const std::string& id, RS status) {
  switch (status) {
    case v1::RECOMMENDATION_STATUS_AWAITING_RESPONSE:
    case v1::RECOMMENDATION_STATUS_ACCEPTED:
    case v1::RECOMMENDATION_STATUS_PARTIALLY_ACCEPTED:
    case v1::RECOMMENDATION_STATUS_ACCEPTED_IN_PRINCIPLE:
    case v1::RECOMMENDATION_STATUS_NOTED:
    case v1::RECOMMENDATION_STATUS_REJECTED:
      return absl::OkStatus();
    default:
      return absl::FailedPreconditionError(absl::StrCat(
          "recommendation ", id, " is ", Describe(status),
          "; a response can be recorded only before work on it starts"));
  }
}

absl::Status CheckCanAddAction(const std::string& id, RS status) {
  if (status == v1::RECOMMENDATION_STATUS_REJECTED) {
    return absl::FailedPreconditionError(
        absl::StrCat("recommendation ", id,
                     " was rejected; actions cannot be added to a rejected "
                     "recommendation"));
  }
  if (IsFinal(status) ||
      status == v1::RECOMMENDATION_STATUS_CLOSED_NOT_IMPLEMENTED) {
    return absl::FailedPreconditionError(
        absl::StrCat("recommendation ", id, " is ", Describe(status),
                     "; actions cannot be added to it"));
  }
  return absl::OkStatus();
}

}  // namespace rectrack::domain
