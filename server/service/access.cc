#include "server/service/access.h"

#include <grpc/grpc_security_constants.h>
#include <openssl/crypto.h>

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/error_details.h"
#include "common/status_macros.h"
#include "rectrack/wire_check.h"

namespace rectrack::service {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// The permission of every RPC of rectrack.v1.Tracker. A new RPC that is not
// listed here is refused to everyone (see RpcPermission).
const std::map<std::string, Permission>& RpcTable() {
  static const auto* table = new std::map<std::string, Permission>{
      {"Apply", Permission::kUpdateOwnActions},
      {"BulkApply", Permission::kUpdateOwnActions},
      {"GetReview", Permission::kRead},
      {"GetRecommendation", Permission::kRead},
      {"GetAction", Permission::kRead},
      {"ListReviews", Permission::kRead},
      {"ListRecommendations", Permission::kRead},
      {"ListActions", Permission::kRead},
      {"GetReport", Permission::kRead},
      {"GetHistory", Permission::kRead},
      {"ReadEvents", Permission::kRead},
      {"Watch", Permission::kRead},
      {"Verify", Permission::kAdminister},
      {"VerifyWithProgress", Permission::kAdminister},
      {"Backup", Permission::kAdminister},
      {"ListPeople", Permission::kRead},
      {"ListUpdates", Permission::kRead},
      {"ListOutbox", Permission::kRead},
  };
  return *table;
}

std::string RolesWith(Permission permission) {
  std::vector<std::string> roles;
  for (Role r :
       {Role::kViewer, Role::kOfficer, Role::kScrutiny, Role::kAdmin}) {
    if (RoleHas(r, permission)) roles.push_back(RoleName(r));
  }
  std::string out;
  for (size_t i = 0; i < roles.size(); ++i) {
    if (i > 0) out += i + 1 == roles.size() ? " and " : ", ";
    out += roles[i];
  }
  return out;
}

std::string Who(const Principal& p) {
  return absl::StrCat("\"", p.actor, "\" (role ", RoleName(p.role), ")");
}

absl::Status Denied(const Principal& p, Permission permission,
                    const std::string& what) {
  return WithErrorInfo(
      absl::PermissionDeniedError(absl::StrCat(
          Who(p), " may not ", what, ": that needs the permission \"",
          PermissionName(permission), "\", which the roles ",
          RolesWith(permission), " have")),
      "PERMISSION_MISSING",
      {{"permission", PermissionName(permission)}, {"role", RoleName(p.role)}});
}

bool IsFreeText(const FieldDescriptor* field) {
  const std::string& n = field->name();
  return n == "text" || n == "note" || n == "reason" || n == "title";
}

absl::Status CheckString(const std::string& value, const std::string& path,
                         size_t limit) {
  if (value.size() > limit) {
    return WithFieldViolation(
        absl::InvalidArgumentError(absl::StrCat(path, " is ", value.size(),
                                                " bytes long; at most ", limit,
                                                " are allowed")),
        path, "TEXT_TOO_LONG");
  }
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
      return WithFieldViolation(
          absl::InvalidArgumentError(absl::StrCat(
              path, " holds a control character (byte ", static_cast<int>(c),
              " at offset ", i,
              "); only letters, punctuation, spaces, tabs and new lines are "
              "allowed")),
          path, "CONTROL_CHARACTER");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTextAt(const Message& message, const std::string& prefix) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    std::string path = absl::StrCat(prefix, field->name());
    size_t limit = IsFreeText(field) ? kMaxTextBytes : kMaxShortTextBytes;
    if (field->type() == FieldDescriptor::TYPE_STRING) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          absl::Status s =
              CheckString(reflection->GetRepeatedString(message, field, i),
                          absl::StrCat(path, "[", i, "]"), limit);
          if (!s.ok()) return s;
        }
      } else {
        absl::Status s =
            CheckString(reflection->GetString(message, field), path, limit);
        if (!s.ok()) return s;
      }
    } else if (field->type() == FieldDescriptor::TYPE_ENUM) {
      // Protobuf keeps a number it does not know in the field; every rule
      // after this point may assume the value is one of the enum's.
      const int count =
          field->is_repeated() ? reflection->FieldSize(message, field) : 1;
      for (int i = 0; i < count; ++i) {
        int value = field->is_repeated()
                        ? reflection->GetRepeatedEnumValue(message, field, i)
                        : reflection->GetEnumValue(message, field);
        if (field->enum_type()->FindValueByNumber(value) == nullptr) {
          const std::string at =
              field->is_repeated() ? absl::StrCat(path, "[", i, "]") : path;
          return WithFieldViolation(
              absl::InvalidArgumentError(
                  absl::StrCat(at, ": ", value, " is not a known value of ",
                               field->enum_type()->name())),
              at, "ENUM_UNKNOWN");
        }
      }
    } else if (field->type() == FieldDescriptor::TYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          absl::Status s =
              CheckTextAt(reflection->GetRepeatedMessage(message, field, i),
                          absl::StrCat(path, "[", i, "]."));
          if (!s.ok()) return s;
        }
      } else {
        absl::Status s = CheckTextAt(reflection->GetMessage(message, field),
                                     absl::StrCat(path, "."));
        if (!s.ok()) return s;
      }
    }
  }
  return absl::OkStatus();
}

