#include "server/store/event_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <limits>
#include <optional>
#include <system_error>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "rocksdb/utilities/backup_engine.h"
#include "server/store/keys.h"
#include "server/store/rocks_logger.h"
#include "server/store/store_internal.h"

namespace rectrack::store {

namespace {

constexpr const char* kColumnFamilyNames[kColumnFamilyCount] = {
    "events", "streams", "state", "index", "requests", "meta"};
constexpr const char* kSchemaVersionKey = "schema_version";
// 1: index keys len|name len|value id, actions without target windows.
// 2: index keys len|name value 0x00 id; projections carry target windows,
//    revisions and slippage.
// 3: the word indexes leave out common words ("the", "and", ...).
// 4: an action's state holds only its latest progress note and target;
//    every note and target is under a part key of its own (PartKey).
// Versions 1 to 3 open with stale projections, rebuilt from the log.
constexpr const char* kSchemaVersion = "4";
bool Rebuildable(absl::string_view schema) {
  return schema == "1" || schema == "2" || schema == "3";
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

// The schema version (written on a new database) and the log's end.
absl::Status ReadSchemaAndEnd(
    rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
    bool read_only, std::string* schema, LogEnd* end) {
  rocksdb::ColumnFamilyHandle* meta =
      handles[static_cast<int>(ColumnFamily::kMeta)];
  rocksdb::Status s =
      db->Get(rocksdb::ReadOptions(), meta, kSchemaVersionKey, schema);
  if (s.IsNotFound() && !read_only) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db->Put(wo, meta, kSchemaVersionKey, kSchemaVersion);
    if (!s.ok()) return FromRocks(s, "writing the schema version");
    *schema = kSchemaVersion;
  } else if (!s.ok()) {
    return FromRocks(s, "reading the schema version");
  }
  *end = LogEnd{0, GenesisHash()};
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions(),
                      handles[static_cast<int>(ColumnFamily::kEvents)]));
  it->SeekToLast();
  if (it->Valid()) {
    // The chain goes on from the last event's hash: all it needs at start,
    // whatever the log's length. Events written before the chain existed
    // stay as they were (the log is never rewritten); the first chained
    // event links to the hash of the last of them.
    *end = LogEnd{DecodeU64(View(it->key())), EventHash(View(it->value()))};
  }
  return FromRocks(it->status(), "reading the last event");
}

// The end mark, DATA_DIR/rectrack-end: the position and hash of the last
// event of the last successful write, then 8 check bytes (the start of the
// SHA-256 of the 40 before), overwritten in place after every write.
//
// It finds a write-ahead log that lost its tail (cut short, or an older
// copy put back) without a second fsync per commit: the mark is written
// only after the log's fsync has returned, so what it records is always on
// disk in the log. Without an fsync of its own it may lag after a power
// cut (the kernel writes it back within about 30 s, and rectrackd syncs it
// when it stops); a lagging mark never raises a false alarm, it only checks
// less. RocksDB 7.8's track_and_verify_wals_in_manifest does not cover this:
// it records the sizes of closed WAL files only, never of the live one.
constexpr const char* kEndMarkFile = "rectrack-end";
constexpr size_t kEndMarkSize = 48;

std::string EncodeEndMark(const LogEnd& end) {
  std::string body = absl::StrCat(EncodeU64(end.position), end.hash);
  return absl::StrCat(body, EventHash(body).substr(0, 8));
}

// The recorded end, or nullopt when there is no mark (a new or restored
// database) or it cannot be read.
std::optional<LogEnd> ReadEndMark(const std::string& dir, Clock* clock) {
  std::string path = absl::StrCat(dir, "/", kEndMarkFile);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buffer[kEndMarkSize];
  ssize_t n = pread(fd, buffer, sizeof buffer, 0);
  close(fd);
  if (n != static_cast<ssize_t>(kEndMarkSize)) return std::nullopt;
  absl::string_view bytes(buffer, kEndMarkSize);
  LogEnd end{DecodeU64(bytes.substr(0, 8)), std::string(bytes.substr(8, 32))};
  if (EncodeEndMark(end) != bytes) {
    Log(clock, "warning",
        "the end mark of the log is damaged; starting without checking that "
        "the write-ahead log is whole",
        {{"file", path}});
    return std::nullopt;
  }
  return end;
}

}  // namespace

