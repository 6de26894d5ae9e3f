#include "server/store/event_store.h"

#include <unistd.h>

#include <filesystem>
#include <limits>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "common/dates.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "rocksdb/utilities/backup_engine.h"
#include "server/store/keys.h"

namespace rectrack::store {
namespace {

constexpr const char* kColumnFamilyNames[kColumnFamilyCount] = {
    "events", "streams", "state", "index", "requests", "meta"};
constexpr const char* kSchemaVersionKey = "schema_version";
// 1: index keys len|name len|value id, actions without target windows.
// 2: index keys len|name value 0x00 id; projections carry target windows,
//    revisions and slippage.
// 3: the word indexes leave out common words ("the", "and", ...).
// Versions 1 and 2 open with stale projections, rebuilt from the log.
constexpr const char* kSchemaVersion = "3";
bool Rebuildable(absl::string_view schema) {
  return schema == "1" || schema == "2";
}

absl::string_view View(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) {
    return absl::OkStatus();
  }
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNoSpace()) {
    return absl::UnavailableError(
        absl::StrCat(message, " (the disk is full; nothing was written)"));
  }
  if (s.IsCorruption()) {
    return absl::DataLossError(message);
  }
  if (s.IsIOError()) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

// A request id in no scope keeps the key of schema 1 ("r:" ‖ id); in a
// scope, the scope is length-prefixed so no id can reach into another's.
std::string RequestKey(const RequestInfo& info) {
  if (info.scope.empty()) return absl::StrCat("r:", info.request_id);
  return absl::StrCat("r:", info.scope.size(), ":", info.scope,
                      info.request_id);
}
std::string EventIdKey(absl::string_view event_id) {
  return absl::StrCat("e:", event_id);
}

std::string EncodeRequestRecord(absl::string_view fingerprint,
                                absl::string_view result) {
  return absl::StrCat(EncodeU64(fingerprint.size()), fingerprint, result);
}

absl::StatusOr<std::pair<std::string, std::string>> DecodeRequestRecord(
    absl::string_view bytes) {
  if (bytes.size() < 8 || DecodeU64(bytes.substr(0, 8)) > bytes.size() - 8) {
    return absl::DataLossError("stored request result is damaged");
  }
  uint64_t n = DecodeU64(bytes.substr(0, 8));
  return std::make_pair(std::string(bytes.substr(8, n)),
                        std::string(bytes.substr(8 + n)));
}

absl::Status CheckWritable(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create the data directory ", dir, ": ", ec.message()));
  }
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write to the data directory ", dir,
                     ": permission denied; choose another --data-dir or fix "
                     "its permissions"));
  }
  return absl::OkStatus();
}

}  // namespace

// ---------------------------------------------------------------- Transaction

absl::StatusOr<std::optional<std::string>> Transaction::GetState(
    const std::string& id) {
  if (auto it = local_.state.find(id); it != local_.state.end()) {
    return it->second;
  }
  if (auto it = group_->state.find(id); it != group_->state.end()) {
    return it->second;
  }
  return store_->Get(ColumnFamily::kState, id);
}

void Transaction::PutState(const std::string& id, std::string value) {
  ops_.push_back({ColumnFamily::kState, id, value});
  local_.state[id] = std::move(value);
}

absl::StatusOr<uint64_t> Transaction::StreamVersion(const std::string& stream) {
  if (auto it = local_.stream_versions.find(stream);
      it != local_.stream_versions.end()) {
    return it->second;
  }
  if (auto it = group_->stream_versions.find(stream);
      it != group_->stream_versions.end()) {
    return it->second;
  }
  std::unique_ptr<rocksdb::Iterator> it(store_->db_->NewIterator(
      rocksdb::ReadOptions(), store_->cf(ColumnFamily::kStreams)));
  std::string prefix = StreamPrefix(stream);
  it->SeekForPrev(StreamKey(stream, UINT64_MAX));
  uint64_t version = 0;
  if (it->Valid() && it->key().starts_with(prefix)) {
    version = DecodeU64(View(it->key()).substr(prefix.size()));
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(it->status(), "reading stream version"));
  return version;
}

