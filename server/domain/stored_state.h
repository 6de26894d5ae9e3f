// Reading an entity's projected state as the store holds it.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

// `bytes` parsed as an Entity; DATA_LOSS naming `id` if they cannot be.
template <typename Entity>
absl::StatusOr<Entity> ParseState(const std::string& id,
                                  const std::string& bytes) {
  Entity entity;
  if (!entity.ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("the stored state of ", id, " cannot be read (damaged)"));
  }
  return entity;
}

// The current state of `id`, which must be an id of `kind`: INVALID_ARGUMENT
// (field "id") if it is not, NOT_FOUND if no such entity exists. Reads at
// `view`'s moment when given.
template <typename Entity>
absl::StatusOr<Entity> LoadState(
    store::EventStore* store, const std::string& id, EntityKind kind,
    const store::EventStore::Snapshot* view = nullptr) {
  RECTRACK_ASSIGN_OR_RETURN(EntityId parsed, ParseEntityId(id, "id"));
  if (parsed.kind != kind) {
    return absl::InvalidArgumentError(
        absl::StrCat("id: ", id, " is not a ", KindName(kind), " id"));
  }
  RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                            store->GetState(id, view));
  if (!bytes.has_value()) {
    return WithResourceInfo(absl::NotFoundError(absl::StrCat(
                                KindName(kind), " ", id, " does not exist")),
                            KindName(kind), id);
  }
  return ParseState<Entity>(id, *bytes);
}

}  // namespace rectrack::domain
