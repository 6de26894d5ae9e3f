// Folding events into current state. Pure functions: the same events in the
// same order always give the same state, which is how a projection rebuilt
// from the log is checked against the stored one.
#pragma once

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "rectrack/v1/domain.pb.h"
#include "rectrack/v1/events.pb.h"

namespace rectrack::domain {

// The entities an event may touch, by id.
struct EntityStates {
  absl::flat_hash_map<std::string, v1::Review> reviews;
  absl::flat_hash_map<std::string, v1::Recommendation> recommendations;
  absl::flat_hash_map<std::string, v1::Action> actions;
  absl::flat_hash_map<std::string, v1::Person> people;
  // Messages of the update cycle recorded as sent, by key.
  absl::flat_hash_map<std::string, v1::OutboxMessage> sent;
};

// The state key under which a sent message's record is kept.
std::string SentMessageKey(const std::string& key);

// Applies `event` to its own entity (created by an "…Opened"/"…Added"
// event) and, when present in `states`, to the parent that lists it (a
// review lists its recommendations; a recommendation lists its actions).
// INTERNAL if the event's entity is missing or the payload is unknown.
absl::Status FoldEvent(const v1::Event& event, EntityStates* states);

}  // namespace rectrack::domain
