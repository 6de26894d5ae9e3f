// Queries::ListActions: actions matching every filter, one page at a time.
// Two steps: the indexes each filter has narrow the candidates (none given:
// every action), then each candidate is read and checked against every
// filter, so a page costs in proportion to what it looks at.
#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/dates.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "server/domain/action_parts.h"
#include "server/domain/derived.h"
#include "server/domain/queries.h"
#include "server/domain/stored_state.h"

namespace rectrack::domain {
namespace {

constexpr uint32_t kDefaultPageSize = 100;
constexpr uint32_t kMaxPageSize = 1000;
constexpr absl::string_view kPageTokenPrefix = "after:";

// The request's filters, checked and normalised before anything is read.
struct ActionFilter {
  const v1::ListActionsRequest* request = nullptr;
  std::string due_before, due_after;
  size_t page_size = kDefaultPageSize;
  std::string after;  // the last id of the previous page
  int due_soon_days = kDefaultDueSoonDays;
  std::optional<AsOfSpec> spec;
  std::string day;                         // the day standing is worked out on
  absl::flat_hash_set<std::string> leads;  // lower case
  std::string committee;                   // lower case
  std::vector<std::string> words;
};

absl::StatusOr<std::string> PageAfter(absl::string_view token) {
  if (token.empty()) return std::string();
  if (!absl::ConsumePrefix(&token, kPageTokenPrefix) ||
      !ParseEntityId(token, "page_token").ok()) {
    return absl::InvalidArgumentError(
        "page_token: not a token this server gave; start again without it");
  }
  return std::string(token);
}

absl::Status CheckEnums(const v1::ListActionsRequest& r) {
  if (r.status() != v1::ACTION_STATUS_UNSPECIFIED &&
      !v1::ActionStatus_IsValid(r.status())) {
    return absl::InvalidArgumentError("status: not a known action status");
  }
  if (!v1::Rag_IsValid(r.rag())) {
    return absl::InvalidArgumentError("rag: not red, amber or green");
  }
  return absl::OkStatus();
}

absl::StatusOr<ActionFilter> ReadFilter(const v1::ListActionsRequest& r,
                                        store::EventStore* store) {
  RECTRACK_RETURN_IF_ERROR(CheckEnums(r));
  ActionFilter f;
  f.request = &r;
  if (!r.due_before().empty()) {
    RECTRACK_ASSIGN_OR_RETURN(f.due_before,
                              NormalizeDate(r.due_before(), "due_before"));
  }
  if (!r.due_after().empty()) {
    RECTRACK_ASSIGN_OR_RETURN(f.due_after,
                              NormalizeDate(r.due_after(), "due_after"));
  }
  // AIP-158: a size above the maximum is read as the maximum.
  if (r.page_size() != 0) f.page_size = std::min(r.page_size(), kMaxPageSize);
  RECTRACK_ASSIGN_OR_RETURN(f.after, PageAfter(r.page_token()));
  RECTRACK_ASSIGN_OR_RETURN(f.due_soon_days, DueSoonDays(r.due_soon_days()));
  RECTRACK_ASSIGN_OR_RETURN(f.spec, ReadAsOf(r.has_as_of(), r.as_of()));
  f.day = f.spec.has_value() ? f.spec->day : Today(store);
  for (const std::string& lead : r.leads()) {
    std::string l = absl::AsciiStrToLower(Trimmed(lead));
    if (!l.empty()) f.leads.insert(std::move(l));
  }
  f.committee = absl::AsciiStrToLower(Trimmed(r.committee()));
  f.words = SearchWords(r.text());
  if (!Trimmed(r.text()).empty() && f.words.empty()) {
    return absl::InvalidArgumentError(
        "text: give at least one word of two or more letters or digits "
        "other than common words such as \"the\" and \"and\", which are "
        "not indexed");
  }
  return f;
}

// Ids of the entries, in any order.
std::vector<std::string> IdsOf(
    std::vector<std::pair<std::string, std::string>>&& entries) {
  std::vector<std::string> out;
  out.reserve(entries.size());
  for (auto& [value, id] : entries) out.push_back(std::move(id));
  return out;
}

// Every query word starts some word of `words`.
bool AllWordsMatch(const std::vector<std::string>& query,
                   const std::vector<std::string>& words) {
  for (const std::string& q : query) {
    // `words` is sorted: the first word not less than q is the candidate.
    auto it = std::lower_bound(words.begin(), words.end(), q);
    if (it == words.end() || !absl::StartsWith(*it, q)) return false;
  }
  return true;
}

// One ListActions call.
class ActionLister {
 public:
  ActionLister(store::EventStore* store, Queries* queries,
               const ActionFilter& filter)
      : store_(store), queries_(queries), f_(filter) {}

