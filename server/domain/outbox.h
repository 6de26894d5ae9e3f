// The outbox of the update cycle: which messages are due, worked out from
// the stored state (itself a fold of the log) and the day, and which were
// sent (RecordMessageSent events). Nothing here sends mail; the mailer in
// server/service does, and records each message it sent.
#pragma once

#include "absl/status/statusor.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/domain/queries.h"
#include "server/domain/update_settings.h"
#include "server/store/event_store.h"

namespace rectrack::domain {

// Due and unsent messages on today's date (the store's clock) first, then
// the sent ones:
//   request   to each lead once updates are asked of them for a meeting,
//             listing their actions with text, target, last update and how
//             to answer (CLI and API);
//   reminder  to each lead with updates still unanswered, `settings`' N days
//             before the due day and on it;
//   digest    to the one who asked (by name in the directory of people), on
//             the due day, of what is outstanding and what waits for
//             approval.
absl::StatusOr<v1::ListOutboxResponse> BuildOutbox(
    store::EventStore* store, Queries* queries,
    const v1::ListOutboxRequest& request, const UpdateSettings& settings);

}  // namespace rectrack::domain
