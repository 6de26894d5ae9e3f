#include "server/domain/whole_log.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
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
// Verify logs how far it has got every this many events.
constexpr uint64_t kLogEvery = 100000;
// Keys read from each side at a time when comparing a family.
constexpr size_t kComparePage = 1024;

// One family of a store read in key order, a page at a time.
class FamilyCursor {
 public:
  FamilyCursor(store::EventStore* store, store::ColumnFamily family,
               const store::EventStore::Snapshot* view)
      : store_(store), family_(family), view_(view) {}

  // Loads the next page when this one is used up.
  absl::Status Load() {
    if (i_ < page_.size() || done_) return absl::OkStatus();
    RECTRACK_ASSIGN_OR_RETURN(
        page_, store_->ReadPage(family_, from_, kComparePage, view_));
    i_ = 0;
    if (page_.empty()) {
      done_ = true;
    } else {
      from_ = page_.back().first + std::string(1, '\0');
    }
    return absl::OkStatus();
  }
  const std::pair<std::string, std::string>* Current() const {
    return i_ < page_.size() ? &page_[i_] : nullptr;
  }
  void Next() { ++i_; }

 private:
  store::EventStore* store_;
  store::ColumnFamily family_;
  const store::EventStore::Snapshot* view_;
  std::vector<std::pair<std::string, std::string>> page_;
  size_t i_ = 0;
  std::string from_;
  bool done_ = false;
};

using CompareVisit = std::function<absl::Status(const std::string& key,
                                                const std::string* stored,
                                                const std::string* rebuilt)>;

// Walks `family` of `live` (at `view`) and of `rebuilt` side by side in key
// order, calling `visit` once per key with the value each holds (null for
// none); stops at the first error it returns. Memory: one page of each.
absl::Status CompareFamily(store::EventStore* live,
                           const store::EventStore::Snapshot* view,
                           store::EventStore* rebuilt,
                           store::ColumnFamily family,
                           const CompareVisit& visit) {
  FamilyCursor a(live, family, view);
  FamilyCursor b(rebuilt, family, nullptr);
  while (true) {
    RECTRACK_RETURN_IF_ERROR(a.Load());
    RECTRACK_RETURN_IF_ERROR(b.Load());
    const auto* x = a.Current();
    const auto* y = b.Current();
    if (x == nullptr && y == nullptr) return absl::OkStatus();
    if (x != nullptr && (y == nullptr || x->first < y->first)) {
      RECTRACK_RETURN_IF_ERROR(visit(x->first, &x->second, nullptr));
      a.Next();
    } else if (y != nullptr && (x == nullptr || y->first < x->first)) {
      RECTRACK_RETURN_IF_ERROR(visit(y->first, nullptr, &y->second));
      b.Next();
    } else {
      RECTRACK_RETURN_IF_ERROR(visit(x->first, &x->second, &y->second));
      a.Next();
      b.Next();
    }
  }
}

// True when `stored` and `rebuilt` hold the same entity of `kind`
// (compared after parsing, as serialisation need not be byte-identical).
bool SameEntity(EntityKind kind, const std::string& stored,
                const std::string& rebuilt) {
  if (stored == rebuilt) return true;
  auto same = [&](auto a, auto b) {
    return a.ParseFromString(stored) && b.ParseFromString(rebuilt) &&
           a.SerializeAsString() == b.SerializeAsString();
  };
  switch (kind) {
    case EntityKind::kReview:
      return same(v1::Review(), v1::Review());
    case EntityKind::kRecommendation:
      return same(v1::Recommendation(), v1::Recommendation());
    case EntityKind::kAction:
      return same(v1::Action(), v1::Action());
    case EntityKind::kPerson:
      return same(v1::Person(), v1::Person());
  }
  return false;
}

