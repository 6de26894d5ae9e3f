// history_bench: what one change and one read cost as an action's history
// grows, and what one large request costs (issue 18, its first two
// targets). Every figure has its baseline measured in the same run, on a
// fresh in-process rectrackd (real gRPC over loopback, real RocksDB with
// fsync):
//
// 1. A progress update (Apply of one ReportProgress), p50, on an action
//    that already has 10,000 notes, against the same on one with 10
//    (target: at most 1.2 x). GetAction likewise, returning the latest 20
//    notes (max_progress = 20); GetAction of the whole action is printed
//    too, for the record: it returns every note, so it grows with them.
// 2. One request of 10,000 progress commands on one action against one of
//    1,000 (target: at most 12 x), and how much rectrackd's resident memory
//    grows while it runs (peak during the request less the resident size
//    before it; target at most 100 MB).
//
// Ratios are figure / baseline (lower is better), as the targets are put.
//
// Usage: history_bench [--notes 10000] [--samples 200] [--runs 3]
//                      [--server HOST:PORT --server-pid PID]
// With --server it measures a rectrackd already running (plaintext, no
// tokens, e.g. an older build, for figures from before a change) and reads
// that process's memory; each part then uses new actions on it.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "bench/bench_util.h"
#include "rectrack/v1/tracker.grpc.pb.h"

