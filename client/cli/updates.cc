// rectrack people add|list|import and rectrack updates
// request|list|answer|approve|return: the directory of leads' addresses
// and the update cycle before each meeting.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/rpc.h"
#include "client/render/format.h"

namespace rectrack::cli {
namespace {

absl::Status PeopleAdd(Context& ctx) {
  if (ctx.positional.size() != 1) {
    return Usage(
        "people add takes one name (in quotes if it has spaces), e.g. "
        "rectrack people add \"Gemma Barron\" --email gemma@council.gov.uk");
  }
  v1::Command c;
  c.mutable_add_person()->set_name(ctx.positional[0]);
  c.mutable_add_person()->set_email(Opt(ctx, "--email"));
  return PrintChange(ctx, ApplyOne(ctx, std::move(c)), "Added or kept");
}

absl::Status PeopleList(Context& ctx) {
  v1::ListPeopleResponse response;
  absl::Status s = Unary(ctx, &v1::Tracker::Stub::ListPeople,
                         v1::ListPeopleRequest(), &response);
  if (!s.ok()) return s;
  std::string text;
  for (const v1::Person& p : response.people()) {
    absl::StrAppend(&text, p.id(), "  ", p.name(), "  <", p.email(), ">\n");
  }
  if (response.people().empty()) text = "No people in the directory yet.\n";
  Print(ctx, response, text);
  return absl::OkStatus();
}

// The fields of one CSV line: commas split, double quotes enclose a field
// ("" inside quotes is one quote).
std::vector<std::string> CsvFields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        out.back() += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      out.emplace_back();
    } else if (ch != '\r') {
      out.back() += ch;
    }
  }
  for (std::string& f : out) f = std::string(absl::StripAsciiWhitespace(f));
  return out;
}

// One AddPerson per line "name,email" of `path` (a first line
// "name,email" is a header); all in one request, so a bad line adds nobody.
absl::StatusOr<v1::ApplyRequest> ReadPeopleCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Usage(absl::StrCat("cannot read ", path));
  v1::ApplyRequest request;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    std::vector<std::string> f = CsvFields(line);
    if (n == 1 && absl::EqualsIgnoreCase(f[0], "name")) continue;
    if (f.size() != 2) {
      return Usage(absl::StrCat(path, " line ", n,
                                ": expected two columns, name and email, "
                                "e.g. \"Gemma Barron\",gemma@council.gov.uk"));
    }
    v1::AddPerson* p = request.add_commands()->mutable_add_person();
    p->set_name(f[0]);
    p->set_email(f[1]);
  }
  if (request.commands().empty()) {
    return Usage(absl::StrCat(path, " holds nobody: give lines name,email"));
  }
  return request;
}

absl::Status PeopleImport(Context& ctx) {
  absl::StatusOr<std::string> path = OneId(ctx, "CSV file");
  if (!path.ok()) return path.status();
  absl::StatusOr<v1::ApplyRequest> request = ReadPeopleCsv(*path);
  if (!request.ok()) return request.status();
  request->set_request_id(Opt(ctx, "--request-id"));
  v1::ApplyResponse response;
  absl::Status s = Unary(ctx, &v1::Tracker::Stub::Apply, *request, &response);
  if (!s.ok()) return s;
  int changed = 0;
  for (const v1::CommandResult& r : response.results()) {
    changed += r.position() != 0 ? 1 : 0;
  }
  Print(ctx, response,
        absl::StrCat("Read ", response.results_size(), " people: ", changed,
                     " added or changed, ", response.results_size() - changed,
                     " already in the directory as given.\n"));
  return absl::OkStatus();
}

absl::Status UpdatesRequest(Context& ctx) {
  absl::StatusOr<std::string> id = OneId(ctx, "review");
  if (!id.ok()) return id.status();
  v1::Command c;
  v1::RequestUpdates* r = c.mutable_request_updates();
  r->set_review_id(*id);
  r->set_meeting(Opt(ctx, "--meeting"));
  r->set_due(Opt(ctx, "--due"));
  absl::StatusOr<v1::ApplyResponse> response = ApplyOne(ctx, std::move(c));
  if (!response.ok()) return response.status();
  const v1::CommandResult& result = response->results(0);
  Print(
      ctx, *response,
      absl::StrCat("Asked for ", result.events(), " update",
                   result.events() == 1 ? "" : "s", " on ", result.entity_id(),
                   result.events() == 0
                       ? " (every open action had been asked already for this "
                         "meeting, or waits for approval)"
                       : "",
                   ".\nSee who owes what: rectrack updates list --review ",
                   result.entity_id(), "\n"));
  return absl::OkStatus();
}

