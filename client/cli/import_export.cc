// rectrack import and rectrack export: moving commands in and out of files.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/files.h"
#include "client/cli/rpc.h"
#include "client/import/csv.h"
#include "client/import/plan.h"
#include "client/import/reimport.h"
#include "client/import/table.h"
#include "client/import/transfer.h"
#include "client/render/format.h"
#include "client/render/workbook.h"

namespace rectrack::cli {
namespace {

// "chunk C: command M: message" → "line L: message", using where each
// chunk starts in the file.
absl::Status LocateProblem(const absl::Status& status,
                           const std::vector<FileCommand>& commands,
                           const std::vector<std::string>& where,
                           const std::vector<size_t>& chunk_starts) {
  absl::string_view message = status.message();
  size_t chunk = 0;
  size_t command = 0;
  auto take = [&](absl::string_view word, size_t* n) {
    absl::string_view rest = message;
    if (!absl::ConsumePrefix(&rest, word)) return false;
    size_t colon = rest.find(": ");
    if (colon == absl::string_view::npos ||
        !absl::SimpleAtoi(rest.substr(0, colon), n)) {
      return false;
    }
    message = rest.substr(colon + 2);
    return true;
  };
  bool named_chunk = take("chunk ", &chunk);
  bool named_command = take("command ", &command);
  // Without either prefix the failing command is known only when there is
  // just one.
  if ((!named_chunk && !named_command && commands.size() != 1) ||
      chunk >= chunk_starts.size()) {
    return status;
  }
  size_t index = chunk_starts[chunk] + command;
  if (index >= commands.size()) {
    return status;
  }
  std::string place = index < where.size() && !where[index].empty()
                          ? where[index]
                          : absl::StrCat("line ", commands[index].line);
  return absl::Status(status.code(), absl::StrCat(place, ": ", message));
}

// One line of a dry run's outline: where the command is in the file, what
// it would do, and the id it would get or change.
std::string OutlineLine(const FileCommand& fc, const std::string& where,
                        const std::string& id) {
  auto brief = [](const std::string& text) {
    std::string one = absl::StrReplaceAll(text, {{"\n", " "}});
    return one.size() > 70 ? one.substr(0, 67) + "..." : one;
  };
  const v1::Command& c = fc.command;
  std::string what;
  switch (c.op_case()) {
    case v1::Command::kOpenReview:
      what = absl::StrCat("review \"", brief(c.open_review().title()), "\"");
      break;
    case v1::Command::kAddRecommendation:
      what = absl::StrCat("  recommendation ", c.add_recommendation().ref(),
                          ": ", brief(c.add_recommendation().text()));
      break;
    case v1::Command::kRecordResponse:
      what = absl::StrCat(
          "    response: ",
          EnumWord(v1::Decision_descriptor(), c.record_response().decision()));
      break;
    case v1::Command::kAddAction:
      what =
          absl::StrCat("    action: ", brief(c.add_action().text()),
                       " (lead: ", absl::StrJoin(c.add_action().leads(), "; "),
                       c.add_action().timescale().empty() ? "" : "; due: ",
                       c.add_action().timescale(), ")");
      break;
    case v1::Command::kReportProgress:
      what =
          absl::StrCat("      progress: ", brief(c.report_progress().text()));
      break;
    case v1::Command::kUpdateAction:
      what = absl::StrCat("    ", c.update_action().id(),
                          " timescale now: ", c.update_action().timescale(),
                          " (", c.update_action().reason(), ")");
      break;
    case v1::Command::kSetActionStatus:
      what = absl::StrCat("      status: ",
                          EnumWord(v1::ActionStatus_descriptor(),
                                   c.set_action_status().status()));
      break;
    default:
      what = absl::StrCat(
          "  ", c.GetDescriptor()->FindFieldByNumber(c.op_case())->name());
  }
  return absl::StrCat(where.empty() ? absl::StrCat("line ", fc.line) : where,
                      ": ", what, "  [", id, "]\n");
}

// The server's message, one problem per line, with each problem's place
// in the file.
absl::Status WithLineNumbers(const absl::Status& status,
                             const std::vector<FileCommand>& commands,
                             const std::vector<std::string>& where,
                             const std::vector<size_t>& chunk_starts) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(status.message(), '\n')) {
    absl::Status one(status.code(), line);
    lines.emplace_back(
        LocateProblem(one, commands, where, chunk_starts).message());
  }
  return absl::Status(status.code(), absl::StrJoin(lines, "\n"));
}

