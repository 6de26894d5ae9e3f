// crash_run: kills rectrackd with SIGKILL at random moments — during bursts
// of concurrent writes, during start-up, while clients retry, during verify
// and during a backup — restarts it, and checks that nothing acknowledged
// was lost, nothing was half-applied or applied twice, every event is the
// one its command asked for (by identity, content and order), the log has no
// gaps and its chain of hashes is whole, and a Watch consumer, resuming with
// after_hash, was given every event once and in order.
//
// The writers: two send single Apply requests (every third one without a
// request id, as a careless client would: never retried, so it must be in
// the log once if acknowledged and wholly or not at all if not), one a
// BulkApply stream of chunks (retried through BulkApply), one all-or-nothing
// BulkApply batches of three chunks (retried whole, through BulkApply).
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
#include <functional>
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
using Stub = rectrack::v1::Tracker::Stub;

struct Options {
  std::string rectrackd;
  std::string dir;
  int cycles = 3;
  unsigned seed = std::random_device()();
};

// How a request was sent, and so how it is retried.
enum class Via { kApply, kNoId, kBulk, kAllOrNothing };

struct Sent {
  ApplyRequest request;  // request_id empty for kNoId
  Via via = Via::kApply;
  std::string group;  // kAllOrNothing: the batch's first chunk's key
};

// Every request is known by a key that its commands' texts carry in
// brackets ("update 2 of [c3-w1-17]"), so each event names its request
// whether or not the request had an id.
struct Tally {
  std::mutex mu;
  std::map<std::string, Sent> sent;            // key → what was sent
  std::map<std::string, ApplyResponse> acked;  // key → result
  std::map<std::string, std::vector<std::string>> groups;  // batch → keys
};

// AddAction then `updates` progress reports on it: one request, its
// references counted from `base` (for chunks of an all-or-nothing batch).
ApplyRequest Request(const std::string& key, bool with_id,
                     const std::string& rec, int updates, int base = 0) {
  ApplyRequest req;
  if (with_id) req.set_request_id(key);
  auto* add = req.add_commands()->mutable_add_action();
  add->set_recommendation_id(rec);
  add->set_text(absl::StrCat("Crash-test action [", key, "]"));
  add->add_leads("Crash Lead");
  add->set_timescale("March 2030");
  for (int k = 0; k < updates; ++k) {
    auto* p = req.add_commands()->mutable_report_progress();
    p->set_id(absl::StrCat("$", base));
    p->set_text(absl::StrCat("update ", k, " of [", key, "]"));
  }
  return req;
}

// The text a command of Request() carries.
const std::string& CommandText(const rectrack::v1::Command& c) {
  return c.has_add_action() ? c.add_action().text()
                            : c.report_progress().text();
}

void Record(Tally* tally, const std::string& key, Sent sent) {
  std::lock_guard<std::mutex> lock(tally->mu);
  tally->sent[key] = std::move(sent);
}

void Ack(Tally* tally, const std::string& key, ApplyResponse resp) {
  std::lock_guard<std::mutex> lock(tally->mu);
  tally->acked[key] = std::move(resp);
}

void ApplyWriter(Stub* stub, const std::string& rec, const std::string& prefix,
                 std::atomic<bool>* stop, Tally* tally) {
  for (int i = 0; !stop->load(); ++i) {
    std::string key = absl::StrCat(prefix, "-", i);
    bool with_id = i % 3 != 2;
    ApplyRequest req = Request(key, with_id, rec, 2);
    Record(tally, key, {req, with_id ? Via::kApply : Via::kNoId, ""});
    ApplyResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(10));
    if (!stub->Apply(&ctx, req, &resp).ok()) return;  // the server is gone
    Ack(tally, key, std::move(resp));
  }
}

// A chunk of 20 actions with 3 updates each: 80 commands, one request id.
ApplyRequest Chunk(const std::string& key, const std::string& rec, int base) {
  ApplyRequest chunk = Request(key, true, rec, 3, base);
  for (int k = 1; k < 20; ++k) {
    ApplyRequest more = Request(key, false, rec, 3, base + 4 * k);
    for (auto& c : *more.mutable_commands()) *chunk.add_commands() = c;
  }
  return chunk;
}