absl::StatusOr<v1::Event> Transaction::Append(
    v1::Event event, std::optional<uint64_t> stream_version) {
  // A random 122-bit id cannot collide in practice, so only ids chosen by
  // callers are looked up.
  const bool chosen = !event.event_id().empty();
  if (!chosen) {
    event.set_event_id(store_->NewEventId());
  }
  const std::string& event_id = event.event_id();
  bool used = local_.event_ids.contains(event_id) ||
              group_->event_ids.contains(event_id);
  if (!used && chosen) {
    RECTRACK_ASSIGN_OR_RETURN(auto stored, store_->Get(ColumnFamily::kRequests,
                                                       EventIdKey(event_id)));
    used = stored.has_value();
  }
  if (used) {
    return absl::AlreadyExistsError(
        absl::StrCat("event id \"", event_id,
                     "\" has already been used; give each "
                     "event a new id, or leave event_id empty"));
  }
  uint64_t version = 0;
  if (stream_version.has_value()) {
    version = *stream_version;
  } else {
    RECTRACK_ASSIGN_OR_RETURN(version, StreamVersion(event.stream()));
  }
  event.set_version(version + 1);
  event.set_position(++last_position_);
  SetTimestamp(now_, event.mutable_recorded_at());
  event.set_request_id(request_id_);
  event.set_correlation_id(correlation_id_);

  local_.stream_versions[event.stream()] = event.version();
  local_.event_ids.insert(event_id);
  ops_.push_back({ColumnFamily::kEvents, EncodeU64(event.position()),
                  event.SerializeAsString()});
  ops_.push_back({ColumnFamily::kStreams,
                  StreamKey(event.stream(), event.version()),
                  EncodeU64(event.position())});
  ops_.push_back({ColumnFamily::kRequests, EventIdKey(event_id),
                  EncodeU64(event.position())});
  events_.push_back(event);
  return event;
}

absl::StatusOr<uint64_t> Transaction::NextSequence(const std::string& name) {
  uint64_t current = 0;
  if (auto it = local_.sequences.find(name); it != local_.sequences.end()) {
    current = it->second;
  } else if (auto git = group_->sequences.find(name);
             git != group_->sequences.end()) {
    current = git->second;
  } else {
    RECTRACK_ASSIGN_OR_RETURN(
        auto stored,
        store_->Get(ColumnFamily::kMeta, absl::StrCat("seq:", name)));
    if (stored.has_value()) {
      if (stored->size() != 8) {
        return absl::DataLossError(
            absl::StrCat("id counter ", name, " is damaged"));
      }
      current = DecodeU64(*stored);
    }
  }
  ++current;
  local_.sequences[name] = current;
  ops_.push_back(
      {ColumnFamily::kMeta, absl::StrCat("seq:", name), EncodeU64(current)});
  return current;
}

void Transaction::PutIndex(absl::string_view name, absl::string_view value,
                           absl::string_view entity_id) {
  ops_.push_back(
      {ColumnFamily::kIndex, IndexKey(name, value, entity_id), std::string()});
}

void Transaction::DeleteIndex(absl::string_view name, absl::string_view value,
                              absl::string_view entity_id) {
  ops_.push_back(
      {ColumnFamily::kIndex, IndexKey(name, value, entity_id), std::nullopt});
}

void Transaction::CommitTo(GroupOverlay* group, std::vector<Op>* ops,
                           std::vector<v1::Event>* events) {
  for (auto& [k, v] : local_.state) {
    group->state[k] = std::move(v);
  }
  for (auto& [k, v] : local_.stream_versions) {
    group->stream_versions[k] = v;
  }
  for (auto& [k, v] : local_.sequences) {
    group->sequences[k] = v;
  }
  for (const auto& id : local_.event_ids) {
    group->event_ids.insert(id);
  }
  group->last_position = last_position_;
  for (auto& op : ops_) {
    ops->push_back(std::move(op));
  }
  for (auto& e : events_) {
    events->push_back(std::move(e));
  }
}

// ----------------------------------------------------------------- EventStore

