// crash_run: kills rectrackd with SIGKILL at random moments under
// concurrent writers and a Watch consumer, restarts it, and checks that
// nothing acknowledged was lost, nothing was half-applied or applied twice,
// the log has no gaps and its chain of hashes is whole, and the consumer,
// resuming with after_hash, was given every event once and in order.
// Driven by tests/crash/run.sh; see there for the options.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "tests/daemon.h"

namespace {

using rectrack::testing::In;
using rectrack::v1::ApplyRequest;
using rectrack::v1::ApplyResponse;

struct Options {
  std::string rectrackd;
  std::string dir;
  int cycles = 3;
  unsigned seed = std::random_device()();
};

struct Tally {
  std::mutex mu;
  std::map<std::string, ApplyRequest> sent;    // request id → request
  std::map<std::string, ApplyResponse> acked;  // request id → result
};

// AddAction then `updates` progress reports on it: one request.
ApplyRequest Request(const std::string& id, const std::string& rec,
                     int updates) {
  ApplyRequest req;
  req.set_request_id(id);
  auto* add = req.add_commands()->mutable_add_action();
  add->set_recommendation_id(rec);
  add->set_text("Crash-test action " + id);
  add->add_leads("Crash Lead");
  add->set_timescale("March 2030");
  for (int k = 0; k < updates; ++k) {
    auto* p = req.add_commands()->mutable_report_progress();
    p->set_id("$0");
    p->set_text(absl::StrCat("update ", k, " of ", id));
  }
  return req;
}

void ApplyWriter(rectrack::v1::Tracker::Stub* stub, const std::string& rec,
                 const std::string& prefix, std::atomic<bool>* stop,
                 Tally* tally) {
  for (int i = 0; !stop->load(); ++i) {
    ApplyRequest req = Request(absl::StrCat(prefix, "-", i), rec, 2);
    {
      std::lock_guard<std::mutex> lock(tally->mu);
      tally->sent[req.request_id()] = req;
    }
    ApplyResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    if (!stub->Apply(&ctx, req, &resp).ok()) return;  // the server is gone
    std::lock_guard<std::mutex> lock(tally->mu);
    tally->acked[req.request_id()] = resp;
  }
}

void BulkWriter(rectrack::v1::Tracker::Stub* stub, const std::string& rec,
                const std::string& prefix, std::atomic<bool>* stop,
                Tally* tally) {
  grpc::ClientContext ctx;
  ctx.set_deadline(In(60));
  auto stream = stub->BulkApply(&ctx);
  for (int i = 0; !stop->load(); ++i) {
    rectrack::v1::BulkApplyRequest chunk;
    // A chunk of 20 actions with 3 updates each: 80 commands.
    *chunk.mutable_chunk() = Request(absl::StrCat(prefix, "-", i), rec, 3);
    for (int k = 1; k < 20; ++k) {
      ApplyRequest more = Request("", rec, 3);
      for (auto& c : *more.mutable_commands()) {
        if (c.has_report_progress()) {
          c.mutable_report_progress()->set_id(absl::StrCat("$", 4 * k));
        }
        *chunk.mutable_chunk()->add_commands() = c;
      }
    }
    {
      std::lock_guard<std::mutex> lock(tally->mu);
      tally->sent[chunk.chunk().request_id()] = chunk.chunk();
    }
    rectrack::v1::BulkApplyResponse ack;
    if (!stream->Write(chunk) || !stream->Read(&ack)) return;
    std::lock_guard<std::mutex> lock(tally->mu);
    tally->acked[chunk.chunk().request_id()] = ack.result();
  }
  stream->WritesDone();
  stream->Finish();
}

// Follows the log with Watch across kills, resuming from the position after
// the last event it holds with that event's hash (after_hash), as a
// consumer should. Records every event it is given, in order.
struct Watcher {
  std::mutex mu;
  std::vector<rectrack::v1::Event> seen;
  std::string first_error;
  std::unique_ptr<grpc::ClientContext> ctx;  // the current watch

  void Follow(const std::string& address,
              const rectrack::client::ConnectOptions& connect,
              std::atomic<bool>* stop) {
    grpc::ChannelArguments args;
    args.SetInt("crash.channel", 100);
    rectrack::client::ConnectOptions o = connect;
    o.arguments = args;
    auto stub =
        rectrack::v1::Tracker::NewStub(rectrack::client::Connect(address, o));
    rectrack::v1::WatchRequest req;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!seen.empty()) {
        req.set_from_position(seen.back().position() + 1);
        req.set_after_hash(seen.back().hash());
      }
      ctx = std::make_unique<grpc::ClientContext>();
    }
    auto stream = stub->Watch(ctx.get(), req);
    rectrack::v1::WatchResponse item;
    while (!stop->load() && stream->Read(&item)) {
      if (!item.has_event()) continue;
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(item.event());
    }
    grpc::Status s = stream->Finish();
    std::lock_guard<std::mutex> lock(mu);
    if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION &&
        first_error.empty()) {
      first_error = s.error_message();
    }
  }
  void Cancel() {
    std::lock_guard<std::mutex> lock(mu);
    if (ctx) ctx->TryCancel();
  }
};

