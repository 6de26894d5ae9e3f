// The event store: an append-only log of events in RocksDB, with the
// projected state, secondary indexes and request results kept beside it and
// written in the same atomic, fsynced batch.
//
// One committer thread owns every write. Callers Submit() a request with a
// decider: a function that reads current state through a Transaction and
// appends events. The committer runs deciders one after another (so each
// sees the effects of those before it), writes the whole group in one
// WriteBatch with the WAL synced, and only then calls every caller's
// completion (group commit: one fsync serves many requests).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "rectrack/v1/events.pb.h"
#include "rocksdb/db.h"

namespace rectrack::store {

// The column families, by job. Values index `EventStore::cf_`.
enum class ColumnFamily : int {
  kEvents = 0,    // position (u64 BE) → Event
  kStreams = 1,   // stream ‖ 0 ‖ version (u64 BE) → position (u64 BE)
  kState = 2,     // entity id → projected state (serialized proto)
  kIndex = 3,     // IndexKey(name, value, entity id) → empty
  kRequests = 4,  // "r:" request id → result; "e:" event id → position
  kMeta = 5,      // name → value (schema version, id sequences)
};
inline constexpr int kColumnFamilyCount = 6;

// The write-ahead log files together stay near this size (RocksDB's
// max_total_wal_size): past it, the families holding the oldest file's
// data are flushed and the file is deleted.
inline constexpr uint64_t kMaxTotalWalBytes = 32ULL << 20;

// Effects of the requests committed so far in the current group, which the
// next request of the group must see. Internal to the store.
struct GroupOverlay {
  uint64_t last_position = 0;
  // Hash of the event at last_position (the next event's predecessor).
  std::string last_hash;
  absl::flat_hash_map<std::string, std::string> state;
  absl::flat_hash_map<std::string, uint64_t> stream_versions;
  absl::flat_hash_map<std::string, uint64_t> sequences;
  absl::flat_hash_set<std::string> event_ids;
  // request id → (fingerprint, result)
  absl::flat_hash_map<std::string, std::pair<std::string, std::string>>
      requests;
};

class EventStore;

// Where the log ends: the position and hash (Event.hash) of its last event.
// Internal to the store.
struct LogEnd {
  uint64_t position = 0;
  std::string hash;
};

// A decider's view of the store: reads see committed state plus everything
// earlier in the same group and this transaction's own writes. Writes are
// buffered and reach the database only if the decider succeeds.
class Transaction {
 public:
  // Current projected state of an entity, or nullopt if it does not exist.
  absl::StatusOr<std::optional<std::string>> GetState(const std::string& id);
  void PutState(const std::string& id, std::string value);

  // Version of a stream (0 when it has no events).
  absl::StatusOr<uint64_t> StreamVersion(const std::string& stream);

  // Appends `event` to `event.stream()`: assigns position, version,
  // recorded_at, request id and (if empty) a random event id. Returns the
  // stored event. ALREADY_EXISTS if a caller-chosen event id was used
  // before. `stream_version`, when the caller knows it from the entity's
  // state, saves looking it up; it must be the stream's current version.
  absl::StatusOr<v1::Event> Append(
      v1::Event event, std::optional<uint64_t> stream_version = std::nullopt);

  // Next value (1, 2, 3…) of a named counter, e.g. for entity ids.
  absl::StatusOr<uint64_t> NextSequence(const std::string& name);

  void PutIndex(absl::string_view name, absl::string_view value,
                absl::string_view entity_id);
  void DeleteIndex(absl::string_view name, absl::string_view value,
                   absl::string_view entity_id);

  absl::Time now() const { return now_; }

 private:
  friend class EventStore;
  struct Op {
    ColumnFamily cf;
    std::string key;
    std::optional<std::string> value;  // nullopt = delete
  };
  // Adds `op` to this transaction's writes, counting its bytes.
  void AddOp(ColumnFamily cf, std::string key,
             std::optional<std::string> value);
  // RESOURCE_EXHAUSTED once the writes pass the store's max_request_bytes.
  absl::Status CheckBudget() const;

  Transaction(EventStore* store, GroupOverlay* group, absl::Time now,
              std::string request_id, std::string correlation_id)
      : store_(store),
        group_(group),
        now_(now),
        request_id_(std::move(request_id)),
        correlation_id_(std::move(correlation_id)),
        last_position_(group->last_position),
        last_hash_(group->last_hash) {}