// What `rectrack import` was asked to do, read from the command line and the
// file.
struct ImportJob {
  std::string path;
  std::vector<FileCommand> commands;
  // Messages carry this many commands each.
  size_t chunk_size = 1000;
  // Where each chunk starts in `commands`.
  std::vector<size_t> chunk_starts;
  bool dry_run = false;
  // Up to the server's bound a file lands in one atomic commit: all of it or
  // none. Larger files, or --chunk, commit chunk by chunk (each atomic).
  bool all_or_nothing = true;
  // Same file, same chunking → same request ids: a re-run appends nothing.
  std::string import_id;
  // For action plans: where each command comes from ("table 2 row 5"), the
  // column roles chosen, guesses, rows not read, changes to what is there.
  std::vector<std::string> where;
  PlanReading plan;
  std::vector<std::string> changes;
  // What the document says differently from the tracker and a person must
  // settle (a reworded text, a changed decision): reported, not imported.
  std::vector<std::string> attention;
  bool is_plan = false;
};

// What the server answered, chunk by chunk.
struct ImportOutcome {
  std::vector<std::string> created;  // the id each command created or changed
  size_t new_commands = 0;
  size_t replayed_commands = 0;
};

bool IsPlanFormat(const std::string& format) {
  return format == "plan" || format == "docx" || format == "html" ||
         format == "text";
}

// --format, or what the file's content and name say; the options that go
// with it.
absl::StatusOr<std::string> ImportFormat(const Context& ctx,
                                         const std::string& path,
                                         absl::string_view content) {
  std::string format = ctx.Get("--format").value_or("");
  if (format.empty()) {
    for (auto [ending, name] :
         {std::make_pair(".jsonl", "jsonl"), std::make_pair(".csv", "csv"),
          std::make_pair(".tsv", "plan"), std::make_pair(".txt", "plan"),
          std::make_pair(".docx", "plan"), std::make_pair(".html", "plan"),
          std::make_pair(".htm", "plan")}) {
      if (absl::EndsWith(absl::AsciiStrToLower(path), ending)) format = name;
    }
  }
  if (format.empty() && DetectPlanFormat(content, path) != "text") {
    format = "plan";  // a Word document or a web page, whatever its name
  }
  if (format.empty()) {
    return Usage(
        "say which format the file is in: --format jsonl, csv or plan (or "
        "docx, html, text for an action plan)");
  }
  if (format != "jsonl" && format != "csv" && !IsPlanFormat(format)) {
    return absl::UnimplementedError(absl::StrCat(
        "--format ", format,
        " is not supported; this version reads jsonl and csv (as rectrack "
        "export writes them) and plan (a council's action-plan table, from "
        "a .docx, a web page or pasted text; docx, html and text name the "
        "reader)"));
  }
  if (!IsPlanFormat(format)) {
    for (const char* option :
         {"--title", "--committee", "--review", "--columns", "--strict"}) {
      if (ctx.Has(option)) {
        return Usage(absl::StrCat(option, " applies to action plans only"));
      }
    }
  }
  return format;
}

// What the tracker holds of `review_id`: its recommendations and actions.
absl::StatusOr<std::vector<ExistingRecommendation>> ExistingReview(
    Context& ctx, const std::string& review_id) {
  v1::GetReviewRequest req;
  req.set_id(review_id);
  v1::Review review;
  absl::Status s = Unary(ctx, &v1::Tracker::Stub::GetReview, req, &review);
  if (!s.ok()) return s;
  std::vector<ExistingRecommendation> out;
  for (const std::string& rec_id : review.recommendation_ids()) {
    v1::GetRecommendationRequest rreq;
    rreq.set_id(rec_id);
    v1::Recommendation rec;
    s = Unary(ctx, &v1::Tracker::Stub::GetRecommendation, rreq, &rec);
    if (!s.ok()) return s;
    ExistingRecommendation e{rec.id(),
                             rec.ref(),
                             rec.text(),
                             rec.has_response(),
                             rec.response().decision(),
                             {}};
    for (const std::string& action_id : rec.action_ids()) {
      v1::GetActionRequest areq;
      areq.set_id(action_id);
      v1::Action a;
      s = Unary(ctx, &v1::Tracker::Stub::GetAction, areq, &a);
      if (!s.ok()) return s;
      ExistingAction ea{a.id(), a.text(), a.timescale().text(), a.status(), {}};
      for (const auto& p : a.progress()) ea.progress.push_back(p.text());
      e.actions.push_back(std::move(ea));
    }
    out.push_back(std::move(e));
  }
  return out;
}

