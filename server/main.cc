// rectrackd: the rectrack server.
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "server/service/server.h"

namespace {

constexpr char kUsage[] = R"(rectrackd - the rectrack server

Keeps every recommendation, response, action and progress update of your
scrutiny reviews as events in an embedded database, and serves them over
gRPC to the rectrack command-line tool and to other systems.

Usage: rectrackd [options]

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
  --help               show this help

A flag beats the environment, which beats the config file.

Logs go to stderr, one JSON object per line: start and stop, and one line
per call (method, status, duration_ms, and the caller's x-request-id).

Stop it with Ctrl-C or SIGTERM: calls in progress finish and the database
is closed cleanly.
)";

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
    if (eq == std::string::npos || (key != "listen" && key != "data-dir")) {
      *error = absl::StrCat(path, " line ", n,
                            ": expected \"listen = HOST:PORT\" or "
                            "\"data-dir = DIR\"");
      return false;
    }
    (*settings)[key] =
        std::string(absl::StripAsciiWhitespace(t.substr(eq + 1)));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    std::string value;
    bool has_value = false;
    if (size_t eq = arg.find('=');
        absl::StartsWith(arg, "--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    if (arg != "--listen" && arg != "--data-dir" && arg != "--port-file" &&
        arg != "--restore-from" && arg != "--config") {
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

  // Config file, then environment, then flags: later wins.
  std::map<std::string, std::string> settings;
  const char* config_env = std::getenv("RECTRACK_CONFIG");
  std::string config = flags.count("config")   ? flags["config"]
                       : config_env != nullptr ? config_env
                                               : "";
  std::string error;
  if (!config.empty() && !ReadConfig(config, &settings, &error)) {
    return Fail(error);
  }
  for (auto [key, env] : {std::make_pair("listen", "RECTRACK_LISTEN"),
                          std::make_pair("data-dir", "RECTRACK_DATA_DIR")}) {
    if (const char* v = std::getenv(env); v != nullptr && *v != '\0') {
      settings[key] = v;
    }
  }
  for (const auto& [key, value] : flags) settings[key] = value;

  rectrack::service::ServerOptions options;
  options.access_log = true;
  if (settings.count("listen")) options.listen = settings["listen"];
  if (settings.count("data-dir")) options.data_dir = settings["data-dir"];
  if (settings.count("restore-from")) {
    options.restore_from = settings["restore-from"];
  }

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
  if (settings.count("port-file")) {
    std::string tmp = settings["port-file"] + ".tmp";
    {
      std::ofstream out(tmp);
      out << (*server)->port() << "\n";
    }
    std::rename(tmp.c_str(), settings["port-file"].c_str());
  }
  rectrack::Log(clock_for_logs(), "info", "serving",
                {{"address", (*server)->address()},
                 {"data_dir", options.data_dir},
                 {"authentication",
                  "none: anyone who can reach this address can change the "
                  "tracker"}});

  int sig = 0;
  sigwait(&signals, &sig);
  rectrack::Log(clock_for_logs(), "info",
                "stopping; finishing calls in progress",
                {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
  (*server)->Shutdown();
  rectrack::Log(clock_for_logs(), "info", "stopped; database closed cleanly");
  return 0;
}
