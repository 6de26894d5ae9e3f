#include "server/domain/whole_log.h"

#include <algorithm>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "server/domain/fold.h"
#include "server/domain/index_entries.h"
#include "server/domain/queries.h"
#include "server/store/keys.h"

namespace rectrack::domain {
namespace {

constexpr int kMaxProblems = 100;

// One run of Verify: each step adds what it finds to the response.
class Verifier {
 public:
  explicit Verifier(store::EventStore* store) : store_(store) {}

  absl::StatusOr<v1::VerifyResponse> Run() {
    RECTRACK_RETURN_IF_ERROR(CheckLog());
    RECTRACK_RETURN_IF_ERROR(CheckStreamIndex());
    RECTRACK_RETURN_IF_ERROR(
        CheckStates(folded_.reviews, "review-", v1::Review()));
    RECTRACK_RETURN_IF_ERROR(
        CheckStates(folded_.recommendations, "rec-", v1::Recommendation()));
    RECTRACK_RETURN_IF_ERROR(
        CheckStates(folded_.actions, "action-", v1::Action()));
    RECTRACK_RETURN_IF_ERROR(CheckIndexes());
    RECTRACK_RETURN_IF_ERROR(CheckCounters());
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
          store_->ReadAll(expected_position, kMaxReadLimit,
                          kWholeLogPageBytes));
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
        if (absl::Status s = FoldEvent(e, &folded_); !s.ok()) {
          Problem(std::string(s.message()));
        }
        report_.set_events_checked(report_.events_checked() + 1);
      }
    }
    return absl::OkStatus();
  }

  // 2. Each stream's own index of versions agrees with the log (one pass
  // over the stream index, not a read per stream).
  absl::Status CheckStreamIndex() {
    RECTRACK_ASSIGN_OR_RETURN(auto listed, store_->CountStreamEvents());
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
    RECTRACK_ASSIGN_OR_RETURN(auto stored, store_->ScanState(prefix));
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
    RECTRACK_RETURN_IF_ERROR(
        store_->ForEachIndexEntry([&](const store::EventStore::IndexEntry& e) {
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
        }));
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
                            EntityKind::kAction}) {
      uint64_t highest = 0;
      for (const auto& [stream, version] : versions_) {
        auto parsed = ParseEntityId(stream, "");
        if (parsed.ok() && parsed->kind == kind) {
          highest = std::max(highest, parsed->number);
        }
      }
      std::string name(KindPrefix(kind));
      RECTRACK_ASSIGN_OR_RETURN(uint64_t counter,
                                store_->CurrentSequence(name));
      if (counter < highest) {
        Problem(absl::StrCat("the ", name, " id counter is at ", counter,
                             " but ", MakeEntityId(kind, highest), " exists"));
      }
    }
    return absl::OkStatus();
  }

  store::EventStore* store_;
  v1::VerifyResponse report_;
  EntityStates folded_;
  absl::flat_hash_map<std::string, uint64_t> versions_;
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
