// rectrackd: the rectrack server.
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/log.h"
#include "google/protobuf/stubs/logging.h"
#include "server/service/server.h"
#include "server/service/tokens.h"

namespace {

constexpr char kUsage[] = R"(rectrackd - the rectrack server

Keeps every recommendation, response, action and progress update of your
scrutiny reviews as events in an embedded database, and serves them over
gRPC to the rectrack command-line tool and to other systems.

Usage: rectrackd [options]
       rectrackd token add NAME --role ROLE [--lead NAME]... [--data-dir DIR]
       rectrackd token list [--data-dir DIR]
       rectrackd token revoke NAME [--data-dir DIR]

Options (each may also come from an environment variable or a config file):
  --listen HOST:PORT   address to serve on (default 127.0.0.1:50051; port 0
                       picks a free port)                   RECTRACK_LISTEN
  --data-dir DIR       where the database lives (default ./data; created if
                       missing); one rectrackd at a time   RECTRACK_DATA_DIR
  --config FILE        read settings from FILE: lines "listen = ..." and
                       "data-dir = ...", # for comments     RECTRACK_CONFIG
  --port-file FILE     once listening, write the port number to FILE
  --restore-from DIR   first restore the latest backup in DIR (made by
                       rectrack admin backup) into --data-dir, which must be
                       missing or empty
  --tls-cert FILE      serve TLS with this PEM certificate chain ...
  --tls-key FILE       ... and this PEM private key   RECTRACK_TLS_CERT/KEY
  --tls-client-ca FILE mutual TLS: clients must present a certificate
                       signed by this PEM CA          RECTRACK_TLS_CLIENT_CA
  --allow-plaintext    serve without TLS on an address other than loopback
                       (only behind a TLS proxy on the same machine)
  --http-listen HOST:PORT  also serve HTTP/1.1 for browsers and scripts: the
                       Connect protocol (POST /rectrack.v1.Tracker/METHOD
                       with JSON), gRPC-Web, /healthz and /metrics. Off by
                       default; the same TLS, token and loopback rules as
                       --listen                        RECTRACK_HTTP_LISTEN
  --http-port-file FILE  once listening, write the HTTP port number to FILE
  --http-static DIR    serve the files in DIR on the HTTP port (a web page)
  --http-cors-origins LIST  comma-separated origins whose pages may call
                       the HTTP port (CORS), e.g. https://intranet.example
  --updates-need-approval true|false  whether an officer's answer to an
                       update request waits for a scrutiny user's approval
                       before it enters the record (default true); false:
                       it goes straight in   RECTRACK_UPDATES_NEED_APPROVAL
  --update-due-days N  updates asked before a meeting are due N days before
                       it unless the request says (default 14)
                                             RECTRACK_UPDATE_DUE_DAYS
  --reminder-days N    leads who have not answered are reminded N days
                       before the due day and on it (default 3)
                                             RECTRACK_REMINDER_DAYS
  --smtp-url URL       send the update cycle's mail (requests, reminders,
                       digests) through this mail server: smtp://HOST:PORT
                       (STARTTLS when offered; required with --smtp-user,
                       so a password never goes in clear) or
                       smtps://HOST:PORT (TLS from the start). Unset: no
                       mail is sent, and rectrack updates outbox shows what
                       would be
                                             RECTRACK_SMTP_URL
  --smtp-from ADDRESS  the address mail comes from   RECTRACK_SMTP_FROM
  --smtp-user NAME     log in to the mail server as NAME ...
                                             RECTRACK_SMTP_USER
  --smtp-password-file FILE  ... with the password in FILE (first line)
                                             RECTRACK_SMTP_PASSWORD_FILE
  --smtp-ca-file FILE  trust mail servers whose TLS certificate is signed by
                       a CA in this PEM file (a council's own CA) instead of
                       the system's CAs             RECTRACK_SMTP_CA_FILE
  --help               show this help

A flag beats the environment, which beats the config file (where the keys
are the option names without "--", e.g. "tls-cert = /etc/rectrack/cert.pem").

Access:
  With no access tokens, rectrackd lets anyone in, and only on a loopback
  address (127.0.0.1, ::1, localhost). Once a token exists, every call needs
  one (clients: rectrack --token, or RECTRACK_TOKEN). On any other address
  it needs TLS (or --allow-plaintext) and serves nobody until a token exists.

  rectrackd token add NAME --role ROLE   prints a new token once; only a
                       salted hash is kept, in DATA_DIR/tokens. The running
                       server picks up added and revoked tokens at once.
  Roles: viewer (read), officer (read; progress and status on actions led by
  its --lead names), scrutiny (read and every change), admin (everything,
  with verify and backup). NAME is recorded as the author of every change
  made with the token; under mutual TLS, a client certificate whose common
  name is NAME gets that token's role and is recorded by its subject.

For tests only, never in service (not read from the environment or a
config file):
  --test-clock-file FILE  take the time from FILE (one line such as
                       2026-11-30T09:00:00Z, re-read whenever the server
                       needs the time) instead of the system clock, and look
                       for mail to send every 0.2 s, so a test can move a
                       running server's day. rectrackd will not start if
                       FILE cannot be read or holds no such time.

Logs go to stderr, one JSON object per line: start and stop, and one line
per call (method, status, duration_ms, and the caller's x-request-id).

Stop it with Ctrl-C or SIGTERM: calls in progress finish and the database
is closed cleanly.
)";

// Options that take a value (without "--"); also the config file's keys,
// except port-file, http-port-file, restore-from and test-clock-file.
const std::set<std::string> kValueFlags = {
    "listen",          "data-dir",
    "port-file",       "restore-from",
    "tls-cert",        "tls-key",
    "tls-client-ca",   "http-listen",
    "http-static",     "http-cors-origins",
    "http-port-file",  "updates-need-approval",
    "update-due-days", "reminder-days",
    "smtp-url",        "smtp-from",
    "smtp-user",       "smtp-password-file",
    "smtp-ca-file",    "test-clock-file"};

rectrack::Clock* clock_for_logs() { return rectrack::RealClock::Get(); }

int Fail(const std::string& message) {
  rectrack::Log(clock_for_logs(), "error", message);
  return 1;
}

// Settings from a config file: "key = value" lines.
bool ReadConfig(const std::string& path,
                std::map<std::string, std::string>* settings,
                std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = absl::StrCat("cannot read the config file ", path);
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::string t(absl::StripAsciiWhitespace(line));
    if (t.empty() || t[0] == '#') continue;
    size_t eq = t.find('=');
    std::string key(absl::StripAsciiWhitespace(t.substr(0, eq)));
    if (eq == std::string::npos ||
        (!kValueFlags.count(key) && key != "allow-plaintext") ||
        key == "port-file" || key == "restore-from" ||
        key == "http-port-file" || key == "test-clock-file") {
      *error = absl::StrCat(
          path, " line ", n,
          ": expected \"KEY = VALUE\" with KEY one of listen, data-dir, "
          "tls-cert, tls-key, tls-client-ca, allow-plaintext, http-listen, "
          "http-static, http-cors-origins, updates-need-approval, "
          "update-due-days, reminder-days, smtp-url, smtp-from, smtp-user, "
          "smtp-password-file, smtp-ca-file");
      return false;
    }
    (*settings)[key] =
        std::string(absl::StripAsciiWhitespace(t.substr(eq + 1)));
  }
  return true;
}

}  // namespace

