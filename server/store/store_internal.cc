#include "server/store/store_internal.h"

#include <openssl/sha.h>

#include "absl/strings/str_cat.h"
#include "server/store/keys.h"

namespace rectrack::store {

absl::string_view View(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

std::string EventHash(absl::string_view stored) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(stored.data()), stored.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) {
    return absl::OkStatus();
  }
  std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsNoSpace()) {
    return absl::UnavailableError(
        absl::StrCat(message,
                     " (the disk is full: nothing of this change was "
                     "recorded, and reads still work; writing resumes by "
                     "itself once the disk has room)"));
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

}  // namespace rectrack::store