  // Moves this transaction's effects into the group.
  void CommitTo(GroupOverlay* group, std::vector<Op>* ops,
                std::vector<v1::Event>* events);

  EventStore* store_;
  GroupOverlay* group_;
  absl::Time now_;
  std::string request_id_;
  std::string correlation_id_;
  uint64_t last_position_;
  std::string last_hash_;
  GroupOverlay local_;
  std::vector<Op> ops_;
  size_t op_bytes_ = 0;  // keys and values in ops_
  std::vector<v1::Event> events_;
};

// The outcome of a submitted request.
struct CommitResult {
  // What the decider returned (or, for a replay, returned the first time).
  std::string result;
  // True when the request id had been committed before: nothing appended.
  bool replayed = false;
};

// What the store needs to know of a request besides its decider.
struct RequestInfo {
  // Idempotency key; empty for none. Recorded on every event.
  std::string request_id;
  // Identifies the request's content: a reused request id with another
  // fingerprint is refused with ALREADY_EXISTS.
  std::string fingerprint;
  // Copied onto every event.
  std::string correlation_id;
  // Run the decider and report its result, but write nothing.
  bool dry_run = false;
  // The caller's deadline (real time). A request still queued when it
  // passes is dropped with DEADLINE_EXCEEDED, nothing applied: the caller
  // has stopped waiting.
  absl::Time deadline = absl::InfiniteFuture();
  // Whose request ids these are (the kind of call and the caller): the same
  // request id in another scope is another request.
  std::string scope{};
};

struct StoreOptions {
  // The clock that stamps recorded_at. Not owned; must outlive the store.
  Clock* clock = RealClock::Get();
  // Most requests folded into one write.
  size_t max_group_size = 512;
  // Most requests waiting for the committer; beyond it Submit refuses with
  // RESOURCE_EXHAUSTED at once instead of queueing without bound.
  size_t max_queued = 4096;
  // Most bytes (keys and values) one request may write. A request that
  // would write more is refused with RESOURCE_EXHAUSTED naming the limit,
  // nothing applied, as soon as it passes it: one request never holds the
  // committer (and everyone else's changes) for longer than deciding and
  // writing this much takes (about 5 s on a 2-core machine). The largest
  // all-or-nothing import (200,000 commands) writes about 150 MB.
  size_t max_request_bytes = size_t{256} << 20;
  // RocksDB's environment (files, threads); null for the default. Tests
  // inject one that fails writes. Not owned; must outlive the store.
  rocksdb::Env* env = nullptr;
  // A scratch database for whole-log work (verify folds the log into
  // one): PutProjections and PutRaw skip the write-ahead log, and the
  // memtables are small. What it holds is lost if the process stops.
  bool scratch = false;
};

// Figures of the write path for /metrics, updated by the committer thread
// with atomics only.
struct StoreMetrics {
  // Requests decided together and written with one fsync (group commit).
  Histogram group_size{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, 1};
  // Each synced write (the write-ahead log appended and fsynced), in
  // nanoseconds, shown as seconds.
  Histogram sync_write{LatencyBounds(), 1e9};
  // Bytes of the batches written to the write-ahead log.
  std::atomic<uint64_t> wal_bytes_written{0};
  // Synced writes that failed (disk full, I/O error).
  std::atomic<uint64_t> failed_writes{0};
};

class EventStore {
 public:
  // One moment of the whole database, for a check that reads several
  // families (verify): every read given it sees the database as it was
  // when it was taken, whatever is written meanwhile. While one is held the
  // database is not reopened after a failed write (writes stay refused);
  // release it soon. Thread-compatible.
  class Snapshot {
   public:
    ~Snapshot();
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

   private:
    friend class EventStore;
    Snapshot(EventStore* store, const rocksdb::Snapshot* snapshot)
        : store_(store), snapshot_(snapshot) {}
    EventStore* store_;
    const rocksdb::Snapshot* snapshot_;
  };
  // Takes a Snapshot of the database as it is now.
  std::unique_ptr<Snapshot> TakeSnapshot();

