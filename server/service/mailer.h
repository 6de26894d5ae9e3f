// The mailer: sends the update cycle's messages (requests, reminders,
// digests) that the outbox says are due, through an SMTP server, and
// records each one sent as an event. It works from the log alone: what is
// due is worked out from the stored state and the day, and what was sent
// is a RecordMessageSent event, so a restart neither sends a message again
// nor forgets one. It runs on a thread of its own and only ever calls the
// tracker like any other client, so a mail server that is down (retried
// with back-off) never holds up a write.
#pragma once

#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "rectrack/v1/domain.pb.h"
#include "server/domain/tracker.h"

namespace rectrack::service {

struct MailOptions {
  // smtp://HOST:PORT (STARTTLS when the server offers it; required when a
  // user is given) or smtps://HOST:PORT (TLS from the start). Empty:
  // no mail is sent (the outbox still shows what is due).
  std::string smtp_url;
  // The sender's address, e.g. scrutiny@council.gov.uk. Required with a URL.
  std::string from;
  // Authentication, when the mail server asks for it.
  std::string user;
  std::string password;
  // How often the outbox is looked at (real time; what is due depends on
  // the day on the server's clock).
  absl::Duration poll = absl::Seconds(30);
  // After a failed send, the wait before trying again doubles from
  // `first_retry` up to `max_retry`.
  absl::Duration first_retry = absl::Seconds(1);
  absl::Duration max_retry = absl::Minutes(5);
  // PEM file of the CAs the mail server's TLS certificate is checked
  // against (a council's own CA); empty: the system's.
  std::string ca_file;
};

// INVALID_ARGUMENT naming the setting when `options` cannot work.
absl::Status CheckMailOptions(const MailOptions& options);

// Sends `message` (to message.to()) through the SMTP server of `options`,
// dated `now`. UNAVAILABLE with the mail server's words when it fails.
absl::Status SendMail(const MailOptions& options,
                      const v1::OutboxMessage& message, absl::Time now);

class Mailer {
 public:
  // `tracker` and `clock` are not owned and must outlive the mailer.
  Mailer(domain::Tracker* tracker, MailOptions options, Clock* clock);
  ~Mailer();  // stops

  void Start();
  // Finishes the message being sent, if any, and stops. Idempotent.
  void Stop();

 private:
  void Loop();
  // Sends every message due; false if one failed (the rest wait).
  bool SendDue();

  domain::Tracker* tracker_;
  const MailOptions options_;
  Clock* clock_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace rectrack::service