std::string UpdateStateWords(const v1::UpdateRequest& r) {
  if (r.overdue()) return "OVERDUE";
  switch (r.status()) {
    case v1::UPDATE_STATUS_OPEN:
      return "open";
    case v1::UPDATE_STATUS_ANSWERED:
      return "answered, waiting for approval";
    case v1::UPDATE_STATUS_APPROVED:
      return "approved";
    case v1::UPDATE_STATUS_RETURNED:
      return "returned";
    default:
      return "not asked";
  }
}

std::string UpdateLine(const v1::Action& a) {
  const v1::UpdateRequest& r = a.update_request();
  std::string out = absl::StrCat(
      a.id(), "  ", UpdateStateWords(r), "  due ", r.due(), " for meeting ",
      r.meeting(), "\n    ", a.text(),
      "\n    lead: ", absl::StrJoin(a.leads(), "; "), "   target: ",
      a.timescale().text().empty() ? "none" : a.timescale().text(), "\n");
  if (r.has_answer() && r.status() != v1::UPDATE_STATUS_OPEN) {
    absl::StrAppend(&out, "    answer (", r.answer().answered_by(), ", ",
                    r.answer().answered_on(), "): ", r.answer().text(), "\n");
  }
  if (!r.comment().empty()) {
    absl::StrAppend(&out, "    comment (", r.decided_by(), "): ", r.comment(),
                    "\n");
  }
  return out;
}

absl::Status UpdatesList(Context& ctx) {
  v1::ListUpdatesRequest request;
  request.set_review_id(Opt(ctx, "--review"));
  request.set_lead(Opt(ctx, "--lead"));
  const std::string status = Opt(ctx, "--status");
  if (status == "overdue") {
    request.set_overdue(true);
  } else if (!status.empty()) {
    auto number =
        ParseEnumWord(v1::UpdateStatus_descriptor(), status, "--status");
    if (!number.ok()) return number.status();
    request.set_status(static_cast<v1::UpdateStatus>(*number));
  }
  v1::ListUpdatesResponse response;
  absl::Status s =
      Unary(ctx, &v1::Tracker::Stub::ListUpdates, request, &response);
  if (!s.ok()) return s;
  std::string text;
  for (const v1::Action& a : response.actions()) {
    absl::StrAppend(&text, UpdateLine(a));
  }
  if (response.actions().empty()) text = "No updates match.\n";
  Print(ctx, response, text);
  return absl::OkStatus();
}

absl::Status UpdatesAnswer(Context& ctx) {
  return ChangeOne(ctx, "action", "Answered the update on",
                   [&](const std::string& id, v1::Command* c) -> absl::Status {
                     v1::AnswerUpdate* a = c->mutable_answer_update();
                     a->set_id(id);
                     a->set_text(Opt(ctx, "--text"));
                     if (ctx.Has("--status")) {
                       auto status = EnumOption<v1::ActionStatus>(
                           ctx, "--status", v1::ActionStatus_descriptor());
                       if (!status.ok()) return status.status();
                       a->set_status(*status);
                     }
                     if (auto due = ctx.Get("--due")) a->set_timescale(*due);
                     a->set_reason(Opt(ctx, "--reason"));
                     a->set_answered_on(Opt(ctx, "--on"));
                     return absl::OkStatus();
                   });
}

absl::Status UpdatesApprove(Context& ctx) {
  return ChangeOne(
      ctx, "action", "Approved the update on",
      [&](const std::string& id, v1::Command* c) {
        c->mutable_approve_update()->set_id(id);
        c->mutable_approve_update()->set_comment(Opt(ctx, "--comment"));
        return absl::OkStatus();
      });
}

absl::Status UpdatesReturn(Context& ctx) {
  return ChangeOne(
      ctx, "action", "Returned the update on",
      [&](const std::string& id, v1::Command* c) {
        c->mutable_return_update()->set_id(id);
        c->mutable_return_update()->set_comment(Opt(ctx, "--comment"));
        return absl::OkStatus();
      });
}