// Reads an action plan; into an existing review, only what changed.
absl::Status PreparePlan(Context& ctx, const std::string& format,
                         const std::string& content, ImportJob* job) {
  PlanOptions plan;
  plan.title = Opt(ctx, "--title");
  plan.committee = Opt(ctx, "--committee");
  plan.review_id = Opt(ctx, "--review");
  plan.format = format == "plan" ? "" : format;
  plan.columns = Opt(ctx, "--columns");
  plan.strict = ctx.Has("--strict");
  absl::StatusOr<PlanReading> reading = ReadPlan(content, job->path, plan);
  if (!reading.ok()) {
    // Which file, then what is wrong with it (and where, in the message).
    return absl::Status(
        reading.status().code(),
        absl::StrCat(job->path, ": ", reading.status().message()));
  }
  job->is_plan = true;
  job->plan = *std::move(reading);
  job->where = job->plan.where;
  job->commands = std::move(job->plan.commands);
  if (!plan.review_id.empty()) {
    absl::StatusOr<std::vector<ExistingRecommendation>> existing =
        ExistingReview(ctx, plan.review_id);
    if (!existing.ok()) return existing.status();
    job->commands = ChangesAgainst(job->commands, *existing, &job->where,
                                   &job->changes, &job->attention);
  }
  return absl::OkStatus();
}

absl::StatusOr<ImportJob> PrepareImport(Context& ctx) {
  ImportJob job;
  absl::StatusOr<std::string> path = OneId(ctx, "file");
  if (!path.ok()) return path.status();
  job.path = *path;
  absl::StatusOr<std::string> content = ReadWholeFile(job.path);
  if (!content.ok()) return content.status();
  absl::StatusOr<std::string> format = ImportFormat(ctx, job.path, *content);
  if (!format.ok()) return format.status();
  if (auto chunk = ctx.Number("--chunk")) job.chunk_size = *chunk;
  if (IsPlanFormat(*format)) {
    absl::Status s = PreparePlan(ctx, *format, *content, &job);
    if (!s.ok()) return s;
  } else {
    auto commands =
        *format == "csv" ? CsvToCommands(*content) : ParseJsonl(*content);
    if (!commands.ok()) return commands.status();
    job.commands = *std::move(commands);
  }
  job.dry_run = ctx.Has("--dry-run");
  constexpr size_t kAtomicLimit = 200000;  // kMaxCommandsAllOrNothing
  job.all_or_nothing =
      !ctx.Has("--chunk") && job.commands.size() <= kAtomicLimit;
  if (job.dry_run && !job.all_or_nothing) {
    return Usage(absl::StrCat("--dry-run checks files of up to ", kAtomicLimit,
                              " commands, without --chunk"));
  }
  std::string identity = *content;
  if (ctx.Has("--review")) {
    // Into an existing review the commands are what changed since: a
    // request of its own each time something did.
    for (const FileCommand& fc : job.commands) {
      absl::StrAppend(&identity, fc.command.SerializeAsString());
    }
    absl::StrAppend(&identity, Opt(ctx, "--review"));
  }
  job.import_id =
      absl::StrCat("import-", StableHash(identity), "-", job.chunk_size);
  for (size_t start = 0; start < job.commands.size(); start += job.chunk_size) {
    job.chunk_starts.push_back(start);
  }
  return job;
}