absl::Status EventStore::OpenDatabase(
    const std::string& dir, const StoreOptions& options, bool read_only,
    std::unique_ptr<rocksdb::DB>* db_out,
    std::vector<rocksdb::ColumnFamilyHandle*>* handles_out, std::string* schema,
    uint64_t* last_position) {
  if (!read_only) RECTRACK_RETURN_IF_ERROR(CheckWritable(dir));
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  db_options.keep_log_file_num = 5;
  if (options.env != nullptr) db_options.env = options.env;
  // A record torn at the very end of the write-ahead log is a write that
  // was never acknowledged (acknowledgement waits for fsync), so it is
  // dropped. Damage anywhere before the end could drop acknowledged
  // changes, so it stops the open instead (RocksDB's default would keep
  // the log up to the damage and silently drop the rest).
  db_options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           rocksdb::ColumnFamilyOptions());
  for (const char* name : kColumnFamilyNames) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, dir, descriptors, &handles,
                                         &raw)
          : rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
  std::unique_ptr<rocksdb::DB> db(raw);
  if (!s.ok()) {
    if (s.IsIOError() && absl::StrContains(s.ToString(), "lock")) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the data directory ", dir,
          " is in use by another rectrackd (its LOCK file is held); stop "
          "that server or choose another --data-dir"));
    }
    if (s.IsCorruption()) {
      return absl::DataLossError(absl::StrCat(
          "the database in ", dir, " is damaged (", s.ToString(),
          "); rectrackd will not start rather than silently drop recorded "
          "changes. Restore the latest backup into a new directory "
          "(rectrackd --restore-from BACKUP-DIR --data-dir NEW-DIR) and keep "
          "this one for investigation"));
    }
    return FromRocks(s, absl::StrCat("opening the database in ", dir));
  }
  // handles[0] is the default family, which rectrack does not use.
  db->DestroyColumnFamilyHandle(handles[0]);
  handles.erase(handles.begin());

  auto fail = [&](absl::Status status) {
    for (auto* h : handles) {
      db->DestroyColumnFamilyHandle(h);
    }
    return status;
  };
  s = db->Get(rocksdb::ReadOptions(),
              handles[static_cast<int>(ColumnFamily::kMeta)], kSchemaVersionKey,
              schema);
  if (s.IsNotFound() && !read_only) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db->Put(wo, handles[static_cast<int>(ColumnFamily::kMeta)],
                kSchemaVersionKey, kSchemaVersion);
    if (!s.ok()) {
      return fail(FromRocks(s, "writing the schema version"));
    }
    *schema = kSchemaVersion;
  } else if (!s.ok()) {
    return fail(FromRocks(s, "reading the schema version"));
  }
  *last_position = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(),
                        handles[static_cast<int>(ColumnFamily::kEvents)]));
    it->SeekToLast();
    if (it->Valid()) {
      *last_position = DecodeU64(View(it->key()));
    }
    if (!it->status().ok()) {
      return fail(FromRocks(it->status(), "reading the last event"));
    }
  }
  *db_out = std::move(db);
  *handles_out = std::move(handles);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(
    const std::string& dir, StoreOptions options) {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::string schema;
  uint64_t last_position = 0;
  RECTRACK_RETURN_IF_ERROR(OpenDatabase(dir, options, /*read_only=*/false, &db,
                                        &handles, &schema, &last_position));
  bool stale = false;
  if (Rebuildable(schema)) {
    stale = true;
  } else if (schema != kSchemaVersion) {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    return absl::FailedPreconditionError(
        absl::StrCat("the database in ", dir, " has schema version ", schema,
                     "; this rectrackd reads version ", kSchemaVersion));
  }
  auto store = std::unique_ptr<EventStore>(new EventStore(
      std::move(db), std::move(handles), options, last_position));
  store->dir_ = dir;
  store->projections_stale_ = stale;
  return store;
}

void EventStore::CloseDatabase() {
  for (auto* h : cf_) {
    db_->DestroyColumnFamilyHandle(h);
  }
  cf_.clear();
  db_->Close().PermitUncheckedError();
  db_.reset();
}