// A scratch store under the data directory, deleted when this goes.
class Scratch {
 public:
  ~Scratch() {
    store_.reset();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  absl::Status Open(const store::EventStore& live) {
    static std::atomic<uint64_t> next{1};
    dir_ = absl::StrCat(live.dir(), "/", kVerifyScratchPrefix, next++);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    store::StoreOptions options;
    options.clock = live.clock();
    options.scratch = true;
    RECTRACK_ASSIGN_OR_RETURN(store_, store::EventStore::Open(dir_, options));
    return absl::OkStatus();
  }
  store::EventStore* get() { return store_.get(); }

 private:
  std::string dir_;
  std::unique_ptr<store::EventStore> store_;
};

// One run of Verify: each step adds what it finds to the response.
class Verifier {
 public:
  Verifier(store::EventStore* store, const VerifyOptions& options)
      : store_(store), options_(options) {}

  absl::StatusOr<v1::VerifyResponse> Run() {
    // One moment of the whole database: a check on a live server compares
    // the log with the projections as they were together.
    snapshot_ = store_->TakeSnapshot();
    log_end_ = store_->LastPosition();
    RECTRACK_RETURN_IF_ERROR(scratch_.Open(*store_));
    RECTRACK_RETURN_IF_ERROR(Step("reading the log"));
    RECTRACK_RETURN_IF_ERROR(CheckLog());
    RECTRACK_RETURN_IF_ERROR(Step("comparing stored states"));
    RECTRACK_RETURN_IF_ERROR(CompareFamily(
        store_, snapshot_.get(), scratch_.get(), store::ColumnFamily::kState,
        [&](const std::string& k, const std::string* s, const std::string* r) {
          CompareState(k, s, r);
          return Tick("comparing stored states");
        }));
    RECTRACK_RETURN_IF_ERROR(Step("comparing indexes"));
    RECTRACK_RETURN_IF_ERROR(CompareFamily(
        store_, snapshot_.get(), scratch_.get(), store::ColumnFamily::kIndex,
        [&](const std::string& k, const std::string* s, const std::string* r) {
          CompareIndex(k, s, r);
          return Tick("comparing indexes");
        }));
    RECTRACK_RETURN_IF_ERROR(Step("comparing the stream index"));
    RECTRACK_RETURN_IF_ERROR(CheckStreamIndex());
    RECTRACK_RETURN_IF_ERROR(CheckCounters());
    RECTRACK_RETURN_IF_ERROR(Step("checking stored request results"));
    RECTRACK_RETURN_IF_ERROR(CheckRequests());
    snapshot_.reset();
    report_.set_ok(report_.problems().empty());
    if (options_.progress) {
      v1::VerifyProgress done = Progress("done");
      *done.mutable_report() = report_;
      options_.progress(done);
    }
    return std::move(report_);
  }

 private:
  void Problem(std::string what) {
    if (report_.problems_size() < kMaxProblems) {
      report_.add_problems(std::move(what));
    }
  }

  v1::VerifyProgress Progress(absl::string_view step) const {
    v1::VerifyProgress p;
    p.set_step(std::string(step));
    p.set_events_checked(report_.events_checked());
    p.set_last_position(last_position_);
    p.set_log_end(log_end_);
    p.set_keys_compared(ticks_);
    return p;
  }

  // Tells the caller how far verify has got; CANCELLED if they stop it.
  absl::Status Step(absl::string_view step) {
    if (!options_.progress || options_.progress(Progress(step))) {
      return absl::OkStatus();
    }
    return absl::CancelledError(
        absl::StrCat("verify was stopped while ", step, ", after checking ",
                     report_.events_checked(), " events (up to position ",
                     last_position_, " of ", log_end_, ")"));
  }

  // Step(step) every progress_every keys or records, so a long comparison
  // still shows it is moving and can be stopped.
  absl::Status Tick(absl::string_view step) {
    if (options_.progress_every == 0 || ++ticks_ % options_.progress_every) {
      return absl::OkStatus();
    }
    return Step(step);
  }