// Takes in the answer about one chunk, showing the progress on stderr: a
// bar that redraws itself on a terminal, a line per chunk elsewhere.
void Record(const ImportJob& job, const v1::BulkApplyResponse& response,
            bool tty, ImportOutcome* outcome) {
  size_t start = job.chunk_starts[response.chunk_index()];
  const v1::ApplyResponse& result = response.result();
  for (int i = 0; i < result.results_size(); ++i) {
    outcome->created[start + i] = result.results(i).entity_id();
  }
  (result.replayed() ? outcome->replayed_commands : outcome->new_commands) +=
      result.results_size();
  if (job.dry_run) return;
  size_t done = outcome->new_commands + outcome->replayed_commands;
  size_t total = job.commands.size();
  if (tty) {
    constexpr size_t kWidth = 30;
    size_t filled = done * kWidth / total;
    std::fprintf(stderr, "\r[%s%s] %3zu%%  %zu of %zu commands",
                 std::string(filled, '#').c_str(),
                 std::string(kWidth - filled, '-').c_str(), done * 100 / total,
                 done, total);
  } else {
    std::fprintf(stderr, "imported %zu of %zu commands\n", done, total);
  }
}

// Chunk `c` of the file as a request. References to what earlier chunks
// created are rewritten to the ids they got.
absl::StatusOr<v1::BulkApplyRequest> ChunkRequest(
    const ImportJob& job, size_t c, const std::vector<std::string>& created) {
  v1::BulkApplyRequest request;
  request.set_all_or_nothing(job.all_or_nothing);
  v1::ApplyRequest* chunk = request.mutable_chunk();
  chunk->set_request_id(absl::StrCat(job.import_id, "-", c));
  chunk->set_dry_run(job.dry_run);
  size_t end =
      std::min(job.commands.size(), job.chunk_starts[c] + job.chunk_size);
  for (size_t i = job.chunk_starts[c]; i < end; ++i) {
    v1::Command command = job.commands[i].command;
    if (!job.all_or_nothing) {
      absl::Status s = RebaseReferences(&command, job.chunk_starts[c], created);
      if (!s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", job.commands[i].line, ": ", s.message()));
      }
    }
    *chunk->add_commands() = std::move(command);
  }
  return request;
}

// Streams the chunks to BulkApply. Chunk by chunk, each waits for the
// answer about the one before, whose ids it may refer to.
absl::Status SendChunks(Context& ctx, const ImportJob& job,
                        ImportOutcome* outcome) {
  outcome->created.assign(job.commands.size(), "");
  const bool tty = isatty(fileno(stderr));
  grpc::ClientContext call;
  auto stream = ctx.stub->BulkApply(&call);
  bool stream_ok = true;
  for (size_t c = 0; c < job.chunk_starts.size() && stream_ok; ++c) {
    absl::StatusOr<v1::BulkApplyRequest> request =
        ChunkRequest(job, c, outcome->created);
    if (!request.ok()) {
      call.TryCancel();
      return request.status();
    }
    stream_ok = stream->Write(*request);
    if (stream_ok && !job.all_or_nothing) {
      v1::BulkApplyResponse response;
      stream_ok = stream->Read(&response);
      if (stream_ok) Record(job, response, tty, outcome);
    }
  }
  stream->WritesDone();
  v1::BulkApplyResponse response;
  while (stream->Read(&response)) {
    Record(job, response, tty, outcome);
  }
  if (tty && !job.dry_run) std::fputs("\n", stderr);
  absl::Status status =
      Call(ctx, [&](grpc::ClientContext*) { return stream->Finish(); });
  if (!status.ok()) {
    return WithLineNumbers(status, job.commands, job.where, job.chunk_starts);
  }
  return absl::OkStatus();
}

// What was (or, in a dry run, would be) imported; the first review created
// alone on the last line.
void PrintImportSummary(const ImportJob& job, const ImportOutcome& outcome) {
  std::map<v1::Command::OpCase, int> ops;
  for (const FileCommand& fc : job.commands) ++ops[fc.command.op_case()];
  std::string outline = absl::StrCat(
      ops[v1::Command::kOpenReview], " review(s), ",
      ops[v1::Command::kAddRecommendation], " recommendation(s), ",
      ops[v1::Command::kAddAction], " action(s) and ",
      job.commands.size() - ops[v1::Command::kOpenReview] -
          ops[v1::Command::kAddRecommendation] - ops[v1::Command::kAddAction],
      " other change(s)");
  if (job.dry_run) {
    for (size_t i = 0; i < job.commands.size(); ++i) {
      std::cout << OutlineLine(job.commands[i],
                               i < job.where.size() ? job.where[i] : "",
                               outcome.created[i]);
    }
    std::cout << "\nDry run: all " << job.commands.size()
              << " commands would be accepted, creating " << outline
              << ". Nothing was written.\n";
    return;
  }
  std::cout << "Imported " << job.path << ": " << outline << ", "
            << (job.all_or_nothing
                    ? "in one atomic commit"
                    : absl::StrCat("in ", job.chunk_starts.size(), " chunk(s)"))
            << ". " << outcome.new_commands << " command(s) applied now, "
            << outcome.replayed_commands
            << " had been imported before (nothing added for those).\n";
  for (const std::string& id : outcome.created) {
    if (absl::StartsWith(id, "review-")) {
      std::cout << id << "\n";
      break;
    }
  }
}

