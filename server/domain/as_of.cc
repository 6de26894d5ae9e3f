#include "server/domain/as_of.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "server/domain/derived.h"

namespace rectrack::domain {
namespace {

std::string DescribeAsOf(const AsOfSpec& spec) {
  return spec.effective
             ? absl::StrCat("by ", spec.day, " (effective dates)")
             : absl::StrCat("at ", absl::FormatTime(absl::RFC3339_sec, spec.at,
                                                    absl::UTCTimeZone()));
}

bool Includes(const AsOfSpec& spec, const v1::Event& e,
              const std::string& view_day) {
  if (spec.effective) return view_day <= spec.day;
  return TimeFromProto(e.recorded_at()) <= spec.at;
}

// Changes that the rules check against the entity's status.
bool SetsStatus(const v1::Event& e) {
  switch (e.payload().kind_case()) {
    case v1::EventPayload::kResponseRecorded:
    case v1::EventPayload::kRecommendationStatusSet:
    case v1::EventPayload::kActionStatusSet:
    case v1::EventPayload::kRecordCorrected:
    case v1::EventPayload::kReviewClosed:
      return true;
    default:
      return false;
  }
}

bool SignsOff(const v1::Event& e) {
  const v1::EventPayload& p = e.payload();
  return (p.has_recommendation_status_set() &&
          p.recommendation_status_set().status() ==
              v1::RECOMMENDATION_STATUS_SIGNED_OFF) ||
         (p.has_record_corrected() &&
          p.record_corrected().recommendation_status() ==
              v1::RECOMMENDATION_STATUS_SIGNED_OFF);
}

// The entity a creation event's entity belongs to.
std::string ParentOf(const v1::Event& e) {
  const v1::EventPayload& p = e.payload();
  if (p.has_recommendation_added()) return p.recommendation_added().review_id();
  if (p.has_action_added()) return p.action_added().recommendation_id();
  return "";
}

bool CreatesEntity(const v1::Event& e) {
  switch (e.payload().kind_case()) {
    case v1::EventPayload::kReviewOpened:
    case v1::EventPayload::kRecommendationAdded:
    case v1::EventPayload::kActionAdded:
      return true;
    default:
      return false;
  }
}

bool HasEntity(const EntityStates& s, const std::string& id) {
  return s.reviews.contains(id) || s.recommendations.contains(id) ||
         s.actions.contains(id);
}

}  // namespace

absl::StatusOr<std::optional<AsOfSpec>> ReadAsOf(bool has,
                                                 const v1::AsOf& as_of) {
  if (!has) return std::nullopt;
  if (!v1::TimeAxis_IsValid(as_of.axis())) {
    return absl::InvalidArgumentError(
        "as_of.axis: not a known axis (recorded or effective)");
  }
  if (!as_of.has_at()) {
    return absl::InvalidArgumentError(
        "as_of.at is required when as_of is given");
  }
  AsOfSpec spec;
  spec.at = TimeFromProto(as_of.at());
  spec.effective = as_of.axis() == v1::TIME_AXIS_EFFECTIVE;
  spec.day = DayOf(spec.at);
  return spec;
}

std::string EffectiveDay(const v1::Event& e) {
  return e.effective_on().empty() ? DayOf(TimeFromProto(e.recorded_at()))
                                  : e.effective_on();
}

std::vector<std::string> ViewDays(const std::vector<v1::Event>& events) {
  absl::flat_hash_map<std::string, std::vector<std::string>> actions_of;
  for (const v1::Event& e : events) {
    if (e.payload().has_action_added()) {
      actions_of[ParentOf(e)].push_back(e.stream());
    }
  }
  // The earliest day of any later change that depends on, respectively,
  // the entity's status so far and its existence.
  absl::flat_hash_map<std::string, std::string> status_by, exists_by;
  auto lower = [](absl::flat_hash_map<std::string, std::string>& m,
                  const std::string& id, const std::string& day) {
    auto [it, inserted] = m.emplace(id, day);
    if (!inserted && day < it->second) it->second = day;
  };
  auto bound = [](const absl::flat_hash_map<std::string, std::string>& m,
                  const std::string& id,
                  const std::string& day) -> std::string {
    auto it = m.find(id);
    return it != m.end() && it->second < day ? it->second : day;
  };
  std::vector<std::string> days(events.size());
  for (size_t i = events.size(); i-- > 0;) {
    const v1::Event& e = events[i];
    std::string day = EffectiveDay(e);
    if (SetsStatus(e)) day = bound(status_by, e.stream(), day);
    if (CreatesEntity(e)) {
      day = bound(exists_by, e.stream(), bound(status_by, e.stream(), day));
      if (std::string parent = ParentOf(e); !parent.empty()) {
        lower(status_by, parent, day);
        lower(exists_by, parent, day);
      }
    }
    if (SetsStatus(e)) lower(status_by, e.stream(), day);
    lower(exists_by, e.stream(), day);
    if (SignsOff(e)) {
      for (const std::string& action : actions_of[e.stream()]) {
        lower(status_by, action, day);
        lower(exists_by, action, day);
      }
    }
    days[i] = std::move(day);
  }
  return days;
}

std::string EventDay(const std::optional<AsOfSpec>& spec, const v1::Event& e) {
  return spec.has_value() && spec->effective
             ? EffectiveDay(e)
             : DayOf(TimeFromProto(e.recorded_at()));
}

absl::StatusOr<EntityStates> FoldStreams(
    store::EventStore* store, const std::vector<std::string>& streams,
    const std::optional<AsOfSpec>& spec, std::vector<v1::Event>* folded,
    std::vector<std::string>* folded_days) {
  const uint64_t cut = store->LastPosition();
  std::vector<v1::Event> events;
  for (const std::string& stream : streams) {
    RECTRACK_ASSIGN_OR_RETURN(std::vector<v1::Event> part,
                              store->ReadStream(stream));
    for (v1::Event& e : part) {
      if (e.position() <= cut) events.push_back(std::move(e));
    }
  }
  std::sort(events.begin(), events.end(),
            [](const v1::Event& a, const v1::Event& b) {
              return a.position() < b.position();
            });
  // ViewDays only where they are used: the effective axis, or a caller
  // that asks for them (the report).
  const bool effective = spec.has_value() && spec->effective;
  std::vector<std::string> days;
  if (effective || folded_days != nullptr) days = ViewDays(events);
  EntityStates states;
  for (size_t i = 0; i < events.size(); ++i) {
    v1::Event& e = events[i];
    if (spec.has_value() &&
        !Includes(*spec, e, effective ? days[i] : std::string())) {
      continue;
    }
    if (!CreatesEntity(e) && !HasEntity(states, e.stream())) continue;
    RECTRACK_RETURN_IF_ERROR(FoldEvent(e, &states));
    if (folded != nullptr) folded->push_back(std::move(e));
    if (folded_days != nullptr) folded_days->push_back(std::move(days[i]));
  }
  return states;
}

absl::Status NotYet(absl::string_view kind, const std::string& id,
                    const AsOfSpec& spec) {
  return absl::NotFoundError(
      absl::StrCat(kind, " ", id, " did not exist yet ", DescribeAsOf(spec)));
}

absl::StatusOr<int> DueSoonDays(uint32_t requested) {
  constexpr uint32_t kMaxDueSoonDays = 3660;
  if (requested > kMaxDueSoonDays) {
    return absl::InvalidArgumentError(absl::StrCat(
        "due_soon_days: at most ", kMaxDueSoonDays, " (ten years)"));
  }
  return requested == 0 ? kDefaultDueSoonDays : static_cast<int>(requested);
}

std::string Today(store::EventStore* store) {
  return DayOf(store->clock()->Now());
}

}  // namespace rectrack::domain
