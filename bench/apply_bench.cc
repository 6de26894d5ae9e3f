// apply_bench: how many changes per second rectrackd acknowledges (each one
// fsynced), with 1 client and with many concurrent clients, against the
// baseline of raw RocksDB synced writes measured in the same run on the
// same disk.
//
// Usage: apply_bench [--clients N] [--requests-per-client N] [--runs N]
// Prints a markdown table of medians over the runs.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_util.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "rocksdb/db.h"

namespace {

using rectrack::bench::Median;
using rectrack::bench::Percentile;
using rectrack::bench::TempDir;

using Clock = std::chrono::steady_clock;

struct Figures {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// Raw RocksDB: one synced Put per write, one writer. The floor set by fsync.
Figures RawRocksDb(int writes) {
  std::string dir = TempDir();
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) {
    std::fprintf(stderr, "cannot open RocksDB in %s\n", dir.c_str());
    std::exit(1);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  std::vector<double> latencies;
  auto start = Clock::now();
  for (int i = 0; i < writes; ++i) {
    auto t0 = Clock::now();
    db->Put(wo, absl::StrCat("key", i), std::string(200, 'x'))
        .PermitUncheckedError();
    latencies.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  db.reset();
  std::filesystem::remove_all(dir);
  return {writes / seconds, Percentile(latencies, 0.5),
          Percentile(latencies, 0.99)};
}

// rectrackd in-process over loopback gRPC: `clients` threads, each with its
// own channel, each sending `requests` Apply calls of one ReportProgress.
Figures Rectrackd(int clients, int requests) {
  std::string dir = TempDir();
  auto server = rectrack::bench::StartServer(dir);
  std::string address = server->address();
  auto setup = rectrack::v1::Tracker::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  {
    rectrack::v1::ApplyRequest req;
    auto* open = req.add_commands()->mutable_open_review();
    open->set_title("Bench");
    open->set_committee("Bench");
    auto* rec = req.add_commands()->mutable_add_recommendation();
    rec->set_review_id("$0");
    rec->set_ref("1");
    rec->set_text("Bench");
    for (int c = 0; c < clients; ++c) {
      auto* action = req.add_commands()->mutable_add_action();
      action->set_recommendation_id("$1");
      action->set_text("Bench");
      action->add_leads("Bench");
    }
    rectrack::v1::ApplyResponse resp;
    grpc::ClientContext ctx;
    if (!setup->Apply(&ctx, req, &resp).ok()) {
      std::fprintf(stderr, "setup failed\n");
      std::exit(1);
    }
  }
  std::vector<std::vector<double>> latencies(clients);
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", c);  // a separate connection each
      auto stub = rectrack::v1::Tracker::NewStub(grpc::CreateCustomChannel(
          address, grpc::InsecureChannelCredentials(), args));
      for (int i = 0; i < requests; ++i) {
        rectrack::v1::ApplyRequest req;
        auto* p = req.add_commands()->mutable_report_progress();
        p->set_id(absl::StrCat("action-", c + 1));
        p->set_text(absl::StrCat("update ", i));
        rectrack::v1::ApplyResponse resp;
        grpc::ClientContext ctx;
        auto t0 = Clock::now();
        grpc::Status s = stub->Apply(&ctx, req, &resp);
        latencies[c].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0)
                .count());
        if (!s.ok()) {
          std::fprintf(stderr, "Apply failed: %s\n", s.error_message().c_str());
          std::exit(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  server->Shutdown();
  std::filesystem::remove_all(dir);
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return {clients * requests / seconds, Percentile(all, 0.5),
          Percentile(all, 0.99)};
}

}  // namespace

int main(int argc, char** argv) {
  int clients = 10;
  int requests = 300;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--clients")
      clients = value;
    else if (flag == "--requests-per-client")
      requests = value;
    else if (flag == "--runs")
      runs = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  std::vector<double> raw_rate, one_rate, one_p50, one_p99, many_rate, many_p50,
      many_p99, raw_p50;
  for (int r = 0; r < runs; ++r) {
    Figures raw = RawRocksDb(requests);
    Figures one = Rectrackd(1, requests);
    Figures many = Rectrackd(clients, requests);
    raw_rate.push_back(raw.per_second);
    raw_p50.push_back(raw.p50_ms);
    one_rate.push_back(one.per_second);
    one_p50.push_back(one.p50_ms);
    one_p99.push_back(one.p99_ms);
    many_rate.push_back(many.per_second);
    many_p50.push_back(many.p50_ms);
    many_p99.push_back(many.p99_ms);
  }
  double base = Median(raw_rate);
  std::printf(
      "Medians of %d runs; every write fsynced before it is acknowledged.\n\n",
      runs);
  std::printf(
      "| figure | value | p50 ms | p99 ms | ratio to raw RocksDB synced Put "
      "|\n");
  std::printf("|---|---|---|---|---|\n");
  std::printf(
      "| raw RocksDB synced Put, 1 writer (baseline) | %.0f writes/s | %.2f | "
      "- | 1.00 |\n",
      base, Median(raw_p50));
  std::printf(
      "| rectrackd Apply, 1 client | %.0f requests/s | %.2f | %.2f | %.2f |\n",
      Median(one_rate), Median(one_p50), Median(one_p99),
      Median(one_rate) / base);
  std::printf(
      "| rectrackd Apply, %d clients (group commit) | %.0f requests/s | %.2f | "
      "%.2f | %.2f |\n",
      clients, Median(many_rate), Median(many_p50), Median(many_p99),
      Median(many_rate) / base);
  return 0;
}