  // 1. The log: positions 1..N, the hash chain, every event folds (into
  // the scratch store, with its stream index entry).
  absl::Status CheckLog() {
    BoundedFold fold(
        scratch_.get(), options_.max_entities,
        [&](const absl::Status& s) { Problem(std::string(s.message())); });
    uint64_t expected_position = 1;
    while (true) {
      RECTRACK_ASSIGN_OR_RETURN(
          std::vector<v1::Event> page,
          store_->ReadAll(expected_position, kMaxReadLimit, kWholeLogPageBytes,
                          snapshot_.get()));
      if (page.empty()) break;
      std::vector<std::pair<std::string, std::string>> streams;
      streams.reserve(page.size());
      for (const v1::Event& e : page) {
        if (e.position() != expected_position) {
          Problem(absl::StrCat("the log jumps from position ",
                               expected_position - 1, " to ", e.position()));
        }
        expected_position = e.position() + 1;
        last_position_ = e.position();
        CheckChain(e);
        NoteId(e.stream());
        streams.emplace_back(store::StreamKey(e.stream(), e.version()),
                             store::EncodeU64(e.position()));
        RECTRACK_RETURN_IF_ERROR(fold.Fold(e));
        RECTRACK_RETURN_IF_ERROR(fold.MaybeFlush());
        RECTRACK_RETURN_IF_ERROR(Counted());
      }
      RECTRACK_RETURN_IF_ERROR(
          scratch_.get()->PutRaw(store::ColumnFamily::kStreams, streams));
    }
    return fold.Finish();
  }

  // Counts one event checked; progress now and then.
  absl::Status Counted() {
    const uint64_t n = report_.events_checked() + 1;
    report_.set_events_checked(n);
    if (n % kLogEvery == 0) {
      Log(store_->clock(), "info", "verify: reading the log",
          {{"events_checked", static_cast<double>(n)},
           {"last_position", static_cast<double>(log_end_)}});
    }
    if (options_.progress_every > 0 && n % options_.progress_every == 0) {
      return Step("reading the log");
    }
    return absl::OkStatus();
  }

