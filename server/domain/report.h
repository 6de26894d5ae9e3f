// The committee report of one review (see rectrack.v1.Report): every
// recommendation with its response timing and actions, the summary, the
// changes since the last report-back and the status-over-time timeline,
// now or as of an earlier instant.
#pragma once

#include "absl/status/statusor.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/domain/queries.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

// Builds the report of `request.review_id`. `store` and `queries` are not
// owned and must outlive the call.
absl::StatusOr<v1::Report> BuildReport(store::EventStore* store,
                                       Queries* queries,
                                       const v1::GetReportRequest& request);

}  // namespace rectrack::domain
