#include "server/domain/action_parts.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "server/domain/stored_state.h"
#include "server/store/keys.h"

namespace rectrack::domain {
namespace {

template <typename Part>
StoredPart PartOf(const std::string& id, char kind, const Part& part) {
  return {store::PartKey(id, kind, part.number()), part.SerializeAsString()};
}

// Adds to `out` each of `after` that `before` holds not, or otherwise.
template <typename List>
void AddChanged(const std::string& id, char kind, const List& before,
                const List& after, std::vector<StoredPart>* out) {
  for (const auto& part : after) {
    bool same = false;
    for (const auto& old : before) {
      if (old.number() == part.number()) {
        same = old.SerializeAsString() == part.SerializeAsString();
        break;
      }
    }
    if (!same) out->push_back(PartOf(id, kind, part));
  }
}

}  // namespace

v1::Action ParentOf(const v1::Action& action) {
  v1::Action parent = action;
  auto keep_numbered = [](auto* list, uint32_t number) {
    for (int i = 0; i < list->size(); ++i) {
      if (list->Get(i).number() == number) {
        if (i != 0) list->SwapElements(0, i);
        break;
      }
    }
    const bool found = !list->empty() && list->Get(0).number() == number;
    list->DeleteSubrange(found ? 1 : 0, list->size() - (found ? 1 : 0));
  };
  keep_numbered(parent.mutable_progress(), action.progress_count());
  keep_numbered(parent.mutable_targets(), action.target_count());
  return parent;
}

std::vector<StoredPart> PartsOf(const v1::Action& action) {
  std::vector<StoredPart> out;
  out.reserve(action.progress_size() + action.targets_size());
  for (const auto& note : action.progress()) {
    out.push_back(PartOf(action.id(), kNotePart, note));
  }
  for (const auto& target : action.targets()) {
    out.push_back(PartOf(action.id(), kTargetPart, target));
  }
  return out;
}

std::vector<StoredPart> ChangedParts(const v1::Action& before,
                                     const v1::Action& after) {
  std::vector<StoredPart> out;
  AddChanged(after.id(), kNotePart, before.progress(), after.progress(), &out);
  AddChanged(after.id(), kTargetPart, before.targets(), after.targets(), &out);
  return out;
}

absl::Status AddParts(const std::vector<StoredPart>& parts,
                      v1::Action* parent) {
  parent->clear_progress();
  parent->clear_targets();
  for (const auto& [key, bytes] : parts) {
    std::string id;
    char kind = 0;
    uint64_t number = 0;
    bool read =
        store::DecodePartKey(key, &id, &kind, &number) && id == parent->id();
    if (read && kind == kNotePart) {
      read = parent->add_progress()->ParseFromString(bytes);
    } else if (read && kind == kTargetPart) {
      read = parent->add_targets()->ParseFromString(bytes);
    } else {
      read = false;
    }
    if (!read) {
      return absl::DataLossError(
          absl::StrCat("the stored part ", absl::CHexEscape(key), " of ",
                       parent->id(), " cannot be read (damaged)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::ProgressUpdate>> LoadNote(
    store::Transaction& txn, const std::string& id, uint32_t number) {
  RECTRACK_ASSIGN_OR_RETURN(
      std::optional<std::string> bytes,
      txn.GetState(store::PartKey(id, kNotePart, number)));
  if (!bytes.has_value()) return std::nullopt;
  v1::ProgressUpdate note;
  if (!note.ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("progress note ", number, " of ",
                                            id, " cannot be read (damaged)"));
  }
  return note;
}

absl::StatusOr<v1::Action> LoadWholeAction(store::EventStore* store,
                                           const std::string& id,
                                           uint32_t max_progress) {
  std::unique_ptr<store::EventStore::Snapshot> view = store->TakeSnapshot();
  RECTRACK_ASSIGN_OR_RETURN(
      v1::Action action,
      LoadState<v1::Action>(store, id, EntityKind::kAction, view.get()));
  const uint32_t count = action.progress_count();
  const uint32_t first =
      max_progress == 0 || count <= max_progress ? 1 : count - max_progress + 1;
  RECTRACK_ASSIGN_OR_RETURN(
      std::vector<StoredPart> parts,
      store->ScanStateRange(store::PartKey(id, kNotePart, first),
                            store::PartKey(id, kTargetPart, 0), view.get()));
  RECTRACK_ASSIGN_OR_RETURN(
      std::vector<StoredPart> targets,
      store->ScanStateRange(store::PartKey(id, kTargetPart, 0),
                            store::PartKey(id, kTargetPart + 1, 0),
                            view.get()));
  parts.insert(parts.end(), std::make_move_iterator(targets.begin()),
               std::make_move_iterator(targets.end()));
  RECTRACK_RETURN_IF_ERROR(AddParts(parts, &action));
  return action;
}

}  // namespace rectrack::domain
