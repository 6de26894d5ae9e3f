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
// Versions 1 and 2 open with stale projections, rebuilt from the log.
constexpr const char* kSchemaVersion = "3";
bool Rebuildable(absl::string_view schema) {
  return schema == "1" || schema == "2";
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

// The schema version (written on a new database) and the last position.
absl::Status ReadSchemaAndEnd(
    rocksdb::DB* db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
    bool read_only, std::string* schema, uint64_t* last_position) {
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
  *last_position = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db->NewIterator(rocksdb::ReadOptions(),
                      handles[static_cast<int>(ColumnFamily::kEvents)]));
  it->SeekToLast();
  if (it->Valid()) *last_position = DecodeU64(View(it->key()));
  return FromRocks(it->status(), "reading the last event");
}

}  // namespace

// ---------------------------------------------------------------- Transaction

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

  if (absl::Status read =
          ReadSchemaAndEnd(db.get(), handles, read_only, schema, last_position);
      !read.ok()) {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    return read;
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

}  // namespace rectrack::store