absl::Status EventStore::Reopen() {
  absl::WriterMutexLock lock(&db_mu_);
  CloseDatabase();
  std::string schema;
  uint64_t last_position = 0;
  absl::Status status = OpenDatabase(dir_, options_, /*read_only=*/false, &db_,
                                     &cf_, &schema, &last_position);
  if (!status.ok()) {
    // Still failing (the disk is still full): serve reads from a read-only
    // open, and try again before the next write.
    absl::Status read_only = OpenDatabase(dir_, options_, /*read_only=*/true,
                                          &db_, &cf_, &schema, &last_position);
    if (!read_only.ok()) {
      // Not even reads: nothing more can be done in this process; stop so
      // the service manager restarts it.
      Log(options_.clock, "error", "cannot open the database again; stopping",
          {{"reason", std::string(read_only.message())}});
      std::abort();
    }
  }
  // The log may hold more than we knew, if a failed write reached the disk
  // after all: carry on from what is really there.
  absl::MutexLock state_lock(&mu_);
  last_position_ = last_position;
  return status;
}

EventStore::EventStore(std::unique_ptr<rocksdb::DB> db,
                       std::vector<rocksdb::ColumnFamilyHandle*> cf,
                       StoreOptions options, uint64_t last_position)
    : db_(std::move(db)), cf_(std::move(cf)), options_(options) {
  {
    absl::MutexLock lock(&mu_);
    last_position_ = last_position;
  }
  committer_ = std::thread([this] { CommitterLoop(); });
}

EventStore::~EventStore() {
  {
    absl::MutexLock lock(&mu_);
    accepting_ = false;
    stopping_ = true;
  }
  WakeEveryone();
  committer_.join();
  absl::WriterMutexLock lock(&db_mu_);
  CloseDatabase();
}

void EventStore::StopAccepting() {
  {
    absl::MutexLock lock(&mu_);
    accepting_ = false;
  }
  WakeEveryone();
}

bool EventStore::accepting() {
  absl::MutexLock lock(&mu_);
  return accepting_;
}

void EventStore::WakeEveryone() {
  std::map<uint64_t, std::pair<uint64_t, std::function<void()>>> wakes;
  {
    absl::MutexLock lock(&mu_);
    wakes.swap(wakes_);
  }
  for (auto& [ticket, wake] : wakes) {
    wake.second();
  }
}

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

