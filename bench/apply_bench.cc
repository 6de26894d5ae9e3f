// apply_bench: concurrent single-command Apply calls (each acknowledged
// only once fsynced) and GetAction point reads, at 1, 8 and 64 clients,
// each against a no-op method served by the same rectrackd at the same
// concurrency (what gRPC itself carries), and Apply with group commit
// against Apply with one fsync per write; and no-op calls counted for
// /metrics against the same server without counting (what counting costs).
//
// Usage: apply_bench [--calls N] [--runs N]
//   --calls N  calls per configuration, shared among its clients (default
//              3000)
// Prints markdown rows: figure | value | baseline | ratio | target.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "bench/bench_util.h"
#include "rectrack/v1/tracker.grpc.pb.h"

namespace {

using rectrack::bench::Median;
using rectrack::bench::Percentile;
using rectrack::bench::TempDir;
using Clock = std::chrono::steady_clock;

// Answers every call with the request it was sent: the cost of a unary
// call through this server's gRPC stack, with no work of rectrack's.
class NoopService final : public grpc::CallbackGenericService {
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* /*ctx*/) override {
    class Echo final : public grpc::ServerGenericBidiReactor {
     public:
      Echo() { StartRead(&message_); }
      void OnReadDone(bool ok) override {
        if (!ok) {
          Finish(grpc::Status::OK);
          return;
        }
        StartWriteAndFinish(&message_, grpc::WriteOptions(), grpc::Status::OK);
      }
      void OnDone() override { delete this; }

     private:
      grpc::ByteBuffer message_;
    };
    return new Echo;
  }
};

struct Figures {
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// Runs `call(client, i)` `calls` times spread over `clients` threads.
Figures Drive(int clients, int calls,
              const std::function<void(int client, int i)>& call) {
  std::vector<std::vector<double>> latencies(clients);
  std::vector<std::thread> threads;
  threads.reserve(clients);
  const int each = std::max(1, calls / clients);
  auto start = Clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      latencies[c].reserve(each);
      for (int i = 0; i < each; ++i) {
        auto t0 = Clock::now();
        call(c, i);
        latencies[c].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0)
                .count());
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return {clients * each / seconds, Percentile(all, 0.5),
          Percentile(all, 0.99)};
}

std::shared_ptr<grpc::Channel> Channel(const std::string& address, int n) {
  grpc::ChannelArguments args;
  args.SetInt("bench.channel", n);  // a connection per client
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(),
                                   args);
}

void Check(const grpc::Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s failed: %s\n", what, s.error_message().c_str());
    std::exit(1);
  }
}

struct Bench {
  std::string dir;
  NoopService noop;
  std::unique_ptr<rectrack::service::Server> server;
  std::vector<std::unique_ptr<rectrack::v1::Tracker::Stub>> stubs;
  std::vector<std::unique_ptr<grpc::GenericStub>> generic;

  // A server with one action per client (64) for Apply, and 64 more that
  // only GetAction reads (so reads do not carry the progress Apply adds).
  explicit Bench(size_t max_group_size, bool count_calls = true)
      : dir(TempDir()) {
    rectrack::service::ServerOptions options;
    options.count_calls = count_calls;
    options.listen = "127.0.0.1:0";
    options.data_dir = dir + "/data";
    options.max_group_size = max_group_size;
    options.extra_generic_service = &noop;
    auto started = rectrack::service::Server::Start(options);
    if (!started.ok()) {
      std::fprintf(stderr, "%s\n", started.status().ToString().c_str());
      std::exit(1);
    }
    server = *std::move(started);
    for (int c = 0; c < 64; ++c) {
      auto channel = Channel(server->address(), c);
      stubs.push_back(rectrack::v1::Tracker::NewStub(channel));
      generic.push_back(std::make_unique<grpc::GenericStub>(channel));
    }
    rectrack::v1::ApplyRequest req;
    auto* open = req.add_commands()->mutable_open_review();
    open->set_title("Bench");
    open->set_committee("Bench");
    auto* rec = req.add_commands()->mutable_add_recommendation();
    rec->set_review_id("$0");
    rec->set_ref("1");
    rec->set_text("Bench");
    for (int c = 0; c < 128; ++c) {
      auto* action = req.add_commands()->mutable_add_action();
      action->set_recommendation_id("$1");
      action->set_text("Bench action");
      action->add_leads("Bench Lead");
      action->set_timescale("March 2030");
    }
    rectrack::v1::ApplyResponse resp;
    grpc::ClientContext ctx;
    Check(stubs[0]->Apply(&ctx, req, &resp), "setup");
  }
  ~Bench() {
    server->Shutdown();
    std::filesystem::remove_all(dir);
  }

  // The Apply request client `c` sends: one progress report on its action.
  static rectrack::v1::ApplyRequest Progress(int c, int i) {
    rectrack::v1::ApplyRequest req;
    auto* p = req.add_commands()->mutable_report_progress();
    p->set_id(absl::StrCat("action-", c + 1));
    p->set_text(absl::StrCat("Update ", i, ": consultation under way"));
    return req;
  }

