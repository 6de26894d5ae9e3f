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

// What folding does to an action, for folds of other events to call (each
// changes `action` as `event` says; none touches other entities). They work
// on a folded action, which holds every note and target, and on a stored
// one (see action_parts.h), which holds only the latest of each: notes and
// targets are numbered, and only the current target and the counts are
// read.

// Appends progress note number progress_count + 1; sets version and
// updated_at from `event`. Returns the note, for the caller to add to.
v1::ProgressUpdate* RecordProgressNote(const v1::Event& event,
                                       const std::string& text,
                                       const std::string& reported_on,
                                       v1::Action* action);
// Sets status, its note and the day it took effect; version and updated_at.
void SetActionStatusTo(const v1::Event& event, v1::ActionStatus status,
                       const std::string& note, const std::string& effective_on,
                       v1::Action* action);
// A new target `timescale` (read against the action's reference date),
// recorded as a revision with `reason`; nothing when it is the current one.
// Leaves version and updated_at to the caller.
void ReviseTarget(const v1::Event& event, const std::string& timescale,
                  const std::string& reason, v1::Action* action);
// Records action->timescale() as target number target_count + 1 (the
// first is the original) and works out the slippage. Nothing while the
// action has never had a target.
void AddTarget(const v1::Event& event, const std::string& reason,
               v1::Action* action);

}  // namespace rectrack::domain