// ---------------------------------------------------------------- Transaction

// ----------------------------------------------------------------- EventStore

absl::Status EventStore::OpenDatabase(
    const std::string& dir, const StoreOptions& options, bool read_only,
    std::unique_ptr<rocksdb::DB>* db_out,
    std::vector<rocksdb::ColumnFamilyHandle*>* handles_out, std::string* schema,
    LogEnd* end) {
  if (!read_only) RECTRACK_RETURN_IF_ERROR(CheckWritable(dir));
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.paranoid_checks = true;
  // RocksDB's messages go into our JSON log, never to a LOG file on the
  // data disk (see rocks_logger.h: writing that file on a full disk is what
  // aborted the server).
  db_options.info_log = NewJsonRocksLogger(options.clock);
  // Bounded write-ahead log: once the live WAL files together pass this
  // size, RocksDB flushes the column families whose memtables still hold
  // data from the oldest one, so it can be deleted. Without it the limit
  // is 4 x the memtables' total (6 families x 2 x 64 MiB: 3 GiB), and the
  // small families (meta, requests, streams) would pin every WAL file until
  // it was reached. It also bounds what a restart replays.
  db_options.max_total_wal_size = kMaxTotalWalBytes;
  if (options.env != nullptr) db_options.env = options.env;
  // A record torn at the very end of the write-ahead log is a write that
  // was never acknowledged (acknowledgement waits for fsync), so it is
  // dropped. Damage anywhere before the end could drop acknowledged
  // changes, so it stops the open instead (RocksDB's default would keep
  // the log up to the damage and silently drop the rest).
  db_options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  rocksdb::ColumnFamilyOptions family_options;
  if (options.scratch) {
    // Verify's scratch copy is written once and read once, in key order:
    // small memtables keep its memory down; flushes go to its own files.
    family_options.write_buffer_size = size_t{8} << 20;
    family_options.max_write_buffer_number = 2;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options);
  for (const char* name : kColumnFamilyNames) {
    descriptors.emplace_back(name, family_options);
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

  if (absl::Status read =
          ReadSchemaAndEnd(db.get(), handles, read_only, schema, end);
      !read.ok()) {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    return read;
  }
  *db_out = std::move(db);
  *handles_out = std::move(handles);
  return absl::OkStatus();
}

absl::Status EventStore::CheckLogEnd(const std::string& dir, rocksdb::DB* db,
                                     rocksdb::ColumnFamilyHandle* events,
                                     const LogEnd& found,
                                     const LogEnd& recorded) {
  const std::string restore = absl::StrCat(
      " rectrackd will not start rather than serve a log with a hole in it "
      "(and give the lost positions to new events). Restore the latest "
      "backup into a new directory (rectrackd --restore-from BACKUP-DIR "
      "--data-dir NEW-DIR), and keep ",
      dir, " for investigation");
  if (found.position < recorded.position) {
    return absl::DataLossError(absl::StrCat(
        "the database in ", dir, " ends at position ", found.position,
        ", but events up to position ", recorded.position,
        " had been written and acknowledged: its newest write-ahead log (a "
        ".log file) was cut short or replaced by an older copy.",
        restore));
  }
  if (recorded.position == 0) return absl::OkStatus();
  std::string stored;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), events,
                              EncodeU64(recorded.position), &stored);
  RECTRACK_RETURN_IF_ERROR(FromRocks(s, "reading the log's recorded end"));
  if (EventHash(stored) != recorded.hash) {
    return absl::DataLossError(absl::StrCat(
        "the event at position ", recorded.position, " in ", dir,
        " is not the one that was written there (its hash differs from the "
        "one recorded when it was written): the log was changed or replaced.",
        restore));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(
    const std::string& dir, StoreOptions options) {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::string schema;
  LogEnd end;
  absl::Status opened = OpenDatabase(dir, options, /*read_only=*/false, &db,
                                     &handles, &schema, &end);
  const bool read_only = absl::IsUnavailable(opened);
  if (read_only) {
    // The disk is full or will not take writes: serve reads from a
    // read-only open; the committer tries a writable open again before each
    // write, so writing resumes once the disk has room.
    RECTRACK_RETURN_IF_ERROR(OpenDatabase(dir, options, /*read_only=*/true, &db,
                                          &handles, &schema, &end));
    Log(options.clock, "warning",
        "the database cannot be written (the disk is full or read-only); "
        "serving reads only, and changes are refused until it can",
        {{"data_dir", dir}, {"reason", std::string(opened.message())}});
  } else {
    RECTRACK_RETURN_IF_ERROR(opened);
  }
  absl::Status usable;
  if (std::optional<LogEnd> recorded = ReadEndMark(dir, options.clock)) {
    usable = CheckLogEnd(dir, db.get(),
                         handles[static_cast<int>(ColumnFamily::kEvents)], end,
                         *recorded);
  }
  if (usable.ok() && !Rebuildable(schema) && schema != kSchemaVersion) {
    usable = absl::FailedPreconditionError(
        absl::StrCat("the database in ", dir, " has schema version ", schema,
                     "; this rectrackd reads version ", kSchemaVersion));
  }
  if (!usable.ok()) {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    return usable;
  }
  auto store = std::unique_ptr<EventStore>(
      new EventStore(std::move(db), std::move(handles), options, end));
  store->dir_ = dir;
  store->projections_stale_ = Rebuildable(schema);
  store->write_failed_ = read_only;
  if (read_only) store->write_failure_ = std::string(opened.message());
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
  // Reads at one snapshot (GetAction, a report, admin verify) hold the
  // database open: give the short ones a moment to finish.
  for (int i = 0; i < 200 && views_open_ > 0; ++i) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  absl::WriterMutexLock lock(&db_mu_);
  if (views_open_ > 0) {
    // Still being read (a long check such as admin verify): say what the
    // fault was, and try again before the next write.
    return absl::UnavailableError(absl::StrCat(
        write_failure_.empty() ? "the last write failed" : write_failure_,
        "; it is tried again once the reads in progress have finished"));
  }
  CloseDatabase();
  std::string schema;
  LogEnd end;
  absl::Status status = OpenDatabase(dir_, options_, /*read_only=*/false, &db_,
                                     &cf_, &schema, &end);
  if (!status.ok()) {
    write_failure_ = std::string(status.message());
    // Still failing (the disk is still full): serve reads from a read-only
    // open, and try again before the next write.
    absl::Status read_only = OpenDatabase(dir_, options_, /*read_only=*/true,
                                          &db_, &cf_, &schema, &end);
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
  last_position_ = end.position;
  last_hash_ = end.hash;
  return status;
}

void EventStore::WriteEndMark(const LogEnd& end) {
  if (end_mark_fd_ < 0) {
    end_mark_fd_ = open(absl::StrCat(dir_, "/", kEndMarkFile).c_str(),
                        O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (end_mark_fd_ < 0) return;  // tried again after the next write
  }
  const std::string mark = EncodeEndMark(end);
  if (pwrite(end_mark_fd_, mark.data(), mark.size(), 0) !=
      static_cast<ssize_t>(mark.size())) {
    close(end_mark_fd_);
    end_mark_fd_ = -1;
  }
}

EventStore::EventStore(std::unique_ptr<rocksdb::DB> db,
                       std::vector<rocksdb::ColumnFamilyHandle*> cf,
                       StoreOptions options, LogEnd end)
    : db_(std::move(db)), cf_(std::move(cf)), options_(options) {
  {
    absl::MutexLock lock(&mu_);
    last_position_ = end.position;
    last_hash_ = std::move(end.hash);
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
  if (end_mark_fd_ >= 0) {
    fdatasync(end_mark_fd_);  // so the mark survives a power cut from now on
    close(end_mark_fd_);
  }
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

size_t EventStore::queue_depth() {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

uint64_t EventStore::wal_bytes() {
  absl::ReaderMutexLock lock(&db_mu_);
  rocksdb::VectorLogPtr files;
  if (db_ == nullptr || !db_->GetSortedWalFiles(files).ok()) return 0;
  uint64_t total = 0;
  for (const auto& file : files) total += file->SizeFileBytes();
  return total;
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

absl::Status EventStore::ClearProjections() {
  constexpr size_t kBatchKeys = 10000;
  for (ColumnFamily family : {ColumnFamily::kState, ColumnFamily::kIndex}) {
    while (true) {
      absl::ReaderMutexLock db_lock(&db_mu_);
      rocksdb::WriteBatch batch;
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(rocksdb::ReadOptions(), cf(family)));
      size_t keys = 0;
      for (it->SeekToFirst(); it->Valid() && keys < kBatchKeys; it->Next()) {
        RECTRACK_RETURN_IF_ERROR(FromRocks(batch.Delete(cf(family), it->key()),
                                           "rebuilding the projections"));
        ++keys;
      }
      RECTRACK_RETURN_IF_ERROR(
          FromRocks(it->status(), "reading the old projections"));
      it.reset();
      if (keys == 0) break;
      RECTRACK_RETURN_IF_ERROR(
          FromRocks(db_->Write(rocksdb::WriteOptions(), &batch),
                    "clearing the old projections"));
    }
  }
  return absl::OkStatus();
}

absl::Status EventStore::PutProjections(
    const std::vector<std::pair<std::string, std::string>>& states,
    const std::vector<IndexEntry>& index) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  rocksdb::WriteBatch batch;
  for (const auto& [key, bytes] : states) {
    RECTRACK_RETURN_IF_ERROR(FromRocks(
        batch.Put(cf(ColumnFamily::kState), key, bytes), "rebuilding state"));
  }
  for (const IndexEntry& e : index) {
    RECTRACK_RETURN_IF_ERROR(
        FromRocks(batch.Put(cf(ColumnFamily::kIndex),
                            IndexKey(e.name, e.value, e.entity_id), ""),
                  "rebuilding an index"));
  }
  rocksdb::WriteOptions wo;
  wo.disableWAL = options_.scratch;
  return FromRocks(db_->Write(wo, &batch), "writing the rebuilt projections");
}

absl::Status EventStore::PutRaw(
    ColumnFamily family,
    const std::vector<std::pair<std::string, std::string>>& entries) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : entries) {
    RECTRACK_RETURN_IF_ERROR(
        FromRocks(batch.Put(cf(family), key, value), "writing scratch data"));
  }
  rocksdb::WriteOptions wo;
  wo.disableWAL = options_.scratch;
  return FromRocks(db_->Write(wo, &batch), "writing scratch data");
}

absl::Status EventStore::MarkProjectionsCurrent() {
  absl::ReaderMutexLock db_lock(&db_mu_);
  rocksdb::WriteOptions wo;
  wo.sync = true;  // and with it every rebuilt key written before
  RECTRACK_RETURN_IF_ERROR(FromRocks(
      db_->Put(wo, cf(ColumnFamily::kMeta), kSchemaVersionKey, kSchemaVersion),
      "writing the schema version"));
  projections_stale_ = false;
  return absl::OkStatus();
}

}  // namespace rectrack::store
