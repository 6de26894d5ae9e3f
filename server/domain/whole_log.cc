#include "server/domain/whole_log.h"

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "server/domain/action_parts.h"
#include "server/domain/commands.h"
#include "server/domain/fold.h"
#include "server/domain/index_entries.h"
#include "server/domain/queries.h"
#include "server/domain/stored_state.h"
#include "server/store/keys.h"

namespace rectrack::domain {
namespace {

constexpr int kMaxProblems = 100;

// An entity as its state is stored: reviews and recommendations whole, an
// action as its parent (see action_parts.h).
template <typename Entity>
const Entity& StoredForm(const Entity& entity) {
  return entity;
}
v1::Action StoredForm(const v1::Action& action) { return ParentOf(action); }
// Verify logs how far it has got every this many events.
constexpr uint64_t kProgressEvery = 100000;

// One run of Verify: each step adds what it finds to the response.
class Verifier {
 public:
  explicit Verifier(store::EventStore* store) : store_(store) {}

  absl::StatusOr<v1::VerifyResponse> Run() {
    // One moment of the whole database: a check on a live server compares
    // the log with the projections as they were together.
    snapshot_ = store_->TakeSnapshot();
    last_position_ = store_->LastPosition();
    RECTRACK_RETURN_IF_ERROR(CheckLog());
    RECTRACK_RETURN_IF_ERROR(CheckStreamIndex());
    RECTRACK_RETURN_IF_ERROR(
        CheckStates(folded_.reviews, "review-", v1::Review()));
    RECTRACK_RETURN_IF_ERROR(
        CheckStates(folded_.recommendations, "rec-", v1::Recommendation()));
    RECTRACK_RETURN_IF_ERROR(
        CheckStates(folded_.actions, "action-", v1::Action()));
    RECTRACK_RETURN_IF_ERROR(CheckParts());
    RECTRACK_RETURN_IF_ERROR(
        CheckStates(folded_.people, "person-", v1::Person()));
    RECTRACK_RETURN_IF_ERROR(CheckIndexes());
    RECTRACK_RETURN_IF_ERROR(CheckCounters());
    RECTRACK_RETURN_IF_ERROR(CheckRequests());
    snapshot_.reset();
    report_.set_ok(report_.problems().empty());
    return std::move(report_);
  }

 private:
  void Problem(std::string what) {
    if (report_.problems_size() < kMaxProblems) {
      report_.add_problems(std::move(what));
    }
  }

  // 1. The log: positions 1..N, versions 1..M per stream, every event folds.
  absl::Status CheckLog() {
    uint64_t expected_position = 1;
    while (true) {
      RECTRACK_ASSIGN_OR_RETURN(
          std::vector<v1::Event> page,
          store_->ReadAll(expected_position, kMaxReadLimit, kWholeLogPageBytes,
                          snapshot_.get()));
      if (page.empty()) break;
      for (const v1::Event& e : page) {
        if (e.position() != expected_position) {
          Problem(absl::StrCat("the log jumps from position ",
                               expected_position - 1, " to ", e.position()));
        }
        expected_position = e.position() + 1;
        uint64_t& version = versions_[e.stream()];
        if (e.version() != version + 1) {
          Problem(absl::StrCat(e.stream(), " jumps from version ", version,
                               " to ", e.version(), " at position ",
                               e.position()));
        }
        version = e.version();
        CheckChain(e);
        if (absl::Status s = FoldEvent(e, &folded_); !s.ok()) {
          Problem(std::string(s.message()));
        }
        report_.set_events_checked(report_.events_checked() + 1);
        if (report_.events_checked() % kProgressEvery == 0) {
          Log(store_->clock(), "info", "verify: reading the log",
              {{"events_checked",
                static_cast<double>(report_.events_checked())},
               {"last_position", static_cast<double>(last_position_)}});
        }
      }
    }
    return absl::OkStatus();
  }