std::string Metadata(const grpc::ServerContextBase& context,
                     const std::string& key) {
  const auto& md = context.client_metadata();
  auto it = md.find(key);
  return it == md.end() ? ""
                        : std::string(it->second.data(), it->second.size());
}

std::string Property(const grpc::AuthContext& auth, const char* name) {
  std::vector<grpc::string_ref> values = auth.FindPropertyValues(name);
  return values.empty() ? "" : std::string(values[0].data(), values[0].size());
}

}  // namespace

const char* PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kRead:
      return "read";
    case Permission::kUpdateOwnActions:
      return "update own actions";
    case Permission::kChange:
      return "change";
    case Permission::kAdminister:
      return "administer";
  }
  return "administer";
}

Permission RpcPermission(const std::string& rpc) {
  auto it = RpcTable().find(rpc);
  return it == RpcTable().end() ? Permission::kAdminister : it->second;
}

bool RoleHas(Role role, Permission permission) {
  switch (permission) {
    case Permission::kRead:
      return true;
    case Permission::kUpdateOwnActions:
      return role != Role::kViewer;
    case Permission::kChange:
      return role == Role::kScrutiny || role == Role::kAdmin;
    case Permission::kAdminister:
      return role == Role::kAdmin;
  }
  return false;
}

absl::Status Access::Transport(const grpc::ServerContextBase& context,
                               std::string* subject, std::string* common_name,
                               bool* open_allowed) const {
  const std::string gateway = Metadata(context, "x-rectrack-gateway");
  if (!gateway.empty()) {
    // Forwarded by the HTTP gateway: the transport it describes is the
    // HTTP client's. Anyone else sending the header is refused.
    if (gateway_secret_.empty() || gateway.size() != gateway_secret_.size() ||
        CRYPTO_memcmp(gateway.data(), gateway_secret_.data(), gateway.size()) !=
            0) {
      return WithErrorInfo(
          absl::UnauthenticatedError("the x-rectrack-gateway header is "
                                     "rectrackd's own; do not send it"),
          "GATEWAY_HEADER_FORGED");
    }
    *subject = Metadata(context, "x-rectrack-client-subject-bin");
    *common_name = Metadata(context, "x-rectrack-client-cn-bin");
    *open_allowed = gateway_open_allowed_;
  } else if (auto auth = context.auth_context();
             auth && auth->IsPeerAuthenticated()) {
    *subject = Property(*auth, GRPC_X509_SUBJECT_PROPERTY_NAME);
    *common_name = Property(*auth, GRPC_X509_CN_PROPERTY_NAME);
  }
  return absl::OkStatus();
}

absl::StatusOr<Principal> Access::Authenticate(
    const grpc::ServerContextBase& context) {
  std::string header = Metadata(context, "authorization");
  std::string subject, common_name;
  bool open_allowed = open_allowed_;
  RECTRACK_RETURN_IF_ERROR(
      Transport(context, &subject, &common_name, &open_allowed));
  // One look at the token file for the whole call.
  const std::shared_ptr<const TokenFile> tokens = tokens_.Current();
  if (open_allowed && !tokens->closed()) {
    // No tokens yet, on loopback: everyone is let in. A certificate still
    // names the caller.
    Principal p;
    p.actor = subject.empty() ? "anonymous" : subject;
    p.role = Role::kAdmin;
    return p;
  }
  if (!header.empty()) {
    absl::string_view token = header;
    if (!absl::ConsumePrefix(&token, "Bearer ") &&
        !absl::ConsumePrefix(&token, "bearer ")) {
      return WithErrorInfo(
          absl::UnauthenticatedError(
              "the authorization header must read \"Bearer TOKEN\""),
          "AUTHORIZATION_MALFORMED");
    }
    absl::StatusOr<TokenEntry> entry =
        tokens->Check(std::string(absl::StripAsciiWhitespace(token)));
    if (!entry.ok()) return WithErrorInfo(entry.status(), "TOKEN_INVALID");
    return Principal{entry->name, entry->role, entry->leads, entry->name};
  }
  if (!common_name.empty()) {
    const TokenEntry* entry = tokens->Named(common_name);
    if (entry == nullptr) {
      return WithErrorInfo(
          absl::UnauthenticatedError(absl::StrCat(
              "the client certificate \"", subject,
              "\" is trusted but has no access entry; the administrator can "
              "add one with: rectrackd token add ",
              common_name, " --role ROLE")),
          "CERTIFICATE_NOT_ENROLLED");
    }
    return Principal{subject, entry->role, entry->leads, ""};
  }
  if (!tokens->damaged.ok()) return TokenFile::Unreadable();
  if (tokens->closed() && tokens->entries.empty()) {
    return WithErrorInfo(
        absl::UnauthenticatedError(
            "every access token of this tracker has been revoked, so nobody "
            "may "
            "use it; the administrator can add one on the server's machine "
            "with: rectrackd token add NAME --role ROLE"),
        "TOKENS_ALL_REVOKED");
  }
  return WithErrorInfo(
      absl::UnauthenticatedError(
          tokens->closed()
              ? "this tracker needs an access token: give --token TOKEN or set "
                "RECTRACK_TOKEN (programs: send the header \"authorization: "
                "Bearer TOKEN\"); ask the tracker's administrator for one"
              : "this tracker is not on a loopback address and has no access "
                "tokens yet, so nobody may use it; the administrator can make "
                "one with: rectrackd token add NAME --role ROLE"),
      tokens->closed() ? "TOKEN_REQUIRED" : "NO_TOKENS_YET");
}

