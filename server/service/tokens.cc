#include "server/service/tokens.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/clock.h"
#include "common/log.h"

namespace rectrack::service {
namespace {

constexpr size_t kKeyIdBytes = 6;
constexpr size_t kSaltBytes = 16;
constexpr size_t kSecretBytes = 32;
constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxLeadLength = 200;

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()),
                 static_cast<int>(bytes)) != 1) {
    // OpenSSL's generator never fails on Linux once seeded from getrandom.
    std::abort();
  }
  return absl::BytesToHexString(raw);
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(
      std::string(reinterpret_cast<char*>(digest), length));
}

std::string HashOf(const std::string& salt_hex, const std::string& secret) {
  return Sha256Hex(absl::StrCat(salt_hex, ":", secret));
}

absl::Status CheckName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a token name must be 1 to ", kMaxNameLength, " characters long"));
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-' &&
        c != '@') {
      return absl::InvalidArgumentError(absl::StrCat(
          "the token name \"", name,
          "\" may use only letters, digits and . _ - @ (it is recorded as "
          "the author of every change made with the token)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckLead(const std::string& lead) {
  if (lead.empty() || lead.size() > kMaxLeadLength) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a lead name must be 1 to ", kMaxLeadLength, " characters long"));
  }
  for (char c : lead) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "a lead name may not contain tabs, line breaks or other control "
          "characters");
    }
  }
  return absl::OkStatus();
}

std::string Line(const TokenEntry& e) {
  std::vector<std::string> fields = {e.name,   RoleName(e.role), e.created,
                                     e.key_id, e.salt_hex,       e.hash_hex};
  fields.insert(fields.end(), e.leads.begin(), e.leads.end());
  return absl::StrJoin(fields, "\t");
}

absl::StatusOr<std::vector<TokenEntry>> Parse(const std::string& path,
                                              const std::string& text) {
  std::vector<TokenEntry> entries;
  int n = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    absl::StatusOr<Role> role =
        f.size() >= 6 ? ParseRole(f[1]) : absl::InvalidArgumentError("");
    if (!role.ok() || f[3].size() != 2 * kKeyIdBytes || f[5].size() != 64) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the token file ", path, " is damaged at line ", n,
          "; restore it from a copy, or remove the line and add the token "
          "again with rectrackd token add"));
    }
    TokenEntry e{f[0],
                 *role,
                 f[2],
                 f[3],
                 f[4],
                 f[5],
                 std::vector<std::string>(f.begin() + 6, f.end())};
    entries.push_back(std::move(e));
  }
  return entries;
}

// Holds an exclusive flock on DATA_DIR/tokens.lock for read-modify-write.
class FileLock {
 public:
  explicit FileLock(const std::string& data_dir) {
    fd_ = open((data_dir + "/tokens.lock").c_str(),
               O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    struct stat dir_stat {};
    if (fd_ >= 0 && geteuid() == 0 && stat(data_dir.c_str(), &dir_stat) == 0) {
      // Best effort: the lock file is only ever opened, never read.
      (void)!fchown(fd_, dir_stat.st_uid, dir_stat.st_gid);
    }
    if (fd_ >= 0) flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) close(fd_);  // releases the lock
  }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

absl::Status WriteTokens(const std::string& data_dir,
                         const std::vector<TokenEntry>& entries) {
  std::string text =
      "# rectrack access tokens: name, role, created, key id, salt, "
      "SHA-256 of the secret, leads.\n# Change with rectrackd token "
      "add/revoke, not by hand.\n";
  for (const TokenEntry& e : entries) absl::StrAppend(&text, Line(e), "\n");
  std::string path = TokensPath(data_dir);
  std::string tmp = path + ".new";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", tmp, ": ", std::strerror(errno)));
  }
  // Run as root (say, by an administrator of a systemd service), the file
  // still belongs to whoever owns the data directory: the server's user.
  struct stat dir_stat {};
  if (geteuid() == 0 && stat(data_dir.c_str(), &dir_stat) == 0 &&
      fchown(fd, dir_stat.st_uid, dir_stat.st_gid) != 0) {
    close(fd);
    unlink(tmp.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat("cannot give ", tmp,
                     " to the data directory's owner: ", std::strerror(errno)));
  }
  bool ok = write(fd, text.data(), text.size()) ==
                static_cast<ssize_t>(text.size()) &&
            fsync(fd) == 0;
  ok = (close(fd) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  // Make the rename itself durable.
  int dir = open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    fsync(dir);
    close(dir);
  }
  return absl::OkStatus();
}