  // Each event's predecessor_hash is the hash of the event before it (32
  // zero bytes for the first). Events written before rectrack kept the
  // chain have none; they may only come before every chained one.
  void CheckChain(const v1::Event& e) {
    if (e.predecessor_hash().empty()) {
      if (chain_start_ != 0) {
        Problem(absl::StrCat("the event at position ", e.position(),
                             " has no predecessor hash, though the chain of "
                             "the log began at position ",
                             chain_start_,
                             ": it was not written by rectrackd"));
      }
    } else {
      if (chain_start_ == 0) chain_start_ = e.position();
      const std::string expected =
          e.position() == 1 ? std::string(32, '\0') : previous_hash_;
      if (e.predecessor_hash() != expected) {
        Problem(absl::StrCat(
            "the chain of the log is broken at position ", e.position() - 1,
            ": the event stored there is not the one that position ",
            e.position(),
            " was written after (one of the two was changed or replaced)"));
      }
    }
    previous_hash_ = e.hash();
  }

  // 2. Each stream's own index of versions agrees with the log (one pass
  // over the stream index, not a read per stream).
  absl::Status CheckStreamIndex() {
    RECTRACK_ASSIGN_OR_RETURN(auto listed,
                              store_->CountStreamEvents(snapshot_.get()));
    for (const auto& [stream, version] : versions_) {
      auto it = listed.find(stream);
      uint64_t count = it == listed.end() ? 0 : it->second;
      if (count != version) {
        Problem(absl::StrCat(stream, " lists ", count,
                             " events but the log holds ", version));
      }
    }
    for (const auto& [stream, count] : listed) {
      if (!versions_.contains(stream)) {
        Problem(absl::StrCat(stream, " lists ", count,
                             " events but the log holds none"));
      }
    }
    return absl::OkStatus();
  }

  // 3. Stored projections equal the fold, and nothing else is stored.
  template <typename Map, typename Entity>
  absl::Status CheckStates(const Map& entities, absl::string_view prefix,
                           const Entity& /*type*/) {
    RECTRACK_ASSIGN_OR_RETURN(auto stored,
                              store_->ScanState(prefix, snapshot_.get()));
    absl::flat_hash_map<std::string, std::string> by_id(stored.begin(),
                                                        stored.end());
    for (const auto& [id, entity] : entities) {
      report_.set_entities_checked(report_.entities_checked() + 1);
      auto it = by_id.find(id);
      if (it == by_id.end()) {
        Problem(absl::StrCat(id, " is in the log but has no stored state"));
        continue;
      }
      Entity parsed;
      if (!parsed.ParseFromString(it->second) ||
          parsed.SerializeAsString() !=
              StoredForm(entity).SerializeAsString()) {
        Problem(
            absl::StrCat("the stored state of ", id,
                         " differs from the state rebuilt from its events"));
      }
      by_id.erase(it);
    }
    for (const auto& [id, bytes] : by_id) {
      Problem(absl::StrCat(id, " has stored state but no events"));
    }
    return absl::OkStatus();
  }

  // 3b. Each action's notes and targets are stored under their own keys as
  // folded, and no other parts are stored.
  absl::Status CheckParts() {
    RECTRACK_ASSIGN_OR_RETURN(
        auto stored,
        store_->ScanState(store::AllPartsPrefix(), snapshot_.get()));
    absl::flat_hash_map<std::string, std::string> by_key(
        std::make_move_iterator(stored.begin()),
        std::make_move_iterator(stored.end()));
    for (const auto& [id, action] : folded_.actions) {
      for (const StoredPart& part : PartsOf(action)) {
        auto it = by_key.find(part.first);
        if (it == by_key.end()) {
          Problem(absl::StrCat("a progress note or target of ", id,
                               " is in the log but not stored"));
          continue;
        }
        if (it->second != part.second) {
          Problem(absl::StrCat("a stored progress note or target of ", id,
                               " differs from the one rebuilt from its "
                               "events"));
        }
        by_key.erase(it);
      }
    }
    for (const auto& [key, bytes] : by_key) {
      Problem(absl::StrCat("the stored part ", absl::CHexEscape(key),
                           " belongs to no note or target in the log"));
    }
    return absl::OkStatus();
  }