  // Reads state and appends events; returns the result to remember for the
  // request id. An error discards everything the decider did.
  using Decider = std::function<absl::StatusOr<std::string>(Transaction&)>;
  // Called exactly once, after the request is durable or has failed.
  using Done = std::function<void(absl::StatusOr<CommitResult>)>;

  // Opens (creating if needed) the database in `dir`. FAILED_PRECONDITION
  // with a plain explanation if another process holds it or it cannot be
  // written.
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(
      const std::string& dir, StoreOptions options = {});

  // Stops accepting requests, finishes the queued ones, closes the database.
  ~EventStore();

  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // What the committer has written since the store opened: the keys put
  // or deleted, their bytes (keys and values), and the synced batches. For
  // tests and benchmarks that check what a change costs.
  struct WriteStats {
    uint64_t keys = 0;
    uint64_t bytes = 0;
    uint64_t batches = 0;
  };
  WriteStats write_stats() const {
    return {keys_written_.load(), bytes_written_.load(),
            batches_written_.load()};
  }

  // Queues a request for the committer.
  void Submit(RequestInfo info, Decider decide, Done done);

  // Submit() and wait for the outcome.
  absl::StatusOr<CommitResult> SubmitAndWait(RequestInfo info, Decider decide);

  // Refuses new requests with UNAVAILABLE; queued ones still complete.
  void StopAccepting();

  // Reads of committed data.
  absl::StatusOr<std::optional<std::string>> GetState(
      const std::string& id, const Snapshot* view = nullptr);
  // Every (id, state) whose id starts with `prefix`, in key order.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ScanState(
      absl::string_view prefix, const Snapshot* view = nullptr);
  // Every (key, state) with `from` <= key < `to` (an empty `to`: no upper
  // bound), in key order.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
  ScanStateRange(absl::string_view from, absl::string_view to,
                 const Snapshot* view = nullptr);
  // Entity ids under IndexPrefix(name, value).
  absl::StatusOr<std::vector<std::string>> ScanIndex(absl::string_view name,
                                                     absl::string_view value);
  // Entries of index `name` with `from` <= value < `to` in byte order (an
  // empty `to`: no upper bound), as (value, entity id), in key order.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
  ScanIndexRange(absl::string_view name, absl::string_view from,
                 absl::string_view to);
  // Entries of index `name` whose value starts with `prefix`.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
  ScanIndexValuePrefix(absl::string_view name, absl::string_view prefix);
  // Events of one stream, oldest first.
  absl::StatusOr<std::vector<v1::Event>> ReadStream(absl::string_view stream);

  // How many events each stream lists, in one pass over the stream index
  // (for verify; reading every stream with ReadStream costs a random read
  // per event).
  absl::StatusOr<absl::flat_hash_map<std::string, uint64_t>> CountStreamEvents(
      const Snapshot* view = nullptr);
  // Up to `limit` events from global position `from` (1-based), and no more
  // once their stored size reaches `max_bytes` (but always at least one):
  // memory for a page is bounded in bytes, not only in events.
  absl::StatusOr<std::vector<v1::Event>> ReadAll(
      uint64_t from, size_t limit,
      size_t max_bytes = std::numeric_limits<size_t>::max(),
      const Snapshot* view = nullptr);
  // Position of the last committed event (0 when the log is empty).
  uint64_t LastPosition();
  // A consumer resuming from `from` says the event at from - 1 had `hash`
  // (Event.hash). OK when it has (or `hash` is empty: no check);
  // FAILED_PRECONDITION saying what to do when this log holds another
  // event there or none.
  absl::Status CheckResumePoint(uint64_t from, absl::string_view hash);

  // Calls `wake` once (on the committer thread, or at once) when the log
  // grows past `position`, or when the store stops. Returns a ticket for
  // CancelWake. `wake` must not block.
  uint64_t WakeAfter(uint64_t position, std::function<void()> wake);
  // Forgets a WakeAfter that has not fired. Safe to call after it fired.
  void CancelWake(uint64_t ticket);
  // False once StopAccepting() was called (the server is shutting down).
  bool accepting();
  // The write path's figures (for /metrics).
  const StoreMetrics& metrics() const { return metrics_; }
  // Requests waiting for the committer now.
  size_t queue_depth();
  // Bytes of write-ahead log files on disk now (0 while the database is
  // open read-only after a failed write).
  uint64_t wal_bytes();
  // The clock that stamps events (for reads that depend on "today").
  Clock* clock() const { return options_.clock; }

