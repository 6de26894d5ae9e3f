// Access tokens: who may call rectrackd, with which role.
//
// Kept in DATA_DIR/tokens, one line per token (tab-separated: name, role,
// created, key id, salt, SHA-256 of salt+secret, then the leads of an
// officer). The secret itself is never stored: `Add` prints it once.
// A token reads "rt_<key id>_<secret>"; the key id finds the line and the
// secret is checked against its salted hash. The file is rewritten whole
// (write beside, fsync, rename) under an flock, so concurrent `rectrackd
// token` commands and a running server never see half a file.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace rectrack::service {

enum class Role { kViewer, kOfficer, kScrutiny, kAdmin };

// "viewer", "officer", "scrutiny", "admin".
const char* RoleName(Role role);
// INVALID_ARGUMENT naming the roles when `name` is none of them.
absl::StatusOr<Role> ParseRole(const std::string& name);

struct TokenEntry {
  std::string name;
  Role role = Role::kViewer;
  std::string created;  // RFC 3339, UTC
  std::string key_id;
  std::string salt_hex;
  std::string hash_hex;
  // For officers: the lead officer names whose actions they may update.
  std::vector<std::string> leads;
};

// The path of the tokens file in `data_dir`.
std::string TokensPath(const std::string& data_dir);

// Reads every entry; an absent file is no tokens. FAILED_PRECONDITION
// naming the line if the file is damaged.
absl::StatusOr<std::vector<TokenEntry>> ReadTokens(const std::string& data_dir);

// Adds a token called `name` and returns the secret token (shown once).
// ALREADY_EXISTS if the name is taken; INVALID_ARGUMENT for a bad name, or
// leads given for a role other than officer, or an officer without leads.
// `now` is the creation time to record (RFC 3339).
absl::StatusOr<std::string> AddToken(const std::string& data_dir,
                                     const std::string& name, Role role,
                                     const std::vector<std::string>& leads,
                                     const std::string& now);

// Removes the token called `name` and returns how many tokens are left;
// NOT_FOUND if there is none. The file stays, even empty: a tracker that
// has had tokens never opens again by itself (see TokenFile::closed).
absl::StatusOr<size_t> RevokeToken(const std::string& data_dir,
                                   const std::string& name);

// The tokens as read from the file at one moment.
struct TokenFile {
  std::vector<TokenEntry> entries;
  // OK, or why the file could not be read (then nobody is let in).
  absl::Status damaged;
  // The file exists: tokens have been made here, even if all are revoked.
  bool exists = false;

  // True once tokens have been made (the file exists, even with every
  // token revoked) or the file is damaged: calls then need a token. Only
  // a tracker that never had one is open on loopback.
  bool closed() const { return exists || !entries.empty() || !damaged.ok(); }
  // The entry for `token`; UNAUTHENTICATED (never saying which part was
  // wrong) if it is not a current token.
  absl::StatusOr<TokenEntry> Check(const std::string& token) const;
  // The entry called `name` (for a client certificate's common name).
  const TokenEntry* Named(const std::string& name) const;
  // What callers are told while the file is damaged (the reason goes only
  // to the administrator).
  static absl::Status Unreadable();
};

// The tokens a running server checks calls against. Re-reads the file when
// it changes (one stat per call), so `rectrackd token add/revoke` take
// effect without a restart.
class TokenSet {
 public:
  explicit TokenSet(std::string data_dir) : data_dir_(std::move(data_dir)) {}

  // The tokens now: the file as last read, re-read first if it changed.
  std::shared_ptr<const TokenFile> Current();

 private:
  const std::string data_dir_;
  absl::Mutex mu_;
  std::shared_ptr<const TokenFile> current_ ABSL_GUARDED_BY(mu_);
  // Identity of the file last read: inode, size, modification time.
  std::optional<struct stat> seen_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rectrack::service
