#include "server/store/keys.h"

#include "absl/strings/str_cat.h"

namespace rectrack::store {
namespace {

std::string LengthPrefixed(absl::string_view part) {
  std::string out;
  uint32_t n = static_cast<uint32_t>(part.size());
  out.push_back(static_cast<char>((n >> 24) & 0xFF));
  out.push_back(static_cast<char>((n >> 16) & 0xFF));
  out.push_back(static_cast<char>((n >> 8) & 0xFF));
  out.push_back(static_cast<char>(n & 0xFF));
  out.append(part.data(), part.size());
  return out;
}

}  // namespace

std::string EncodeU64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return out;
}

uint64_t DecodeU64(absl::string_view bytes) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return v;
}

std::string StreamPrefix(absl::string_view stream) {
  std::string out(stream);
  out.push_back('\0');
  return out;
}

std::string StreamKey(absl::string_view stream, uint64_t version) {
  return absl::StrCat(StreamPrefix(stream), EncodeU64(version));
}

std::string AllPartsPrefix() { return std::string(1, kPartKeyMark); }

std::string PartPrefix(absl::string_view entity_id) {
  std::string out = AllPartsPrefix();
  out.append(entity_id.data(), entity_id.size());
  out.push_back('\0');
  return out;
}

std::string PartKey(absl::string_view entity_id, char kind, uint64_t number) {
  std::string out = PartPrefix(entity_id);
  out.push_back(kind);
  out.append(EncodeU64(number));
  return out;
}

bool DecodePartKey(absl::string_view key, std::string* entity_id, char* kind,
                   uint64_t* number) {
  if (key.size() < 11 || key[0] != kPartKeyMark) return false;
  size_t zero = key.find('\0', 1);
  if (zero == absl::string_view::npos || key.size() != zero + 10) return false;
  *entity_id = std::string(key.substr(1, zero - 1));
  *kind = key[zero + 1];
  *number = DecodeU64(key.substr(zero + 2));
  return true;
}

std::string IndexNamePrefix(absl::string_view name) {
  return LengthPrefixed(name);
}

std::string IndexValuePart(absl::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (c == '\0') c = '\x01';
  }
  return out;
}

std::string IndexPrefix(absl::string_view name, absl::string_view value) {
  std::string out = absl::StrCat(LengthPrefixed(name), IndexValuePart(value));
  out.push_back('\0');
  return out;
}

std::string IndexKey(absl::string_view name, absl::string_view value,
                     absl::string_view entity_id) {
  return absl::StrCat(IndexPrefix(name, value), entity_id);
}

bool DecodeIndexKey(absl::string_view key, std::string* name,
                    std::string* value, std::string* entity_id) {
  if (key.size() < 4) return false;
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) {
    n = (n << 8) | static_cast<uint8_t>(key[i]);
  }
  key.remove_prefix(4);
  if (n > key.size()) return false;
  name->assign(key.data(), n);
  key.remove_prefix(n);
  // The value never holds 0x00 and neither does an entity id.
  size_t end = key.find('\0');
  if (end == absl::string_view::npos) return false;
  value->assign(key.data(), end);
  entity_id->assign(key.data() + end + 1, key.size() - end - 1);
  return true;
}

std::optional<std::string> PrefixUpperBound(absl::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    unsigned char last = static_cast<unsigned char>(out.back());
    if (last != 0xFF) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return std::nullopt;
}

}  // namespace rectrack::store