void BulkWriter(Stub* stub, const std::string& rec, const std::string& prefix,
                std::atomic<bool>* stop, Tally* tally) {
  grpc::ClientContext ctx;
  ctx.set_deadline(In(60));
  auto stream = stub->BulkApply(&ctx);
  for (int i = 0; !stop->load(); ++i) {
    std::string key = absl::StrCat(prefix, "-", i);
    rectrack::v1::BulkApplyRequest chunk;
    *chunk.mutable_chunk() = Chunk(key, rec, 0);
    Record(tally, key, {chunk.chunk(), Via::kBulk, ""});
    rectrack::v1::BulkApplyResponse ack;
    if (!stream->Write(chunk) || !stream->Read(&ack)) return;
    Ack(tally, key, ack.result());
  }
  stream->WritesDone();
  stream->Finish();
}

// Sends `chunks` as one all-or-nothing BulkApply batch; their results if
// the batch was acknowledged whole.
bool SendAllOrNothing(Stub* stub, const std::vector<ApplyRequest>& chunks,
                      std::vector<ApplyResponse>* results) {
  grpc::ClientContext ctx;
  ctx.set_deadline(In(30));
  auto stream = stub->BulkApply(&ctx);
  for (size_t k = 0; k < chunks.size(); ++k) {
    rectrack::v1::BulkApplyRequest req;
    *req.mutable_chunk() = chunks[k];
    req.set_all_or_nothing(k == 0);
    if (!stream->Write(req)) break;
  }
  stream->WritesDone();
  rectrack::v1::BulkApplyResponse ack;
  results->clear();
  while (stream->Read(&ack)) results->push_back(ack.result());
  return stream->Finish().ok() && results->size() == chunks.size();
}