// What the plan interpreter chose and could not read: column roles and
// guesses in a dry run (on stdout), rows not read always (on stderr).
void PrintPlanNotes(const ImportJob& job) {
  if (!job.is_plan) return;
  if (job.dry_run) {
    std::cout << "Read as " << job.plan.format << ". Columns:\n";
    for (const std::string& c : job.plan.columns)
      std::cout << "  " << c << "\n";
    for (const std::string& u : job.plan.unsure) {
      std::cout << "unsure: " << u << "\n";
    }
    for (const std::string& c : job.changes) {
      std::cout << "change: " << c << "\n";
    }
    std::cout << "\n";
  }
  for (const std::string& p : job.plan.problems) {
    std::cerr << "not imported: " << p << "\n";
  }
  for (const std::string& a : job.attention) {
    std::cout << "for you to check: " << a << "\n";
  }
}

absl::Status Import(Context& ctx) {
  absl::StatusOr<ImportJob> job = PrepareImport(ctx);
  if (!job.ok()) return job.status();
  PrintPlanNotes(*job);
  if (job->commands.empty()) {
    std::cout << "Nothing to change: " << job->path
              << " holds nothing the review does not already have.\n";
    return absl::OkStatus();
  }
  ImportOutcome outcome;
  absl::Status sent = SendChunks(ctx, *job, &outcome);
  if (!sent.ok()) return sent;
  PrintImportSummary(*job, outcome);
  return absl::OkStatus();
}

// The streams one review's export holds (its own, its recommendations' and
// its actions'); empty without --review, meaning every stream.
absl::StatusOr<std::set<std::string>> ExportStreams(Context& ctx) {
  std::set<std::string> streams;
  auto review = ctx.Get("--review");
  if (!review.has_value()) return streams;
  v1::GetReviewRequest req;
  req.set_id(*review);
  v1::Review r;
  absl::Status s = Unary(ctx, &v1::Tracker::Stub::GetReview, req, &r);
  if (!s.ok()) return s;
  streams.insert(r.id());
  streams.insert(r.recommendation_ids().begin(), r.recommendation_ids().end());
  v1::ListActionsRequest areq;
  areq.set_review_id(r.id());
  auto actions = AllActions(ctx, areq);
  if (!actions.ok()) return actions.status();
  for (const auto& a : *actions) streams.insert(a.id());
  return streams;
}

// Calls `each` with the command that rebuilds each event of `streams`
// (every event if empty), in log order.
absl::Status ForEachExportCommand(
    Context& ctx, const std::set<std::string>& streams,
    const std::function<void(const v1::Command&)>& each) {
  for (uint64_t from = 1;;) {
    v1::ReadEventsRequest req;
    req.set_from_position(from);
    req.set_limit(10000);
    v1::ReadEventsResponse resp;
    absl::Status s = Unary(ctx, &v1::Tracker::Stub::ReadEvents, req, &resp);
    if (!s.ok()) return s;
    if (resp.events().empty()) return absl::OkStatus();
    for (const v1::Event& e : resp.events()) {
      if (streams.empty() || streams.count(e.stream())) {
        each(CommandFromEvent(e));
      }
    }
    from = resp.events(resp.events_size() - 1).position() + 1;
  }
}

