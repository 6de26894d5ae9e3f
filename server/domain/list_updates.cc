// Reads of the update cycle: the directory of people and the updates asked
// of leads.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "server/domain/derived.h"
#include "server/domain/queries.h"
#include "server/domain/stored_state.h"

namespace rectrack::domain {

absl::StatusOr<v1::ListPeopleResponse> Queries::ListPeople() {
  RECTRACK_ASSIGN_OR_RETURN(auto stored, store_->ScanState("person-"));
  v1::ListPeopleResponse response;
  for (const auto& [id, bytes] : stored) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Person person,
                              ParseState<v1::Person>(id, bytes));
    *response.add_people() = std::move(person);
  }
  std::sort(response.mutable_people()->begin(),
            response.mutable_people()->end(),
            [](const v1::Person& a, const v1::Person& b) {
              return EntityIdLess(a.id(), b.id());
            });
  return response;
}

absl::StatusOr<v1::ListUpdatesResponse> Queries::ListUpdates(
    const v1::ListUpdatesRequest& request) {
  std::vector<std::string> ids;
  for (v1::UpdateStatus status :
       {v1::UPDATE_STATUS_OPEN, v1::UPDATE_STATUS_ANSWERED,
        v1::UPDATE_STATUS_APPROVED, v1::UPDATE_STATUS_RETURNED}) {
    if (request.status() != v1::UPDATE_STATUS_UNSPECIFIED &&
        request.status() != status) {
      continue;
    }
    RECTRACK_ASSIGN_OR_RETURN(std::vector<std::string> found,
                              store_->ScanIndex("action_by_update_status",
                                                v1::UpdateStatus_Name(status)));
    ids.insert(ids.end(), found.begin(), found.end());
  }
  std::sort(ids.begin(), ids.end(), EntityIdLess);
  v1::ListUpdatesResponse response;
  response.set_day(DayOf(store_->clock()->Now()));
  const std::string lead = Trimmed(request.lead());
  for (const std::string& id : ids) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Action action, GetAction(id));
    if (!request.review_id().empty() &&
        action.review_id() != Trimmed(request.review_id())) {
      continue;
    }
    if (!lead.empty() &&
        std::none_of(action.leads().begin(), action.leads().end(),
                     [&](const std::string& l) {
                       return absl::EqualsIgnoreCase(Trimmed(l), lead);
                     })) {
      continue;
    }
    const bool overdue = UpdateOverdue(action.update_request(), response.day());
    if (request.overdue() && !overdue) continue;
    action.mutable_update_request()->set_overdue(overdue);
    *response.add_actions() = std::move(action);
  }
  return response;
}

}  // namespace rectrack::domain
