// SMTP through libcurl (Debian's libcurl4-openssl-dev): a well-kept client
// that speaks SMTP, STARTTLS, SMTPS and the usual authentication methods,
// so rectrack writes none of that itself.
#include "server/service/mailer.h"

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "common/log.h"

namespace rectrack::service {
namespace {

// A header value, encoded (RFC 2047) when it is not plain ASCII.
std::string HeaderText(const std::string& s) {
  const bool ascii = std::all_of(s.begin(), s.end(), [](char ch) {
    return static_cast<unsigned char>(ch) < 0x80 && ch != '\r' && ch != '\n';
  });
  if (ascii) return s;
  return absl::StrCat("=?UTF-8?B?", absl::Base64Escape(s), "?=");
}

// Stable across restarts: the same message has the same Message-ID.
std::string MessageId(const std::string& key) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : key) {
    h = (h ^ ch) * 1099511628211ULL;
  }
  return absl::StrFormat("<%016x.rectrack@%s>", h, "localhost");
}

std::string MessageText(const MailOptions& options, const v1::OutboxMessage& m,
                        absl::Time now) {
  std::string body = absl::StrReplaceAll(m.body(), {{"\r\n", "\n"}});
  body = absl::StrReplaceAll(body, {{"\n", "\r\n"}});
  // A line of a single "." would end the message early in SMTP; libcurl
  // escapes it, but say so here rather than rely on it silently.
  return absl::StrCat(
      "Date: ",
      absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", now, absl::UTCTimeZone()),
      "\r\nFrom: <", options.from, ">\r\nTo: ", HeaderText(m.recipient()), " <",
      m.to(), ">\r\nSubject: ", HeaderText(m.subject()),
      "\r\nMessage-ID: ", MessageId(m.key()),
      "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8"
      "\r\nContent-Transfer-Encoding: 8bit\r\nX-Rectrack-Message: ",
      m.key(), "\r\n\r\n", body);
}

struct Upload {
  std::string data;
  size_t pos = 0;
};

size_t ReadUpload(char* out, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, up->data.size() - up->pos);
  up->data.copy(out, n, up->pos);
  up->pos += n;
  return n;
}

// What an officer can do about the commonest failures, in plain words.
std::string FailureAdvice(CURLcode result, const MailOptions& options) {
  switch (result) {
    case CURLE_LOGIN_DENIED:
      return absl::StrCat(": it refused the user name \"", options.user,
                          "\" or its password (smtp-user, "
                          "smtp-password-file)");
    case CURLE_SSL_CACERT_BADFILE:
      return absl::StrCat(": ", options.ca_file,
                          " (smtp-ca-file) holds no CA certificate in PEM "
                          "form, so the mail server could not be checked "
                          "and nothing was sent");
    case CURLE_PEER_FAILED_VERIFICATION:
      return absl::StrCat(
          ": its TLS certificate is not trusted, so nothing was sent; if the "
          "council signs its own certificates, give its CA with "
          "smtp-ca-file",
          options.ca_file.empty()
              ? ""
              : absl::StrCat(" (now ", options.ca_file, ")"));
    case CURLE_USE_SSL_FAILED:
      return ": it does not offer STARTTLS, and rectrackd never sends a "
             "password in clear";
    default:
      return "";
  }
}

}  // namespace

absl::Status CheckMailOptions(const MailOptions& o) {
  if (o.smtp_url.empty()) return absl::OkStatus();
  if (!absl::StartsWith(o.smtp_url, "smtp://") &&
      !absl::StartsWith(o.smtp_url, "smtps://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "smtp-url: \"", o.smtp_url,
        "\" is not a mail server address; give smtp://HOST:PORT or "
        "smtps://HOST:PORT"));
  }
  if (o.from.empty() || o.from.find('@') == std::string::npos) {
    return absl::InvalidArgumentError(
        "smtp-from: give the address mail is sent from, e.g. "
        "scrutiny@council.gov.uk");
  }
  if (!o.ca_file.empty() && access(o.ca_file.c_str(), R_OK) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "smtp-ca-file: cannot read ", o.ca_file,
        "; give the PEM file of the CA that signed the mail server's "
        "certificate"));
  }
  if (!o.password.empty() && o.user.empty()) {
    return absl::InvalidArgumentError(
        "smtp-user: a password was given without the user it belongs to");
  }
  return absl::OkStatus();
}