// The export's rows as one Excel sheet, with the CSV export's columns.
absl::StatusOr<std::string> ExportWorkbook(
    const std::vector<std::vector<std::string>>& rows) {
  // An Excel sheet holds 1,048,576 rows, the header included.
  constexpr size_t kMaxRows = 1048575;
  if (rows.size() > kMaxRows) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the export has ", rows.size(),
        " changes, more than the 1,048,575 rows an Excel sheet holds; use "
        "--format csv, or --review to export one review"));
  }
  std::vector<std::pair<std::string, double>> columns;
  for (const std::string& c : CsvColumns()) {
    bool wide = c == "text" || c == "title" || c == "note" || c == "reason";
    columns.emplace_back(c, wide ? 50 : 14);
  }
  return TableWorkbook("Changes", columns, rows);
}

absl::Status Export(Context& ctx) {
  if (!ctx.positional.empty()) {
    return Usage(absl::StrCat("unexpected \"", ctx.positional[0],
                              "\"; to export one review use --review ID"));
  }
  std::string format = ctx.Get("--format").value_or("jsonl");
  auto target = ctx.Get("--output");
  bool to_stdout = !target.has_value() || *target == "-";
  if (format == "xlsx" && to_stdout) {
    return Usage(
        "--format xlsx: give --output FILE.xlsx (a workbook is not for the "
        "terminal)");
  }
  absl::StatusOr<std::set<std::string>> streams = ExportStreams(ctx);
  if (!streams.ok()) return streams.status();
  std::string out = format == "csv" ? CsvHeaderLine() : "";
  std::vector<std::vector<std::string>> rows;  // for xlsx
  absl::Status read =
      ForEachExportCommand(ctx, *streams, [&](const v1::Command& command) {
        if (format == "xlsx") {
          rows.push_back(CommandToCsvCells(command));
        } else {
          absl::StrAppend(&out, format == "csv" ? CommandToCsvLine(command)
                                                : ToJsonLine(command) + "\n");
        }
      });
  if (!read.ok()) return read;
  if (format == "xlsx") {
    absl::StatusOr<std::string> book = ExportWorkbook(rows);
    if (!book.ok()) return book.status();
    out = *std::move(book);
  }
  if (to_stdout) {
    std::cout << out;
    return absl::OkStatus();
  }
  return WriteFileWhole(*target, out);
}

}  // namespace

void AddTransferCommands(std::vector<CommandSpec>* commands) {
  commands->push_back(
      {"import",
       "FILE [--format jsonl|csv|plan|docx|html|text] [--title T] "
       "[--committee C] [--review REVIEW] [--columns SPEC] [--strict] "
       "[--dry-run] [--chunk N]",
       "Import changes from a file, as export writes them (jsonl: one "
       "Command per line, \"$N\" naming what the file's command N created; "
       "csv: see docs/csv.md), or a council's action plan as a Word .docx, "
       "a web page or text pasted with tabs or | between cells (plan: see "
       "docs/plan-import.md; --title, --committee and --review say which "
       "review it belongs to; into an existing --review only what changed "
       "is added; --columns \"1=ref,2=recommendation,4=lead\" says what "
       "columns hold; rows it cannot read are reported and skipped, "
       "--strict refuses the plan instead). A file of "
       "up to 200,000 commands lands whole or not at all; --chunk N commits "
       "N at a time instead. Running it again adds nothing.",
       // --format is checked by Import: a format it does not read is
       // UNIMPLEMENTED, not a usage error.
       {Text("--format"),
        Number("--chunk", "give a number of commands from 1 to 10000", 1,
               10000),
        Text("--title"), Text("--committee"), Text("--review"),
        Text("--columns", "SPEC"), Flag("--strict"), Flag("--dry-run")},
       Import});
  commands->push_back(
      {"export",
       "[--review REVIEW] [--format jsonl|csv|xlsx] [--output FILE]",
       "Write the commands that rebuild everything (or one review) as "
       "jsonl; importing them into an empty server gives the same ids. "
       "csv writes the same changes a row each (see docs/csv.md; it opens "
       "in Excel and imports back); xlsx writes those rows as an Excel "
       "sheet for reading (needs --output; save it as CSV to import it).",
       {Text("--review"),
        Choice("--format", {"jsonl", "csv", "xlsx"}, {},
               "give jsonl, csv or xlsx"),
        Text("--output,-o", "FILE")},
       Export});
}

}  // namespace rectrack::cli
