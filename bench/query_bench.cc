// query_bench: what the overdue and by-lead queries cost as the number of
// actions stored and the number of results change. The claim to check: a
// query costs time in proportion to its results, not to the actions stored,
// because it reads an index range (open actions by the latest day of their
// target) instead of every action. Baseline, measured in the same run: one
// pass over every action (ListActions with no filter), which is what a
// query without the index would have to read.
//
// Actions get month targets spread evenly over 2001-2100 ("Mar 2007");
// moving the injected clock changes how many are overdue.
//
// Usage: query_bench [--actions N] [--runs N]
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "bench/bench_util.h"
#include "common/clock.h"
#include "rectrack/v1/tracker.grpc.pb.h"

namespace {

using rectrack::bench::Median;
using rectrack::bench::TempDir;
namespace v1 = rectrack::v1;

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr int kActionsPerRec = 100;

absl::Time At(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone());
}

struct Store {
  std::string dir;
  rectrack::FakeClock clock{At(2000, 1, 1)};
  std::unique_ptr<rectrack::service::Server> server;
  std::unique_ptr<v1::Tracker::Stub> stub;
};

// Fills a fresh server with `actions` actions (1 review, 100 per
// recommendation), action i targeting month i % 1200 from Jan 2001, led by
// "Lead <i % 1000>".
void Load(Store& s, int actions) {
  s.dir = TempDir();
  s.server = rectrack::bench::StartServer(s.dir, &s.clock);
  s.stub = v1::Tracker::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", s.server->port()),
                          grpc::InsecureChannelCredentials()));
  v1::ApplyRequest open;
  auto* o = open.add_commands()->mutable_open_review();
  o->set_title("Benchmark review");
  o->set_committee("Benchmark committee");
  o->set_published_on("2000-01-01");
  v1::ApplyResponse r;
  grpc::ClientContext c0;
  if (!s.stub->Apply(&c0, open, &r).ok()) std::exit(1);
  for (int first = 0; first < actions; first += kActionsPerRec) {
    v1::ApplyRequest req;
    auto* rec = req.add_commands()->mutable_add_recommendation();
    rec->set_review_id("review-1");
    rec->set_ref(absl::StrCat(first / kActionsPerRec + 1));
    rec->set_text("That the service is improved");
    auto* resp = req.add_commands()->mutable_record_response();
    resp->set_recommendation_id("$0");
    resp->set_decision(v1::DECISION_ACCEPTED);
    resp->set_text("Agreed");
    for (int i = first; i < std::min(actions, first + kActionsPerRec); ++i) {
      auto* a = req.add_commands()->mutable_add_action();
      a->set_recommendation_id("$0");
      a->set_text(absl::StrCat("Action number ", i));
      a->add_leads(absl::StrCat("Lead ", i % 1000));
      int month = i % 1200;
      a->set_timescale(
          absl::StrCat(kMonths[month % 12], " ", 2001 + month / 12));
    }
    grpc::ClientContext c;
    grpc::Status st = s.stub->Apply(&c, req, &r);
    if (!st.ok()) {
      std::fprintf(stderr, "load failed: %s\n", st.error_message().c_str());
      std::exit(1);
    }
  }
}

struct Timed {
  double ms = 0;
  int results = 0;
};

// Every page of `req`; median time over `runs`.
Timed Query(Store& s, v1::ListActionsRequest req, int runs) {
  std::vector<double> times;
  int results = 0;
  req.set_page_size(1000);
  for (int run = 0; run < runs; ++run) {
    results = 0;
    v1::ListActionsRequest page_req = req;
    auto start = std::chrono::steady_clock::now();
    while (true) {
      v1::ListActionsResponse page;
      grpc::ClientContext c;
      grpc::Status st = s.stub->ListActions(&c, page_req, &page);
      if (!st.ok()) {
        std::fprintf(stderr, "query failed: %s\n", st.error_message().c_str());
        std::exit(1);
      }
      results += page.actions_size();
      if (page.next_page_token().empty()) break;
      page_req.set_page_token(page.next_page_token());
    }
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - start)
                        .count());
  }
  return {Median(times), results};
}

