#include "server/domain/as_of.h"

#include <algorithm>
#include <utility>

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

bool Includes(const AsOfSpec& spec, const v1::Event& e) {
  if (spec.effective) return EffectiveDay(e) <= spec.day;
  return TimeFromProto(e.recorded_at()) <= spec.at;
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

std::string EventDay(const std::optional<AsOfSpec>& spec, const v1::Event& e) {
  return spec.has_value() && spec->effective
             ? EffectiveDay(e)
             : DayOf(TimeFromProto(e.recorded_at()));
}

absl::StatusOr<EntityStates> FoldStreams(
    store::EventStore* store, const std::vector<std::string>& streams,
    const std::optional<AsOfSpec>& spec, std::vector<v1::Event>* folded) {
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
  EntityStates states;
  for (v1::Event& e : events) {
    if (spec.has_value() && !Includes(*spec, e)) continue;
    if (!CreatesEntity(e) && !HasEntity(states, e.stream())) continue;
    RECTRACK_RETURN_IF_ERROR(FoldEvent(e, &states));
    if (folded != nullptr) folded->push_back(std::move(e));
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
