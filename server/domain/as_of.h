// Reading state as of an earlier instant, on either time axis (see
// rectrack.v1.AsOf): which events count by then, and folding a few streams
// up to that point. Shared by queries.cc and report.cc.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/domain/fold.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

// A past instant to read state at (see v1::AsOf).
struct AsOfSpec {
  absl::Time at;
  bool effective = false;
  std::string day;  // the UTC day of `at`
};

// The request's as-of, if `has`; INVALID_ARGUMENT naming the field if it
// is malformed.
absl::StatusOr<std::optional<AsOfSpec>> ReadAsOf(bool has,
                                                 const v1::AsOf& as_of);

// The day an event counts from on the effective axis: its effective date
// where it has one, else the day it was recorded.
std::string EffectiveDay(const v1::Event& e);

// The day each of `events` (one consistent set of streams in log order)
// counts from in effective-date views: its EffectiveDay, or earlier when a
// later change depends on it (each change was decided on the state before
// it, so what it depended on had happened by then): later status changes
// of the same entity, anything later on the entity for its creation, a
// child's creation for its parent's status, and a sign-off for its
// actions' status. Folding by these days never shows a combination the
// rules forbid.
std::vector<std::string> ViewDays(const std::vector<v1::Event>& events);

// The day an event counts from on `spec`'s axis (recorded when none).
std::string EventDay(const std::optional<AsOfSpec>& spec, const v1::Event& e);

// Folds the events of `streams`, merged in log order, that `spec` includes
// (all of them when there is no spec). Events committed after the call
// starts are left out, so the streams are read as one consistent cut. On
// the effective axis events count by ViewDays. The events folded are
// appended to `folded`, and their ViewDays to `folded_days`, if given.
absl::StatusOr<EntityStates> FoldStreams(
    store::EventStore* store, const std::vector<std::string>& streams,
    const std::optional<AsOfSpec>& spec,
    std::vector<v1::Event>* folded = nullptr,
    std::vector<std::string>* folded_days = nullptr);

// NOT_FOUND: the `kind` `id` did not exist yet at `spec`.
absl::Status NotYet(absl::string_view kind, const std::string& id,
                    const AsOfSpec& spec);

// The "due soon" window a request asks for (0: the default), at most ten
// years.
absl::StatusOr<int> DueSoonDays(uint32_t requested);

// Today by the store's clock, "YYYY-MM-DD" (UTC).
std::string Today(store::EventStore* store);

}  // namespace rectrack::domain
