#include "server/domain/whole_log.h"

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "server/domain/commands.h"
#include "server/domain/fold.h"
#include "server/domain/index_entries.h"
#include "server/domain/queries.h"
#include "server/store/keys.h"

namespace rectrack::domain {
namespace {

constexpr int kMaxProblems = 100;
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
          parsed.SerializeAsString() != entity.SerializeAsString()) {
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

}  // namespace

absl::StatusOr<v1::VerifyResponse> WholeLog::Verify() {
  return Verifier(store_).Run();
}

absl::StatusOr<uint64_t> WholeLog::RebuildProjections() {
  EntityStates folded;
  uint64_t next = 1;
  while (true) {
    RECTRACK_ASSIGN_OR_RETURN(
        std::vector<v1::Event> page,
        store_->ReadAll(next, kMaxReadLimit, kWholeLogPageBytes));
    if (page.empty()) break;
    for (const v1::Event& e : page) {
      RECTRACK_RETURN_IF_ERROR(FoldEvent(e, &folded));
      next = e.position() + 1;
    }
  }
  std::vector<std::pair<std::string, std::string>> states;
  std::vector<store::EventStore::IndexEntry> index;
  auto add = [&](const auto& entities) {
    for (const auto& [id, entity] : entities) {
      states.emplace_back(id, entity.SerializeAsString());
      for (const auto& [name, value] : IndexEntriesOf(entity)) {
        index.push_back({name, value, id});
      }
    }
  };
  add(folded.reviews);
  add(folded.recommendations);
  add(folded.actions);
  add(folded.people);
  for (const auto& [id, person] : folded.people) {
    states.emplace_back(PersonNameKey(person.name()), id);
  }
  for (const auto& [key, message] : folded.sent) {
    states.emplace_back(SentMessageKey(key), message.SerializeAsString());
  }
  RECTRACK_RETURN_IF_ERROR(store_->ReplaceProjections(states, index));
  return next - 1;
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
