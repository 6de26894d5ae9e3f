// rectrackd: the rectrack server.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/service/server.h"

namespace {

constexpr char kUsage[] = R"(rectrackd - the rectrack server

Keeps every recommendation, response, action and progress update of your
scrutiny reviews as events in an embedded database, and serves them over
gRPC to the rectrack command-line tool and to other systems.

Usage: rectrackd [options]

Options:
  --listen HOST:PORT   address to serve on (default 127.0.0.1:50051;
                       port 0 picks a free port)
  --data-dir DIR       where the database lives (default ./data; created
                       if missing). Only one rectrackd may use it at a time.
    --port-file FILE     once listening, write the port number to FILE
  --restore-from DIR   before starting, restore the latest backup in DIR
                       (made by rectrack admin backup) into --data-dir,
                       which must be missing or empty
  --help               show this help

Stop it with Ctrl-C or SIGTERM: calls in progress finish and the database
is closed cleanly.
)";

int Fail(const std::string& message) {
  std::fprintf(stderr, "rectrackd: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  rectrack::service::ServerOptions options;
  std::string port_file;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (auto eq = arg.find('=');
        absl::StartsWith(arg, "--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto take = [&]() -> bool {
      if (has_value) {
        return true;
      }
      if (i + 1 >= argc) {
        return false;
      }
      value = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--listen" || arg == "--data-dir" ||
               arg == "--port-file" || arg == "--restore-from") {
      if (!take()) {
        return Fail(absl::StrCat(arg, " needs a value; see rectrackd --help"));
      }
      if (arg == "--listen") {
        options.listen = value;
      } else if (arg == "--data-dir") {
        options.data_dir = value;
      } else if (arg == "--restore-from") {
        options.restore_from = value;
      } else {
        port_file = value;
      }
    } else {
      return Fail(
          absl::StrCat("unknown option \"", arg, "\"; see rectrackd --help"));
    }
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
  if (!port_file.empty()) {
    std::string tmp = port_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << (*server)->port() << "\n";
    }
    std::rename(tmp.c_str(), port_file.c_str());
  }
  std::fprintf(stderr,
               "rectrackd: serving on %s with the database in %s "
               "(no authentication: reachable only as this address allows)\n",
               (*server)->address().c_str(), options.data_dir.c_str());

  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr,
               "rectrackd: stopping (%s); finishing calls in progress\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Shutdown();
  std::fprintf(stderr, "rectrackd: stopped; database closed cleanly\n");
  return 0;
}