  // Calls visit(name, value, id) for every index entry the folded entities
  // call for.
  template <typename Visit>
  void ForEachExpected(const Visit& visit) {
    auto each = [&](const auto& entities) {
      for (const auto& [id, entity] : entities) {
        for (const auto& [name, value] : IndexEntriesOf(entity)) {
          visit(name, store::IndexValuePart(value), id);
        }
      }
    };
    each(folded_.reviews);
    each(folded_.recommendations);
    each(folded_.actions);
  }

  // 4. Indexes hold exactly the entries the entities call for. There can be
  // tens of millions, so each expected entry is held as a 64-bit hash with
  // a count, and the stored ones are streamed past them; the names of
  // missing entries are worked out again only for the report.
  absl::Status CheckIndexes() {
    using EntryKey =
        std::tuple<absl::string_view, absl::string_view, absl::string_view>;
    const absl::Hash<EntryKey> hash_of;
    absl::flat_hash_map<size_t, uint32_t> expected;
    ForEachExpected([&](absl::string_view name, absl::string_view value,
                        absl::string_view id) {
      ++expected[hash_of(EntryKey(name, value, id))];
    });
    RECTRACK_RETURN_IF_ERROR(store_->ForEachIndexEntry(
        [&](const store::EventStore::IndexEntry& e) {
          report_.set_index_entries_checked(report_.index_entries_checked() +
                                            1);
          auto it =
              expected.find(hash_of(EntryKey(e.name, e.value, e.entity_id)));
          if (it == expected.end() || it->second == 0) {
            Problem(absl::StrCat("index ", e.name, " lists ", e.entity_id,
                                 " under \"", e.value,
                                 "\", which its state does not call for"));
          } else {
            --it->second;
          }
        },
        snapshot_.get()));
    bool any_missing = false;
    for (const auto& [h, count] : expected) any_missing |= count > 0;
    if (!any_missing) return absl::OkStatus();
    ForEachExpected([&](absl::string_view name, absl::string_view value,
                        absl::string_view id) {
      auto it = expected.find(hash_of(EntryKey(name, value, id)));
      if (it != expected.end() && it->second > 0) {
        --it->second;
        Problem(absl::StrCat("index ", name, " is missing ", id, " under \"",
                             value, "\""));
      }
    });
    return absl::OkStatus();
  }

  // 5. Id counters are past every id handed out.
  absl::Status CheckCounters() {
    for (EntityKind kind : {EntityKind::kReview, EntityKind::kRecommendation,
                            EntityKind::kAction, EntityKind::kPerson}) {
      uint64_t highest = 0;
      for (const auto& [stream, version] : versions_) {
        auto parsed = ParseEntityId(stream, "");
        if (parsed.ok() && parsed->kind == kind) {
          highest = std::max(highest, parsed->number);
        }
      }
      std::string name(KindPrefix(kind));
      RECTRACK_ASSIGN_OR_RETURN(uint64_t counter,
                                store_->CurrentSequence(name, snapshot_.get()));
      if (counter < highest) {
        Problem(absl::StrCat("the ", name, " id counter is at ", counter,
                             " but ", MakeEntityId(kind, highest), " exists"));
      }
    }
    return absl::OkStatus();
  }

