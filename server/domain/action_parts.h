// How an action is stored: a small parent state (every field, with only its
// latest progress note and its current target) and each progress note and
// target under a key of its own (store::PartKey). Recording a note writes
// the parent and one part, whatever the history; GetAction puts the action
// together with one bounded prefix scan. The log keeps everything; folding
// an action's stream gives the whole action, equal to the assembled one.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rectrack/v1/domain.pb.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

// The kinds of an action's parts, as they appear in its part keys.
inline constexpr char kNotePart = 'p';
inline constexpr char kTargetPart = 't';

// A part: its key in the state family and its bytes.
using StoredPart = std::pair<std::string, std::string>;

// `action` as its parent state is stored: everything but the notes and
// targets before the latest one (progress_count and target_count say how
// many there are).
v1::Action ParentOf(const v1::Action& action);
// Every note and target `action` holds, as parts.
std::vector<StoredPart> PartsOf(const v1::Action& action);
// The parts of `after` that are new or differ from those in `before` (the
// same action before an event was folded into it).
std::vector<StoredPart> ChangedParts(const v1::Action& before,
                                     const v1::Action& after);
// `parent` with `parts` (its own, in key order, as a prefix scan gives
// them) as its notes and targets: the whole action. DATA_LOSS naming the
// key if a part cannot be read.
absl::Status AddParts(const std::vector<StoredPart>& parts, v1::Action* parent);
// The note numbered `number` of action `id`, read through `txn` (sees the
// writes of the request and its group), or nullopt if there is none.
absl::StatusOr<std::optional<v1::ProgressUpdate>> LoadNote(
    store::Transaction& txn, const std::string& id, uint32_t number);

// Action `id` whole, as one moment of the store: its parent state and
// bounded scans of its parts: every target and, with `max_progress`, only
// its latest max_progress notes (0: every note). Errors as LoadState's.
absl::StatusOr<v1::Action> LoadWholeAction(store::EventStore* store,
                                           const std::string& id,
                                           uint32_t max_progress = 0);

}  // namespace rectrack::domain
