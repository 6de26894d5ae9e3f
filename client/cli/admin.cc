// rectrack health, admin verify and admin backup: for the people who run
// rectrackd.
#include <grpcpp/generic/generic_stub.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/rpc.h"

namespace rectrack::cli {
namespace {

// grpc.health.v1.Health/Check, which needs no token: for container and
// service-manager health checks.
absl::Status Health(Context& ctx) {
  grpc::GenericStub generic(ctx.channel);
  grpc::Slice empty("", 0);  // HealthCheckRequest{service: ""}
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer reply;
  absl::Notification done;
  grpc::Status status;
  grpc::ClientContext call;
  call.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  generic.UnaryCall(&call, "/grpc.health.v1.Health/Check", grpc::StubOptions(),
                    &request, &reply, [&](grpc::Status s) {
                      status = std::move(s);
                      done.Notify();
                    });
  done.WaitForNotification();
  if (!status.ok()) {
    return Call(ctx, [&](grpc::ClientContext*) { return status; });
  }
  std::vector<grpc::Slice> slices;
  reply.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  // HealthCheckResponse{status: SERVING} is field 1 = 1.
  if (bytes != std::string("\x08\x01", 2)) {
    return absl::UnavailableError(
        "rectrackd is running but not serving (it is stopping)");
  }
  std::cout << "serving\n";
  return absl::OkStatus();
}

// What verify found, as text (or JSON with --json); DATA_LOSS if anything
// differs.
absl::Status PrintVerifyReport(Context& ctx, const v1::VerifyResponse& report) {
  std::string text = absl::StrCat(
      "Checked ", report.events_checked(), " events, ",
      report.entities_checked(), " reviews, recommendations and actions, ",
      report.index_entries_checked(), " index entries and ",
      report.requests_checked(), " stored request results.\n");
  for (const std::string& p : report.problems()) {
    absl::StrAppend(&text, "problem: ", p, "\n");
  }
  absl::StrAppend(&text, report.ok() ? "All consistent.\n"
                                     : "NOT consistent: see the problems.\n");
  Print(ctx, report, text);
  if (!report.ok()) {
    return absl::DataLossError(
        absl::StrCat(report.problems_size(), " problem(s) found by verify"));
  }
  return absl::OkStatus();
}

// Set by Ctrl-C (SIGINT) while a verify runs.
volatile std::sig_atomic_t verify_interrupted = 0;
extern "C" void OnVerifyInterrupt(int /*signal*/) { verify_interrupted = 1; }

// How far a verify got: "reading the log (5000 of 80000 events read)".
std::string VerifyProgressWords(const v1::VerifyProgress& p) {
  std::string line = absl::StrCat(p.step(), " (", p.events_checked(), " of ",
                                  p.log_end(), " events read");
  if (p.keys_compared() > 0) {
    absl::StrAppend(&line, ", ", p.keys_compared(), " keys compared");
  }
  absl::StrAppend(&line, ")");
  return line;
}

// One progress line on stderr: rewritten in place on a terminal, one line
// each otherwise.
void ShowVerifyProgress(const v1::VerifyProgress& p, bool tty) {
  const std::string line = absl::StrCat("verify: ", VerifyProgressWords(p));
  std::fprintf(stderr, tty ? "\r\33[K%s" : "%s\n", line.c_str());
}

// ", when it had got as far as ...", or nothing before the first progress.
std::string HowFar(const std::optional<v1::VerifyProgress>& last) {
  if (!last.has_value()) return "";
  return absl::StrCat(", when it had got as far as ",
                      VerifyProgressWords(*last));
}

// Calls VerifyWithProgress, showing its progress when `show`; Ctrl-C
// cancels the call (the server stops the check). Sets `*report` from the
// last message, and `*last` from the last progress before it.
grpc::Status StreamVerify(Context& ctx, grpc::ClientContext* call, bool show,
                          std::optional<v1::VerifyResponse>* report,
                          std::optional<v1::VerifyProgress>* last) {
  const bool tty = isatty(fileno(stderr)) != 0;
  verify_interrupted = 0;
  auto previous = std::signal(SIGINT, OnVerifyInterrupt);
  // TryCancel is not safe in a signal handler: a thread watches the flag.
  std::atomic<bool> finished{false};
  std::thread canceller([&] {
    while (!finished.load()) {
      if (verify_interrupted != 0) {
        call->TryCancel();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  auto stream =
      ctx.stub->VerifyWithProgress(call, v1::VerifyWithProgressRequest());
  v1::VerifyProgress progress;
  while (stream->Read(&progress)) {
    if (progress.has_report()) {
      *report = progress.report();
      continue;
    }
    *last = progress;
    if (show) ShowVerifyProgress(progress, tty);
  }
  grpc::Status status = stream->Finish();
  finished = true;
  canceller.join();
  std::signal(SIGINT, previous);
  if (show && tty) std::fputs("\r\33[K", stderr);
  return status;
}

absl::Status AdminVerify(Context& ctx) {
  const bool show = ctx.Has("--show-progress") || isatty(fileno(stderr)) != 0;
  grpc::ClientContext call;
  const std::optional<uint64_t> timeout = ctx.Number("--timeout");
  if (timeout.has_value()) {
    call.set_deadline(std::chrono::system_clock::now() +
                      std::chrono::seconds(*timeout));
  }
  std::optional<v1::VerifyResponse> report;
  std::optional<v1::VerifyProgress> last;
  grpc::Status status = StreamVerify(ctx, &call, show, &report, &last);
  if (verify_interrupted != 0) {
    return absl::CancelledError(absl::StrCat(
        "verify was stopped (Ctrl-C)", HowFar(last),
        "; the server has stopped the check and removed its scratch copy"));
  }
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
      timeout.has_value()) {
    return absl::DeadlineExceededError(absl::StrCat(
        "verify did not finish within --timeout ", *timeout, " seconds",
        HowFar(last),
        "; the server has stopped the check. Give a longer --timeout, or "
        "none"));
  }
  if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    // An older rectrackd: one call without progress.
    v1::VerifyResponse unary;
    absl::Status old =
        Unary(ctx, &v1::Tracker::Stub::Verify, v1::VerifyRequest(), &unary);
    if (!old.ok()) return old;
    return PrintVerifyReport(ctx, unary);
  }
  if (!status.ok()) {
    return Call(ctx, [&](grpc::ClientContext*) { return status; });
  }
  if (!report.has_value()) {
    return absl::UnknownError("rectrackd ended verify without a report");
  }
  return PrintVerifyReport(ctx, *report);
}

absl::Status AdminBackup(Context& ctx) {
  auto dir = OneId(ctx, "directory");
  if (!dir.ok()) return dir.status();
  v1::BackupRequest req;
  req.set_directory(*dir);
  v1::BackupResponse response;
  absl::Status status = Unary(ctx, &v1::Tracker::Stub::Backup, req, &response);
  if (!status.ok()) return status;
  Print(ctx, response,
        absl::StrCat("Backup ", response.backup_id(), " written to ", *dir,
                     " on the server (holds the log up to at least #",
                     response.last_position(),
                     "). Restore it with: rectrackd --restore-from ", *dir,
                     " --data-dir NEW_DIR\n"));
  return absl::OkStatus();
}

}  // namespace

void AddAdminCommands(std::vector<CommandSpec>* commands) {
  commands->push_back(
      {"health",
       "",
       "Check that rectrackd is up and serving (needs no token); exits "
       "non-zero if not. For health checks of containers and services.",
       {},
       Health});
  commands->push_back(
      {"admin verify",
       "",
       "Rebuild every projection and index from the event log and compare "
       "them with what is stored, as they were at one moment, while the "
       "server keeps serving; exits non-zero if anything differs. Shows "
       "progress on a terminal; Ctrl-C stops it.",
       {Flag("--show-progress"),
        Number("--timeout", "\"$0\" is not a number of seconds", 1)},
       AdminVerify});
  commands->push_back(
      {"admin backup",
       "DIR",
       "Write a consistent backup, taken while the server runs, into DIR on "
       "the server's machine.",
       {},
       AdminBackup});
}

}  // namespace rectrack::cli