// A review with `recs` recommendations, each with one action and two
// progress reports, recorded a day apart (one day per recommendation);
// returns the median ms of GetReport now and as of the middle of it.
std::pair<double, double> ReportTimes(int recs, int runs) {
  Store s;
  s.dir = TempDir();
  s.server = rectrack::bench::StartServer(s.dir, &s.clock);
  s.stub = v1::Tracker::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", s.server->port()),
                          grpc::InsecureChannelCredentials()));
  auto apply = [&](const v1::ApplyRequest& req) {
    v1::ApplyResponse r;
    grpc::ClientContext c;
    grpc::Status st = s.stub->Apply(&c, req, &r);
    if (!st.ok()) {
      std::fprintf(stderr, "load failed: %s\n", st.error_message().c_str());
      std::exit(1);
    }
  };
  v1::ApplyRequest open;
  auto* o = open.add_commands()->mutable_open_review();
  o->set_title("Report benchmark");
  o->set_committee("Benchmark committee");
  o->set_published_on("2000-01-01");
  apply(open);
  absl::Time middle;
  for (int i = 0; i < recs; ++i) {
    s.clock.Advance(absl::Hours(24));
    if (i == recs / 2) middle = s.clock.Now();
    v1::ApplyRequest req;
    auto* rec = req.add_commands()->mutable_add_recommendation();
    rec->set_review_id("review-1");
    rec->set_ref(absl::StrCat(i + 1));
    rec->set_text("That the service is improved for children and families");
    auto* resp = req.add_commands()->mutable_record_response();
    resp->set_recommendation_id("$0");
    resp->set_decision(v1::DECISION_ACCEPTED);
    resp->set_text("Agreed");
    auto* a = req.add_commands()->mutable_add_action();
    a->set_recommendation_id("$0");
    a->set_text(absl::StrCat("Action number ", i));
    a->add_leads(absl::StrCat("Lead ", i % 50));
    a->set_timescale(absl::StrCat(kMonths[i % 12], " ", 2001 + i / 12 % 20));
    for (int k = 0; k < 2; ++k) {
      auto* p = req.add_commands()->mutable_report_progress();
      p->set_id("$2");
      p->set_text(absl::StrCat("Progress ", k));
    }
    apply(req);
  }
  auto time_report = [&](bool as_of) {
    std::vector<double> times;
    for (int run = 0; run < runs; ++run) {
      v1::GetReportRequest req;
      req.set_review_id("review-1");
      if (as_of) {
        auto* at = req.mutable_as_of()->mutable_at();
        at->set_seconds(absl::ToUnixSeconds(middle));
      }
      v1::Report report;
      grpc::ClientContext c;
      auto start = std::chrono::steady_clock::now();
      grpc::Status st = s.stub->GetReport(&c, req, &report);
      times.push_back(std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count());
      if (!st.ok() || report.items_size() != (as_of ? recs / 2 + 1 : recs)) {
        std::fprintf(stderr, "report failed: %s (%d items)\n",
                     st.error_message().c_str(), report.items_size());
        std::exit(1);
      }
    }
    return Median(times);
  };
  double now_ms = time_report(false);
  double as_of_ms = time_report(true);
  s.server->Shutdown();
  std::filesystem::remove_all(s.dir);
  return {now_ms, as_of_ms};
}

}  // namespace

