// The fixture of the end-to-end CLI tests (cli_test.cc, cli_import_test.cc,
// cli_server_test.cc): the real rectrackd process on a free port with its
// own data directory, driven by the real rectrack CLI.
#pragma once

#include <fcntl.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "tests/daemon.h"
#include "tests/test_util.h"

namespace rectrack::cli_test {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `binary` with `args` in a child process: stdout to `out` and
// stderr to `err` (files, appended; "" leaves them as they are), with
// `env` ("NAME=value") added to the environment. Returns the child's pid.
inline pid_t Spawn(const char* binary, const std::vector<std::string>& args,
                   const std::string& out, const std::string& err,
                   const std::vector<std::string>& env = {}) {
  pid_t pid = fork();
  if (pid != 0) return pid;
  for (auto [path, fd] : {std::make_pair(&out, 1), std::make_pair(&err, 2)}) {
    if (!path->empty()) {
      dup2(open(path->c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644), fd);
    }
  }
  for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
  std::vector<std::string> all = {binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(binary, argv.data());
  _exit(127);
}

// Waits for child `pid`; its exit code, or -1 if it did not exit normally.
inline int ExitCode(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A rectrackd child process.
class Daemon {
 public:
  explicit Daemon(std::string data_dir) : data_dir_(std::move(data_dir)) {}
  ~Daemon() { Stop(); }

  // Starts the server and waits until it reports its port. Returns false
  // (with the server's stderr in `error()`) if it exits instead. The suite
  // runs with access control on: the first start makes an admin token
  // (with rectrackd token add), which token() returns.
  bool Start(std::vector<std::string> extra_args = {}, bool with_token = true) {
    if (with_token && token_.empty()) {
      static std::atomic<int> made{0};
      token_ = testing::AddAdminToken(RECTRACKD, data_dir_,
                                      absl::StrCat("test-admin-", ++made));
      if (token_.empty()) return false;
    }
    port_file_ = data_dir_ + ".port";
    log_file_ = data_dir_ + ".log";
    unlink(port_file_.c_str());
    std::vector<std::string> args = {"--listen", "127.0.0.1:0", "--data-dir",
                                     data_dir_,  "--port-file", port_file_};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    pid_ = Spawn(RECTRACKD, args, log_file_, log_file_);
    for (int i = 0; i < 600; ++i) {
      std::string port = ReadFile(port_file_);
      if (!port.empty()) {
        port_ = std::stoi(port);
        return true;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // SIGTERM and wait; returns the exit code.
  int Stop() { return Signal(SIGTERM); }
  int Kill9() { return Signal(SIGKILL); }

  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  const std::string& token() const { return token_; }
  // Calls with `token` instead of making one at the first start.
  void set_token(std::string token) { token_ = std::move(token); }
  // Uses `other`'s tokens (the running server picks them up at once).
  void ShareTokens(const Daemon& other) {
    std::filesystem::create_directories(data_dir_);
    std::filesystem::copy_file(
        other.data_dir_ + "/tokens", data_dir_ + "/tokens",
        std::filesystem::copy_options::overwrite_existing);
    token_ = other.token_;
  }
  // A channel to this server with its admin token.
  std::shared_ptr<grpc::Channel> Channel() const {
    client::ConnectOptions options;
    options.token = token_;
    return client::Connect(address(), options);
  }
  std::string log() const { return ReadFile(log_file_); }
  int exit_status() const { return exit_status_; }

 private:
  int Signal(int sig) {
    if (pid_ <= 0) {
      return exit_status_;
    }
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_status_;
  }

  std::string data_dir_;
  std::string token_;
  std::string port_file_;
  std::string log_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_status_ = -1;
};

struct CliResult {
  int exit_code;
  std::string out;
  std::string err;
  // The last line of stdout (where created ids go).
  std::string LastLine() const {
    std::vector<std::string> lines =
        absl::StrSplit(absl::StripSuffix(out, "\n"), '\n');
    return lines.empty() ? "" : lines.back();
  }
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(dir_.Sub("data"));
    ASSERT_TRUE(daemon_->Start()) << daemon_->log();
  }

  // Runs the CLI against the test server with `args`.
  CliResult Cli(std::vector<std::string> args, bool with_server = true) {
    if (with_server) {
      args.push_back("--server");
      args.push_back(daemon_->address());
    }
    std::string out = dir_.Sub("cli.out");
    std::string err = dir_.Sub("cli.err");
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    std::vector<std::string> env;
    if (daemon_ != nullptr && !daemon_->token().empty()) {
      env.push_back("RECTRACK_TOKEN=" + daemon_->token());
    }
    int code = ExitCode(Spawn(RECTRACK_CLI, args, out, err, env));
    return {code, ReadFile(out), ReadFile(err)};
  }

  // Runs a command that must succeed; returns the id on its last line.
  std::string Created(std::vector<std::string> args) {
    CliResult r = Cli(std::move(args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.LastLine();
  }

  testing::TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
};

}  // namespace rectrack::cli_test