  // Every index entry, as (index name, value, entity id).
  struct IndexEntry {
    std::string name;
    std::string value;
    std::string entity_id;
  };
  // Calls `visit` with every index entry, in key order, without holding
  // them all (verify reads tens of millions).
  absl::Status ForEachIndexEntry(
      const std::function<void(const IndexEntry&)>& visit,
      const Snapshot* view = nullptr);
  // A stored request result, with its key in the requests family.
  struct RequestRecord {
    std::string key;
    absl::StatusOr<std::pair<std::string, std::string>> record;  // (fp, result)
  };
  // Calls `visit` with every stored request result, and with every event id
  // and the position it was used at, in key order, without holding them all.
  absl::Status ForEachRequest(
      const std::function<void(const RequestRecord&)>& visit_result,
      const std::function<void(absl::string_view event_id,
                               std::optional<uint64_t> position)>&
          visit_event_id,
      const Snapshot* view);
  // The event at `position` as stored, if there is one.
  absl::StatusOr<std::optional<v1::Event>> ReadEvent(uint64_t position,
                                                     const Snapshot* view);
  // True when the database was written by an older schema whose state and
  // index families must be rebuilt from the log (ClearProjections...) before
  // anything reads them. The log itself never changes form.
  bool projections_stale() const { return projections_stale_; }
  // Rebuilding the projections from the log, at start-up while nothing
  // else writes (see domain::WholeLog::RebuildProjections), in bounded
  // memory: clear, put in batches, mark current. Until marked, the database
  // keeps its old schema version, so a rebuild cut short runs again from
  // the start at the next open.
  // Deletes every key of the state and index families.
  absl::Status ClearProjections();
  // Writes `states` (key, bytes) and `index` in one batch, not synced (the
  // synced MarkProjectionsCurrent makes them durable).
  absl::Status PutProjections(
      const std::vector<std::pair<std::string, std::string>>& states,
      const std::vector<IndexEntry>& index);
  // Writes `entries` (key, value) into `family` in one unsynced batch: for
  // a scratch store (StoreOptions::scratch), never the live one.
  absl::Status PutRaw(
      ColumnFamily family,
      const std::vector<std::pair<std::string, std::string>>& entries);
  // Up to `limit` (key, value) of `family` with key >= `from`, in key order
  // (the next page starts at the last key + '\0').
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ReadPage(
      ColumnFamily family, absl::string_view from, size_t limit,
      const Snapshot* view = nullptr);
  // The data directory the store was opened in.
  const std::string& dir() const { return dir_; }
  // Records the current schema version, synced: the rebuild is done.
  absl::Status MarkProjectionsCurrent();
  // Calls `visit` with every (key, state) whose key starts with `prefix`,
  // in key order, a page at a time (the visitor may read and write the
  // store); stops at the first error it returns.
  absl::Status ForEachState(
      absl::string_view prefix,
      const std::function<absl::Status(const std::string& key,
                                       const std::string& bytes)>& visit,
      const Snapshot* view = nullptr);
  // The current value of a NextSequence() counter (0 if never used).
  absl::StatusOr<uint64_t> CurrentSequence(const std::string& name,
                                           const Snapshot* view = nullptr);

  // Copies a consistent snapshot of the database, taken while it serves,
  // into the backup directory `dir` (RocksDB's BackupEngine: later backups
  // to the same directory share unchanged files). Returns the backup's id.
  absl::StatusOr<uint32_t> Backup(const std::string& dir);
  // Restores the latest backup in `backup_dir` into `data_dir`, which must
  // be missing or empty so that nothing is overwritten.
  static absl::Status RestoreFromBackup(const std::string& backup_dir,
                                        const std::string& data_dir);

 private:
  friend class Transaction;
  struct Pending {
    RequestInfo info;
    Decider decide;
    Done done;
  };

  EventStore(std::unique_ptr<rocksdb::DB> db,
             std::vector<rocksdb::ColumnFamilyHandle*> cf, StoreOptions options,
             LogEnd end);

