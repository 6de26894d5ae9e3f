// tests/smtp_server.py (Debian's python3-aiosmtpd) on loopback as a child
// process of a mail test, and the messages it has taken.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rectrack::testing {

// The header `name` of a message as Received() gives it ("" if missing);
// smtp_server.py adds X-Envelope-To, X-Auth-User and X-Encrypted.
inline std::string Header(const std::string& stored, const std::string& name) {
  const std::string message = "\r\n" + stored;
  size_t at = message.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return message.substr(at, message.find("\r\n", at) - at);
}

// The SMTP server of `script` (tests/smtp_server.py), storing each message
// it takes as FOLDER/NNNN.eml. Stopped when it goes out of scope.
class SmtpServer {
 public:
  SmtpServer(std::string script, std::string folder)
      : script_(std::move(script)), folder_(std::move(folder)) {
    std::filesystem::create_directories(folder_);
  }
  ~SmtpServer() { Stop(); }
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  // Starts it on `port` (0: a free one) with `options` of smtp_server.py
  // (e.g. {"--starttls", "--cert", ...}); its port, or 0 if it did not
  // start within 10 s.
  int Start(int port = 0, const std::vector<std::string>& options = {}) {
    const std::string port_file = folder_ + "/smtp.port";
    std::filesystem::remove(port_file);
    std::vector<std::string> args = {"python3", script_, folder_, port_file,
                                     std::to_string(port)};
    args.insert(args.end(), options.begin(), options.end());
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv("/usr/bin/python3", argv.data());
      _exit(127);
    }
    for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = 0;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::atoi(Read(port_file).c_str());
  }

  // SIGTERM and wait. Idempotent.
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = 0;
    }
  }

  // The messages taken so far, in the order they came.
  std::vector<std::string> Received() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(folder_)) {
      if (e.path().extension() == ".eml") names.push_back(e.path().string());
    }
    std::sort(names.begin(), names.end());
    std::vector<std::string> out;
    out.reserve(names.size());
    for (const auto& n : names) out.push_back(Read(n));
    return out;
  }

  // Waits (up to 30 s) until `count` messages have come; returns those
  // there are then.
  std::vector<std::string> AwaitMail(size_t count) const {
    for (int i = 0; i < 600 && Received().size() < count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return Received();
  }

 private:
  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  const std::string script_, folder_;
  pid_t pid_ = 0;
};

}  // namespace rectrack::testing
