// The write path: the queue, the committer thread and group commit.
#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "common/status_macros.h"
#include "server/store/event_store.h"
#include "server/store/keys.h"
#include "server/store/store_internal.h"

namespace rectrack::store {

void EventStore::Submit(RequestInfo info, Decider decide, Done done) {
  size_t queued = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!accepting_) {
      queued = std::numeric_limits<size_t>::max();
    } else if (queue_.size() < options_.max_queued) {
      queue_.push_back({std::move(info), std::move(decide), std::move(done)});
      return;
    } else {
      queued = queue_.size();
    }
  }
  if (queued == std::numeric_limits<size_t>::max()) {
    done(absl::UnavailableError(
        "the server is shutting down and takes no more changes; try again "
        "once it is back"));
    return;
  }
  done(absl::ResourceExhaustedError(absl::StrCat(
      "the server is busy: ", queued,
      " changes are already waiting to be written, and nothing of this one "
      "was applied; try again in a moment (with the same request id it is "
      "applied once)")));
}

absl::StatusOr<CommitResult> EventStore::SubmitAndWait(RequestInfo info,
                                                       Decider decide) {
  absl::Notification finished;
  absl::StatusOr<CommitResult> outcome;
  Submit(std::move(info), std::move(decide),
         [&](absl::StatusOr<CommitResult> r) {
           outcome = std::move(r);
           finished.Notify();
         });
  finished.WaitForNotification();
  return outcome;
}

void EventStore::CommitterLoop() {
  while (true) {
    std::vector<Pending> group;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](EventStore* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return !s->queue_.empty() || s->stopping_;
          },
          this));
      if (queue_.empty()) {
        return;  // stopping, and nothing left to do
      }
      while (!queue_.empty() && group.size() < options_.max_group_size) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    CommitGroup(std::move(group));
  }
}

bool EventStore::ResumeWriting(std::vector<Pending>& group) {
  // RocksDB takes no more writes after a failed one until it is resumed,
  // and 7.8 cannot resume after a failed log write even once the disk is
  // fine again (facebook/rocksdb#11643), so the database is closed and
  // opened again; while that fails, it stays open read-only for reads.
  absl::Status reopened = Reopen();
  if (!reopened.ok()) {
    for (Pending& p : group) {
      p.done(absl::UnavailableError(absl::StrCat(
          "rectrackd cannot write to its database (", reopened.message(),
          "); nothing of this change was recorded, and reads still work. "
          "Writing resumes by itself once the disk has room (or is "
          "mended)")));
    }
    return false;
  }
  write_failed_ = false;
  return true;
}

absl::StatusOr<std::optional<CommitResult>> EventStore::EarlierResult(
    const RequestInfo& info, const std::string& key,
    const GroupOverlay& overlay) {
  if (info.request_id.empty()) return std::nullopt;
  std::optional<std::pair<std::string, std::string>> earlier;
  if (auto it = overlay.requests.find(key); it != overlay.requests.end()) {
    earlier = it->second;
  } else {
    RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                              Get(ColumnFamily::kRequests, key));
    if (stored.has_value()) {
      RECTRACK_ASSIGN_OR_RETURN(earlier, DecodeRequestRecord(*stored));
    }
  }
  if (!earlier.has_value()) return std::nullopt;
  if (earlier->first != info.fingerprint) {
    return absl::AlreadyExistsError(
        absl::StrCat("request id \"", info.request_id,
                     "\" was already used for a different request; use a new "
                     "request id for new changes"));
  }
  return CommitResult{earlier->second, true};
}

absl::StatusOr<CommitResult> EventStore::DecideOne(
    Pending& p, absl::Time now, GroupOverlay* overlay,
    std::vector<Transaction::Op>* ops, std::vector<v1::Event>* events) {
  if (absl::Now() > p.info.deadline) {
    return absl::DeadlineExceededError(
        "the caller's deadline passed while the change waited to be "
        "written; nothing of it was applied");
  }
  // The request's key in the requests family, worked out once.
  const std::string key = RequestKey(p.info);
  RECTRACK_ASSIGN_OR_RETURN(std::optional<CommitResult> earlier,
                            EarlierResult(p.info, key, *overlay));
  if (earlier.has_value()) return *std::move(earlier);
  Transaction txn(this, overlay, now, p.info.request_id, p.info.correlation_id);
  RECTRACK_ASSIGN_OR_RETURN(std::string result, p.decide(txn));
  RECTRACK_RETURN_IF_ERROR(txn.CheckBudget());
  if (p.info.dry_run) {
    return CommitResult{std::move(result), false};  // writes dropped
  }
  if (!p.info.request_id.empty()) {
    txn.AddOp(ColumnFamily::kRequests, key,
              EncodeRequestRecord(p.info.fingerprint, result));
    overlay->requests[key] = {p.info.fingerprint, result};
  }
  txn.CommitTo(overlay, ops, events);
  return CommitResult{std::move(result), false};
}

