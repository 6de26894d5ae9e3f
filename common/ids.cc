#include "common/ids.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace rectrack {

absl::string_view KindPrefix(EntityKind kind) {
  switch (kind) {
    case EntityKind::kReview:
      return "review";
    case EntityKind::kRecommendation:
      return "rec";
    case EntityKind::kAction:
      return "action";
    case EntityKind::kPerson:
      return "person";
  }
  return "";
}

absl::string_view KindName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kReview:
      return "review";
    case EntityKind::kRecommendation:
      return "recommendation";
    case EntityKind::kAction:
      return "action";
    case EntityKind::kPerson:
      return "person";
  }
  return "";
}

std::string MakeEntityId(EntityKind kind, uint64_t number) {
  return absl::StrCat(KindPrefix(kind), "-", number);
}

absl::StatusOr<EntityId> ParseEntityId(absl::string_view id,
                                       absl::string_view field) {
  for (EntityKind kind : {EntityKind::kReview, EntityKind::kRecommendation,
                          EntityKind::kAction, EntityKind::kPerson}) {
    std::string prefix = absl::StrCat(KindPrefix(kind), "-");
    if (absl::StartsWith(id, prefix)) {
      absl::string_view digits = id.substr(prefix.size());
      uint64_t n = 0;
      // Only the canonical form: SimpleAtoi alone would also take "+2",
      // " 2" and "2\n", and an id that is looked up one way and applied
      // another lets a permission check see a different entity.
      if (!digits.empty() && digits[0] != '0' &&
          std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) &&
          absl::SimpleAtoi(digits, &n)) {
        return EntityId{kind, n};
      }
    }
  }
  if (id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": \"", id,
      "\" is not an id; ids look like review-1, rec-3, action-12, person-2"));
}

bool EntityIdLess(absl::string_view a, absl::string_view b) {
  auto pa = ParseEntityId(a, "");
  auto pb = ParseEntityId(b, "");
  if (pa.ok() && pb.ok()) {
    return std::make_tuple(static_cast<int>(pa->kind), pa->number) <
           std::make_tuple(static_cast<int>(pb->kind), pb->number);
  }
  return a < b;
}

}  // namespace rectrack
