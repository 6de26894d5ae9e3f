// The read path: state, indexes, streams and the log, straight from
// RocksDB with bounded scans.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "server/store/event_store.h"
#include "server/store/keys.h"
#include "server/store/store_internal.h"

namespace rectrack::store {

EventStore::Snapshot::~Snapshot() {
  {
    absl::ReaderMutexLock db_lock(&store_->db_mu_);
    store_->db_->ReleaseSnapshot(snapshot_);
  }
  --store_->views_open_;
}

std::unique_ptr<EventStore::Snapshot> EventStore::TakeSnapshot() {
  absl::ReaderMutexLock db_lock(&db_mu_);
  ++views_open_;
  return std::unique_ptr<Snapshot>(new Snapshot(this, db_->GetSnapshot()));
}

rocksdb::ReadOptions EventStore::ReadOptionsFor(const Snapshot* view) {
  rocksdb::ReadOptions ro;
  if (view != nullptr) ro.snapshot = view->snapshot_;
  return ro;
}

absl::StatusOr<std::optional<std::string>> EventStore::Get(
    ColumnFamily family, absl::string_view key, const Snapshot* view) {
  std::string value;
  rocksdb::Status s = db_->Get(ReadOptionsFor(view), cf(family),
                               rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) {
    return std::nullopt;
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(s, "reading the database"));
  return value;
}

absl::StatusOr<std::optional<std::string>> EventStore::GetState(
    const std::string& id, const Snapshot* view) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  return Get(ColumnFamily::kState, id, view);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
EventStore::ScanState(absl::string_view prefix, const Snapshot* view) {
  return ScanStateRange(prefix, PrefixUpperBound(prefix).value_or(""), view);
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
EventStore::ScanStateRange(absl::string_view from, absl::string_view to,
                           const Snapshot* view) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::vector<std::pair<std::string, std::string>> out;
  rocksdb::ReadOptions ro = ReadOptionsFor(view);
  rocksdb::Slice upper_slice(to.data(), to.size());
  if (!to.empty()) ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ro, cf(ColumnFamily::kState)));
  for (it->Seek(rocksdb::Slice(from.data(), from.size())); it->Valid();
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
EventStore::CountStreamEvents(const Snapshot* view) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  absl::flat_hash_map<std::string, uint64_t> counts;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ReadOptionsFor(view), cf(ColumnFamily::kStreams)));
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
          event.set_hash(EventHash(value));
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

absl::StatusOr<std::vector<v1::Event>> EventStore::ReadAll(
    uint64_t from, size_t limit, size_t max_bytes, const Snapshot* view) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::vector<v1::Event> out;
  size_t bytes = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ReadOptionsFor(view), cf(ColumnFamily::kEvents)));
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
    event.set_hash(EventHash(View(it->value())));
    out.push_back(std::move(event));
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
  return out;
}

uint64_t EventStore::LastPosition() {
  absl::MutexLock lock(&mu_);
  return last_position_;
}

absl::Status EventStore::CheckResumePoint(uint64_t from,
                                          absl::string_view hash) {
  if (hash.empty() || from <= 1) return absl::OkStatus();
  const uint64_t at = from - 1;
  std::optional<std::string> stored;
  {
    absl::ReaderMutexLock db_lock(&db_mu_);
    RECTRACK_ASSIGN_OR_RETURN(stored,
                              Get(ColumnFamily::kEvents, EncodeU64(at)));
  }
  if (!stored.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "you are resuming after position ", at,
        ", but this tracker's log ends at ", LastPosition(),
        ": it is not the log you read (it was restored from an older backup "
        "or replaced), so the events you hold after position ",
        LastPosition(),
        " are not in it. Read the log again from position 1 and replace what "
        "you hold"));
  }
  if (EventHash(*stored) != hash) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the event at position ", at,
        " is not the one you read there (after_hash differs): this tracker's "
        "log is not the one you left (it was restored from a backup or "
        "replaced). Read the log again from position 1 and replace what you "
        "hold"));
  }
  return absl::OkStatus();
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

