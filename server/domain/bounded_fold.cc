#include "server/domain/bounded_fold.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "server/domain/action_parts.h"
#include "server/domain/index_entries.h"
#include "server/domain/stored_state.h"
#include "server/store/keys.h"

namespace rectrack::domain {
namespace {

constexpr size_t kPendingPartBytes = size_t{16} << 20;
constexpr size_t kIndexBatch = 20000;

}  // namespace

size_t BoundedFold::Held() const {
  return states_.reviews.size() + states_.recommendations.size() +
         states_.actions.size() + states_.people.size() + states_.sent.size();
}

template <typename Entity>
absl::Status BoundedFold::BringInto(
    const std::string& id, absl::flat_hash_map<std::string, Entity>* map) {
  if (map->contains(id)) return absl::OkStatus();
  RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                            target_->GetState(id));
  if (!bytes.has_value()) return absl::OkStatus();  // not added yet
  RECTRACK_ASSIGN_OR_RETURN(Entity entity, ParseState<Entity>(id, *bytes));
  map->emplace(id, std::move(entity));
  return absl::OkStatus();
}

absl::Status BoundedFold::Bring(const std::string& id) {
  absl::StatusOr<EntityId> parsed = ParseEntityId(id, "stream");
  if (!parsed.ok()) return absl::OkStatus();  // FoldEvent says what is wrong
  switch (parsed->kind) {
    case EntityKind::kReview:
      return BringInto(id, &states_.reviews);
    case EntityKind::kRecommendation:
      return BringInto(id, &states_.recommendations);
    case EntityKind::kAction:
      return BringInto(id, &states_.actions);
    case EntityKind::kPerson:
      return BringInto(id, &states_.people);
  }
  return absl::OkStatus();
}

absl::Status BoundedFold::BringNote(const std::string& id, uint32_t number) {
  auto it = states_.actions.find(id);
  if (it == states_.actions.end()) return absl::OkStatus();
  for (const auto& note : it->second.progress()) {
    if (note.number() == number) return absl::OkStatus();
  }
  const std::string key = store::PartKey(id, kNotePart, number);
  std::optional<std::string> bytes;
  if (auto p = pending_parts_.find(key); p != pending_parts_.end()) {
    bytes = p->second;
  } else {
    RECTRACK_ASSIGN_OR_RETURN(bytes, target_->GetState(key));
  }
  if (bytes.has_value() &&
      !it->second.add_progress()->ParseFromString(*bytes)) {
    return absl::DataLossError(absl::StrCat("progress note ", number, " of ",
                                            id, " cannot be read (damaged)"));
  }
  return absl::OkStatus();
}

absl::Status BoundedFold::Fold(const v1::Event& e) {
  const v1::EventPayload& p = e.payload();
  RECTRACK_RETURN_IF_ERROR(Bring(e.stream()));
  std::string parent;
  if (p.has_recommendation_added()) {
    parent = p.recommendation_added().review_id();
  } else if (p.has_action_added()) {
    parent = p.action_added().recommendation_id();
  }
  if (!parent.empty()) RECTRACK_RETURN_IF_ERROR(Bring(parent));
  if (p.has_progress_retracted()) {
    RECTRACK_RETURN_IF_ERROR(
        BringNote(e.stream(), p.progress_retracted().number()));
  }
  if (absl::Status folded = FoldEvent(e, &states_); !folded.ok()) {
    if (unfoldable_ == nullptr) return folded;
    unfoldable_(folded);
  }
  changed_.insert(e.stream());
  if (!parent.empty()) changed_.insert(parent);
  if (auto it = states_.actions.find(e.stream()); it != states_.actions.end()) {
    // Its notes and targets go out with the next batch; it holds only
    // its latest of each, as stored.
    for (StoredPart& part : PartsOf(it->second)) {
      pending_bytes_ += part.first.size() + part.second.size();
      pending_parts_[part.first] = std::move(part.second);
    }
    it->second = ParentOf(it->second);
  }
  return absl::OkStatus();
}

absl::Status BoundedFold::MaybeFlush() {
  const size_t held = Held();
  most_held_ = std::max(most_held_, held);
  if (held > max_entities_ || pending_bytes_ > kPendingPartBytes) {
    return Flush();
  }
  return absl::OkStatus();
}

absl::Status BoundedFold::Flush() {
  std::vector<std::pair<std::string, std::string>> out(
      std::make_move_iterator(pending_parts_.begin()),
      std::make_move_iterator(pending_parts_.end()));
  auto add = [&](const auto& entities) {
    for (const auto& [id, entity] : entities) {
      if (changed_.contains(id)) {
        out.emplace_back(id, entity.SerializeAsString());
      }
    }
  };
  add(states_.reviews);
  add(states_.recommendations);
  add(states_.actions);
  add(states_.people);
  for (const auto& [id, person] : states_.people) {
    if (changed_.contains(id)) {
      out.emplace_back(PersonNameKey(person.name()), id);
    }
  }
  for (const auto& [key, message] : states_.sent) {
    out.emplace_back(SentMessageKey(key), message.SerializeAsString());
  }
  if (!out.empty()) {
    RECTRACK_RETURN_IF_ERROR(target_->PutProjections(out, {}));
    ++passes_;
  }
  states_ = EntityStates();
  pending_parts_.clear();
  changed_.clear();
  pending_bytes_ = 0;
  return absl::OkStatus();
}

template <typename Entity>
absl::Status BoundedFold::IndexEach(
    absl::string_view prefix,
    std::vector<store::EventStore::IndexEntry>* batch) {
  return target_->ForEachState(
      prefix,
      [&](const std::string& id, const std::string& bytes) -> absl::Status {
        RECTRACK_ASSIGN_OR_RETURN(Entity entity, ParseState<Entity>(id, bytes));
        for (const auto& [name, value] : IndexEntriesOf(entity)) {
          batch->push_back({name, value, id});
        }
        if (batch->size() < kIndexBatch) return absl::OkStatus();
        absl::Status put = target_->PutProjections({}, *batch);
        batch->clear();
        return put;
      });
}

absl::Status BoundedFold::WriteIndexes() {
  std::vector<store::EventStore::IndexEntry> batch;
  RECTRACK_RETURN_IF_ERROR(IndexEach<v1::Review>("review-", &batch));
  RECTRACK_RETURN_IF_ERROR(IndexEach<v1::Recommendation>("rec-", &batch));
  RECTRACK_RETURN_IF_ERROR(IndexEach<v1::Action>("action-", &batch));
  RECTRACK_RETURN_IF_ERROR(IndexEach<v1::Person>("person-", &batch));
  return batch.empty() ? absl::OkStatus() : target_->PutProjections({}, batch);
}

absl::Status BoundedFold::Finish() {
  most_held_ = std::max(most_held_, Held());
  RECTRACK_RETURN_IF_ERROR(Flush());
  return WriteIndexes();
}

}  // namespace rectrack::domain
