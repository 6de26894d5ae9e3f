// Who is calling, and may they make this call? The one place where
// rectrackd authenticates callers, checks their role's permissions and
// checks the limits on what a request may hold. Every RPC handler starts
// with Access::Admit.
//
// Roles and permissions:
//   viewer   read
//   officer  read, update own actions (progress, status and answers to
//            update requests on actions led by one of the token's --lead
//            names)
//   scrutiny read, change (every command of Apply and BulkApply)
//   admin    read, change, administer (Verify, Backup; tokens are managed
//            with rectrackd token on the server's machine)
#pragma once

#include <grpcpp/server_context.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "rectrack/v1/commands.pb.h"
#include "rectrack/v1/tracker.pb.h"
#include "server/domain/actor.h"
#include "server/service/tokens.h"

namespace rectrack::service {

enum class Permission { kRead, kUpdateOwnActions, kChange, kAdminister };

// "read", "update own actions", "change", "administer".
const char* PermissionName(Permission permission);

// The permission each RPC needs. Apply and BulkApply need, per command,
// "change" or (for progress and status on an action) "update own actions";
// here they are listed with the least of those.
Permission RpcPermission(const std::string& rpc);

// True if `role` holds `permission` ("update own actions" is then still
// limited to the role's own actions).
bool RoleHas(Role role, Permission permission);

// The authenticated caller.
struct Principal {
  // Recorded as the actor of every event: the token's name, the client
  // certificate's subject, or "anonymous" on an open server.
  std::string actor;
  Role role = Role::kViewer;
  std::vector<std::string> leads;  // officers only
  std::string token_name;          // empty without a token
};

class Access {
 public:
  // `open_allowed`: with no tokens at all, let every caller in (only ever
  // true on a loopback address).
  Access(std::string data_dir, bool open_allowed)
      : tokens_(std::move(data_dir)), open_allowed_(open_allowed) {}

  // Authenticates the caller of `rpc` (its name in tracker.proto), checks
  // its permission for `request` (may be null for a stream's start), and
  // checks the request's text fields. UNAUTHENTICATED, PERMISSION_DENIED
  // naming the permission, or INVALID_ARGUMENT naming the field.
  absl::StatusOr<Principal> Admit(const grpc::ServerContextBase& context,
                                  const std::string& rpc,
                                  const google::protobuf::Message* request);

  // For each chunk of a BulkApply stream after Admit: the chunk's wire
  // form, text and enum values (Admit checks the same of a whole request).
  absl::Status AdmitCommands(const v1::ApplyRequest& request);

  // Who the domain records `principal`'s changes as made by, and, for a
  // role without "change", the guard the committer asks about each command:
  // only progress and status, on actions led by one of its leads as they
  // stand when the command is written.
  static domain::Actor ActorOf(const Principal& principal);

  // Calls forwarded by the HTTP gateway carry `secret` in the metadata
  // "x-rectrack-gateway", with the HTTP client's verified certificate (if
  // any) beside it; `open_allowed` is the HTTP port's own rule (its address
  // is loopback). A call carrying another value is refused.
  void AcceptGateway(std::string secret, bool open_allowed) {
    gateway_secret_ = std::move(secret);
    gateway_open_allowed_ = open_allowed;
  }

  // Whether calls currently need a token (for the start-up log).
  bool open() { return open_allowed_ && !tokens_.Current()->closed(); }

 private:
  absl::StatusOr<Principal> Authenticate(
      const grpc::ServerContextBase& context);
  // The caller's transport: its verified certificate, and whether the port
  // it came in on may be open (the HTTP port's rule for forwarded calls).
  absl::Status Transport(const grpc::ServerContextBase& context,
                         std::string* subject, std::string* common_name,
                         bool* open_allowed) const;

  TokenSet tokens_;
  const bool open_allowed_;
  std::string gateway_secret_;
  bool gateway_open_allowed_ = false;
};

// Checks every string in `message` (recursively): not longer than its
// limit, and no control characters other than newline and tab; and every
// enum field: one of its enum's values. INVALID_ARGUMENT naming the field,
// e.g. "commands[2].add_action.text".
absl::Status CheckText(const google::protobuf::Message& message);

// Longest free text (text, note, reason, title fields), in bytes.
inline constexpr size_t kMaxTextBytes = 65536;
// Longest other string (ids, names, dates), in bytes.
inline constexpr size_t kMaxShortTextBytes = 4096;

}  // namespace rectrack::service
