// A rectrackd child process for the crash and load programs, and the
// admin token they use.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace rectrack::testing {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

// Resident memory of process `pid` in MiB: now (VmRSS) and at its peak
// (VmHWM).
inline std::pair<double, double> MemoryMiB(pid_t pid) {
  std::string status = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  auto field = [&](const std::string& name) {
    size_t at = status.find(name + ":");
    return at == std::string::npos
               ? 0.0
               : std::atof(status.c_str() + at + name.size() + 1) / 1024.0;
  };
  return {field("VmRSS"), field("VmHWM")};
}

// Makes a token of `role` (with `--lead LEAD` when given) in `data_dir` with
// `rectrackd token add`; "" if that failed.
inline std::string AddToken(const std::string& rectrackd,
                            const std::string& data_dir,
                            const std::string& name, const std::string& role,
                            const std::string& lead = "") {
  std::string command =
      absl::StrCat(rectrackd, " token add ", name, " --role ", role,
                   lead.empty() ? "" : absl::StrCat(" --lead '", lead, "'"),
                   " --data-dir ", data_dir, " 2>/dev/null");
  FILE* out = popen(command.c_str(), "r");
  char line[256] = {0};
  if (out == nullptr) return "";
  bool read = fgets(line, sizeof line, out) != nullptr;
  pclose(out);
  return read ? std::string(absl::StripAsciiWhitespace(line)) : "";
}

inline std::string AddAdminToken(const std::string& rectrackd,
                                 const std::string& data_dir,
                                 const std::string& name) {
  return AddToken(rectrackd, data_dir, name, "admin");
}

// rectrackd on a free loopback port with its database in DIR/data (or
// `data_dir`) and its log in DIR/rectrackd.log.
class Daemon {
 public:
  Daemon(std::string binary, std::string dir, std::string data_dir = "")
      : binary_(std::move(binary)),
        dir_(std::move(dir)),
        data_dir_(data_dir.empty() ? dir_ + "/data" : std::move(data_dir)) {}

  // `extra` options follow the usual ones (e.g. {"--http-listen",
  // "127.0.0.1:0"}; the HTTP port is then in http_port()).
  bool Start(const std::vector<std::string>& extra = {}) {
    Launch(extra);
    return WaitReady();
  }

  // Starts the process without waiting for it to serve (to kill it during
  // start-up, say); WaitReady waits.
  void Launch(const std::vector<std::string>& extra = {}) {
    std::string port_file = dir_ + "/port";
    std::string http_port_file = dir_ + "/http-port";
    unlink(port_file.c_str());
    unlink(http_port_file.c_str());
    std::vector<std::string> args = {
        binary_,       "--listen", "127.0.0.1:0",      "--data-dir",  data_dir_,
        "--port-file", port_file,  "--http-port-file", http_port_file};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open((dir_ + "/rectrackd.log").c_str(),
                    O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, 2);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary_.c_str(), argv.data());
      _exit(127);
    }
  }

  bool WaitReady() {
    std::string port_file = dir_ + "/port";
    std::string http_port_file = dir_ + "/http-port";
    for (int i = 0; i < 600; ++i) {
      std::string port = ReadFile(port_file);
      if (!port.empty()) {
        address_ = absl::StrCat("127.0.0.1:", absl::StripAsciiWhitespace(port));
        http_port_ = std::atoi(ReadFile(http_port_file).c_str());
        return true;
      }
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  void Kill9() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  // Stops every thread with SIGSTOP and returns once all have stopped. A
  // thread inside a system call (an fsync, say) stops only when the call
  // has returned, before the process can act on what it returned.
  void Freeze() {
    kill(pid_, SIGSTOP);
    waitpid(pid_, nullptr, WUNTRACED);
  }
  // Stops with SIGTERM; returns the wait status (see waitpid).
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    return status;
  }
  // True while the process has not exited.
  bool Running() const { return waitpid(pid_, nullptr, WNOHANG) == 0; }
  const std::string& address() const { return address_; }
  // 0 unless started with --http-listen.
  int http_port() const { return http_port_; }
  pid_t pid() const { return pid_; }

 private:
  std::string binary_, dir_, data_dir_, address_;
  pid_t pid_ = -1;
  int http_port_ = 0;
};

}  // namespace rectrack::testing
