// load_run: many concurrent clients against one rectrackd over loopback,
// mixing point reads, queries, single changes, bulk chunks and Watch
// streams, for a bounded time or number of requests. Reports requests/s,
// p50/p99 per kind, unexpected errors, whether every watcher saw every
// event, and rectrackd's memory at the start and end.
//
// Usage: load_run --rectrackd PATH --dir DIR [--seconds N] [--requests N]
//                 [--clients N] [--watchers N] [--verifies N]
// --verifies N runs admin verify N times spread over the run (default 1);
// every one must be clean.
// Exits non-zero on any unexpected error or a watcher that missed events.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "tests/daemon.h"

namespace {

using rectrack::testing::In;
using Stub = rectrack::v1::Tracker::Stub;
using Clock = std::chrono::steady_clock;

struct Kind {
  std::mutex mu;
  std::vector<double> ms;
  uint64_t errors = 0;
  std::string first_error;
};

struct DirSize {
  uint64_t total = 0, wal = 0, sst = 0;
  int wal_files = 0;
};

// Bytes of the files in `dir`: all, write-ahead logs (*.log), tables (*.sst).
DirSize MeasureDir(const std::string& dir) {
  DirSize size;
  std::error_code ec;
  for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
    if (!f.is_regular_file(ec)) continue;
    uint64_t n = f.file_size(ec);
    size.total += n;
    if (f.path().extension() == ".log") {
      size.wal += n;
      ++size.wal_files;
    } else if (f.path().extension() == ".sst") {
      size.sst += n;
    }
  }
  return size;
}