namespace {

int TokenUsage(const std::string& why) {
  std::fprintf(stderr, "error: %s; see rectrackd --help\n", why.c_str());
  return 2;
}

int TokenFailed(const absl::Status& status) {
  std::fprintf(stderr, "error: %s\n", std::string(status.message()).c_str());
  return 1;
}

int TokenList(const std::string& data_dir) {
  auto entries = rectrack::service::ReadTokens(data_dir);
  if (!entries.ok()) return TokenFailed(entries.status());
  if (entries->empty()) {
    struct stat st {};
    const bool had_tokens =
        stat(rectrack::service::TokensPath(data_dir).c_str(), &st) == 0;
    std::printf(had_tokens ? "no tokens in %s: every token has been revoked, "
                             "so rectrackd refuses every call until one is "
                             "added\n"
                           : "no tokens in %s: rectrackd is open on loopback "
                             "only\n",
                data_dir.c_str());
  }
  for (const auto& e : *entries) {
    std::printf("%-24s %-9s created %s%s%s\n", e.name.c_str(),
                rectrack::service::RoleName(e.role), e.created.c_str(),
                e.leads.empty() ? "" : "  leads: ",
                absl::StrJoin(e.leads, "; ").c_str());
  }
  return 0;
}

int TokenRevoke(const std::string& name, const std::string& data_dir) {
  absl::StatusOr<size_t> left = rectrack::service::RevokeToken(data_dir, name);
  if (!left.ok()) return TokenFailed(left.status());
  std::printf("revoked %s; a running rectrackd refuses it from now on\n",
              name.c_str());
  if (*left == 0) {
    std::printf(
        "That was the last token: rectrackd now refuses every call (it does "
        "not open up again). Add one with: rectrackd token add NAME --role "
        "ROLE --data-dir %s\n",
        data_dir.c_str());
  }
  return 0;
}

int TokenAdd(const std::string& name, const std::string& role_name,
             const std::vector<std::string>& leads,
             const std::string& data_dir) {
  if (role_name.empty()) {
    return TokenUsage("token add needs --role viewer|officer|scrutiny|admin");
  }
  absl::StatusOr<rectrack::service::Role> role =
      rectrack::service::ParseRole(role_name);
  if (!role.ok()) return TokenUsage(std::string(role.status().message()));
  absl::StatusOr<std::string> token = rectrack::service::AddToken(
      data_dir, name, *role, leads,
      absl::FormatTime(absl::RFC3339_sec, clock_for_logs()->Now(),
                       absl::UTCTimeZone()));
  if (!token.ok()) return TokenFailed(token.status());
  // The token alone on stdout, so scripts can capture it; the advice on
  // stderr.
  std::printf("%s\n", token->c_str());
  std::fprintf(stderr,
               "This is the only time the token for %s (%s) is shown: keep "
               "it secret and give it to its user, who passes it with "
               "rectrack --token or RECTRACK_TOKEN.\n",
               name.c_str(), role_name.c_str());
  return 0;
}

}  // namespace

