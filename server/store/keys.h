// Key encodings of the event store. Fixed-width big-endian integers keep
// byte order equal to numeric order; variable parts are length-prefixed so
// that no part can run into the next.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace rectrack::store {

// 8 bytes, most significant first.
std::string EncodeU64(uint64_t v);
// REQUIRES: bytes.size() == 8.
uint64_t DecodeU64(absl::string_view bytes);

// `streams` key: stream ‖ 0x00 ‖ version. Entity ids never contain 0x00.
std::string StreamKey(absl::string_view stream, uint64_t version);
// Prefix of every key of one stream.
std::string StreamPrefix(absl::string_view stream);

// `index` key: len(name) name ‖ value ‖ 0x00 ‖ entity id. Values sort in
// byte order within an index, so a range or prefix of values is one
// contiguous run of keys. A 0x00 inside a value is stored as 0x01.
std::string IndexNamePrefix(absl::string_view name);
// `value` as it appears in a key (0x00 → 0x01).
std::string IndexValuePart(absl::string_view value);
// Prefix of every key of one (name, value).
std::string IndexPrefix(absl::string_view name, absl::string_view value);
std::string IndexKey(absl::string_view name, absl::string_view value,
                     absl::string_view entity_id);
// The parts of an IndexKey; false if `key` is not one.
bool DecodeIndexKey(absl::string_view key, std::string* name,
                    std::string* value, std::string* entity_id);

// `state` keys of an entity's parts: the entries of a list that grows with
// its history (an action's progress notes and targets), each under a key of
// its own, so that a change writes one key whatever the history:
// 0x01 ‖ entity id ‖ 0x00 ‖ kind ‖ number (u64 BE). Entity ids start with a
// letter, so no part key falls under an entity id prefix ("action-").
inline constexpr char kPartKeyMark = '\x01';
// Prefix of every part key (all entities).
std::string AllPartsPrefix();
// Prefix of every part key of one entity.
std::string PartPrefix(absl::string_view entity_id);
std::string PartKey(absl::string_view entity_id, char kind, uint64_t number);
// The parts of a PartKey; false if `key` is not one.
bool DecodePartKey(absl::string_view key, std::string* entity_id, char* kind,
                   uint64_t* number);

// The smallest key greater than every key that starts with `prefix`, for
// iterate_upper_bound; nullopt when there is none (prefix of all 0xFF).
std::optional<std::string> PrefixUpperBound(absl::string_view prefix);

}  // namespace rectrack::store