std::string OutboxText(const v1::ListOutboxResponse& response) {
  std::string out;
  for (const v1::OutboxMessage& m : response.messages()) {
    absl::StrAppend(
        &out, m.sent() ? "SENT " : "DUE  ", m.kind(), "  to ", m.recipient(),
        m.to().empty() ? "" : absl::StrCat(" <", m.to(), ">"),
        m.sent() ? absl::StrCat("  (event #", m.position(), ")") : "", "\n",
        m.problem().empty()
            ? ""
            : absl::StrCat("  cannot send: ", m.problem(), "\n"),
        "  Subject: ", m.subject(), "\n");
    for (absl::string_view line : absl::StrSplit(m.body(), '\n')) {
      absl::StrAppend(&out, "  | ", line, "\n");
    }
    out += "\n";
  }
  if (response.messages().empty()) {
    out =
        absl::StrCat("Nothing due or sent (today is ", response.day(), ").\n");
  }
  return out;
}

absl::Status UpdatesOutbox(Context& ctx) {
  v1::ListOutboxRequest request;
  request.set_review_id(Opt(ctx, "--review"));
  v1::ListOutboxResponse response;
  absl::Status s =
      Unary(ctx, &v1::Tracker::Stub::ListOutbox, request, &response);
  if (!s.ok()) return s;
  Print(ctx, response, OutboxText(response));
  return absl::OkStatus();
}

void AddPeopleCommands(std::vector<CommandSpec>* commands) {
  commands->push_back(
      {"people add",
       "NAME --email ADDRESS",
       "Put a person in the directory of people (how rectrack reaches a "
       "lead), or change their address. Actions keep naming leads; the name "
       "here must match the lead's name as actions give it.",
       {Text("--email").Required()},
       PeopleAdd,
       true});
  commands->push_back({"people list",
                       "",
                       "List the directory of people and their addresses.",
                       {},
                       PeopleList});
  commands->push_back(
      {"people import",
       "FILE.csv",
       "Add or update many people at once from a CSV file of two columns, "
       "name and email (a first line \"name,email\" is skipped). All or "
       "nothing: one bad line adds nobody; people already there as given "
       "are left alone.",
       {},
       PeopleImport,
       true});
}

}  // namespace

void AddUpdateCommands(std::vector<CommandSpec>* commands) {
  AddPeopleCommands(commands);
  commands->push_back(
      {"updates request",
       "REVIEW [--meeting DATE] [--due DATE]",
       "Ask the leads of a review's open actions for an update before a "
       "committee meeting (default: the next report-back scheduled), due by "
       "--due (default: 14 days before the meeting, or as rectrackd is "
       "set). Asking again for the same meeting asks nobody twice.",
       {Text("--meeting"), Text("--due")},
       UpdatesRequest,
       true});
  commands->push_back(
      {"updates list",
       "[--review R] [--lead NAME] [--status open|answered|approved|"
       "returned|overdue]",
       "Show who owes which update, what has been answered and what waits "
       "for approval; overdue: not answered by its due day.",
       {Text("--review"), Text("--lead"),
        Choice("--status",
               {"open", "answered", "approved", "returned", "overdue"})},
       UpdatesList});
  commands->push_back(
      {"updates answer",
       "ACTION --text T [--status S] [--due TIMESCALE --reason R] "
       "[--on DATE]",
       "Answer the update asked of you on an action you lead: what has been "
       "done, and optionally the status it should have and a new target "
       "with the reason. Where rectrackd needs updates approved (the "
       "default), the answer waits for a scrutiny officer before it enters "
       "the record and the reports.",
       {Text("--text").Required(),
        Choice("--status", v1::ActionStatus_descriptor()), Text("--due"),
        Text("--reason"), Text("--on")},
       UpdatesAnswer,
       true});
  commands->push_back(
      {"updates approve",
       "ACTION [--comment C]",
       "Approve the answer waiting on an action (scrutiny): its note, status "
       "and target enter the record, dated the day the answer gave, with "
       "both the lead and you on it.",
       {Text("--comment")},
       UpdatesApprove,
       true});
  commands->push_back(
      {"updates return",
       "ACTION --comment C",
       "Send the answer waiting on an action back to its lead with a "
       "comment; they can answer again. Nothing of it enters the record.",
       {Text("--comment").Required()},
       UpdatesReturn,
       true});
  commands->push_back(
      {"updates outbox",
       "[--review R]",
       "Show the update cycle's messages: those due today and not yet sent "
       "(requests to leads, reminders, the digest of what is outstanding), "
       "then those sent, each with its recipient and text. Works whether "
       "or not rectrackd has a mail server (--smtp-url).",
       {Text("--review")},
       UpdatesOutbox});
}

}  // namespace rectrack::cli