  // Opens the database in `dir` (read-only: for reads while writing fails)
  // and reads its schema version and last position.
  static absl::Status OpenDatabase(
      const std::string& dir, const StoreOptions& options, bool read_only,
      std::unique_ptr<rocksdb::DB>* db,
      std::vector<rocksdb::ColumnFamilyHandle*>* handles, std::string* schema,
      LogEnd* end);
  // DATA_LOSS when the log ends before `recorded` (the end mark: a lost or
  // cut-short write-ahead log) or holds another event at its position.
  static absl::Status CheckLogEnd(const std::string& dir, rocksdb::DB* db,
                                  rocksdb::ColumnFamilyHandle* events,
                                  const LogEnd& found, const LogEnd& recorded);
  // Records the log's end in the end mark file (no fsync: see event_store.cc).
  void WriteEndMark(const LogEnd& end);
  // Closes db_ (db_mu_ held for writing).
  void CloseDatabase();
  // After a failed write: closes and opens the database again. Not OK
  // while the cause lasts; then the database is open read-only.
  absl::Status Reopen();

  // Read options that read at `view`'s moment (now, for null).
  static rocksdb::ReadOptions ReadOptionsFor(const Snapshot* view);
  rocksdb::ColumnFamilyHandle* cf(ColumnFamily family) const {
    return cf_[static_cast<int>(family)];
  }
  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily family, absl::string_view key,
      const Snapshot* view = nullptr);
  std::string NewEventId();

  void CommitterLoop();
  // Calls every pending WakeAfter callback (outside the lock).
  void WakeEveryone();
  // Decides and writes one group of requests in one fsynced batch, then
  // completes each (committer thread).
  void CommitGroup(std::vector<Pending> group);
  // After a failed write: reopens the database; false (every request of
  // `group` failed with UNAVAILABLE) while that fails.
  bool ResumeWriting(std::vector<Pending>& group);
  // The stored result of an earlier request with `info`'s id and scope
  // (`key`, its RequestKey), if any; ALREADY_EXISTS if that request was a
  // different one.
  absl::StatusOr<std::optional<CommitResult>> EarlierResult(
      const RequestInfo& info, const std::string& key,
      const GroupOverlay& overlay);
  // Runs one request's decider against `overlay`, adding its writes to
  // `ops` and `events` (nothing for a dry run or a replay).
  absl::StatusOr<CommitResult> DecideOne(Pending& p, absl::Time now,
                                         GroupOverlay* overlay,
                                         std::vector<Transaction::Op>* ops,
                                         std::vector<v1::Event>* events);
  // One synced WriteBatch of `ops`; marks write_failed_ if it fails.
  absl::Status WriteOps(const std::vector<Transaction::Op>& ops);
  // Moves the log's end to `last_position` and wakes its watchers.
  void Published(uint64_t last_position, const std::string& last_hash,
                 absl::Time now);

  // db_ and cf_ are replaced only by Reopen, on the committer thread, with
  // db_mu_ held for writing; every read holds it for reading.
  absl::Mutex db_mu_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cf_;
  StoreOptions options_;
  std::string dir_;

  absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool accepting_ ABSL_GUARDED_BY(mu_) = true;
  // The last write failed (disk full, I/O error): the committer reopens
  // the database before the next one.
  bool write_failed_ = false;  // committer thread only
  // Why the last write or reopen failed, for the refusals that follow
  // (committer thread only, and Open).
  std::string write_failure_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t last_position_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_hash_ ABSL_GUARDED_BY(mu_);
  // The end mark file (DATA_DIR/rectrack-end), or -1 (committer thread).
  int end_mark_fd_ = -1;
  // WakeAfter callbacks by ticket: (position, wake).
  std::map<uint64_t, std::pair<uint64_t, std::function<void()>>> wakes_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_ticket_ ABSL_GUARDED_BY(mu_) = 1;

  bool projections_stale_ = false;
  std::atomic<uint64_t> keys_written_{0}, bytes_written_{0},
      batches_written_{0};
  // Views not yet released: the database is not reopened while any is.
  std::atomic<int> views_open_{0};

  // Used only by the committer thread.
  absl::Time last_recorded_at_ = absl::InfinitePast();
  absl::BitGen bitgen_;

  StoreMetrics metrics_;

  std::thread committer_;
};

}  // namespace rectrack::store
