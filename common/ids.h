// Entity ids: "review-1", "rec-3", "action-12". An entity's id is also the
// id of its event stream.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rectrack {

// A person is an entry in the directory of people (leads' addresses).
enum class EntityKind { kReview, kRecommendation, kAction, kPerson };

struct EntityId {
  EntityKind kind;
  uint64_t number;
};

// "review", "rec", "action" or "person".
absl::string_view KindPrefix(EntityKind kind);
// A person's word for the kind: "review", "recommendation", "action",
// "person".
absl::string_view KindName(EntityKind kind);

std::string MakeEntityId(EntityKind kind, uint64_t number);

// Parses "rec-3". INVALID_ARGUMENT naming `field` when it is not an id.
absl::StatusOr<EntityId> ParseEntityId(absl::string_view id,
                                       absl::string_view field);

// Orders ids by kind, then number ("action-2" before "action-10").
bool EntityIdLess(absl::string_view a, absl::string_view b);

}  // namespace rectrack
