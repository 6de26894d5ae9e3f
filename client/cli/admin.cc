// rectrack health, admin verify and admin backup: for the people who run
// rectrackd.
#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <iostream>
#include <string>
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

absl::Status AdminVerify(Context& ctx) {
  v1::VerifyResponse report;
  absl::Status status =
      Unary(ctx, &v1::Tracker::Stub::Verify, v1::VerifyRequest(), &report);
  if (!status.ok()) return status;
  std::string text = absl::StrCat(
      "Checked ", report.events_checked(), " events, ",
      report.entities_checked(), " reviews, recommendations and actions, and ",
      report.index_entries_checked(), " index entries.\n");
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
       "them with what is stored; exits non-zero if anything differs.",
       {},
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