namespace {

using rectrack::bench::Median;
using rectrack::bench::TempDir;
using Clock = std::chrono::steady_clock;
namespace v1 = rectrack::v1;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

// Where the server under test runs: "self" (in this process) or its pid.
std::string server_proc = "self";  // NOLINT: set once, from the command line
std::string server_address;        // NOLINT: empty = in-process

// The server's resident set (VmRSS) or its peak since the last reset
// (VmHWM), in MiB.
double MemoryMiB(const char* field) {
  std::ifstream in(absl::StrCat("/proc/", server_proc, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) {
      double kb = 0;
      (void)absl::SimpleAtod(absl::StripAsciiWhitespace(absl::StripSuffix(
                                 line.substr(std::string(field).size()), "kB")),
                             &kb);
      return kb / 1024;
    }
  }
  return 0;
}

// CPU time (user + system) the server's process has used, in ms: on a
// shared machine the wall time of a long request also counts the time it
// waited for a core.
double CpuMs() {
  std::ifstream in(absl::StrCat("/proc/", server_proc, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses: utime is the
  // 12th and stime the 13th of them.
  std::vector<std::string> fields =
      absl::StrSplit(stat.substr(stat.rfind(')') + 2), ' ');
  double utime = 0, stime = 0;
  if (fields.size() > 12) {
    (void)absl::SimpleAtod(fields[11], &utime);
    (void)absl::SimpleAtod(fields[12], &stime);
  }
  return (utime + stime) * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Resets VmHWM to the current resident size (Linux: clear_refs 5).
void ResetPeak() {
  std::ofstream(absl::StrCat("/proc/", server_proc, "/clear_refs")) << "5";
}

struct Server {
  std::string dir;
  std::unique_ptr<rectrack::service::Server> server;
  std::unique_ptr<v1::Tracker::Stub> stub;

  Server() {
    std::string address = server_address;
    if (address.empty()) {
      dir = TempDir();
      server = rectrack::bench::StartServer(dir);
      address = absl::StrCat("127.0.0.1:", server->port());
    }
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    stub = v1::Tracker::NewStub(grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args));
  }
  ~Server() {
    stub.reset();
    server.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }

  void Check(const grpc::Status& s, const char* what) {
    if (!s.ok()) {
      std::fprintf(stderr, "%s failed: %s\n", what, s.error_message().c_str());
      std::exit(1);
    }
  }

  v1::ApplyResponse Apply(const v1::ApplyRequest& request) {
    grpc::ClientContext ctx;
    v1::ApplyResponse response;
    Check(stub->Apply(&ctx, request, &response), "Apply");
    return response;
  }

  // A review, a recommendation accepted and one action; returns its id.
  std::string NewAction() {
    v1::ApplyRequest r;
    auto* o = r.add_commands()->mutable_open_review();
    o->set_title("Review of Partnerships");
    o->set_committee("Strategic Leadership O&S");
    o->set_published_on("2007-05-17");
    auto* rec = r.add_commands()->mutable_add_recommendation();
    rec->set_review_id("$0");
    rec->set_ref("A");
    rec->set_text("That a database of partnerships be compiled");
    auto* resp = r.add_commands()->mutable_record_response();
    resp->set_recommendation_id("$1");
    resp->set_decision(v1::DECISION_ACCEPTED);
    resp->set_text("Agreed by the Leader");
    auto* a = r.add_commands()->mutable_add_action();
    a->set_recommendation_id("$1");
    a->set_text("Compile the database of partnerships");
    a->add_leads("Head of Policy");
    a->set_timescale("March 2008");
    return Apply(r).results(3).entity_id();
  }
};

v1::ApplyRequest Notes(const std::string& id, int count, int from) {
  v1::ApplyRequest r;
  for (int i = 0; i < count; ++i) {
    auto* p = r.add_commands()->mutable_report_progress();
    p->set_id(id);
    p->set_text(absl::StrCat("Update ", from + i,
                             ": 14 partnerships listed; the rest by March"));
    p->set_reported_on("2008-01-15");
  }
  return r;
}

struct HistoryFigures {
  double update_p50 = 0, get_latest_p50 = 0, get_whole_p50 = 0;
};

// p50s on action `id` of `server` as it is now, `samples` of each.
HistoryFigures Measure(Server& s, const std::string& id, int samples,
                       int* notes) {
  HistoryFigures f;
  std::vector<double> update, latest, whole;
  for (int i = 0; i < samples; ++i) {
    auto start = Clock::now();
    s.Apply(Notes(id, 1, (*notes)++));
    update.push_back(MsSince(start));
  }
  for (uint32_t max : {20u, 0u}) {
    for (int i = 0; i < samples; ++i) {
      v1::GetActionRequest get;
      get.set_id(id);
      get.set_max_progress(max);
      grpc::ClientContext ctx;
      v1::Action action;
      auto start = Clock::now();
      s.Check(s.stub->GetAction(&ctx, get, &action), "GetAction");
      (max == 0 ? whole : latest).push_back(MsSince(start));
    }
  }
  f.update_p50 = Median(update);
  f.get_latest_p50 = Median(latest);
  f.get_whole_p50 = Median(whole);
  return f;
}

void Row(const std::string& figure, double value, const std::string& unit,
         const std::string& baseline_name, double baseline,
         const std::string& target) {
  std::printf("| %s | %.2f %s | %s: %.2f %s | %.2f | %s |\n", figure.c_str(),
              value, unit.c_str(), baseline_name.c_str(), baseline,
              unit.c_str(), baseline > 0 ? value / baseline : 0,
              target.c_str());
}

void HistoryTarget(int notes_target, int samples) {
  Server s;
  const std::string id = s.NewAction();
  int notes = 0;
  s.Apply(Notes(id, 10, notes));
  notes += 10;
  const HistoryFigures small = Measure(s, id, samples, &notes);
  while (notes < notes_target) {
    const int n = std::min(1000, notes_target - notes);
    s.Apply(Notes(id, n, notes));
    notes += n;
  }
  const HistoryFigures big = Measure(s, id, samples, &notes);
  const std::string at = absl::StrCat("action with ", notes_target, " notes");
  Row(absl::StrCat("progress update p50, ", at), big.update_p50, "ms",
      "the same with 10 notes", small.update_p50, "≤ 1.2");
  Row(absl::StrCat("GetAction p50 (latest 20 notes), ", at), big.get_latest_p50,
      "ms", "the same with 10 notes", small.get_latest_p50, "≤ 1.2");
  Row(absl::StrCat("GetAction p50 (every note: the answer grows), ", at),
      big.get_whole_p50, "ms", "the same with 10 notes", small.get_whole_p50,
      "-");
}

struct RequestFigures {
  double ms = 0;
  double cpu_ms = 0;
  double rss_growth_mib = 0;
};

RequestFigures OneRequest(int commands) {
  Server s;
  const std::string id = s.NewAction();
  const v1::ApplyRequest request = Notes(id, commands, 0);
  const double before = MemoryMiB("VmRSS:");
  ResetPeak();
  const double cpu = CpuMs();
  auto start = Clock::now();
  s.Apply(request);
  RequestFigures f;
  f.ms = MsSince(start);
  f.cpu_ms = CpuMs() - cpu;
  f.rss_growth_mib = MemoryMiB("VmHWM:") - before;
  return f;
}

void RequestTarget(int large, int runs) {
  std::vector<double> small_ms, large_ms, small_cpu, large_cpu, growth;
  for (int r = 0; r < runs; ++r) {
    RequestFigures small = OneRequest(large / 10);
    small_ms.push_back(small.ms);
    small_cpu.push_back(small.cpu_ms);
    RequestFigures f = OneRequest(large);
    large_ms.push_back(f.ms);
    large_cpu.push_back(f.cpu_ms);
    growth.push_back(f.rss_growth_mib);
  }
  Row(absl::StrCat(large, " progress commands on one action in one request"),
      Median(large_ms), "ms", absl::StrCat(large / 10, " in one request"),
      Median(small_ms), "≤ 12");
  Row("the same, CPU time of rectrackd's process", Median(large_cpu), "ms",
      absl::StrCat(large / 10, " in one request"), Median(small_cpu), "≤ 12");
  std::printf(
      "| rectrackd RSS growth during the %d-command request (peak less "
      "before) | %.1f MiB | - | - | ≤ 100 MB |\n",
      large, Median(growth));
}

}  // namespace

int main(int argc, char** argv) {
  int notes = 10000, samples = 200, runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--server") {
      server_address = argv[i + 1];
      continue;
    }
    if (flag == "--server-pid") {
      server_proc = argv[i + 1];
      continue;
    }
    int* target = flag == "--notes"     ? &notes
                  : flag == "--samples" ? &samples
                  : flag == "--runs"    ? &runs
                                        : nullptr;
    if (target == nullptr || !absl::SimpleAtoi(argv[i + 1], target)) {
      std::fprintf(stderr,
                   "usage: history_bench [--notes N] [--samples N] "
                   "[--runs N] [--server HOST:PORT --server-pid PID]\n");
      return 2;
    }
  }
  HistoryTarget(notes, samples);
  RequestTarget(notes, runs);
  return 0;
}