absl::Status SendMail(const MailOptions& options, const v1::OutboxMessage& m,
                      absl::Time now) {
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("libcurl did not start");
  Upload upload{MessageText(options, m, now)};
  const std::string from = absl::StrCat("<", options.from, ">");
  curl_slist* rcpt =
      curl_slist_append(nullptr, absl::StrCat("<", m.to(), ">").c_str());
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, options.smtp_url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  // A password never crosses the network in clear: when rectrackd logs in,
  // STARTTLS is required (a server that does not offer it is refused);
  // otherwise it is used when the server offers it. smtps:// is TLS from
  // the start either way.
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   options.user.empty() ? static_cast<long>(CURLUSESSL_TRY)
                                        : static_cast<long>(CURLUSESSL_ALL));
  if (!options.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
  }
  if (!options.user.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, options.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options.password.c_str());
  }
  const CURLcode result = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  if (result != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(
        "the mail server at ", options.smtp_url, " did not take the message",
        FailureAdvice(result, options), " (",
        error[0] != '\0' ? error : curl_easy_strerror(result), ")"));
  }
  return absl::OkStatus();
}

Mailer::Mailer(domain::Tracker* tracker, MailOptions options, Clock* clock)
    : tracker_(tracker), options_(std::move(options)), clock_(clock) {}

Mailer::~Mailer() { Stop(); }

void Mailer::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Mailer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool Mailer::SendDue() {
  absl::StatusOr<v1::ListOutboxResponse> outbox =
      tracker_->ListOutbox(v1::ListOutboxRequest());
  if (!outbox.ok()) {
    Log(clock_, "warning", "mail: cannot read the outbox",
        {{"error", std::string(outbox.status().message())}});
    return false;
  }
  for (const v1::OutboxMessage& m : outbox->messages()) {
    if (m.sent() || m.to().empty()) continue;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return true;
    }
    if (absl::Status s = SendMail(options_, m, clock_->Now()); !s.ok()) {
      Log(clock_, "warning", "mail: not sent; will try again",
          {{"message", m.key()}, {"error", std::string(s.message())}});
      return false;
    }
    // The mail server has it: record that, retry-safe by its key.
    v1::ApplyRequest record;
    record.set_request_id(absl::StrCat("mail/", m.key()));
    v1::RecordMessageSent* sent =
        record.add_commands()->mutable_record_message_sent();
    sent->set_key(m.key());
    sent->set_review_id(m.review_id());
    sent->set_to(m.to());
    sent->set_subject(m.subject());
    sent->set_body(m.body());
    absl::StatusOr<v1::ApplyResponse> recorded =
        tracker_->ApplyAndWait(record, "rectrackd mail");
    if (!recorded.ok()) {
      Log(clock_, "warning", "mail: sent, but not recorded as sent",
          {{"message", m.key()},
           {"error", std::string(recorded.status().message())}});
      return false;
    }
    Log(clock_, "info", "mail: sent", {{"message", m.key()}, {"to", m.to()}});
  }
  return true;
}

void Mailer::Loop() {
  absl::Duration wait = options_.poll;
  absl::Duration retry = options_.first_retry;
  while (true) {
    if (SendDue()) {
      retry = options_.first_retry;
      wait = options_.poll;
    } else {
      wait = retry;
      retry = std::min(retry * 2, options_.max_retry);
    }
    absl::MutexLock lock(&mu_);
    auto stopping = [this]()
                        ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopping), wait);
    if (stopping_) return;
  }
}

}  // namespace rectrack::service
