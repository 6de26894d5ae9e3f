// Transaction: what a decider reads and appends within one commit.
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "server/store/event_store.h"
#include "server/store/keys.h"
#include "server/store/store_internal.h"

namespace rectrack::store {

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

void Transaction::AddOp(ColumnFamily cf, std::string key,
                        std::optional<std::string> value) {
  op_bytes_ += key.size() + (value.has_value() ? value->size() : 0);
  ops_.push_back({cf, std::move(key), std::move(value)});
}

absl::Status Transaction::CheckBudget() const {
  const size_t limit = store_->options_.max_request_bytes;
  if (op_bytes_ <= limit) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "this request is too large to apply in one go: its changes come to "
      "more than ",
      limit,
      " bytes, the most one request may write; nothing of it was "
      "applied. Send it as several smaller requests (rectrack import and "
      "BulkApply send large files in chunks)"));
}

void Transaction::PutState(const std::string& id, std::string value) {
  AddOp(ColumnFamily::kState, id, value);
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
  RECTRACK_RETURN_IF_ERROR(CheckBudget());
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

  event.clear_hash();  // worked out when read, never stored
  event.set_predecessor_hash(last_hash_);
  std::string stored = event.SerializeAsString();
  last_hash_ = EventHash(stored);

  local_.stream_versions[event.stream()] = event.version();
  local_.event_ids.insert(event_id);
  AddOp(ColumnFamily::kEvents, EncodeU64(event.position()), std::move(stored));
  AddOp(ColumnFamily::kStreams, StreamKey(event.stream(), event.version()),
        EncodeU64(event.position()));
  AddOp(ColumnFamily::kRequests, EventIdKey(event_id),
        EncodeU64(event.position()));
  event.set_hash(last_hash_);
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
  AddOp(ColumnFamily::kMeta, absl::StrCat("seq:", name), EncodeU64(current));
  return current;
}

void Transaction::PutIndex(absl::string_view name, absl::string_view value,
                           absl::string_view entity_id) {
  AddOp(ColumnFamily::kIndex, IndexKey(name, value, entity_id), std::string());
}

void Transaction::DeleteIndex(absl::string_view name, absl::string_view value,
                              absl::string_view entity_id) {
  AddOp(ColumnFamily::kIndex, IndexKey(name, value, entity_id), std::nullopt);
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
  group->last_hash = last_hash_;
  for (auto& op : ops_) {
    ops->push_back(std::move(op));
  }
  for (auto& e : events_) {
    events->push_back(std::move(e));
  }
}

}  // namespace rectrack::store