  absl::StatusOr<v1::ListActionsResponse> Page() {
    RECTRACK_RETURN_IF_ERROR(NarrowByReview());
    // As of an earlier time only the review and committee narrow (they
    // never change); the rest is checked on each action.
    if (!f_.spec.has_value()) {
      RECTRACK_RETURN_IF_ERROR(NarrowByState());
      RECTRACK_RETURN_IF_ERROR(NarrowByWords());
    }
    return Walk();
  }

 private:
  // Keeps only the candidates also in `ids` (the first call sets them).
  void Narrow(std::vector<std::string> ids) {
    if (!candidates_.has_value()) {
      candidates_.emplace(std::make_move_iterator(ids.begin()),
                          std::make_move_iterator(ids.end()));
      return;
    }
    absl::flat_hash_set<std::string> kept;
    for (std::string& id : ids) {
      if (candidates_->contains(id)) kept.insert(std::move(id));
    }
    candidates_ = std::move(kept);
  }
  absl::StatusOr<std::vector<std::string>> Range(absl::string_view name,
                                                 absl::string_view from,
                                                 absl::string_view to) {
    RECTRACK_ASSIGN_OR_RETURN(auto entries,
                              store_->ScanIndexRange(name, from, to));
    return IdsOf(std::move(entries));
  }
  // Narrows by `name` ∈ [from, to) plus, if `also_name` is given, every id
  // under `also_name` = `also_value`.
  absl::Status NarrowRange(absl::string_view name, absl::string_view from,
                           absl::string_view to,
                           absl::string_view also_name = "",
                           absl::string_view also_value = "") {
    RECTRACK_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                              Range(name, from, to));
    if (!also_name.empty()) {
      RECTRACK_ASSIGN_OR_RETURN(auto more,
                                store_->ScanIndex(also_name, also_value));
      ids.insert(ids.end(), more.begin(), more.end());
    }
    Narrow(std::move(ids));
    return absl::OkStatus();
  }

  absl::Status NarrowByReview() {
    const v1::ListActionsRequest& r = *f_.request;
    if (!r.review_id().empty()) {
      RECTRACK_ASSIGN_OR_RETURN(
          auto ids, store_->ScanIndex("action_by_review", r.review_id()));
      Narrow(std::move(ids));
    }
    if (!f_.committee.empty()) {
      RECTRACK_ASSIGN_OR_RETURN(
          auto reviews, store_->ScanIndex("review_by_committee", f_.committee));
      std::vector<std::string> ids;
      for (const std::string& review : reviews) {
        RECTRACK_ASSIGN_OR_RETURN(
            auto part, store_->ScanIndex("action_by_review", review));
        ids.insert(ids.end(), part.begin(), part.end());
      }
      Narrow(std::move(ids));
    }
    return absl::OkStatus();
  }

