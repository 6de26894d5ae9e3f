// Folding the whole log, in position order, in memory that does not grow
// with it: shared by the start-up rebuild of the projections (into the live
// store) and by verify (into a scratch store, compared afterwards).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "rectrack/v1/events.pb.h"
#include "server/domain/fold.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

// Most entities a BoundedFold holds at once, by default.
inline constexpr size_t kFoldEntities = 20000;

// The target store's state family itself holds what has been folded. At
// most `max_entities` + 2 entities are held in memory (each event brings in
// its own entity and the parent it is added to, from the target when not
// held); what changed goes out in one unsynced batch whenever more than
// `max_entities` are held or 16 MiB of parts are waiting (a pass), and then
// every entity is let go. The index entries are worked out at the end from the
// stored states, read in key order.
class BoundedFold {
 public:
  // Called with the reason when an event does not fold (it is skipped).
  using Unfoldable = std::function<void(const absl::Status&)>;

  // `target` is not owned and must outlive this; it should hold no
  // projections yet. Without `unfoldable`, Fold returns the reason.
  explicit BoundedFold(store::EventStore* target,
                       size_t max_entities = kFoldEntities,
                       Unfoldable unfoldable = nullptr)
      : target_(target),
        max_entities_(max_entities),
        unfoldable_(std::move(unfoldable)) {}

  // Folds the next event of the log. Events must come in position order.
  absl::Status Fold(const v1::Event& e);
  // Ends a pass if the bounds are reached. Call after every Fold: the bound
  // holds only if it is.
  absl::Status MaybeFlush();
  // Writes what is still held, then every index entry the stored states
  // call for.
  absl::Status Finish();
  // Passes written so far (batches of folded states).
  size_t passes() const { return passes_; }
  // The most entities held at once so far.
  size_t most_held() const { return most_held_; }

 private:
  size_t Held() const;
  template <typename Entity>
  absl::Status BringInto(const std::string& id,
                         absl::flat_hash_map<std::string, Entity>* map);
  // Holds entity `id` (if it exists yet).
  absl::Status Bring(const std::string& id);
  // Puts note `number` of action `id` among the notes it holds, from the
  // batch waiting or the target.
  absl::Status BringNote(const std::string& id, uint32_t number);
  // Writes what changed since the last batch, and lets every entity go.
  absl::Status Flush();
  template <typename Entity>
  absl::Status IndexEach(absl::string_view prefix,
                         std::vector<store::EventStore::IndexEntry>* batch);
  absl::Status WriteIndexes();

  store::EventStore* target_;
  const size_t max_entities_;
  Unfoldable unfoldable_;
  EntityStates states_;
  absl::flat_hash_set<std::string> changed_;
  absl::flat_hash_map<std::string, std::string> pending_parts_;
  size_t pending_bytes_ = 0;
  size_t passes_ = 0;
  size_t most_held_ = 0;
};

}  // namespace rectrack::domain
