#include "client/cli/context.h"

#include <cstdio>
#include <map>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "client/render/format.h"
#include "common/dates.h"
#include "common/grpc_status.h"

namespace rectrack::cli {
namespace {

// Marks a status as a usage error, for the exit code.
constexpr char kUsagePayload[] = "rectrack.cli/usage";

}  // namespace

absl::Status Usage(const std::string& message) {
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kUsagePayload, absl::Cord("1"));
  return status;
}

int PrintError(const absl::Status& status) {
  std::fprintf(stderr, "error: %s: %s\n", CodeName(status.code()),
               std::string(status.message()).c_str());
  return status.GetPayload(kUsagePayload).has_value() ? kExitUsage
                                                      : kExitServerError;
}

absl::StatusOr<std::string> OneId(const Context& ctx, const std::string& what) {
  if (ctx.positional.empty()) {
    static const auto* kExample = new std::map<std::string, std::string>{
        {"review", "review-1"}, {"recommendation", "rec-1"},
        {"action", "action-1"}, {"entity", "rec-1"},
        {"file", "plan.jsonl"}, {"directory", "/data/backups"}};
    return Usage(absl::StrCat(
        "give the ", what, what == "file" || what == "directory" ? "" : " id",
        ", e.g. rectrack ", absl::StrJoin(ctx.words, " "), " ",
        kExample->at(what)));
  }
  if (ctx.positional.size() > 1) {
    return Usage(absl::StrCat("unexpected \"", ctx.positional[1],
                              "\"; put text with spaces in quotes"));
  }
  return ctx.positional[0];
}

std::string Opt(const Context& ctx, const std::string& name) {
  return ctx.Get(name).value_or("");
}

absl::StatusOr<int> EnumOptionNumber(
    const Context& ctx, const std::string& name,
    const google::protobuf::EnumDescriptor* type) {
  std::optional<std::string> value = ctx.Get(name);
  if (!value.has_value()) {
    return Usage(absl::StrCat(name, " is required"));
  }
  absl::StatusOr<int> parsed = ParseEnumWord(type, *value, name);
  if (!parsed.ok()) {
    return Usage(std::string(parsed.status().message()));
  }
  return *parsed;
}

absl::StatusOr<bool> ParseAsOf(const Context& ctx, v1::AsOf* as_of) {
  std::optional<std::string> given = ctx.Get("--as-of");
  if (!given.has_value()) {
    if (ctx.Has("--effective")) {
      return Usage("--effective needs --as-of DATE");
    }
    return false;
  }
  absl::Time at;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, *given, &at, &error)) {
    SetTimestamp(at, as_of->mutable_at());
  } else {
    absl::StatusOr<std::string> day = NormalizeDate(*given, "--as-of");
    if (!day.ok()) {
      return Usage(absl::StrCat(
          "--as-of: \"", *given,
          "\" is neither a date (2026-05-17, 17/05/2026, 17 May 2026) nor a "
          "time (2026-05-17T14:30:00Z)"));
    }
    SetTimestamp(*StartOfDay(*day) + absl::Hours(24) - absl::Nanoseconds(1),
                 as_of->mutable_at());
  }
  as_of->set_axis(ctx.Has("--effective") ? v1::TIME_AXIS_EFFECTIVE
                                         : v1::TIME_AXIS_RECORDED);
  return true;
}

}  // namespace rectrack::cli
