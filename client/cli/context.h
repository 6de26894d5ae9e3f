// What every command's handler gets: the options it was given, the
// connection to rectrackd, and the helpers that read ids, enums and
// --as-of from the command line.
#pragma once

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rectrack/v1/tracker.grpc.pb.h"

namespace CLI {
class App;
}  // namespace CLI

namespace rectrack::cli {

inline constexpr char kDefaultServer[] = "127.0.0.1:50051";
inline constexpr int kExitServerError = 1;
inline constexpr int kExitUsage = 2;

// The options given to one command, as the parser read and checked them.
// An interface so that the handlers need not see the parser's headers.
class Options {
 public:
  virtual ~Options() = default;
  // The last value given for `name` ("--title"), if any.
  virtual std::optional<std::string> Get(const std::string& name) const = 0;
  // Every value given for `name`, in order.
  virtual std::vector<std::string> GetAll(const std::string& name) const = 0;
  // Whether `name` was given at all (a flag, or an option with a value).
  virtual bool Has(const std::string& name) const = 0;
  // A number option's value, already checked against its range.
  virtual std::optional<uint64_t> Number(const std::string& name) const = 0;
};

// Everything a command handler needs.
struct Context {
  const Options* options = nullptr;
  std::vector<std::string> words;       // the command: {"review", "show"}
  std::vector<std::string> positional;  // what follows it: {"review-1"}
  std::string server;
  bool json = false;
  v1::Tracker::Stub* stub = nullptr;
  std::shared_ptr<grpc::Channel> channel;
  // The whole command tree, for `rectrack completion`.
  const CLI::App* commands = nullptr;

  std::optional<std::string> Get(const std::string& name) const {
    return options->Get(name);
  }
  std::vector<std::string> GetAll(const std::string& name) const {
    return options->GetAll(name);
  }
  bool Has(const std::string& name) const { return options->Has(name); }
  std::optional<uint64_t> Number(const std::string& name) const {
    return options->Number(name);
  }
};

// A mistake on the command line (as opposed to an error from the server):
// INVALID_ARGUMENT, and exit code 2.
absl::Status Usage(const std::string& message);

// Prints "error: CODE: message" and returns the exit code.
int PrintError(const absl::Status& status);

// The one id (or file, or directory) after the command words; `what` says
// which, for the message when it is missing.
absl::StatusOr<std::string> OneId(const Context& ctx, const std::string& what);

// The value of option `name`, or "".
std::string Opt(const Context& ctx, const std::string& name);

// Option `name` read as a value of the protobuf enum `type`.
template <typename Enum>
absl::StatusOr<Enum> EnumOption(const Context& ctx, const std::string& name,
                                const google::protobuf::EnumDescriptor* type);

// --as-of DATE|TIMESTAMP [--effective] into `as_of`; false when not given.
// A date alone means the end of that day (UTC).
absl::StatusOr<bool> ParseAsOf(const Context& ctx, v1::AsOf* as_of);

// Sets `request`'s as_of from --as-of / --effective, when given.
template <typename Request>
absl::StatusOr<bool> AsOfOption(const Context& ctx, Request* request) {
  v1::AsOf as_of;
  absl::StatusOr<bool> given = ParseAsOf(ctx, &as_of);
  if (given.ok() && *given) *request->mutable_as_of() = std::move(as_of);
  return given;
}

// ----------------------------------------------------------- implementation

absl::StatusOr<int> EnumOptionNumber(
    const Context& ctx, const std::string& name,
    const google::protobuf::EnumDescriptor* type);

template <typename Enum>
absl::StatusOr<Enum> EnumOption(const Context& ctx, const std::string& name,
                                const google::protobuf::EnumDescriptor* type) {
  absl::StatusOr<int> number = EnumOptionNumber(ctx, name, type);
  if (!number.ok()) return number.status();
  return static_cast<Enum>(*number);
}

}  // namespace rectrack::cli