// rectrackd token add|list|revoke.
int TokenCommand(const std::vector<std::string>& args,
                 const std::string& data_dir) {
  if (args.empty())
    return TokenUsage("say token add, token list or token revoke");
  const std::string& verb = args[0];
  if (verb == "list") {
    if (args.size() != 1) return TokenUsage("token list takes no name");
    return TokenList(data_dir);
  }
  if (verb != "add" && verb != "revoke") {
    return TokenUsage(absl::StrCat("unknown token command \"", verb, "\""));
  }
  std::string name, role_name;
  std::vector<std::string> leads;
  for (size_t i = 1; i < args.size(); ++i) {
    if ((args[i] == "--role" || args[i] == "--lead") && verb == "add") {
      if (i + 1 >= args.size()) return TokenUsage(args[i] + " needs a value");
      if (args[i] == "--role") {
        role_name = args[i + 1];
      } else {
        leads.push_back(args[i + 1]);
      }
      ++i;
    } else if (absl::StartsWith(args[i], "--")) {
      return TokenUsage(
          absl::StrCat(args[i], " does not apply to token ", verb));
    } else if (name.empty()) {
      name = args[i];
    } else {
      return TokenUsage(absl::StrCat("token ", verb, " takes one name"));
    }
  }
  if (name.empty()) {
    return TokenUsage(absl::StrCat("token ", verb, " needs NAME"));
  }
  return verb == "revoke" ? TokenRevoke(name, data_dir)
                          : TokenAdd(name, role_name, leads, data_dir);
}

// Protobuf's own messages (for instance about a request whose text is not
// UTF-8, which rectrackd refuses naming the field) go into the JSON log
// instead of as bare "libprotobuf ERROR" lines among it.
void LogFromProtobuf(google::protobuf::LogLevel level, const char* filename,
                     int line, const std::string& message) {
  const char* severity = level == google::protobuf::LOGLEVEL_INFO ? "info"
                         : level == google::protobuf::LOGLEVEL_WARNING
                             ? "warning"
                             : "error";
  rectrack::Log(clock_for_logs(), severity, "protobuf: " + message,
                {{"source", absl::StrCat(filename, ":", line)}});
}