  // 6. Every stored request result decodes (a retry with its request id
  // gets it back) and names events that exist; every event id record
  // points at the event with that id.
  absl::Status CheckRequests() {
    auto check = [&](uint64_t position, absl::string_view event_id,
                     const std::string& what) {
      if (position == 0) return;
      absl::StatusOr<std::optional<v1::Event>> event =
          store_->ReadEvent(position, snapshot_.get());
      if (!event.ok() || !event->has_value()) {
        Problem(absl::StrCat(what, " names position ", position,
                             ", which holds no readable event"));
      } else if ((*event)->event_id() != event_id) {
        Problem(absl::StrCat(what, " names event ", event_id, " at position ",
                             position, ", which holds another event"));
      }
    };
    return store_->ForEachRequest(
        [&](const store::EventStore::RequestRecord& r) {
          report_.set_requests_checked(report_.requests_checked() + 1);
          const std::string what =
              absl::StrCat("the stored result of request ",
                           absl::CHexEscape(r.key.substr(2)));
          absl::StatusOr<std::vector<v1::ApplyResponse>> responses =
              r.record.ok() ? SplitResults(r.record->second, false)
                            : r.record.status();
          if (!responses.ok()) {
            Problem(absl::StrCat(what,
                                 " is damaged: a retry with that request id "
                                 "would fail with DATA_LOSS"));
            return;
          }
          for (const v1::ApplyResponse& response : *responses) {
            for (const v1::CommandResult& result : response.results()) {
              check(result.position(), result.event_id(), what);
            }
          }
        },
        [&](absl::string_view event_id, std::optional<uint64_t> position) {
          const std::string what = absl::StrCat("the record of event id ",
                                                absl::CHexEscape(event_id));
          if (!position.has_value()) {
            Problem(absl::StrCat(what, " is damaged"));
          } else {
            check(*position, event_id, what);
          }
        },
        snapshot_.get());
  }

  store::EventStore* store_;
  std::unique_ptr<store::EventStore::Snapshot> snapshot_;
  v1::VerifyResponse report_;
  EntityStates folded_;
  absl::flat_hash_map<std::string, uint64_t> versions_;
  uint64_t chain_start_ = 0;    // first event with a predecessor hash
  uint64_t last_position_ = 0;  // about where the log ends, for progress
  std::string previous_hash_;
};

// Rebuilding the projections from the log in one pass, in position order,
// in bounded memory: the state family itself holds what has been folded.
// At most kRebuildEntities entities are held (each event brings in its own
// entity and the parent it is added to, from the state family when not
// held); what changed goes out in one unsynced batch whenever that many are
// held or kRebuildPendingBytes are waiting, and then every entity is let
// go. The index entries are worked out at the end from the stored states,
// read in key order. Memory does not grow with the log.
constexpr size_t kRebuildEntities = 20000;
constexpr size_t kRebuildPendingBytes = size_t{16} << 20;
constexpr size_t kRebuildIndexBatch = 20000;

class Rebuilder {
 public:
  explicit Rebuilder(store::EventStore* store) : store_(store) {}

  absl::StatusOr<uint64_t> Run() {
    RECTRACK_RETURN_IF_ERROR(store_->ClearProjections());
    const uint64_t last = store_->LastPosition();
    uint64_t next = 1;
    while (true) {
      RECTRACK_ASSIGN_OR_RETURN(
          std::vector<v1::Event> page,
          store_->ReadAll(next, kMaxReadLimit, kWholeLogPageBytes));
      if (page.empty()) break;
      for (const v1::Event& e : page) {
        RECTRACK_RETURN_IF_ERROR(Fold(e));
        next = e.position() + 1;
        if (e.position() % kProgressEvery == 0) {
          Log(store_->clock(), "info",
              "rebuilding state and indexes from the event log",
              {{"events_folded", static_cast<double>(e.position())},
               {"last_position", static_cast<double>(last)}});
        }
      }
      if (Held() > kRebuildEntities || pending_bytes_ > kRebuildPendingBytes) {
        RECTRACK_RETURN_IF_ERROR(Flush());
      }
    }
    RECTRACK_RETURN_IF_ERROR(Flush());
    RECTRACK_RETURN_IF_ERROR(WriteIndexes());
    RECTRACK_RETURN_IF_ERROR(store_->MarkProjectionsCurrent());
    return next - 1;
  }

 private:
  size_t Held() const {
    return states_.reviews.size() + states_.recommendations.size() +
           states_.actions.size() + states_.people.size() + states_.sent.size();
  }

  template <typename Entity>
  absl::Status BringInto(const std::string& id,
                         absl::flat_hash_map<std::string, Entity>* map) {
    if (map->contains(id)) return absl::OkStatus();
    RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                              store_->GetState(id));
    if (!bytes.has_value()) return absl::OkStatus();  // not added yet
    RECTRACK_ASSIGN_OR_RETURN(Entity entity, ParseState<Entity>(id, *bytes));
    map->emplace(id, std::move(entity));
    return absl::OkStatus();
  }

