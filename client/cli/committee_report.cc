// rectrack report: the committee's report-back on one review, in text,
// Markdown, CSV, HTML or JSON.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/files.h"
#include "client/cli/rpc.h"
#include "client/render/report.h"

namespace rectrack::cli {
namespace {

absl::Status ReportCommand(Context& ctx) {
  auto id = OneId(ctx, "review");
  if (!id.ok()) return id.status();
  v1::GetReportRequest req;
  req.set_review_id(*id);
  auto has_as_of = AsOfOption(ctx, &req);
  if (!has_as_of.ok()) return has_as_of.status();
  req.set_since(Opt(ctx, "--since"));
  req.set_meeting_on(Opt(ctx, "--meeting"));
  if (auto days = ctx.Number("--deadline-days")) {
    req.set_response_deadline_days(static_cast<uint32_t>(*days));
  }
  std::string format =
      ctx.Get("--format")
          .value_or(ctx.json ? std::string("json") : std::string("text"));
  v1::Report report;
  absl::Status status = Unary(ctx, &v1::Tracker::Stub::GetReport, req, &report);
  if (!status.ok()) return status;
  if (format == "xlsx" && !ctx.Get("--output").has_value()) {
    return Usage(
        "--format xlsx: give --output FILE.xlsx (a workbook is not "
        "for the terminal)");
  }
  absl::StatusOr<std::string> rendered = RenderReport(report, format);
  if (!rendered.ok()) {
    if (rendered.status().code() == absl::StatusCode::kInvalidArgument) {
      return Usage(std::string(rendered.status().message()));
    }
    return rendered.status();
  }
  if (auto path = ctx.Get("--output")) {
    absl::Status written = WriteFileWhole(*path, *rendered);
    if (!written.ok()) return written;
    std::cerr << "Wrote the " << format << " report of " << *id << " to "
              << *path << "\n";
    return absl::OkStatus();
  }
  std::cout << *rendered;
  return absl::OkStatus();
}

}  // namespace

void AddReportCommands(std::vector<CommandSpec>* commands) {
  commands->push_back(
      {"report",
       "REVIEW [--format text|md|csv|html|xlsx|json] [--output FILE | -o FILE] "
       "[--since DATE] [--meeting DATE] [--as-of DATE|TIME [--effective]] "
       "[--deadline-days N]",
       "The committee report-back: exceptions first (overdue, no target, "
       "revised more than once, proposed for sign-off), then every "
       "recommendation, response, action, RAG and latest update; changes "
       "since the last report-back; response times; slippage. --meeting: the "
       "meeting it is for (default: the next scheduled report-back).",
       // RenderReport also reads "markdown", and "" as text.
       {Choice("--format", {"text", "md", "csv", "html", "xlsx", "json"},
               {"markdown", ""}),
        Text("--output,-o", "FILE"), Text("--since"), Text("--meeting"),
        Text("--as-of"),
        Number("--deadline-days", "\"$0\" is not a number of days", 1,
               UINT32_MAX),
        Flag("--effective")},
       ReportCommand});
}

}  // namespace rectrack::cli
