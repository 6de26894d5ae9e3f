// Work over the whole log: verify that every projection, index entry and id
// counter equals what folding the log afresh gives, rebuild them when they
// do not (or the schema changed), and take backups.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

class WholeLog {
 public:
  // `store` is not owned and must outlive this.
  explicit WholeLog(store::EventStore* store) : store_(store) {}

  // Folds the whole log afresh and compares every projection, index entry
  // and id counter with what is stored; checks positions and versions run
  // without gaps. Problems are reported in the response, not as an error.
  absl::StatusOr<v1::VerifyResponse> Verify();
  // Folds the whole log afresh, in one pass in position order, and replaces
  // every projection and index with the result, in memory that does not
  // grow with the log (see Rebuilder in whole_log.cc); logs its progress.
  // Run at start-up when the store reports projections_stale() (a schema
  // change). Returns the events folded.
  absl::StatusOr<uint64_t> RebuildProjections();
  // See store::EventStore::Backup.
  absl::StatusOr<v1::BackupResponse> Backup(const std::string& directory);

 private:
  store::EventStore* store_;
};

}  // namespace rectrack::domain