void EventStore::CommitGroup(std::vector<Pending> group) {
  if (write_failed_) {
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
      return;
    }
    write_failed_ = false;
  }
  absl::ReaderMutexLock db_lock(&db_mu_);
  GroupOverlay overlay;
  {
    absl::MutexLock lock(&mu_);
    overlay.last_position = last_position_;
  }
  // recorded_at never goes backwards along the log, whatever the clock does.
  absl::Time now = std::max(options_.clock->Now(), last_recorded_at_);
  std::vector<Transaction::Op> ops;
  std::vector<v1::Event> events;
  std::vector<absl::StatusOr<CommitResult>> outcomes;
  outcomes.reserve(group.size());

  for (Pending& p : group) {
    if (absl::Now() > p.info.deadline) {
      outcomes.push_back(absl::DeadlineExceededError(
          "the caller's deadline passed while the change waited to be "
          "written; nothing of it was applied"));
      continue;
    }
    if (!p.info.request_id.empty()) {
      std::optional<std::pair<std::string, std::string>> earlier;
      if (auto it = overlay.requests.find(RequestKey(p.info));
          it != overlay.requests.end()) {
        earlier = it->second;
      } else {
        auto stored = Get(ColumnFamily::kRequests, RequestKey(p.info));
        if (!stored.ok()) {
          outcomes.push_back(stored.status());
          continue;
        }
        if (stored->has_value()) {
          auto decoded = DecodeRequestRecord(**stored);
          if (!decoded.ok()) {
            outcomes.push_back(decoded.status());
            continue;
          }
          earlier = *decoded;
        }
      }
      if (earlier.has_value()) {
        if (earlier->first != p.info.fingerprint) {
          outcomes.push_back(absl::AlreadyExistsError(absl::StrCat(
              "request id \"", p.info.request_id,
              "\" was already used for a different request; use a new "
              "request id for new changes")));
        } else {
          outcomes.push_back(CommitResult{earlier->second, true});
        }
        continue;
      }
    }
    Transaction txn(this, &overlay, now, p.info.request_id,
                    p.info.correlation_id);
    absl::StatusOr<std::string> result = p.decide(txn);
    if (!result.ok()) {
      outcomes.push_back(result.status());
      continue;
    }
    if (p.info.dry_run) {
      outcomes.push_back(CommitResult{*std::move(result), false});
      continue;  // the transaction's writes are dropped with it
    }
    if (!p.info.request_id.empty()) {
      txn.ops_.push_back({ColumnFamily::kRequests, RequestKey(p.info),
                          EncodeRequestRecord(p.info.fingerprint, *result)});
      overlay.requests[RequestKey(p.info)] = {p.info.fingerprint, *result};
    }
    txn.CommitTo(&overlay, &ops, &events);
    outcomes.push_back(CommitResult{*std::move(result), false});
  }

  if (!ops.empty()) {
    rocksdb::WriteBatch batch;
    absl::Status status;
    for (const auto& op : ops) {
      rocksdb::Status s = op.value.has_value()
                              ? batch.Put(cf(op.cf), op.key, *op.value)
                              : batch.Delete(cf(op.cf), op.key);
      if (!s.ok()) {
        status = FromRocks(s, "preparing the write");
        break;
      }
    }
    if (status.ok()) {
      rocksdb::WriteOptions wo;
      wo.sync = true;  // nothing is acknowledged before the WAL is on disk
      status = FromRocks(db_->Write(wo, &batch), "writing to the database");
      if (!status.ok()) write_failed_ = true;
    }
    if (!status.ok()) {
      // Nothing of this group is on disk: fail every request that wrote, or
      // that replayed a request of this same group.
      for (size_t i = 0; i < outcomes.size(); ++i) {
        if (outcomes[i].ok() &&
            (!outcomes[i]->replayed ||
             overlay.requests.contains(RequestKey(group[i].info)))) {
          outcomes[i] = status;
        }
      }
    } else {
      std::vector<std::function<void()>> to_wake;
      {
        absl::MutexLock lock(&mu_);
        last_position_ = overlay.last_position;
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

absl::StatusOr<std::optional<std::string>> EventStore::Get(
    ColumnFamily family, absl::string_view key) {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(family),
                               rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) {
    return std::nullopt;
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(s, "reading the database"));
  return value;
}

absl::StatusOr<std::optional<std::string>> EventStore::GetState(
    const std::string& id) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  return Get(ColumnFamily::kState, id);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
EventStore::ScanState(absl::string_view prefix) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::vector<std::pair<std::string, std::string>> out;
  rocksdb::ReadOptions ro;
  std::optional<std::string> upper = PrefixUpperBound(prefix);
  rocksdb::Slice upper_slice;
  if (upper.has_value()) {
    upper_slice = *upper;
    ro.iterate_upper_bound = &upper_slice;
  }
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ro, cf(ColumnFamily::kState)));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid();
       it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(it->status(), "scanning state"));
  return out;
}

absl::StatusOr<std::vector<std::string>> EventStore::ScanIndex(
    absl::string_view name, absl::string_view value) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::string prefix = IndexPrefix(name, value);
  std::optional<std::string> upper = PrefixUpperBound(prefix);
  rocksdb::Slice upper_slice;
  rocksdb::ReadOptions ro;
  if (upper.has_value()) {
    upper_slice = *upper;
    ro.iterate_upper_bound = &upper_slice;
  }
  std::vector<std::string> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ro, cf(ColumnFamily::kIndex)));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    out.push_back(it->key().ToString().substr(prefix.size()));
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(it->status(), "scanning an index"));
  return out;
}

