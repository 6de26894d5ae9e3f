// Applying commands: checks a request's size, then hands it to the store's
// committer with a decider (decider.h) that turns its commands into events
// inside the commit. Results are stored with the request id, so a retry
// returns the original result.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/domain/actor.h"
#include "server/domain/update_settings.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

// Most commands in one Apply request or BulkApply chunk.
inline constexpr int kMaxCommandsPerRequest = 10000;
// Most commands in one all-or-nothing BulkApply.
inline constexpr int kMaxCommandsAllOrNothing = 200000;

class Commands {
 public:
  // `store` is not owned and must outlive this.
  explicit Commands(store::EventStore* store, UpdateSettings settings = {})
      : store_(store), settings_(settings) {}

  using ApplyDone = std::function<void(absl::StatusOr<v1::ApplyResponse>)>;
  // Validates `request` and commits all of its events atomically, recorded
  // as made by `actor` (whose guard, if any, is asked about each command
  // inside the commit). `done` runs once the events are on disk, or with
  // the first command's error (then nothing is written). With more than
  // one command, an error message starts with "command N: ". A request
  // still waiting to be written at `deadline` is dropped (DEADLINE_EXCEEDED).
  void Apply(const v1::ApplyRequest& request, const Actor& actor,
             ApplyDone done, absl::Time deadline = absl::InfiniteFuture());
  absl::StatusOr<v1::ApplyResponse> ApplyAndWait(
      const v1::ApplyRequest& request, const Actor& actor);

  using ApplyAllDone =
      std::function<void(absl::StatusOr<std::vector<v1::ApplyResponse>>)>;
  // Applies every chunk in one atomic commit, in order, as if they were one
  // request ("$N" counts from the first command of the first chunk). The
  // first chunk's request id, if any, makes the whole retry-safe; its
  // dry_run and correlation id apply to all. Errors start with "chunk N: ".
  void ApplyAll(std::vector<v1::ApplyRequest> chunks, const Actor& actor,
                ApplyAllDone done);

 private:
  store::EventStore* store_;
  const UpdateSettings settings_;
};

// The ApplyResponses of a stored request result (one per chunk of an
// all-or-nothing BulkApply, else one); DATA_LOSS if it is damaged.
absl::StatusOr<std::vector<v1::ApplyResponse>> SplitResults(
    absl::string_view bytes, bool replayed);

}  // namespace rectrack::domain
