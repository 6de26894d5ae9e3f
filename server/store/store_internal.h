// Helpers the store's files share. Internal to server/store.
#pragma once

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"
#include "server/store/event_store.h"

namespace rectrack::store {

absl::string_view View(const rocksdb::Slice& s);

// SHA-256 of an event as stored: the chain link (Event.hash, and the next
// event's predecessor_hash).
std::string EventHash(absl::string_view stored);
// The predecessor hash of the event at position 1.
inline std::string GenesisHash() { return std::string(32, '\0'); }

// A RocksDB status as ours: a full disk and I/O errors UNAVAILABLE,
// corruption DATA_LOSS, anything else INTERNAL; `what` says what was being
// done.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);

// Keys of the requests family: a request's result, an event id's use.
std::string RequestKey(const RequestInfo& info);
std::string EventIdKey(absl::string_view event_id);

// A request's stored record: its fingerprint and its result.
std::string EncodeRequestRecord(absl::string_view fingerprint,
                                absl::string_view result);
absl::StatusOr<std::pair<std::string, std::string>> DecodeRequestRecord(
    absl::string_view bytes);

}  // namespace rectrack::store