namespace {

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ScanIndexKeys(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, const std::string& start,
    std::optional<std::string> upper) {
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice;
  if (upper.has_value()) {
    upper_slice = *upper;
    ro.iterate_upper_bound = &upper_slice;
  }
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, cf));
  std::string name, value, id;
  for (it->Seek(start); it->Valid(); it->Next()) {
    if (!DecodeIndexKey(View(it->key()), &name, &value, &id)) {
      return absl::DataLossError("an index entry cannot be read (damaged)");
    }
    out.emplace_back(std::move(value), std::move(id));
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(it->status(), "scanning an index"));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
EventStore::ScanIndexRange(absl::string_view name, absl::string_view from,
                           absl::string_view to) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::string base = IndexNamePrefix(name);
  std::optional<std::string> upper =
      to.empty()
          ? PrefixUpperBound(base)
          : std::optional<std::string>(absl::StrCat(base, IndexValuePart(to)));
  return ScanIndexKeys(db_.get(), cf(ColumnFamily::kIndex),
                       absl::StrCat(base, IndexValuePart(from)),
                       std::move(upper));
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
EventStore::ScanIndexValuePrefix(absl::string_view name,
                                 absl::string_view prefix) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::string start =
      absl::StrCat(IndexNamePrefix(name), IndexValuePart(prefix));
  return ScanIndexKeys(db_.get(), cf(ColumnFamily::kIndex), start,
                       PrefixUpperBound(start));
}

absl::StatusOr<absl::flat_hash_map<std::string, uint64_t>>
EventStore::CountStreamEvents() {
  absl::ReaderMutexLock db_lock(&db_mu_);
  absl::flat_hash_map<std::string, uint64_t> counts;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kStreams)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    // stream \0 version(8 bytes)
    rocksdb::Slice key = it->key();
    if (key.size() < 9 || key[key.size() - 9] != '\0') {
      return absl::DataLossError(absl::StrCat(
          "a key of the stream index is damaged: ", key.ToString(true)));
    }
    ++counts[std::string(key.data(), key.size() - 9)];
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(it->status(), "reading the stream index"));
  return counts;
}

absl::StatusOr<std::vector<v1::Event>> EventStore::ReadStream(
    absl::string_view stream) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::string prefix = StreamPrefix(stream);
  std::optional<std::string> upper = PrefixUpperBound(prefix);
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper_slice;
  if (upper.has_value()) {
    upper_slice = *upper;
    ro.iterate_upper_bound = &upper_slice;
  }
  // One snapshot, so the stream and the events agree.
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  ro.snapshot = snapshot;
  std::vector<v1::Event> out;
  absl::Status status;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(ro, cf(ColumnFamily::kStreams)));
    for (it->Seek(prefix); it->Valid() && status.ok(); it->Next()) {
      std::string value;
      rocksdb::ReadOptions get_ro;
      get_ro.snapshot = snapshot;
      status = FromRocks(
          db_->Get(get_ro, cf(ColumnFamily::kEvents), it->value(), &value),
          "reading an event");
      if (status.ok()) {
        v1::Event event;
        if (!event.ParseFromString(value)) {
          status = absl::DataLossError(absl::StrCat(
              "an event of ", stream, " cannot be read (damaged)"));
        } else {
          out.push_back(std::move(event));
        }
      }
    }
    if (status.ok()) {
      status = FromRocks(it->status(), "reading a stream");
    }
  }
  db_->ReleaseSnapshot(snapshot);
  RECTRACK_RETURN_IF_ERROR(status);
  return out;
}

absl::StatusOr<std::vector<v1::Event>> EventStore::ReadAll(uint64_t from,
                                                           size_t limit,
                                                           size_t max_bytes) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::vector<v1::Event> out;
  size_t bytes = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kEvents)));
  for (it->Seek(EncodeU64(std::max<uint64_t>(from, 1)));
       it->Valid() && out.size() < limit && bytes < max_bytes; it->Next()) {
    bytes += it->value().size();
    v1::Event event;
    if (!event.ParseFromArray(it->value().data(),
                              static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("the event at position ",
                                              DecodeU64(View(it->key())),
                                              " cannot be read (damaged)"));
    }
    out.push_back(std::move(event));
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
  return out;
}

uint64_t EventStore::LastPosition() {
  absl::MutexLock lock(&mu_);
  return last_position_;
}

uint64_t EventStore::WakeAfter(uint64_t position, std::function<void()> wake) {
  {
    absl::MutexLock lock(&mu_);
    if (last_position_ <= position && accepting_) {
      uint64_t ticket = next_ticket_++;
      wakes_[ticket] = {position, std::move(wake)};
      return ticket;
    }
  }
  wake();
  return 0;
}