  // The highest id of each kind seen in the log, for CheckCounters.
  void NoteId(const std::string& stream) {
    auto parsed = ParseEntityId(stream, "");
    if (!parsed.ok()) return;
    uint64_t& highest = highest_[static_cast<int>(parsed->kind)];
    highest = std::max(highest, parsed->number);
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

  // 2. Stored projections equal the fold, and nothing else is stored: each
  // entity's state, each action's notes and targets (part keys), people's
  // name keys and sent messages.
  void CompareState(const std::string& key, const std::string* stored,
                    const std::string* rebuilt) {
    std::string id;
    char kind = 0;
    uint64_t number = 0;
    if (store::DecodePartKey(key, &id, &kind, &number)) {
      if (stored == nullptr) {
        Problem(absl::StrCat("a progress note or target of ", id,
                             " is in the log but not stored"));
      } else if (rebuilt == nullptr) {
        Problem(absl::StrCat("the stored part ", absl::CHexEscape(key),
                             " belongs to no note or target in the log"));
      } else if (*stored != *rebuilt) {
        Problem(absl::StrCat("a stored progress note or target of ", id,
                             " differs from the one rebuilt from its "
                             "events"));
      }
      return;
    }
    absl::StatusOr<EntityId> entity = ParseEntityId(key, "");
    if (!entity.ok()) {
      CompareOtherState(key, stored, rebuilt);
      return;
    }
    if (rebuilt != nullptr) {
      report_.set_entities_checked(report_.entities_checked() + 1);
    }
    if (stored == nullptr) {
      Problem(absl::StrCat(key, " is in the log but has no stored state"));
    } else if (rebuilt == nullptr) {
      Problem(absl::StrCat(key, " has stored state but no events"));
    } else if (!SameEntity(entity->kind, *stored, *rebuilt)) {
      Problem(absl::StrCat("the stored state of ", key,
                           " differs from the state rebuilt from its events"));
    }
  }

  // People's name keys and sent messages.
  void CompareOtherState(const std::string& key, const std::string* stored,
                         const std::string* rebuilt) {
    const std::string shown = absl::CHexEscape(key);
    if (stored == nullptr) {
      Problem(absl::StrCat("the key ", shown,
                           " is called for by the log but not stored"));
    } else if (rebuilt == nullptr) {
      Problem(absl::StrCat("the stored key ", shown,
                           " belongs to nothing in the log"));
    } else if (*stored != *rebuilt) {
      Problem(absl::StrCat("the stored key ", shown,
                           " differs from the one rebuilt from the log"));
    }
  }

  // 3. Indexes hold exactly the entries the entities call for.
  void CompareIndex(const std::string& key, const std::string* stored,
                    const std::string* rebuilt) {
    if (stored != nullptr) {
      report_.set_index_entries_checked(report_.index_entries_checked() + 1);
    }
    if (stored != nullptr && rebuilt != nullptr) return;
    std::string name, value, id;
    if (!store::DecodeIndexKey(key, &name, &value, &id)) {
      Problem(absl::StrCat("the index entry ", absl::CHexEscape(key),
                           " cannot be read (damaged)"));
    } else if (rebuilt == nullptr) {
      Problem(absl::StrCat("index ", name, " lists ", id, " under \"", value,
                           "\", which its state does not call for"));
    } else {
      Problem(absl::StrCat("index ", name, " is missing ", id, " under \"",
                           value, "\""));
    }
  }

  // 4. Each stream's versions run 1, 2, 3… and its index of versions
  // agrees with the log.
  absl::Status CheckStreamIndex() {
    std::string stream;
    uint64_t version = 0;
    uint64_t rebuilt_keys = 0;
    RECTRACK_RETURN_IF_ERROR(CompareFamily(
        store_, snapshot_.get(), scratch_.get(), store::ColumnFamily::kStreams,
        [&](const std::string& key, const std::string* stored,
            const std::string* rebuilt) {
          const size_t zero = key.find('\0');
          const std::string s = key.substr(0, zero);
          const uint64_t v =
              zero != std::string::npos && key.size() == zero + 9
                  ? store::DecodeU64(absl::string_view(key).substr(zero + 1))
                  : 0;
          auto position = [](const std::string* p) {
            return p->size() == 8 ? store::DecodeU64(*p) : 0;
          };
          if (rebuilt != nullptr) {
            ++rebuilt_keys;
            if (s != stream) version = 0;
            if (v != version + 1) {
              Problem(absl::StrCat(s, " jumps from version ", version, " to ",
                                   v, " at position ", position(rebuilt)));
            }
            stream = s;
            version = v;
          }
          if (stored == nullptr) {
            Problem(absl::StrCat("the stream index of ", s,
                                 " is missing version ", v, " (position ",
                                 position(rebuilt), ")"));
          } else if (rebuilt == nullptr) {
            Problem(absl::StrCat(s, " lists version ", v, " at position ",
                                 position(stored),
                                 " but the log holds no such event"));
          } else if (*stored != *rebuilt) {
            Problem(absl::StrCat("the stream index puts version ", v, " of ", s,
                                 " at position ", position(stored),
                                 " but the log holds it at position ",
                                 position(rebuilt)));
          }
          return Tick("comparing the stream index");
        }));
    if (rebuilt_keys < report_.events_checked()) {
      Problem(absl::StrCat(report_.events_checked() - rebuilt_keys,
                           " event(s) of the log repeat a stream and version "
                           "that another event holds"));
    }
    return absl::OkStatus();
  }

  // 5. Id counters are past every id handed out.
  absl::Status CheckCounters() {
    for (EntityKind kind : {EntityKind::kReview, EntityKind::kRecommendation,
                            EntityKind::kAction, EntityKind::kPerson}) {
      const uint64_t highest = highest_[static_cast<int>(kind)];
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
    // The store's walk cannot be stopped: once stopped, the rest is skipped.
    absl::Status stopped;
    auto tick = [&] {
      if (stopped.ok()) stopped = Tick("checking stored request results");
      return stopped.ok();
    };
    RECTRACK_RETURN_IF_ERROR(store_->ForEachRequest(
        [&](const store::EventStore::RequestRecord& r) {
          if (!tick()) return;
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
          if (!tick()) return;
          const std::string what = absl::StrCat("the record of event id ",
                                                absl::CHexEscape(event_id));
          if (!position.has_value()) {
            Problem(absl::StrCat(what, " is damaged"));
          } else {
            check(*position, event_id, what);
          }
        },
        snapshot_.get()));
    return stopped;
  }

  store::EventStore* store_;
  const VerifyOptions& options_;
  std::unique_ptr<store::EventStore::Snapshot> snapshot_;
  Scratch scratch_;
  v1::VerifyResponse report_;
  uint64_t highest_[4] = {0, 0, 0, 0};  // by EntityKind
  uint64_t chain_start_ = 0;            // first event with a predecessor hash
  uint64_t last_position_ = 0;          // of the last event read
  uint64_t log_end_ = 0;                // the log's end at the snapshot
  uint64_t ticks_ = 0;                  // keys and records compared
  std::string previous_hash_;
};

// Rebuilding the projections from the log in one pass, in position order,
// in bounded memory (BoundedFold into the live store itself).
class Rebuilder {
 public:
  Rebuilder(store::EventStore* store, size_t max_entities)
      : store_(store), max_entities_(max_entities) {}

  absl::StatusOr<uint64_t> Run() {
    RECTRACK_RETURN_IF_ERROR(store_->ClearProjections());
    BoundedFold fold(store_, max_entities_);
    const uint64_t last = store_->LastPosition();
    uint64_t next = 1;
    while (true) {
      RECTRACK_ASSIGN_OR_RETURN(
          std::vector<v1::Event> page,
          store_->ReadAll(next, kMaxReadLimit, kWholeLogPageBytes));
      if (page.empty()) break;
      for (const v1::Event& e : page) {
        RECTRACK_RETURN_IF_ERROR(fold.Fold(e));
        RECTRACK_RETURN_IF_ERROR(fold.MaybeFlush());
        next = e.position() + 1;
        if (e.position() % kLogEvery == 0) {
          Log(store_->clock(), "info",
              "rebuilding state and indexes from the event log",
              {{"events_folded", static_cast<double>(e.position())},
               {"last_position", static_cast<double>(last)}});
        }
      }
    }
    RECTRACK_RETURN_IF_ERROR(fold.Finish());
    RECTRACK_RETURN_IF_ERROR(store_->MarkProjectionsCurrent());
    return next - 1;
  }

 private:
  store::EventStore* store_;
  const size_t max_entities_;
};

}  // namespace

absl::StatusOr<v1::VerifyResponse> WholeLog::Verify(
    const VerifyOptions& options) {
  return Verifier(store_, options).Run();
}

void WholeLog::RemoveLeftoverScratch(const std::string& data_dir,
                                     Clock* clock) {
  std::error_code ec;
  std::vector<std::filesystem::path> leftovers;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir, ec)) {
    if (absl::StartsWith(entry.path().filename().string(),
                         kVerifyScratchPrefix)) {
      leftovers.push_back(entry.path());
    }
  }
  for (const std::filesystem::path& path : leftovers) {
    std::filesystem::remove_all(path, ec);
    Log(clock, "info",
        "removed the scratch copy of a verify that was cut short",
        {{"path", path.string()}});
  }
}

absl::StatusOr<uint64_t> WholeLog::RebuildProjections(size_t max_entities) {
  return Rebuilder(store_, max_entities).Run();
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