  Figures Noop(int clients, int calls) {
    std::string payload = Progress(0, 0).SerializeAsString();
    return Drive(clients, calls, [&](int c, int) {
      grpc::Slice slice(payload);
      grpc::ByteBuffer request(&slice, 1), response;
      grpc::ClientContext ctx;
      absl::Notification done;
      grpc::Status status;
      generic[c]->UnaryCall(&ctx, "/bench.Noop/Call", grpc::StubOptions(),
                            &request, &response, [&](grpc::Status s) {
                              status = std::move(s);
                              done.Notify();
                            });
      done.WaitForNotification();
      Check(status, "no-op call");
    });
  }

  Figures Apply(int clients, int calls) {
    return Drive(clients, calls, [&](int c, int i) {
      rectrack::v1::ApplyRequest req = Progress(c, i);
      rectrack::v1::ApplyResponse resp;
      grpc::ClientContext ctx;
      Check(stubs[c]->Apply(&ctx, req, &resp), "Apply");
    });
  }

  Figures GetAction(int clients, int calls) {
    return Drive(clients, calls, [&](int c, int i) {
      rectrack::v1::GetActionRequest req;
      req.set_id(absl::StrCat("action-", 65 + (c * 7 + i) % 64));
      rectrack::v1::Action action;
      grpc::ClientContext ctx;
      Check(stubs[c]->GetAction(&ctx, req, &action), "GetAction");
    });
  }
};

struct Row {
  std::string figure, unit;
  std::vector<double> value, p50, p99, base;
  double target;
  std::string baseline = "no-op call";
};

// The rows printed, in order: Apply grouped (0-2), Apply one fsync per
// write (3-5), GetAction (6-8), no-op calls counted for /metrics (9-10).
std::vector<Row> EmptyRows() {
  const int kClients[] = {1, 8, 64};
  std::vector<Row> rows;
  for (int c : kClients) {
    rows.push_back({absl::StrCat("Apply, ", c, c == 1 ? " client" : " clients",
                                 " (group commit)"),
                    "commands/s",
                    {},
                    {},
                    {},
                    {},
                    c == 64 ? 0.7 : 0});
  }
  for (int c : kClients) {
    rows.push_back({absl::StrCat("Apply, ", c, c == 1 ? " client" : " clients",
                                 ", one fsync per write"),
                    "commands/s",
                    {},
                    {},
                    {},
                    {},
                    0});
  }
  for (int c : kClients) {
    rows.push_back(
        {absl::StrCat("GetAction, ", c, c == 1 ? " client" : " clients"),
         "reads/s",
         {},
         {},
         {},
         {},
         0.8});
  }
  // What counting calls for /metrics costs: no-op calls with and without.
  for (int c : {1, 8}) {
    rows.push_back(
        {absl::StrCat("no-op call, ", c, c == 1 ? " client" : " clients",
                      ", counted for /metrics"),
         "calls/s",
         {},
         {},
         {},
         {},
         0,
         "not counted"});
  }
  return rows;
}

// No-op calls on `grouped` (which counts calls for /metrics) against a
// server that does not count, at 1 and 8 clients, into rows[0] and rows[1].
void MeasureCounting(Bench& grouped, int calls, int r, Row* rows) {
  Bench uncounted(512, false);
  const int kClients[] = {1, 8};
  for (size_t k = 0; k < 2; ++k) {
    const int c = kClients[k];
    // Both warmed up first; the order alternates between runs.
    grouped.Noop(c, calls / 4);
    uncounted.Noop(c, calls / 4);
    Figures counted, bare;
    if (r % 2 == 0) {
      counted = grouped.Noop(c, calls);
      bare = uncounted.Noop(c, calls);
    } else {
      bare = uncounted.Noop(c, calls);
      counted = grouped.Noop(c, calls);
    }
    rows[k].value.push_back(counted.per_second);
    rows[k].p50.push_back(counted.p50_ms);
    rows[k].p99.push_back(counted.p99_ms);
    rows[k].base.push_back(bare.per_second);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int calls = 3000;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--calls") {
      calls = value;
    } else if (flag == "--runs") {
      runs = value;
    } else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  const int kClients[] = {1, 8, 64};
  std::vector<Row> rows = EmptyRows();
  for (int r = 0; r < runs; ++r) {
    Bench grouped(512);
    Bench single(1);
    MeasureCounting(grouped, calls, r, &rows[9]);
    for (size_t k = 0; k < 3; ++k) {
      int c = kClients[k];
      Figures noop = grouped.Noop(c, calls);
      Figures a = grouped.Apply(c, calls);
      Figures one = single.Apply(c, calls);
      Figures noop_one = single.Noop(c, calls);
      Figures get = grouped.GetAction(c, calls);
      for (auto [row, f, base] : {std::make_tuple(&rows[k], a, noop),
                                  std::make_tuple(&rows[3 + k], one, noop_one),
                                  std::make_tuple(&rows[6 + k], get, noop)}) {
        row->value.push_back(f.per_second);
        row->p50.push_back(f.p50_ms);
        row->p99.push_back(f.p99_ms);
        row->base.push_back(base.per_second);
      }
    }
  }
  for (const Row& row : rows) {
    double value = Median(row.value), base = Median(row.base);
    std::printf(
        "| %s | %.0f %s (p50 %.2f ms, p99 %.2f ms) | %s, same "
        "clients: %.0f calls/s | %.2f | %s |\n",
        row.figure.c_str(), value, row.unit.c_str(), Median(row.p50),
        Median(row.p99), row.baseline.c_str(), base, value / base,
        row.target > 0 ? absl::StrCat("≥ ", row.target).c_str() : "-");
  }
  return 0;
}
