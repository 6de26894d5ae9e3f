// rectrackd's settings for the update cycle (see decide_update.cc).
#pragma once

namespace rectrack::domain {

// How this server runs the update cycle (rectrackd's settings).
struct UpdateSettings {
  // An officer's answer waits for a scrutiny user's approval before it
  // enters the record; false: it goes straight in.
  bool need_approval = true;
  // Updates are due this many days before the meeting, unless the request
  // gives a due day.
  int due_days_before_meeting = 14;
  // Leads who have not answered are reminded this many days before the
  // due day, and again on it.
  int reminder_days_before_due = 3;
};

}  // namespace rectrack::domain