  absl::Status NarrowByState() {
    const v1::ListActionsRequest& r = *f_.request;
    if (!f_.leads.empty()) {
      std::vector<std::string> ids;
      for (const std::string& lead : f_.leads) {
        RECTRACK_ASSIGN_OR_RETURN(auto part,
                                  store_->ScanIndex("action_by_lead", lead));
        ids.insert(ids.end(), part.begin(), part.end());
      }
      Narrow(std::move(ids));
    }
    if (r.status() != v1::ACTION_STATUS_UNSPECIFIED) {
      RECTRACK_ASSIGN_OR_RETURN(
          auto ids, store_->ScanIndex("action_by_status",
                                      v1::ActionStatus_Name(r.status())));
      Narrow(std::move(ids));
    }
    const std::string& day = f_.day;
    const std::string soon_end = AddDays(day, f_.due_soon_days + 1);
    if (r.overdue()) {
      RECTRACK_RETURN_IF_ERROR(NarrowRange("open_action_by_due", "", day));
    }
    if (r.due_soon()) {
      RECTRACK_RETURN_IF_ERROR(
          NarrowRange("open_action_by_due", day, soon_end));
    }
    if (!f_.due_before.empty()) {
      RECTRACK_RETURN_IF_ERROR(NarrowRange("action_by_due", "", f_.due_before));
    }
    if (!f_.due_after.empty()) {
      RECTRACK_RETURN_IF_ERROR(NarrowRange("action_by_due", f_.due_after, ""));
    }
    if (r.rag() == v1::RAG_RED) {
      RECTRACK_RETURN_IF_ERROR(
          NarrowRange("open_action_by_due", "", day, "action_by_status",
                      v1::ActionStatus_Name(v1::ACTION_STATUS_BLOCKED)));
    } else if (r.rag() == v1::RAG_AMBER) {
      RECTRACK_RETURN_IF_ERROR(NarrowRange("open_action_by_due", day, soon_end,
                                           "open_action_revised_twice", ""));
    }
    return absl::OkStatus();
  }

  // A word matches an action through its own text or its recommendation's.
  absl::Status NarrowByWords() {
    for (const std::string& word : f_.words) {
      RECTRACK_ASSIGN_OR_RETURN(
          auto ids, store_->ScanIndexValuePrefix("action_by_word", word));
      std::vector<std::string> found = IdsOf(std::move(ids));
      RECTRACK_ASSIGN_OR_RETURN(
          auto recs, store_->ScanIndexValuePrefix("rec_by_word", word));
      for (const auto& [value, rec_id] : recs) {
        RECTRACK_ASSIGN_OR_RETURN(v1::Recommendation rec,
                                  queries_->GetRecommendation(rec_id));
        found.insert(found.end(), rec.action_ids().begin(),
                     rec.action_ids().end());
      }
      Narrow(std::move(found));
    }
    return absl::OkStatus();
  }

  // The candidates in id order after the page token. With no index to
  // narrow them, walks the ids themselves: they are numbered densely, so a
  // page costs the same wherever it starts.
  absl::Status StartWalk() {
    if (candidates_.has_value()) {
      ids_.assign(candidates_->begin(), candidates_->end());
      std::sort(ids_.begin(), ids_.end(), EntityIdLess);
      return absl::OkStatus();
    }
    RECTRACK_ASSIGN_OR_RETURN(
        last_number_,
        store_->CurrentSequence(std::string(KindPrefix(EntityKind::kAction))));
    if (!f_.after.empty()) {
      RECTRACK_ASSIGN_OR_RETURN(EntityId parsed,
                                ParseEntityId(f_.after, "page_token"));
      next_number_ = parsed.number + 1;
    }
    return absl::OkStatus();
  }
  std::optional<std::string> NextId() {
    if (!candidates_.has_value()) {
      if (next_number_ > last_number_) return std::nullopt;
      return MakeEntityId(EntityKind::kAction, next_number_++);
    }
    while (next_index_ < ids_.size()) {
      const std::string& id = ids_[next_index_++];
      if (f_.after.empty() || EntityIdLess(f_.after, id)) return id;
    }
    return std::nullopt;
  }