void AllOrNothingWriter(Stub* stub, const std::string& rec,
                        const std::string& prefix, std::atomic<bool>* stop,
                        Tally* tally) {
  for (int i = 0; !stop->load(); ++i) {
    std::vector<ApplyRequest> chunks;
    std::vector<std::string> keys;
    for (int k = 0; k < 3; ++k) {
      keys.push_back(absl::StrCat(prefix, "-", i, "-", k));
      // References count across the batch: chunk k starts at 80 k.
      chunks.push_back(Chunk(keys.back(), rec, 80 * k));
    }
    {
      std::lock_guard<std::mutex> lock(tally->mu);
      tally->groups[keys[0]] = keys;
      for (int k = 0; k < 3; ++k) {
        tally->sent[keys[k]] = {chunks[k], Via::kAllOrNothing, keys[0]};
      }
    }
    std::vector<ApplyResponse> results;
    if (!SendAllOrNothing(stub, chunks, &results)) return;
    for (int k = 0; k < 3; ++k) Ack(tally, keys[k], results[k]);
  }
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

// Where, besides a burst of writes, a cycle's second kill lands.
enum class KillPoint { kBurstOnly, kStartUp, kRetries, kVerify, kBackup };

const char* KillPointName(KillPoint k) {
  switch (k) {
    case KillPoint::kBurstOnly:
      return "burst";
    case KillPoint::kStartUp:
      return "start-up";
    case KillPoint::kRetries:
      return "retries";
    case KillPoint::kVerify:
      return "verify";
    case KillPoint::kBackup:
      return "backup";
  }
  return "?";
}

// The key in brackets in an event's payload (" [c1-w0-7]": keys start with
// "c", and a space comes first, so a length byte that happens to be '['
// is not taken for one); "" if none.
std::string KeyOf(const rectrack::v1::Event& e) {
  std::string bytes = e.payload().SerializeAsString();
  size_t open = bytes.find(" [c");
  if (open == std::string::npos) return "";
  size_t close = bytes.find(']', open);
  if (close == std::string::npos) return "";
  return bytes.substr(open + 2, close - open - 2);
}

class CrashTest {
 public:
  explicit CrashTest(const Options& options)
      : options_(options),
        random_(options.seed),
        daemon_(options.rectrackd, options.dir) {}

  int Run() {
    connect_.token = rectrack::testing::AddAdminToken(
        options_.rectrackd, options_.dir + "/data", "crash-test");
    if (connect_.token.empty()) {
      std::fprintf(stderr, "cannot make a token with rectrackd token add\n");
      return 2;
    }
    if (!Restart() || !Setup()) return 2;
    for (int cycle = 1; cycle <= options_.cycles; ++cycle) {
      if (!Cycle(cycle)) break;
    }
    daemon_.Stop();
    std::printf(
        "crash test: %d cycles (seed %u), %zu requests sent (%zu without an "
        "id), %zu acknowledged, %llu events; kills during start-up %d, "
        "retries %d, verify %d, backup %d; %llu unacknowledged requests "
        "retried (%llu had been applied before the kill); %llu problems\n",
        options_.cycles, options_.seed, tally_.sent.size(), NoIdCount(),
        tally_.acked.size(), static_cast<unsigned long long>(events_),
        kills_[KillPoint::kStartUp], kills_[KillPoint::kRetries],
        kills_[KillPoint::kVerify], kills_[KillPoint::kBackup],
        static_cast<unsigned long long>(retried_),
        static_cast<unsigned long long>(already_applied_),
        static_cast<unsigned long long>(problems_));
    return problems_ == 0 ? 0 : 1;
  }

 private:
  void Problem(const std::string& what) {
    ++problems_;
    std::fprintf(stderr, "PROBLEM: %s\n", what.c_str());
  }

  int Random(int below) { return static_cast<int>(random_() % below); }
  void SleepMs(int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }

  size_t NoIdCount() const {
    size_t n = 0;
    for (const auto& [key, sent] : tally_.sent) n += sent.via == Via::kNoId;
    return n;
  }

  bool Restart() {
    if (!daemon_.Start()) {
      Problem("rectrackd did not restart");
      return false;
    }
    connect_.arguments = grpc::ChannelArguments();
    stub_ = rectrack::v1::Tracker::NewStub(
        rectrack::client::Connect(daemon_.address(), connect_));
    return true;
  }

  bool Setup() {
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
    grpc::Status s = stub_->Apply(&ctx, setup, &resp);
    if (!s.ok()) {
      std::fprintf(stderr, "setup failed: %s\n", s.error_message().c_str());
      return false;
    }
    rec_ = resp.results(1).entity_id();
    return true;
  }

  // Four writers and a watcher until a kill 0.1–1 s in.
  void Burst(int cycle) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    std::vector<std::unique_ptr<Stub>> stubs;
    for (int w = 0; w < 4; ++w) {
      grpc::ChannelArguments args;
      args.SetInt("crash.channel", w);  // one connection each
      rectrack::client::ConnectOptions o = connect_;
      o.arguments = args;
      stubs.push_back(rectrack::v1::Tracker::NewStub(
          rectrack::client::Connect(daemon_.address(), o)));
      std::string prefix = absl::StrCat("c", cycle, "-w", w);
      auto writer = w == 2   ? BulkWriter
                    : w == 3 ? AllOrNothingWriter
                             : ApplyWriter;
      writers.emplace_back(writer, stubs.back().get(), rec_, prefix, &stop,
                           &tally_);
    }
    std::atomic<bool> stop_watch{false};
    std::thread watch(
        [&] { watcher_.Follow(daemon_.address(), connect_, &stop_watch); });
    SleepMs(100 + Random(900));
    daemon_.Kill9();
    stop = true;
    for (auto& t : writers) t.join();
    stop_watch = true;
    watcher_.Cancel();
    watch.join();
  }

  // Runs `work` against the server and kills it 0–`ms` ms in; then
  // restarts it.
  bool KillDuring(KillPoint point, int ms, const std::function<void()>& work) {
    std::thread t(work);
    SleepMs(Random(ms));
    daemon_.Kill9();
    t.join();
    ++kills_[point];
    return Restart();
  }

  // Retries every request sent but not acknowledged, each the way its
  // client would: Apply again, BulkApply again, the whole all-or-nothing
  // batch again. Requests without an id are not retried (they cannot be
  // safely). With `must`, a failed retry is a problem.
  void RetryUnacked(bool must) {
    std::vector<std::string> apply, bulk;
    std::set<std::string> groups;
    {
      std::lock_guard<std::mutex> lock(tally_.mu);
      for (const auto& [key, sent] : tally_.sent) {
        if (tally_.acked.count(key)) continue;
        if (sent.via == Via::kApply) apply.push_back(key);
        if (sent.via == Via::kBulk) bulk.push_back(key);
        if (sent.via == Via::kAllOrNothing) groups.insert(sent.group);
      }
    }
    for (const std::string& key : apply) {
      ApplyResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(In(30));
      grpc::Status s = stub_->Apply(&ctx, tally_.sent[key].request, &resp);
      if (!s.ok()) {
        if (must) Problem("retry of " + key + " failed: " + s.error_message());
        return;
      }
      Retried(key, std::move(resp));
    }
    if (!RetryBulk(bulk, must)) return;
    for (const std::string& group : groups) {
      std::vector<ApplyRequest> chunks;
      for (const std::string& key : tally_.groups[group]) {
        chunks.push_back(tally_.sent[key].request);
      }
      std::vector<ApplyResponse> results;
      if (!SendAllOrNothing(stub_.get(), chunks, &results)) {
        if (must) Problem("retry of the batch " + group + " failed");
        return;
      }
      for (size_t k = 0; k < chunks.size(); ++k) {
        Retried(tally_.groups[group][k], results[k]);
      }
    }
  }

  bool RetryBulk(const std::vector<std::string>& keys, bool must) {
    if (keys.empty()) return true;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(60));
    auto stream = stub_->BulkApply(&ctx);
    for (const std::string& key : keys) {
      rectrack::v1::BulkApplyRequest req;
      *req.mutable_chunk() = tally_.sent[key].request;
      rectrack::v1::BulkApplyResponse ack;
      if (!stream->Write(req) || !stream->Read(&ack)) {
        if (must) Problem("BulkApply retry of " + key + " failed");
        return false;
      }
      Retried(key, ack.result());
    }
    stream->WritesDone();
    stream->Finish();
    return true;
  }

  void Retried(const std::string& key, ApplyResponse resp) {
    ++retried_;
    if (resp.replayed()) ++already_applied_;
    Ack(&tally_, key, std::move(resp));
  }

  bool Cycle(int cycle) {
    Burst(cycle);
    KillPoint point = static_cast<KillPoint>(Random(5));
    if (point == KillPoint::kStartUp) {
      daemon_.Launch();
      SleepMs(Random(400));
      daemon_.Kill9();
      ++kills_[point];
    }
    if (!Restart()) return false;
    size_t unacked = tally_.sent.size() - tally_.acked.size();
    if (point == KillPoint::kRetries &&
        !KillDuring(point, 300, [&] { RetryUnacked(false); })) {
      return false;
    }
    if (point == KillPoint::kVerify && !KillDuring(point, 500, [&] {
          rectrack::v1::VerifyResponse v;
          grpc::ClientContext ctx;
          ctx.set_deadline(In(30));
          stub_->Verify(&ctx, rectrack::v1::VerifyRequest(), &v);
        })) {
      return false;
    }
    if (point == KillPoint::kBackup && !KillDuring(point, 300, [&] {
          rectrack::v1::BackupRequest b;
          b.set_directory(absl::StrCat(options_.dir, "/backup-", cycle));
          rectrack::v1::BackupResponse r;
          grpc::ClientContext ctx;
          ctx.set_deadline(In(30));
          stub_->Backup(&ctx, b, &r);
        })) {
      return false;
    }
    RetryUnacked(true);
    std::vector<rectrack::v1::Event> log = ReadLog();
    CheckLog(log);
    CheckRequests(log);
    CheckWatcher(log);
    Verify(cycle);
    events_ = log.size();
    std::printf(
        "cycle %d (also killed during %s): %zu requests sent so far, %zu "
        "unacknowledged at the kill; %zu events in the log, %zu watched\n",
        cycle, KillPointName(point), tally_.sent.size(), unacked, log.size(),
        watcher_.seen.size());
    std::fflush(stdout);
    return true;
  }

  std::vector<rectrack::v1::Event> ReadLog() {
    std::vector<rectrack::v1::Event> log;
    for (uint64_t from = 1;;) {
      rectrack::v1::ReadEventsRequest req;
      req.set_from_position(from);
      req.set_limit(5000);
      rectrack::v1::ReadEventsResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(In(60));
      grpc::Status s = stub_->ReadEvents(&ctx, req, &resp);
      if (!s.ok()) {
        Problem("ReadEvents failed: " + s.error_message());
        break;
      }
      if (resp.events().empty()) break;
      for (auto& e : *resp.mutable_events()) log.push_back(std::move(e));
      from = log.back().position() + 1;
    }
    return log;
  }

  // Gapless positions and versions, and an unbroken chain of hashes.
  void CheckLog(const std::vector<rectrack::v1::Event>& log) {
    std::map<std::string, uint64_t> version;
    for (size_t i = 0; i < log.size(); ++i) {
      const auto& e = log[i];
      if (e.position() != i + 1) {
        Problem(absl::StrCat("gap in the log at position ", i + 1));
        return;
      }
      const std::string before =
          i == 0 ? std::string(32, '\0') : log[i - 1].hash();
      if (e.predecessor_hash() != before) {
        Problem(absl::StrCat("the chain is broken at position ", i));
      }
      if (e.version() != version[e.stream()] + 1) {
        Problem(absl::StrCat("gap in stream ", e.stream(), " at version ",
                             e.version()));
      }
      version[e.stream()] = e.version();
    }
  }

  // Every request's events: all there once (or, unacknowledged without an
  // id, none), next to each other, in the order of its commands, each with
  // its command's text, its request id, and where it was acknowledged.
  void CheckRequests(const std::vector<rectrack::v1::Event>& log) {
    std::map<std::string, std::vector<size_t>> by_key;  // key → log indexes
    for (size_t i = 0; i < log.size(); ++i) {
      std::string key = KeyOf(log[i]);
      if (!key.empty()) by_key[key].push_back(i);
    }
    for (const auto& [key, sent] : tally_.sent) {
      const std::vector<size_t>& at = by_key[key];
      const auto& commands = sent.request.commands();
      bool acked = tally_.acked.count(key) > 0;
      // An all-or-nothing batch is one request: its events carry the id of
      // its first chunk.
      const std::string& id = sent.via == Via::kAllOrNothing
                                  ? sent.group
                                  : sent.request.request_id();
      if (at.empty() && !acked && sent.via == Via::kNoId) continue;
      if (static_cast<int>(at.size()) != commands.size()) {
        Problem(absl::StrCat("request ", key, " has ", at.size(),
                             " events, not ", commands.size(),
                             at.empty() ? " (lost)"
                             : at.size() < size_t(commands.size())
                                 ? " (half-applied)"
                                 : " (duplicated)"));
        continue;
      }
      for (size_t k = 0; k < at.size(); ++k) {
        const auto& e = log[at[k]];
        if (at[k] != at[0] + k) {
          Problem(absl::StrCat("request ", key, "'s events are not together"));
          break;
        }
        if (e.payload().SerializeAsString().find(CommandText(commands[k])) ==
                std::string::npos ||
            e.request_id() != id) {
          Problem(absl::StrCat("event ", e.position(), " is not command ", k,
                               " of request ", key));
          break;
        }
      }
    }
    CheckAcknowledged(log);
  }

  void CheckAcknowledged(const std::vector<rectrack::v1::Event>& log) {
    for (const auto& [key, resp] : tally_.acked) {
      for (const auto& r : resp.results()) {
        if (r.position() == 0 || r.position() > log.size() ||
            log[r.position() - 1].event_id() != r.event_id()) {
          Problem(absl::StrCat("acknowledged event ", r.event_id(), " of ", key,
                               " is not at position ", r.position()));
        }
      }
    }
  }

  // The watcher was given each event once, in order, the same as the log
  // (a prefix of it: it stopped at the kill).
  void CheckWatcher(const std::vector<rectrack::v1::Event>& log) {
    std::lock_guard<std::mutex> lock(watcher_.mu);
    if (!watcher_.first_error.empty()) {
      Problem("the watcher was refused: " + watcher_.first_error);
    }
    for (size_t i = 0; i < watcher_.seen.size(); ++i) {
      const auto& e = watcher_.seen[i];
      if (e.position() != i + 1 || i >= log.size() ||
          e.event_id() != log[i].event_id() || e.hash() != log[i].hash()) {
        Problem(absl::StrCat("the watcher's event ", i + 1, " (position ",
                             e.position(), ") is not the log's"));
        return;
      }
    }
  }

  void Verify(int cycle) {
    rectrack::v1::VerifyResponse verify;
    grpc::ClientContext ctx;
    ctx.set_deadline(In(120));
    grpc::Status s =
        stub_->Verify(&ctx, rectrack::v1::VerifyRequest(), &verify);
    if (!s.ok() || !verify.ok()) {
      Problem(absl::StrCat("verify failed after cycle ", cycle, ": ",
                           s.error_message()));
    }
  }

  Options options_;
  std::mt19937 random_;
  rectrack::testing::Daemon daemon_;
  rectrack::client::ConnectOptions connect_;
  std::unique_ptr<Stub> stub_;
  std::string rec_;
  Tally tally_;
  Watcher watcher_;
  std::map<KillPoint, int> kills_;
  uint64_t problems_ = 0, retried_ = 0, already_applied_ = 0, events_ = 0;
};

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
  return CrashTest(options).Run();
}