int main(int argc, char** argv) {
  int actions = 100000;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = 0;
    if (!absl::SimpleAtoi(argv[i + 1], &value) || value <= 0) {
      std::fprintf(stderr, "%s needs a positive number\n", flag.c_str());
      return 2;
    }
    if (flag == "--actions")
      actions = value;
    else if (flag == "--runs")
      runs = value;
    else {
      std::fprintf(stderr, "usage: query_bench [--actions N] [--runs N]\n");
      return 2;
    }
  }
  const int small = actions / 10;
  std::fprintf(stderr, "Loading %d actions, and %d in a second store...\n",
               actions, small);
  Store big, little;
  auto t0 = std::chrono::steady_clock::now();
  Load(big, actions);
  double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  Load(little, small);

  v1::ListActionsRequest overdue;
  overdue.set_overdue(true);
  v1::ListActionsRequest all;

  // The detailed table goes to stderr; stdout gets bench/run.sh's rows.
  std::fprintf(stderr,
               "\n| query | actions stored | results | median ms | µs per "
               "result |\n|---|---:|---:|---:|---:|\n");
  auto row = [&](const char* what, int stored, const Timed& t) {
    std::fprintf(stderr, "| %s | %d | %d | %.2f | %.1f |\n", what, stored,
                 t.results, t.ms, t.results ? 1000.0 * t.ms / t.results : 0.0);
  };
  // The same day on both stores: the big one has ten times the results.
  // Then a day on the small store giving as many results as the big one's.
  struct Day {
    int y, m;
  };
  for (Day d : {Day{2001, 2}, Day{2002, 1}, Day{2009, 5}}) {
    big.clock.Set(At(d.y, d.m, 1));
    row(absl::StrCat("overdue on ", d.y, "-", d.m < 10 ? "0" : "", d.m, "-01")
            .c_str(),
        actions, Query(big, overdue, runs));
  }
  big.clock.Set(At(2002, 1, 1));
  Timed big_1k = Query(big, overdue, runs);
  little.clock.Set(At(2011, 1, 1));
  Timed little_1k = Query(little, overdue, runs);
  row("overdue on 2011-01-01", small, little_1k);
  v1::ListActionsRequest lead;
  lead.add_leads("lead 7");
  Timed big_lead = Query(big, lead, runs);
  row("lead \"Lead 7\"", actions, big_lead);
  row("lead \"Lead 7\"", small, Query(little, lead, runs));
  Timed scan = Query(big, all, std::max(1, runs / 2));
  row("baseline: every action, no filter", actions, scan);

  std::fprintf(
      stderr,
      "\nOverdue with ~1,000 results: %.2f ms over %d actions vs %.2f ms over "
      "%d (ratio %.2f; 1.0 = independent of the actions stored).\n"
      "Against reading every action: %.3f of the baseline's time.\n"
      "Loading %d actions took %.1f s (one Apply per recommendation).\n",
      big_1k.ms, actions, little_1k.ms, small, big_1k.ms / little_1k.ms,
      big_1k.ms / scan.ms, actions, load_s);
  const double scan_us = 1000.0 * scan.ms / scan.results;
  auto per_result = [](const Timed& t) { return 1000.0 * t.ms / t.results; };
  std::printf(
      "| overdue query, %d results of %d actions | %.2f ms (%.1f µs per "
      "result; the same query over %d actions: %.2f ms) | reading every "
      "action: %.1f µs per action (%.0f ms) | %.2f | - |\n",
      big_1k.results, actions, big_1k.ms, per_result(big_1k), small,
      little_1k.ms, scan_us, scan.ms, scan_us / per_result(big_1k));
  std::printf(
      "| by-lead query, %d results of %d actions | %.2f ms (%.1f µs per "
      "result) | reading every action: %.1f µs per action | %.2f | - |\n",
      big_lead.results, actions, big_lead.ms, per_result(big_lead), scan_us,
      scan_us / per_result(big_lead));
  auto [now_ms, as_of_ms] = ReportTimes(1000, runs);
  std::printf(
      "| committee report of a review with 1,000 recommendations, as of "
      "half-way (recorded axis) | %.1f ms | the same report now: %.1f ms | "
      "%.2f | - |\n",
      as_of_ms, now_ms, now_ms / as_of_ms);
  big.server->Shutdown();
  little.server->Shutdown();
  std::filesystem::remove_all(big.dir);
  std::filesystem::remove_all(little.dir);
  return 0;
}