absl::Status EnsureDir(const std::string& data_dir) {
  if (mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the data directory ", data_dir, ": ",
                     std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

const char* RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOfficer:
      return "officer";
    case Role::kScrutiny:
      return "scrutiny";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

absl::StatusOr<Role> ParseRole(const std::string& name) {
  for (Role r :
       {Role::kViewer, Role::kOfficer, Role::kScrutiny, Role::kAdmin}) {
    if (name == RoleName(r)) return r;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown role \"", name,
                   "\"; choose viewer, officer, scrutiny or admin"));
}

std::string TokensPath(const std::string& data_dir) {
  return data_dir + "/tokens";
}

absl::StatusOr<std::vector<TokenEntry>> ReadTokens(
    const std::string& data_dir) {
  std::string path = TokensPath(data_dir);
  std::ifstream in(path);
  if (!in) {
    if (access(path.c_str(), F_OK) != 0) return std::vector<TokenEntry>();
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the token file ", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(path, text.str());
}

absl::StatusOr<std::string> AddToken(const std::string& data_dir,
                                     const std::string& name, Role role,
                                     const std::vector<std::string>& leads,
                                     const std::string& now) {
  if (absl::Status s = CheckName(name); !s.ok()) return s;
  if (role == Role::kOfficer && leads.empty()) {
    return absl::InvalidArgumentError(
        "an officer token needs --lead NAME: the lead officer (as written "
        "on the actions) whose actions it may update; give --lead more than "
        "once for several");
  }
  if (role != Role::kOfficer && !leads.empty()) {
    return absl::InvalidArgumentError(
        "--lead is only for officer tokens; other roles are not limited to "
        "their own actions");
  }
  for (const std::string& lead : leads) {
    if (absl::Status s = CheckLead(lead); !s.ok()) return s;
  }
  if (absl::Status s = EnsureDir(data_dir); !s.ok()) return s;
  FileLock lock(data_dir);
  if (!lock.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot lock the token file in ", data_dir, ": ",
                     std::strerror(errno)));
  }
  absl::StatusOr<std::vector<TokenEntry>> entries = ReadTokens(data_dir);
  if (!entries.ok()) return entries.status();
  for (const TokenEntry& e : *entries) {
    if (e.name == name) {
      return absl::AlreadyExistsError(
          absl::StrCat("there is already a token called \"", name,
                       "\"; revoke it first or choose another name"));
    }
  }
  TokenEntry entry;
  entry.name = name;
  entry.role = role;
  entry.created = now;
  entry.key_id = RandomHex(kKeyIdBytes);
  entry.salt_hex = RandomHex(kSaltBytes);
  std::string secret = RandomHex(kSecretBytes);
  entry.hash_hex = HashOf(entry.salt_hex, secret);
  entry.leads = leads;
  entries->push_back(entry);
  if (absl::Status s = WriteTokens(data_dir, *entries); !s.ok()) return s;
  return absl::StrCat("rt_", entry.key_id, "_", secret);
}

absl::StatusOr<size_t> RevokeToken(const std::string& data_dir,
                                   const std::string& name) {
  FileLock lock(data_dir);
  absl::StatusOr<std::vector<TokenEntry>> entries = ReadTokens(data_dir);
  if (!entries.ok()) return entries.status();
  size_t before = entries->size();
  entries->erase(
      std::remove_if(entries->begin(), entries->end(),
                     [&](const TokenEntry& e) { return e.name == name; }),
      entries->end());
  if (entries->size() == before) {
    return absl::NotFoundError(absl::StrCat("there is no token called \"", name,
                                            "\"; see rectrackd token list"));
  }
  if (absl::Status s = WriteTokens(data_dir, *entries); !s.ok()) return s;
  return entries->size();
}

std::shared_ptr<const TokenFile> TokenSet::Current() {
  struct stat now {};
  const bool exists = stat(TokensPath(data_dir_).c_str(), &now) == 0;
  absl::MutexLock lock(&mu_);
  const bool unchanged =
      current_ != nullptr && exists == seen_.has_value() &&
      (!exists ||
       (seen_->st_ino == now.st_ino && seen_->st_size == now.st_size &&
        seen_->st_mtim.tv_sec == now.st_mtim.tv_sec &&
        seen_->st_mtim.tv_nsec == now.st_mtim.tv_nsec));
  if (unchanged) return current_;
  seen_.reset();
  if (exists) seen_ = now;
  auto file = std::make_shared<TokenFile>();
  file->exists = exists;
  absl::StatusOr<std::vector<TokenEntry>> entries = ReadTokens(data_dir_);
  if (entries.ok()) {
    file->entries = *std::move(entries);
  } else {
    // Fail closed: a damaged file admits nobody until it is mended. Said
    // once per change of the file, here, and not to callers.
    file->damaged = entries.status();
    Log(RealClock::Get(), "error",
        "the token file cannot be read, so every call is refused until it "
        "is mended",
        {{"reason", std::string(entries.status().message())}});
  }
  current_ = std::move(file);
  return current_;
}

absl::Status TokenFile::Unreadable() {
  return absl::UnavailableError(
      "the server cannot read its token file; ask its administrator to look "
      "at the server's log");
}

absl::StatusOr<TokenEntry> TokenFile::Check(const std::string& token) const {
  if (!damaged.ok()) return Unreadable();
  // rt_<key id>_<secret>
  std::vector<std::string> parts = absl::StrSplit(token, '_');
  if (parts.size() == 3 && parts[0] == "rt") {
    for (const TokenEntry& e : entries) {
      if (e.key_id != parts[1]) continue;
      std::string hash = HashOf(e.salt_hex, parts[2]);
      if (hash.size() == e.hash_hex.size() &&
          CRYPTO_memcmp(hash.data(), e.hash_hex.data(), hash.size()) == 0) {
        return e;
      }
    }
  }
  return absl::UnauthenticatedError(
      "the access token is not valid (it may have been revoked); ask the "
      "tracker's administrator for a new one");
}

const TokenEntry* TokenFile::Named(const std::string& name) const {
  for (const TokenEntry& e : entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

}  // namespace rectrack::service
