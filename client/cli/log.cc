// rectrack history, events and watch: the event log, for one entity, as a
// whole, or followed as it grows.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/rpc.h"
#include "client/render/format.h"
#include "client/render/report_words.h"
#include "common/dates.h"
#include "common/grpc_status.h"

namespace rectrack::cli {
namespace {

std::string EventLines(
    const google::protobuf::RepeatedPtrField<v1::Event>& events) {
  std::string text;
  for (const v1::Event& e : events) text += FormatEvent(e);
  return text;
}

// One line per event, as a clerk reads it: when it took effect, what
// happened, and who recorded it when.
std::string HistoryLines(
    const google::protobuf::RepeatedPtrField<v1::Event>& events) {
  const ReportNames names;
  std::string text;
  for (const v1::Event& e : events) {
    const absl::Time recorded = TimeFromProto(e.recorded_at());
    absl::StrAppend(
        &text,
        UkDate(e.effective_on().empty() ? DayOf(recorded) : e.effective_on()),
        "  ", DescribeChange(e, names), "\n    (#", e.position(), ", ",
        e.type(), ", recorded ",
        absl::FormatTime("%Y-%m-%d %H:%M UTC", recorded, absl::UTCTimeZone()),
        " by ", e.actor().empty() ? "-" : e.actor(), ")\n");
  }
  return text;
}

absl::Status History(Context& ctx) {
  v1::GetHistoryRequest req;
  v1::GetHistoryResponse response;
  absl::Status status =
      GetOne(ctx, "entity", &v1::Tracker::Stub::GetHistory, &req, &response);
  if (!status.ok()) return status;
  Print(ctx, response,
        ctx.Has("--full") ? EventLines(response.events())
                          : HistoryLines(response.events()));
  return absl::OkStatus();
}

absl::Status Events(Context& ctx) {
  v1::ReadEventsRequest req;
  if (auto from = ctx.Number("--from")) req.set_from_position(*from);
  if (auto limit = ctx.Number("--limit")) {
    req.set_limit(
        static_cast<uint32_t>(std::min<uint64_t>(*limit, UINT32_MAX)));
  }
  v1::ReadEventsResponse response;
  absl::Status status =
      Unary(ctx, &v1::Tracker::Stub::ReadEvents, req, &response);
  if (!status.ok()) return status;
  std::string text = EventLines(response.events());
  absl::StrAppend(&text, "(", response.events_size(),
                  " events shown; the log ends at #", response.last_position(),
                  ")\n");
  Print(ctx, response, text);
  return absl::OkStatus();
}

absl::Status Watch(Context& ctx) {
  v1::WatchRequest req;
  if (auto from = ctx.Number("--from")) req.set_from_position(*from);
  req.set_review_id(Opt(ctx, "--review"));
  for (const std::string& type : ctx.GetAll("--type")) {
    req.add_types(type);
  }
  grpc::ClientContext call;  // no deadline: a watch runs until stopped
  auto stream = ctx.stub->Watch(&call, req);
  v1::WatchResponse item;
  uint64_t last = 0;
  while (stream->Read(&item)) {
    if (ctx.json) {
      std::cout << ToJsonLine(item) << std::endl;
    } else if (item.has_caught_up()) {
      std::cout << "-- caught up at #" << item.caught_up().position()
                << "; waiting for new events (Ctrl-C to stop) --" << std::endl;
    } else {
      std::cout << FormatEvent(item.event()) << std::flush;
    }
    if (item.has_event()) last = item.event().position();
  }
  absl::Status status = FromGrpcStatus(stream->Finish());
  if (!status.ok() && last > 0 &&
      !absl::StrContains(status.message(), "from position")) {
    return absl::Status(
        status.code(),
        absl::StrCat(status.message(), " (resume with --from ", last + 1, ")"));
  }
  return status;
}

}  // namespace

void AddLogCommands(std::vector<CommandSpec>* commands) {
  commands->push_back({"history",
                       "ID [--full]",
                       "Every event of one review, recommendation or action, "
                       "as readable lines (--full: every field; --json: "
                       "the events as JSON).",
                       {Flag("--full")},
                       History});
  commands->push_back({"events",
                       "[--from N] [--limit N]",
                       "The global event log.",
                       {Number("--from", "\"$0\" is not a number"),
                        Number("--limit", "\"$0\" is not a number")},
                       Events});
  commands->push_back(
      {"watch",
       "[--from N] [--review REVIEW] [--type TYPE...]",
       "Print every event from position N, then new events as they happen, "
       "until stopped with Ctrl-C.",
       {Number("--from", "\"$0\" is not a position"), Text("--review"),
        Repeated("--type")},
       Watch});
}

}  // namespace rectrack::cli