// The stored size of every event of the log (what the database must keep;
// the rest is projections and indexes derived from it).
uint64_t LogBytes(Stub* stub) {
  uint64_t bytes = 0, from = 1;
  while (true) {
    rectrack::v1::ReadEventsRequest req;
    req.set_from_position(from);
    req.set_limit(10000);
    rectrack::v1::ReadEventsResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(60));
    if (!stub->ReadEvents(&ctx, req, &resp).ok() || resp.events().empty()) {
      return bytes;
    }
    for (const auto& e : resp.events()) bytes += e.ByteSizeLong();
    from = resp.events().rbegin()->position() + 1;
  }
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  std::string rectrackd, dir;
  int seconds = 10, clients = 16, watchers = 4, verifies = 1;
  long requests = 0;  // 0: no limit but time
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--rectrackd")
      rectrackd = argv[i + 1];
    else if (flag == "--dir")
      dir = argv[i + 1];
    else if (flag == "--seconds")
      seconds = std::atoi(argv[i + 1]);
    else if (flag == "--requests")
      requests = std::atol(argv[i + 1]);
    else if (flag == "--clients")
      clients = std::atoi(argv[i + 1]);
    else if (flag == "--watchers")
      watchers = std::atoi(argv[i + 1]);
    else if (flag == "--verifies")
      verifies = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  if (rectrackd.empty() || dir.empty()) {
    std::fprintf(stderr,
                 "usage: load_run --rectrackd PATH --dir DIR "
                 "[--seconds N] [--requests N] [--clients N] "
                 "[--watchers N]\n");
    return 2;
  }
  rectrack::client::ConnectOptions connect;
  connect.token =
      rectrack::testing::AddAdminToken(rectrackd, dir + "/data", "load-test");
  rectrack::testing::Daemon daemon(rectrackd, dir);
  if (connect.token.empty() || !daemon.Start()) {
    std::fprintf(stderr, "rectrackd did not start; see %s/rectrackd.log\n",
                 dir.c_str());
    return 2;
  }
  auto channel = [&](int n) {
    rectrack::client::ConnectOptions o = connect;
    o.arguments.SetInt("load.channel", n);  // a connection each
    return rectrack::client::Connect(daemon.address(), o);
  };

  // A review with 50 recommendations, each with 4 actions and 20 leads.
  auto setup = rectrack::v1::Tracker::NewStub(channel(-1));
  std::vector<std::string> actions;
  {
    rectrack::v1::ApplyRequest req;
    auto* open = req.add_commands()->mutable_open_review();
    open->set_title("Load test");
    open->set_committee("Load");
    open->set_published_on("2024-01-15");
    for (int r = 0; r < 50; ++r) {
      int rec_index = req.commands_size();
      auto* rec = req.add_commands()->mutable_add_recommendation();
      rec->set_review_id("$0");
      rec->set_ref(absl::StrCat(r + 1));
      rec->set_text(absl::StrCat("Recommendation ", r));
      auto* resp = req.add_commands()->mutable_record_response();
      resp->set_recommendation_id(absl::StrCat("$", rec_index));
      resp->set_decision(rectrack::v1::DECISION_ACCEPTED);
      resp->set_text("Agreed");
      for (int a = 0; a < 4; ++a) {
        auto* add = req.add_commands()->mutable_add_action();
        add->set_recommendation_id(absl::StrCat("$", rec_index));
        add->set_text(absl::StrCat("Action ", r, "/", a));
        add->add_leads(absl::StrCat("Lead ", (r * 4 + a) % 20));
        add->set_timescale(a % 2 ? "March 2024" : "Autumn 2026");
      }
    }
    rectrack::v1::ApplyResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(30));
    grpc::Status s = setup->Apply(&ctx, req, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "setup failed: %s\n", s.error_message().c_str());
      return 2;
    }
    for (const auto& r : resp.results()) {
      if (r.entity_id().rfind("action-", 0) == 0) {
        actions.push_back(r.entity_id());
      }
    }
  }
  auto [rss_start, peak_start] = rectrack::testing::MemoryMiB(daemon.pid());

  std::map<std::string, Kind> kinds;
  for (const char* k : {"GetAction", "ListActions", "Apply", "BulkApply"}) {
    kinds[k];
  }
  auto record = [&](const std::string& kind, Clock::time_point start,
                    const grpc::Status& s) {
    Kind& k = kinds[kind];
    std::lock_guard<std::mutex> lock(k.mu);
    k.ms.push_back(
        std::chrono::duration<double, std::milli>(Clock::now() - start)
            .count());
    if (!s.ok()) {
      if (k.errors++ == 0) {
        k.first_error = absl::StrCat(s.error_code(), ": ", s.error_message());
      }
    }
  };

  // Watchers count the events they see.
  std::atomic<bool> stop{false};
  std::vector<std::atomic<uint64_t>> seen(watchers);
  std::vector<std::unique_ptr<grpc::ClientContext>> watch_contexts;
  std::vector<std::thread> threads;
  for (int w = 0; w < watchers; ++w) {
    watch_contexts.push_back(std::make_unique<grpc::ClientContext>());
    threads.emplace_back([&, w, ctx = watch_contexts.back().get()] {
      auto stub = rectrack::v1::Tracker::NewStub(channel(1000 + w));
      ctx->set_wait_for_ready(true);
      auto stream = stub->Watch(ctx, rectrack::v1::WatchRequest());
      rectrack::v1::WatchResponse item;
      while (stream->Read(&item)) {
        if (item.has_event()) seen[w] = item.event().position();
      }
    });
  }

  std::atomic<long> issued{0};
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto stub = rectrack::v1::Tracker::NewStub(channel(c));
      std::mt19937 random(c);
      while (!stop && Clock::now() < deadline &&
             (requests == 0 || issued++ < requests)) {
        int dice = static_cast<int>(random() % 100);
        const std::string& action = actions[random() % actions.size()];
        grpc::ClientContext ctx;
        ctx.set_deadline(In(30));
        // Like any batch client: ride out a connection being set up again
        // instead of failing at once.
        ctx.set_wait_for_ready(true);
        auto start = Clock::now();
        if (dice < 45) {
          rectrack::v1::GetActionRequest req;
          req.set_id(action);
          rectrack::v1::Action out;
          record("GetAction", start, stub->GetAction(&ctx, req, &out));
        } else if (dice < 65) {
          rectrack::v1::ListActionsRequest req;
          req.add_leads(absl::StrCat("Lead ", random() % 20));
          req.set_page_size(100);
          rectrack::v1::ListActionsResponse out;
          record("ListActions", start, stub->ListActions(&ctx, req, &out));
        } else if (dice < 97) {
          rectrack::v1::ApplyRequest req;
          auto* p = req.add_commands()->mutable_report_progress();
          p->set_id(action);
          p->set_text(absl::StrCat("Update from client ", c));
          rectrack::v1::ApplyResponse out;
          record("Apply", start, stub->Apply(&ctx, req, &out));
        } else {
          auto stream = stub->BulkApply(&ctx);
          rectrack::v1::BulkApplyRequest chunk;
          for (int k = 0; k < 100; ++k) {
            auto* p = chunk.mutable_chunk()
                          ->add_commands()
                          ->mutable_report_progress();
            p->set_id(actions[random() % actions.size()]);
            p->set_text("Bulk update");
          }
          stream->Write(chunk);
          stream->WritesDone();
          rectrack::v1::BulkApplyResponse ack;
          while (stream->Read(&ack)) {
          }
          record("BulkApply", start, stream->Finish());
        }
      }
    });
  }
  // admin verify, `verifies` times spread over the run, while the writers
  // write: each must find the database consistent.
  std::atomic<int> verified_clean{0}, verified{0};
  std::string verify_problem;
  threads.emplace_back([&] {
    auto stub = rectrack::v1::Tracker::NewStub(channel(2000));
    for (int v = 0; v < verifies; ++v) {
      auto at = deadline - std::chrono::seconds(seconds) +
                std::chrono::milliseconds(1000LL * seconds * v /
                                          std::max(verifies, 1));
      std::this_thread::sleep_until(at);
      grpc::ClientContext ctx;
      ctx.set_deadline(In(600));
      rectrack::v1::VerifyResponse report;
      grpc::Status s =
          stub->Verify(&ctx, rectrack::v1::VerifyRequest(), &report);
      ++verified;
      if (s.ok() && report.ok()) {
        ++verified_clean;
      } else if (verify_problem.empty()) {
        verify_problem = s.ok() ? report.problems(0) : s.error_message();
      }
    }
  });
  for (size_t t = watchers; t < threads.size(); ++t) threads[t].join();
  const double elapsed =
      std::chrono::duration<double>(Clock::now() -
                                    (deadline - std::chrono::seconds(seconds)))
          .count();

  // The log's end, then wait (up to 10 s) for every watcher to reach it.
  uint64_t last = 0;
  {
    rectrack::v1::ReadEventsRequest req;
    req.set_from_position(1);
    req.set_limit(1);
    rectrack::v1::ReadEventsResponse resp;
    grpc::ClientContext ctx;
    setup->ReadEvents(&ctx, req, &resp);
    last = resp.last_position();
  }
  int behind = 0;
  for (int w = 0; w < watchers; ++w) {
    for (int i = 0; i < 100 && seen[w] < last; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (seen[w] != last) ++behind;
    watch_contexts[w]->TryCancel();
  }
  for (int t = 0; t < watchers; ++t) threads[t].join();
  auto [rss_end, peak_end] = rectrack::testing::MemoryMiB(daemon.pid());
  const uint64_t log_bytes = LogBytes(setup.get());
  daemon.Stop();
  // The data directory against the log it keeps, and how long a restart
  // takes to replay the write-ahead log.
  const DirSize size = MeasureDir(dir + "/data");
  const auto restart_start = Clock::now();
  if (!daemon.Start()) {
    std::fprintf(stderr, "rectrackd did not start again\n");
    return 1;
  }
  const double restart_s =
      std::chrono::duration<double>(Clock::now() - restart_start).count();
  daemon.Stop();

  uint64_t total = 0, errors = 0;
  std::printf(
      "| request | count | per second | p50 ms | p99 ms | errors |\n"
      "|---|---:|---:|---:|---:|---:|\n");
  for (auto& [name, k] : kinds) {
    total += k.ms.size();
    errors += k.errors;
    std::printf("| %s | %zu | %.0f | %.2f | %.2f | %llu |\n", name.c_str(),
                k.ms.size(), k.ms.size() / elapsed, Percentile(k.ms, 0.5),
                Percentile(k.ms, 0.99),
                static_cast<unsigned long long>(k.errors));
    if (k.errors) {
      std::fprintf(stderr, "%s: first error %s\n", name.c_str(),
                   k.first_error.c_str());
    }
  }
  std::printf(
      "\nload test: %d clients and %d watchers for %.1f s: %llu requests "
      "(%.0f/s), %llu unexpected errors, %llu events, %d watchers behind; "
      "rectrackd RSS %.1f MiB at start, %.1f MiB at end (peak %.1f MiB)\n",
      clients, watchers, elapsed, static_cast<unsigned long long>(total),
      total / elapsed, static_cast<unsigned long long>(errors),
      static_cast<unsigned long long>(last), behind, rss_start, rss_end,
      std::max(peak_start, peak_end));
  std::printf("verify under load: %d of %d clean%s%s\n", verified_clean.load(),
              verified.load(),
              verify_problem.empty() ? "" : "; first problem: ",
              verify_problem.c_str());
  constexpr double kMiB = 1 << 20;
  std::printf(
      "data directory %.1f MiB (write-ahead log %.1f MiB in %d files, tables "
      "%.1f MiB) for a log of %.1f MiB of events (%.1fx); restart %.2f s\n",
      size.total / kMiB, size.wal / kMiB, size.wal_files, size.sst / kMiB,
      log_bytes / kMiB, log_bytes ? size.total / double(log_bytes) : 0.0,
      restart_s);
  return errors == 0 && behind == 0 && verified_clean == verified ? 0 : 1;
}