int Run(const Options& options) {
  std::mt19937 random(options.seed);
  rectrack::client::ConnectOptions connect;
  connect.token = rectrack::testing::AddAdminToken(
      options.rectrackd, options.dir + "/data", "crash-test");
  if (connect.token.empty()) {
    std::fprintf(stderr, "cannot make a token with rectrackd token add\n");
    return 2;
  }

  rectrack::testing::Daemon daemon(options.rectrackd, options.dir);
  if (!daemon.Start()) {
    std::fprintf(stderr, "rectrackd did not start; see %s/rectrackd.log\n",
                 options.dir.c_str());
    return 2;
  }
  auto stub = rectrack::v1::Tracker::NewStub(
      rectrack::client::Connect(daemon.address(), connect));
  std::string rec;
  {
    ApplyRequest setup;
    setup.set_request_id("setup");
    auto* open = setup.add_commands()->mutable_open_review();
    open->set_title("Crash test");
    open->set_committee("Reliability");
    auto* add = setup.add_commands()->mutable_add_recommendation();
    add->set_review_id("$0");
    add->set_ref("1");
    add->set_text("Survive crashes");
    auto* respond = setup.add_commands()->mutable_record_response();
    respond->set_recommendation_id("$1");
    respond->set_decision(rectrack::v1::DECISION_ACCEPTED);
    respond->set_text("Agreed");
    ApplyResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    grpc::Status s = stub->Apply(&ctx, setup, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "setup failed: %s\n", s.error_message().c_str());
      return 2;
    }
    rec = resp.results(1).entity_id();
  }

  Tally tally;
  Watcher watcher;
  uint64_t problems = 0, retried = 0, already_applied = 0, events = 0;
  auto problem = [&](const std::string& what) {
    ++problems;
    std::fprintf(stderr, "PROBLEM: %s\n", what.c_str());
  };
  for (int cycle = 1; cycle <= options.cycles; ++cycle) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    std::vector<std::unique_ptr<rectrack::v1::Tracker::Stub>> stubs;
    for (int w = 0; w < 4; ++w) {
      grpc::ChannelArguments args;
      args.SetInt("crash.channel", w);  // one connection each
      connect.arguments = args;
      stubs.push_back(rectrack::v1::Tracker::NewStub(
          rectrack::client::Connect(daemon.address(), connect)));
      std::string prefix = absl::StrCat("c", cycle, "-w", w);
      if (w == 3) {
        writers.emplace_back(BulkWriter, stubs.back().get(), rec, prefix, &stop,
                             &tally);
      } else {
        writers.emplace_back(ApplyWriter, stubs.back().get(), rec, prefix,
                             &stop, &tally);
      }
    }
    std::atomic<bool> stop_watch{false};
    std::thread watch(
        [&] { watcher.Follow(daemon.address(), connect, &stop_watch); });
    std::this_thread::sleep_for(
        std::chrono::milliseconds(100 + random() % 900));
    daemon.Kill9();
    stop = true;
    for (auto& t : writers) t.join();
    stop_watch = true;
    watcher.Cancel();
    watch.join();

    if (!daemon.Start()) {
      problem(absl::StrCat("cycle ", cycle, ": rectrackd did not restart"));
      break;
    }
    connect.arguments = grpc::ChannelArguments();
    stub = rectrack::v1::Tracker::NewStub(
        rectrack::client::Connect(daemon.address(), connect));

    // Retry every request sent but not acknowledged: applied exactly once.
    std::vector<std::string> unacked;
    for (const auto& [id, req] : tally.sent) {
      if (!tally.acked.count(id)) unacked.push_back(id);
    }
    for (const std::string& id : unacked) {
      ApplyResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(In(30));
      grpc::Status s = stub->Apply(&ctx, tally.sent[id], &resp);
      if (!s.ok()) {
        problem(absl::StrCat("retry of ", id, " failed: ", s.error_message()));
        continue;
      }
      ++retried;
      if (resp.replayed()) ++already_applied;
      tally.acked[id] = resp;
    }

    // The whole log: gapless positions and versions; each request's events
    // all there, once; every acknowledged event where it was acknowledged.
    std::vector<rectrack::v1::Event> log;
    for (uint64_t from = 1;;) {
      rectrack::v1::ReadEventsRequest req;
      req.set_from_position(from);
      req.set_limit(5000);
      rectrack::v1::ReadEventsResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(In(60));
      grpc::Status s = stub->ReadEvents(&ctx, req, &resp);
      if (!s.ok()) {
        problem("ReadEvents failed: " + s.error_message());
        break;
      }
      if (resp.events().empty()) break;
      for (auto& e : *resp.mutable_events()) log.push_back(std::move(e));
      from = log.back().position() + 1;
    }
    std::map<std::string, uint64_t> version;
    std::map<std::string, int> per_request;
    for (size_t i = 0; i < log.size(); ++i) {
      const auto& e = log[i];
      if (e.position() != i + 1) {
        problem(absl::StrCat("gap in the log at position ", i + 1));
        break;
      }
      const std::string before =
          i == 0 ? std::string(32, '\0') : log[i - 1].hash();
      if (e.predecessor_hash() != before) {
        problem(absl::StrCat("the chain is broken at position ", i));
      }
      if (e.version() != version[e.stream()] + 1) {
        problem(absl::StrCat("gap in stream ", e.stream(), " at version ",
                             e.version()));
      }
      version[e.stream()] = e.version();
      ++per_request[e.request_id()];
    }
    for (const auto& [id, req] : tally.sent) {
      int stored = per_request.count(id) ? per_request[id] : 0;
      if (stored != req.commands_size()) {
        problem(absl::StrCat("request ", id, " has ", stored, " events, not ",
                             req.commands_size(),
                             stored == 0                    ? " (lost)"
                             : stored < req.commands_size() ? " (half-applied)"
                                                            : " (duplicated)"));
      }
    }
    for (const auto& [id, resp] : tally.acked) {
      for (const auto& r : resp.results()) {
        if (r.position() == 0 || r.position() > log.size() ||
            log[r.position() - 1].event_id() != r.event_id()) {
          problem(absl::StrCat("acknowledged event ", r.event_id(), " of ", id,
                               " is not at position ", r.position()));
        }
      }
    }
    // The watcher was given each event once, in order, the same as the log
    // (a prefix of it: it stopped at the kill).
    {
      std::lock_guard<std::mutex> lock(watcher.mu);
      if (!watcher.first_error.empty()) {
        problem("the watcher was refused: " + watcher.first_error);
      }
      for (size_t i = 0; i < watcher.seen.size(); ++i) {
        const auto& e = watcher.seen[i];
        if (e.position() != i + 1 || i >= log.size() ||
            e.event_id() != log[i].event_id() || e.hash() != log[i].hash()) {
          problem(absl::StrCat("the watcher's event ", i + 1, " (position ",
                               e.position(), ") is not the log's"));
          break;
        }
      }
    }
    rectrack::v1::VerifyResponse verify;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(120));
    grpc::Status s = stub->Verify(&ctx, rectrack::v1::VerifyRequest(), &verify);
    if (!s.ok() || !verify.ok()) {
      problem(absl::StrCat("verify failed after cycle ", cycle, ": ",
                           s.error_message()));
    }
    events = log.size();
    std::printf(
        "cycle %d: %zu requests sent so far, %llu acknowledged before "
        "a kill, %zu retried after this one; %zu events in the log, %zu "
        "watched\n",
        cycle, tally.sent.size(),
        static_cast<unsigned long long>(tally.acked.size() - retried),
        unacked.size(), log.size(), watcher.seen.size());
    std::fflush(stdout);
  }
  daemon.Stop();
  std::printf(
      "crash test: %d cycles (seed %u), %llu requests acknowledged before a "
      "kill, %llu events, %llu unacknowledged requests retried (%llu had "
      "been applied before the kill), %llu lost or duplicated or "
      "half-applied\n",
      options.cycles, options.seed,
      static_cast<unsigned long long>(tally.acked.size() - retried),
      static_cast<unsigned long long>(events),
      static_cast<unsigned long long>(retried),
      static_cast<unsigned long long>(already_applied),
      static_cast<unsigned long long>(problems));
  return problems == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--rectrackd") {
      options.rectrackd = argv[i + 1];
    } else if (flag == "--dir") {
      options.dir = argv[i + 1];
    } else if (flag == "--cycles") {
      options.cycles = std::atoi(argv[i + 1]);
    } else if (flag == "--seed") {
      options.seed =
          static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
    } else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  if (options.rectrackd.empty() || options.dir.empty() || options.cycles < 1) {
    std::fprintf(stderr,
                 "usage: crash_run --rectrackd PATH --dir DIR [--cycles N] "
                 "[--seed S]\n");
    return 2;
  }
  return Run(options);
}