absl::Status EventStore::WriteOps(const std::vector<Transaction::Op>& ops) {
  // A state or index key written more than once in the group (an entity
  // changed by many commands) goes into the batch once, with its last
  // value: the batch grows with the changes, not with changes x state.
  std::vector<bool> superseded(ops.size(), false);
  absl::flat_hash_set<std::pair<int, absl::string_view>> later;
  for (size_t i = ops.size(); i-- > 0;) {
    const Transaction::Op& op = ops[i];
    if (op.cf == ColumnFamily::kState || op.cf == ColumnFamily::kIndex) {
      superseded[i] = !later.emplace(static_cast<int>(op.cf), op.key).second;
    }
  }
  rocksdb::WriteBatch batch;
  uint64_t keys = 0, bytes = 0;
  for (size_t i = 0; i < ops.size(); ++i) {
    if (superseded[i]) continue;
    const Transaction::Op& op = ops[i];
    rocksdb::Status s = op.value.has_value()
                            ? batch.Put(cf(op.cf), op.key, *op.value)
                            : batch.Delete(cf(op.cf), op.key);
    if (!s.ok()) return FromRocks(s, "preparing the write");
    ++keys;
    bytes += op.key.size() + (op.value.has_value() ? op.value->size() : 0);
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;  // nothing is acknowledged before the WAL is on disk
  const auto started = std::chrono::steady_clock::now();
  absl::Status status =
      FromRocks(db_->Write(wo, &batch), "writing to the database");
  metrics_.sync_write.Observe(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now() - started)
          .count()));
  if (!status.ok()) {
    write_failed_ = true;
    write_failure_ = std::string(status.message());
    metrics_.failed_writes.fetch_add(1, std::memory_order_relaxed);
    return status;
  }
  metrics_.wal_bytes_written.fetch_add(batch.GetDataSize(),
                                       std::memory_order_relaxed);
  keys_written_ += keys;
  bytes_written_ += bytes;
  ++batches_written_;
  return status;
}

void EventStore::Published(uint64_t last_position, const std::string& last_hash,
                           absl::Time now) {
  WriteEndMark(LogEnd{last_position, last_hash});
  std::vector<std::function<void()>> to_wake;
  {
    absl::MutexLock lock(&mu_);
    last_position_ = last_position;
    last_hash_ = last_hash;
    last_recorded_at_ = now;
    for (auto it = wakes_.begin(); it != wakes_.end();) {
      if (it->second.first < last_position_) {
        to_wake.push_back(std::move(it->second.second));
        it = wakes_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (auto& wake : to_wake) wake();
}

void EventStore::CommitGroup(std::vector<Pending> group) {
  metrics_.group_size.Observe(group.size());
  if (write_failed_ && !ResumeWriting(group)) return;
  absl::ReaderMutexLock db_lock(&db_mu_);
  GroupOverlay overlay;
  {
    absl::MutexLock lock(&mu_);
    overlay.last_position = last_position_;
    overlay.last_hash = last_hash_;
  }
  // recorded_at never goes backwards along the log, whatever the clock does.
  absl::Time now = std::max(options_.clock->Now(), last_recorded_at_);
  std::vector<Transaction::Op> ops;
  std::vector<v1::Event> events;
  std::vector<absl::StatusOr<CommitResult>> outcomes;
  outcomes.reserve(group.size());
  for (Pending& p : group) {
    outcomes.push_back(DecideOne(p, now, &overlay, &ops, &events));
  }
  if (!ops.empty()) {
    absl::Status status = WriteOps(ops);
    if (status.ok()) {
      Published(overlay.last_position, overlay.last_hash, now);
    } else {
      // Nothing of this group is on disk: fail every request that wrote, or
      // that replayed a request of this same group.
      for (size_t i = 0; i < outcomes.size(); ++i) {
        if (outcomes[i].ok() &&
            (!outcomes[i]->replayed ||
             overlay.requests.contains(RequestKey(group[i].info)))) {
          outcomes[i] = status;
        }
      }
    }
  }
  for (size_t i = 0; i < group.size(); ++i) {
    group[i].done(std::move(outcomes[i]));
  }
}

std::string EventStore::NewEventId() {
  uint64_t hi = absl::Uniform<uint64_t>(bitgen_);
  uint64_t lo = absl::Uniform<uint64_t>(bitgen_);
  // RFC 4122 version 4 layout.
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32,
                         (hi >> 16) & 0xFFFF, hi & 0xFFFF, lo >> 48,
                         lo & 0xFFFFFFFFFFFFULL);
}

}  // namespace rectrack::store