absl::Status EventStore::ForEachState(
    absl::string_view prefix,
    const std::function<absl::Status(const std::string& key,
                                     const std::string& bytes)>& visit,
    const Snapshot* view) {
  // A page at a time, the lock released between pages, so that the
  // visitor may read and write the store itself.
  constexpr size_t kPage = 1024;
  std::string start(prefix);
  bool first = true;
  const std::optional<std::string> upper = PrefixUpperBound(prefix);
  while (true) {
    std::vector<std::pair<std::string, std::string>> page;
    {
      absl::ReaderMutexLock db_lock(&db_mu_);
      rocksdb::ReadOptions ro = ReadOptionsFor(view);
      rocksdb::Slice upper_slice;
      if (upper.has_value()) {
        upper_slice = *upper;
        ro.iterate_upper_bound = &upper_slice;
      }
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(ro, cf(ColumnFamily::kState)));
      it->Seek(start);
      if (!first && it->Valid() && View(it->key()) == start) it->Next();
      for (; it->Valid() && page.size() < kPage; it->Next()) {
        page.emplace_back(it->key().ToString(), it->value().ToString());
      }
      RECTRACK_RETURN_IF_ERROR(FromRocks(it->status(), "scanning state"));
    }
    if (page.empty()) return absl::OkStatus();
    for (const auto& [key, bytes] : page) {
      RECTRACK_RETURN_IF_ERROR(visit(key, bytes));
    }
    start = page.back().first;
    first = false;
  }
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
EventStore::ReadPage(ColumnFamily family, absl::string_view from, size_t limit,
                     const Snapshot* view) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ReadOptionsFor(view), cf(family)));
  for (it->Seek(rocksdb::Slice(from.data(), from.size()));
       it->Valid() && out.size() < limit; it->Next()) {
    out.emplace_back(it->key().ToString(), it->value().ToString());
  }
  RECTRACK_RETURN_IF_ERROR(FromRocks(it->status(), "reading the database"));
  return out;
}

absl::Status EventStore::ForEachIndexEntry(
    const std::function<void(const IndexEntry&)>& visit, const Snapshot* view) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(ReadOptionsFor(view), cf(ColumnFamily::kIndex)));
  IndexEntry e;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!DecodeIndexKey(View(it->key()), &e.name, &e.value, &e.entity_id)) {
      return absl::DataLossError("an index entry cannot be read (damaged)");
    }
    visit(e);
  }
  return FromRocks(it->status(), "scanning the indexes");
}

absl::Status EventStore::ForEachRequest(
    const std::function<void(const RequestRecord&)>& visit_result,
    const std::function<void(absl::string_view event_id,
                             std::optional<uint64_t> position)>& visit_event_id,
    const Snapshot* view) {
  // A page at a time, the lock released between pages, so that the
  // visitors may read the store themselves.
  constexpr size_t kPage = 1024;
  std::string start;
  bool first = true;
  while (true) {
    std::vector<std::pair<std::string, std::string>> page;
    {
      absl::ReaderMutexLock db_lock(&db_mu_);
      std::unique_ptr<rocksdb::Iterator> it(
          db_->NewIterator(ReadOptionsFor(view), cf(ColumnFamily::kRequests)));
      if (first) {
        it->SeekToFirst();
      } else {
        it->Seek(start);
        if (it->Valid() && View(it->key()) == start) it->Next();
      }
      for (; it->Valid() && page.size() < kPage; it->Next()) {
        page.emplace_back(it->key().ToString(), it->value().ToString());
      }
      RECTRACK_RETURN_IF_ERROR(
          FromRocks(it->status(), "scanning the request results"));
    }
    if (page.empty()) return absl::OkStatus();
    for (const auto& [key, value] : page) {
      if (absl::StartsWith(key, "e:")) {
        visit_event_id(absl::string_view(key).substr(2),
                       value.size() == 8
                           ? std::optional<uint64_t>(DecodeU64(value))
                           : std::nullopt);
      } else {
        visit_result({key, DecodeRequestRecord(value)});
      }
    }
    start = page.back().first;
    first = false;
  }
}

absl::StatusOr<std::optional<v1::Event>> EventStore::ReadEvent(
    uint64_t position, const Snapshot* view) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  RECTRACK_ASSIGN_OR_RETURN(
      std::optional<std::string> stored,
      Get(ColumnFamily::kEvents, EncodeU64(position), view));
  if (!stored.has_value()) return std::nullopt;
  v1::Event event;
  if (!event.ParseFromString(*stored)) {
    return absl::DataLossError(absl::StrCat("the event at position ", position,
                                            " cannot be read (damaged)"));
  }
  event.set_hash(EventHash(*stored));
  return event;
}

absl::StatusOr<uint64_t> EventStore::CurrentSequence(const std::string& name,
                                                     const Snapshot* view) {
  absl::ReaderMutexLock db_lock(&db_mu_);
  RECTRACK_ASSIGN_OR_RETURN(
      auto stored, Get(ColumnFamily::kMeta, absl::StrCat("seq:", name), view));
  if (!stored.has_value()) return 0;
  if (stored->size() != 8) {
    return absl::DataLossError(
        absl::StrCat("id counter ", name, " is damaged"));
  }
  return DecodeU64(*stored);
}

}  // namespace rectrack::store