// An existing data directory that others may read is closed to them: it
// holds the council's data and the token file.
void CloseDataDir(const std::string& data_dir) {
  struct stat st {};
  if (stat(data_dir.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
  if (chmod(data_dir.c_str(), st.st_mode & 0700) == 0) {
    rectrack::Log(clock_for_logs(), "info",
                  "the data directory was open to other users of this "
                  "machine; it is now readable by rectrackd's user only",
                  {{"data_dir", data_dir}});
  }
}

// The command line: "--name value" or "--name=value" options into `flags`,
// and for "rectrackd token ..." the words after "token" into `token_args`.
// Returns an exit code to stop with, or nothing to go on.
std::optional<int> ParseFlags(int argc, char** argv, bool token_command,
                              std::map<std::string, std::string>* flags_out,
                              std::vector<std::string>* token_args_out) {
  std::map<std::string, std::string>& flags = *flags_out;
  std::vector<std::string>& token_args = *token_args_out;
  for (int i = token_command ? 2 : 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--allow-plaintext" && !token_command) {
      flags["allow-plaintext"] = "true";
      continue;
    }
    if (token_command && !absl::StartsWith(arg, "--data-dir") &&
        !absl::StartsWith(arg, "--config")) {
      token_args.push_back(arg);
      continue;
    }
    std::string value;
    bool has_value = false;
    if (size_t eq = arg.find('=');
        absl::StartsWith(arg, "--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    if (!kValueFlags.count(arg.substr(2)) && arg != "--config") {
      return Fail(
          absl::StrCat("unknown option \"", arg, "\"; see rectrackd --help"));
    }
    if (!has_value) {
      if (i + 1 >= argc) {
        return Fail(absl::StrCat(arg, " needs a value; see rectrackd --help"));
      }
      value = argv[++i];
    }
    flags[arg.substr(2)] = value;
  }

  return std::nullopt;
}

// Config file, then environment, then flags: later wins.
std::optional<int> ReadSettings(const std::map<std::string, std::string>& flags,
                                std::map<std::string, std::string>* out) {
  std::map<std::string, std::string>& settings = *out;
  const char* config_env = std::getenv("RECTRACK_CONFIG");
  std::string config = flags.count("config")   ? flags.at("config")
                       : config_env != nullptr ? config_env
                                               : "";
  std::string error;
  if (!config.empty() && !ReadConfig(config, &settings, &error)) {
    return Fail(error);
  }
  for (auto [key, env] :
       {std::make_pair("listen", "RECTRACK_LISTEN"),
        std::make_pair("data-dir", "RECTRACK_DATA_DIR"),
        std::make_pair("tls-cert", "RECTRACK_TLS_CERT"),
        std::make_pair("tls-key", "RECTRACK_TLS_KEY"),
        std::make_pair("tls-client-ca", "RECTRACK_TLS_CLIENT_CA"),
        std::make_pair("http-listen", "RECTRACK_HTTP_LISTEN"),
        std::make_pair("updates-need-approval",
                       "RECTRACK_UPDATES_NEED_APPROVAL"),
        std::make_pair("update-due-days", "RECTRACK_UPDATE_DUE_DAYS"),
        std::make_pair("reminder-days", "RECTRACK_REMINDER_DAYS"),
        std::make_pair("smtp-url", "RECTRACK_SMTP_URL"),
        std::make_pair("smtp-from", "RECTRACK_SMTP_FROM"),
        std::make_pair("smtp-user", "RECTRACK_SMTP_USER"),
        std::make_pair("smtp-password-file", "RECTRACK_SMTP_PASSWORD_FILE"),
        std::make_pair("smtp-ca-file", "RECTRACK_SMTP_CA_FILE")}) {
    if (const char* v = std::getenv(env); v != nullptr && *v != '\0') {
      settings[key] = v;
    }
  }
  for (const auto& [key, value] : flags) settings[key] = value;
  return std::nullopt;
}

// Writes `port` to `path` (if given) in one step: readers see all or none.
void WritePortFile(const std::string& path, int port) {
  if (path.empty()) return;
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}

// updates-need-approval and update-due-days.
std::optional<int> ReadUpdateSettings(
    std::map<std::string, std::string>& settings,
    rectrack::domain::UpdateSettings* out) {
  if (settings.count("updates-need-approval")) {
    const std::string& v = settings["updates-need-approval"];
    if (v != "true" && v != "false") {
      return Fail(
          absl::StrCat("updates-need-approval must be true or false, "
                       "not \"",
                       v, "\""));
    }
    out->need_approval = v == "true";
  }
  for (auto [key, field] :
       {std::make_pair("update-due-days", &out->due_days_before_meeting),
        std::make_pair("reminder-days", &out->reminder_days_before_due)}) {
    if (!settings.count(key)) continue;
    int days = 0;
    if (!absl::SimpleAtoi(settings[key], &days) || days < 0 || days > 365) {
      return Fail(absl::StrCat(key,
                               " must be a number of days from 0 to 365, "
                               "not \"",
                               settings[key], "\""));
    }
    *field = days;
  }
  return std::nullopt;
}

// smtp-url, smtp-from, smtp-user, smtp-password-file, smtp-ca-file.
std::optional<int> ReadMailSettings(
    std::map<std::string, std::string>& settings,
    rectrack::service::MailOptions* out) {
  out->smtp_url = settings["smtp-url"];
  out->from = settings["smtp-from"];
  out->user = settings["smtp-user"];
  out->ca_file = settings["smtp-ca-file"];
  if (const std::string& file = settings["smtp-password-file"]; !file.empty()) {
    std::ifstream in(file);
    if (!in || !std::getline(in, out->password)) {
      return Fail(absl::StrCat("cannot read the mail password from ", file));
    }
    out->password =
        std::string(absl::StripTrailingAsciiWhitespace(out->password));
  }
  return std::nullopt;
}

// --test-clock-file: the server's clock is the file's, and the mailer looks
// at the outbox often, since a test moves the time in jumps.
std::optional<int> ReadTestClock(std::map<std::string, std::string>& settings,
                                 std::unique_ptr<rectrack::FileClock>* clock,
                                 rectrack::service::ServerOptions* options) {
  if (!settings.count("test-clock-file")) return std::nullopt;
  auto opened = rectrack::FileClock::Open(settings["test-clock-file"]);
  if (!opened.ok()) return Fail(std::string(opened.status().message()));
  *clock = *std::move(opened);
  options->clock = clock->get();
  options->mail.poll = absl::Milliseconds(200);
  options->mail.first_retry = absl::Milliseconds(200);
  options->mail.max_retry = absl::Seconds(1);
  rectrack::Log(clock_for_logs(), "warning",
                "the time comes from a test clock file, not the system "
                "clock: for tests only",
                {{"file", settings["test-clock-file"]}});
  return std::nullopt;
}

// Runs the server until SIGINT or SIGTERM.
int Serve(std::map<std::string, std::string>& settings) {
  rectrack::service::ServerOptions options;
  options.access_log = true;
  if (settings.count("listen")) options.listen = settings["listen"];
  if (settings.count("data-dir")) options.data_dir = settings["data-dir"];
  if (settings.count("restore-from")) {
    options.restore_from = settings["restore-from"];
  }
  options.tls_cert = settings["tls-cert"];
  options.tls_key = settings["tls-key"];
  options.tls_client_ca = settings["tls-client-ca"];
  options.http_listen = settings["http-listen"];
  options.http_static = settings["http-static"];
  for (absl::string_view origin : absl::StrSplit(settings["http-cors-origins"],
                                                 ',', absl::SkipWhitespace())) {
    options.http_cors_origins.emplace_back(absl::StripAsciiWhitespace(origin));
  }
  if (settings.count("allow-plaintext")) {
    if (settings["allow-plaintext"] != "true" &&
        settings["allow-plaintext"] != "false") {
      return Fail("allow-plaintext in the config file must be true or false");
    }
    options.allow_plaintext = settings["allow-plaintext"] == "true";
  }
  if (auto stop = ReadUpdateSettings(settings, &options.updates)) {
    return *stop;
  }
  if (auto stop = ReadMailSettings(settings, &options.mail)) return *stop;
  std::unique_ptr<rectrack::FileClock> test_clock;  // outlives the server
  if (auto stop = ReadTestClock(settings, &test_clock, &options)) return *stop;

  // Signals are taken by sigwait below, so block them in every thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = rectrack::service::Server::Start(options);
  if (!server.ok()) {
    return Fail(std::string(server.status().message()));
  }
  // The HTTP port first: a reader of --port-file may then read both.
  WritePortFile(settings["http-port-file"], (*server)->http_port());
  WritePortFile(settings["port-file"], (*server)->port());
  rectrack::Log(clock_for_logs(), "info", "serving",
                {{"address", (*server)->address()},
                 {"http_port", static_cast<double>((*server)->http_port())},
                 {"data_dir", options.data_dir},
                 {"access", (*server)->access_summary()}});

  int sig = 0;
  sigwait(&signals, &sig);
  rectrack::Log(clock_for_logs(), "info",
                "stopping; finishing calls in progress",
                {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  (*server)->Shutdown();
  rectrack::Log(clock_for_logs(), "info", "stopped; database closed cleanly");
  return 0;
}

int main(int argc, char** argv) {
  // Whatever the umask of whoever starts it, what rectrackd writes (the
  // database, the token file, backups) is its user's alone: directories
  // 0700, files 0600.
  umask(077);
  google::protobuf::SetLogHandler(LogFromProtobuf);
  const bool token_command = argc > 1 && std::string(argv[1]) == "token";
  std::map<std::string, std::string> flags, settings;
  std::vector<std::string> token_args;
  if (auto stop = ParseFlags(argc, argv, token_command, &flags, &token_args)) {
    return *stop;
  }
  if (auto stop = ReadSettings(flags, &settings)) return *stop;
  const std::string data_dir =
      settings.count("data-dir") ? settings["data-dir"] : "./data";
  CloseDataDir(data_dir);
  if (token_command) return TokenCommand(token_args, data_dir);
  return Serve(settings);
}