  absl::StatusOr<v1::ListActionsResponse> Walk() {
    RECTRACK_RETURN_IF_ERROR(StartWalk());
    v1::ListActionsResponse response;
    while (std::optional<std::string> id = NextId()) {
      RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                                store_->GetState(*id));
      if (!bytes.has_value()) continue;  // an id handed out, never stored
      RECTRACK_ASSIGN_OR_RETURN(v1::Action action,
                                ParseState<v1::Action>(*id, *bytes));
      if (f_.spec.has_value()) {
        absl::StatusOr<v1::Action> then = queries_->ActionAsOf(action, f_.spec);
        if (absl::IsNotFound(then.status())) continue;  // not yet added
        if (!then.ok()) return then.status();
        action = ParentOf(*then);  // as lists show it now
      }
      *action.mutable_standing() = StandingOn(action, f_.day, f_.due_soon_days);
      RECTRACK_ASSIGN_OR_RETURN(bool matches, Matches(action));
      if (!matches) continue;
      if (static_cast<size_t>(response.actions_size()) == f_.page_size) {
        response.set_next_page_token(
            absl::StrCat(kPageTokenPrefix,
                         response.actions(response.actions_size() - 1).id()));
        break;
      }
      *response.add_actions() = std::move(action);
    }
    return response;
  }

  // Every filter on the action's own state and standing.
  bool MatchesState(const v1::Action& action) const {
    const v1::ListActionsRequest& r = *f_.request;
    const v1::ActionStanding& standing = action.standing();
    const std::string& due = action.timescale().latest();
    if ((!r.review_id().empty() && action.review_id() != r.review_id()) ||
        (r.status() != v1::ACTION_STATUS_UNSPECIFIED &&
         action.status() != r.status()) ||
        (r.overdue() && !standing.overdue()) ||
        (r.due_soon() && !standing.due_soon()) ||
        (r.rag() != v1::RAG_UNSPECIFIED && standing.rag() != r.rag()) ||
        (!f_.due_before.empty() && (due.empty() || due >= f_.due_before)) ||
        (!f_.due_after.empty() && (due.empty() || due < f_.due_after))) {
      return false;
    }
    return f_.leads.empty() ||
           std::any_of(
               action.leads().begin(), action.leads().end(),
               [&](const std::string& l) {
                 return f_.leads.contains(absl::AsciiStrToLower(Trimmed(l)));
               });
  }

  absl::StatusOr<bool> Matches(const v1::Action& action) {
    if (!MatchesState(action)) return false;
    if (!f_.committee.empty()) {
      auto it = committee_of_.find(action.review_id());
      if (it == committee_of_.end()) {
        RECTRACK_ASSIGN_OR_RETURN(v1::Review review,
                                  queries_->GetReview(action.review_id()));
        it = committee_of_
                 .emplace(action.review_id(),
                          absl::AsciiStrToLower(Trimmed(review.committee())))
                 .first;
      }
      if (it->second != f_.committee) return false;
    }
    if (f_.words.empty()) return true;
    auto it = rec_words_.find(action.recommendation_id());
    if (it == rec_words_.end()) {
      RECTRACK_ASSIGN_OR_RETURN(
          v1::Recommendation rec,
          queries_->GetRecommendation(action.recommendation_id()));
      it = rec_words_
               .emplace(action.recommendation_id(), SearchWords(rec.text()))
               .first;
    }
    std::vector<std::string> all = SearchWords(action.text());
    all.insert(all.end(), it->second.begin(), it->second.end());
    std::sort(all.begin(), all.end());
    return AllWordsMatch(f_.words, all);
  }

  store::EventStore* store_;
  Queries* queries_;
  const ActionFilter& f_;
  std::optional<absl::flat_hash_set<std::string>> candidates_;
  std::vector<std::string> ids_;  // sorted candidates
  size_t next_index_ = 0;
  uint64_t next_number_ = 1, last_number_ = 0;  // the dense walk
  absl::flat_hash_map<std::string, std::string> committee_of_;  // by review
  absl::flat_hash_map<std::string, std::vector<std::string>> rec_words_;
};

}  // namespace

absl::StatusOr<v1::ListActionsResponse> Queries::ListActions(
    const v1::ListActionsRequest& request) {
  // Check every filter before reading anything.
  if (!request.review_id().empty()) {
    RECTRACK_RETURN_IF_ERROR(GetReview(request.review_id()).status());
  }
  RECTRACK_ASSIGN_OR_RETURN(ActionFilter filter, ReadFilter(request, store_));
  return ActionLister(store_, this, filter).Page();
}

}  // namespace rectrack::domain