  // Holds entity `id` (if it exists yet).
  absl::Status Bring(const std::string& id) {
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

  // Puts note `number` of action `id` among the notes it holds, from the
  // batch waiting or the state family.
  absl::Status BringNote(const std::string& id, uint32_t number) {
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
      RECTRACK_ASSIGN_OR_RETURN(bytes, store_->GetState(key));
    }
    if (bytes.has_value() &&
        !it->second.add_progress()->ParseFromString(*bytes)) {
      return absl::DataLossError(absl::StrCat("progress note ", number, " of ",
                                              id, " cannot be read (damaged)"));
    }
    return absl::OkStatus();
  }

  absl::Status Fold(const v1::Event& e) {
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
    RECTRACK_RETURN_IF_ERROR(FoldEvent(e, &states_));
    changed_.insert(e.stream());
    if (!parent.empty()) changed_.insert(parent);
    if (auto it = states_.actions.find(e.stream());
        it != states_.actions.end()) {
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

  // Writes what changed since the last batch, and lets every entity go.
  absl::Status Flush() {
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
      if (changed_.contains(id))
        out.emplace_back(PersonNameKey(person.name()), id);
    }
    for (const auto& [key, message] : states_.sent) {
      out.emplace_back(SentMessageKey(key), message.SerializeAsString());
    }
    if (!out.empty()) {
      RECTRACK_RETURN_IF_ERROR(store_->PutProjections(out, {}));
    }
    states_ = EntityStates();
    pending_parts_.clear();
    changed_.clear();
    pending_bytes_ = 0;
    return absl::OkStatus();
  }

  template <typename Entity>
  absl::Status IndexEach(absl::string_view prefix,
                         std::vector<store::EventStore::IndexEntry>* batch) {
    return store_->ForEachState(
        prefix,
        [&](const std::string& id, const std::string& bytes) -> absl::Status {
          RECTRACK_ASSIGN_OR_RETURN(Entity entity,
                                    ParseState<Entity>(id, bytes));
          for (const auto& [name, value] : IndexEntriesOf(entity)) {
            batch->push_back({name, value, id});
          }
          if (batch->size() < kRebuildIndexBatch) return absl::OkStatus();
          absl::Status put = store_->PutProjections({}, *batch);
          batch->clear();
          return put;
        });
  }

  absl::Status WriteIndexes() {
    std::vector<store::EventStore::IndexEntry> batch;
    RECTRACK_RETURN_IF_ERROR(IndexEach<v1::Review>("review-", &batch));
    RECTRACK_RETURN_IF_ERROR(IndexEach<v1::Recommendation>("rec-", &batch));
    RECTRACK_RETURN_IF_ERROR(IndexEach<v1::Action>("action-", &batch));
    RECTRACK_RETURN_IF_ERROR(IndexEach<v1::Person>("person-", &batch));
    return batch.empty() ? absl::OkStatus() : store_->PutProjections({}, batch);
  }

  store::EventStore* store_;
  EntityStates states_;
  absl::flat_hash_set<std::string> changed_;
  absl::flat_hash_map<std::string, std::string> pending_parts_;
  size_t pending_bytes_ = 0;
};

}  // namespace

absl::StatusOr<v1::VerifyResponse> WholeLog::Verify() {
  return Verifier(store_).Run();
}

absl::StatusOr<uint64_t> WholeLog::RebuildProjections() {
  return Rebuilder(store_).Run();
}

absl::StatusOr<v1::BackupResponse> WholeLog::Backup(
    const std::string& directory) {
  if (absl::StripAsciiWhitespace(directory).empty()) {
    return absl::InvalidArgumentError("directory is required");
  }
  v1::BackupResponse response;
  response.set_last_position(store_->LastPosition());
  RECTRACK_ASSIGN_OR_RETURN(uint32_t id, store_->Backup(directory));
  response.set_backup_id(id);
  return response;
}

}  // namespace rectrack::domain