void EventStore::CancelWake(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  wakes_.erase(ticket);
}

absl::Status EventStore::ForEachIndexEntry(
    const std::function<void(const IndexEntry&)>& visit) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), cf(ColumnFamily::kIndex)));
  IndexEntry e;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!DecodeIndexKey(View(it->key()), &e.name, &e.value, &e.entity_id)) {
      return absl::DataLossError("an index entry cannot be read (damaged)");
    }
    visit(e);
  }
  return FromRocks(it->status(), "scanning the indexes");
}

absl::Status EventStore::ReplaceProjections(
    const std::vector<std::pair<std::string, std::string>>& states,
    const std::vector<IndexEntry>& index) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  rocksdb::WriteBatch batch;
  for (ColumnFamily family : {ColumnFamily::kState, ColumnFamily::kIndex}) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), cf(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      RECTRACK_RETURN_IF_ERROR(FromRocks(batch.Delete(cf(family), it->key()),
                                         "rebuilding the projections"));
    }
    RECTRACK_RETURN_IF_ERROR(
        FromRocks(it->status(), "reading the old projections"));
  }
  for (const auto& [id, bytes] : states) {
    RECTRACK_RETURN_IF_ERROR(FromRocks(
        batch.Put(cf(ColumnFamily::kState), id, bytes), "rebuilding state"));
  }
  for (const IndexEntry& e : index) {
    RECTRACK_RETURN_IF_ERROR(
        FromRocks(batch.Put(cf(ColumnFamily::kIndex),
                            IndexKey(e.name, e.value, e.entity_id), ""),
                  "rebuilding an index"));
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(
      batch.Put(cf(ColumnFamily::kMeta), kSchemaVersionKey, kSchemaVersion),
      "writing the schema version"));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  RECTRACK_RETURN_IF_ERROR(
      FromRocks(db_->Write(wo, &batch), "writing the rebuilt projections"));
  projections_stale_ = false;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> EventStore::CurrentSequence(const std::string& name) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  RECTRACK_ASSIGN_OR_RETURN(
      auto stored, Get(ColumnFamily::kMeta, absl::StrCat("seq:", name)));
  if (!stored.has_value()) return 0;
  if (stored->size() != 8) {
    return absl::DataLossError(
        absl::StrCat("id counter ", name, " is damaged"));
  }
  return DecodeU64(*stored);
}

absl::StatusOr<uint32_t> EventStore::Backup(const std::string& dir) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  rocksdb::BackupEngine* raw = nullptr;
  RECTRACK_RETURN_IF_ERROR(FromRocks(
      rocksdb::BackupEngine::Open(rocksdb::Env::Default(),
                                  rocksdb::BackupEngineOptions(dir), &raw),
      absl::StrCat("opening the backup directory ", dir)));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::CreateBackupOptions options;
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  RECTRACK_RETURN_IF_ERROR(
      FromRocks(engine->CreateNewBackup(options, db_.get(), &id),
                absl::StrCat("writing a backup to ", dir)));
  return id;
}

absl::Status EventStore::RestoreFromBackup(const std::string& backup_dir,
                                           const std::string& data_dir) {
  std::error_code ec;
  if (std::filesystem::exists(data_dir, ec) &&
      !std::filesystem::is_empty(data_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the data directory ", data_dir,
        " is not empty; restore into a new or empty --data-dir so that "
        "nothing is overwritten"));
  }
  if (!std::filesystem::exists(backup_dir, ec)) {
    return absl::NotFoundError(
        absl::StrCat("there is no backup directory ", backup_dir));
  }
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  RECTRACK_RETURN_IF_ERROR(
      FromRocks(rocksdb::BackupEngineReadOnly::Open(
                    rocksdb::Env::Default(),
                    rocksdb::BackupEngineOptions(backup_dir), &raw),
                absl::StrCat("opening the backup directory ", backup_dir)));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  return FromRocks(engine->RestoreDBFromLatestBackup(data_dir, data_dir),
                   absl::StrCat("restoring ", backup_dir, " into ", data_dir));
}

}  // namespace rectrack::store