absl::StatusOr<Principal> Access::Admit(const grpc::ServerContextBase& context,
                                        const std::string& rpc,
                                        const Message* request) {
  absl::StatusOr<Principal> principal = Authenticate(context);
  if (!principal.ok()) return principal.status();
  if (request != nullptr) {
    if (std::string problem = wire::WireProblem(*request); !problem.empty()) {
      return absl::InvalidArgumentError(problem);
    }
  }
  Permission needed = RpcPermission(rpc);
  if (!RoleHas(principal->role, needed)) {
    if (needed == Permission::kUpdateOwnActions) {  // Apply, BulkApply
      return WithErrorInfo(
          absl::PermissionDeniedError(absl::StrCat(
              Who(*principal), " may not make changes (", rpc,
              "): that needs the permission \"",
              PermissionName(Permission::kChange), "\", which the roles ",
              RolesWith(Permission::kChange),
              " have, or for progress and status on one's own actions \"",
              PermissionName(Permission::kUpdateOwnActions),
              "\", which the roles ", RolesWith(Permission::kUpdateOwnActions),
              " have")),
          "PERMISSION_MISSING",
          {{"permission", PermissionName(Permission::kUpdateOwnActions)},
           {"role", RoleName(principal->role)}});
    }
    return Denied(*principal, needed, absl::StrCat("call ", rpc));
  }
  // The wire form was checked above; the commands' permissions are the
  // committer's (ActorOf).
  if (request != nullptr) {
    if (absl::Status s = CheckText(*request); !s.ok()) return s;
  }
  return principal;
}

absl::Status Access::AdmitCommands(const v1::ApplyRequest& request) {
  if (std::string problem = wire::WireProblem(request); !problem.empty()) {
    return absl::InvalidArgumentError(problem);
  }
  return CheckText(request);
}

namespace {

// An officer's guard: progress, status and answers to update requests
// only, on actions it leads.
class OwnActionsGuard final : public domain::CommandGuard {
 public:
  explicit OwnActionsGuard(Principal principal)
      : principal_(std::move(principal)) {}

  absl::Status Admit(const v1::Command& c,
                     const v1::Action* action) const override {
    const FieldDescriptor* op = c.GetReflection()->GetOneofFieldDescriptor(
        c, c.GetDescriptor()->FindOneofByName("op"));
    const std::string name = op == nullptr ? "empty" : op->name();
    if (action == nullptr ||
        !(c.has_report_progress() || c.has_set_action_status() ||
          c.has_answer_update())) {
      return Denied(principal_, Permission::kChange,
                    absl::StrCat("apply ", name));
    }
    for (const std::string& lead : action->leads()) {
      for (const std::string& mine : principal_.leads) {
        if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(lead),
                                   absl::StripAsciiWhitespace(mine))) {
          return absl::OkStatus();
        }
      }
    }
    return WithErrorInfo(
        absl::PermissionDeniedError(absl::StrCat(
            name, " on ", action->id(), ": ", Who(principal_),
            " may update only actions it leads (permission \"",
            PermissionName(Permission::kUpdateOwnActions), "\"), and action ",
            action->id(), " is not led by ",
            principal_.leads.empty() ? "anyone it names"
                                     : absl::StrJoin(principal_.leads, " or "),
            "; other changes need the permission \"",
            PermissionName(Permission::kChange), "\", which the roles ",
            RolesWith(Permission::kChange), " have")),
        "NOT_LEAD", {{"action", action->id()}});
  }

 private:
  const Principal principal_;
};

}  // namespace

domain::Actor Access::ActorOf(const Principal& principal) {
  if (RoleHas(principal.role, Permission::kChange)) {
    return domain::Actor(principal.actor);
  }
  return domain::Actor(principal.actor,
                       std::make_shared<OwnActionsGuard>(principal));
}

absl::Status CheckText(const Message& message) {
  return CheckTextAt(message, "");
}

}  // namespace rectrack::service
