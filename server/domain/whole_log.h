// Work over the whole log: verify that every projection, index entry and id
// counter equals what folding the log afresh gives, rebuild them when they
// do not (or the schema changed), and take backups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/domain/bounded_fold.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

// How a Verify reports its progress, and its memory bound.
struct VerifyOptions {
  // Called at the start of each step, every `progress_every` events of the
  // log, and last with step "done" and the report. Returning false stops
  // the check: Verify returns CANCELLED saying how far it got.
  std::function<bool(const v1::VerifyProgress&)> progress;
  uint64_t progress_every = 10000;
  // Most entities held in memory while folding (see BoundedFold).
  size_t max_entities = kFoldEntities;
};

// The scratch databases of verify are DATA_DIR/verify-scratch-N.
inline constexpr char kVerifyScratchPrefix[] = "verify-scratch-";

class WholeLog {
 public:
  // `store` is not owned and must outlive this.
  explicit WholeLog(store::EventStore* store) : store_(store) {}

  // Folds the whole log afresh and compares every projection, index entry,
  // stream index entry and id counter with what is stored, all at one
  // snapshot; checks positions and versions run without gaps, the hash
  // chain and the stored request results. The fold goes into a scratch
  // database under the data directory (BoundedFold, then compared in key
  // order), so memory does not grow with the log. Problems are reported in
  // the response, not as an error.
  absl::StatusOr<v1::VerifyResponse> Verify(const VerifyOptions& options = {});
  // Deletes the scratch databases a verify cut short (by a crash) left in
  // `data_dir`, logging each (on `clock`'s time). Call at start, before any
  // verify runs.
  static void RemoveLeftoverScratch(const std::string& data_dir, Clock* clock);
  // Folds the whole log afresh, in one pass in position order, and replaces
  // every projection and index with the result, in memory that does not
  // grow with the log (see BoundedFold); logs its progress.
  // Run at start-up when the store reports projections_stale() (a schema
  // change). Returns the events folded. `max_entities`: see BoundedFold.
  absl::StatusOr<uint64_t> RebuildProjections(
      size_t max_entities = kFoldEntities);
  // See store::EventStore::Backup.
  absl::StatusOr<v1::BackupResponse> Backup(const std::string& directory);

 private:
  store::EventStore* store_;
};

}  // namespace rectrack::domain
