// bulk_bench: events per second through BulkApply (chunks of 1,000
// commands, each chunk fsynced before its acknowledgement), against the
// baseline of the same number of encoded events written straight to
// RocksDB in synced WriteBatches of the same size, in the same run.
//
// Usage: bulk_bench [--commands N] [--chunk N] [--runs N]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_util.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "rocksdb/db.h"

namespace {

using rectrack::bench::Median;
using rectrack::bench::TempDir;

using Clock = std::chrono::steady_clock;

// Command i of the workload: every 11th opens a review, the others add a
// recommendation to the latest review (so no entity grows without bound).
rectrack::v1::Command MakeCommand(int i, int chunk_start) {
  rectrack::v1::Command c;
  if (i % 11 == 0) {
    auto* o = c.mutable_open_review();
    o->set_title(absl::StrCat("Review ", i));
    o->set_committee("Overview and Scrutiny Committee");
  } else {
    int review_index = i - i % 11;
    auto* r = c.mutable_add_recommendation();
    r->set_review_id(review_index >= chunk_start
                         ? absl::StrCat("$", review_index - chunk_start)
                         : absl::StrCat("review-", review_index / 11 + 1));
    r->set_ref(absl::StrCat(i % 11));
    r->set_text(
        "That the council's representatives ensure partnerships consult "
        "children and young people when designing services aimed at them.");
  }
  return c;
}

double Rectrackd(int commands, int chunk) {
  std::string dir = TempDir();
  auto server = rectrack::bench::StartServer(dir);
  auto stub = rectrack::v1::Tracker::NewStub(grpc::CreateChannel(
      server->address(), grpc::InsecureChannelCredentials()));
  // Build every chunk first: the figure is the server's, not the encoder's.
  std::vector<rectrack::v1::BulkApplyRequest> chunks;
  for (int start = 0; start < commands; start += chunk) {
    rectrack::v1::BulkApplyRequest req;
    req.mutable_chunk()->set_request_id(absl::StrCat("bench-", start));
    for (int i = start; i < std::min(commands, start + chunk); ++i) {
      *req.mutable_chunk()->add_commands() = MakeCommand(i, start);
    }
    chunks.push_back(std::move(req));
  }
  auto t0 = Clock::now();
  grpc::ClientContext ctx;
  auto stream = stub->BulkApply(&ctx);
  for (const auto& req : chunks) {
    rectrack::v1::BulkApplyResponse ack;
    if (!stream->Write(req) || !stream->Read(&ack)) break;
  }
  stream->WritesDone();
  grpc::Status status = stream->Finish();
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!status.ok()) {
    std::fprintf(stderr, "BulkApply failed: %s\n",
                 status.error_message().c_str());
    std::exit(1);
  }
  server->Shutdown();
  std::filesystem::remove_all(dir);
  return commands / seconds;
}

// The same number of events, encoded as rectrackd would store them, written
// in synced WriteBatches of `chunk` events.
double RawRocksDb(int commands, int chunk) {
  std::string dir = TempDir();
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, &raw).ok()) std::exit(1);
  std::unique_ptr<rocksdb::DB> db(raw);
  std::vector<std::string> values;
  for (int i = 0; i < commands; ++i) {
    rectrack::v1::Event e;
    e.set_position(i + 1);
    e.set_stream(absl::StrCat("rec-", i));
    e.set_version(1);
    e.set_type("RecommendationAdded");
    e.set_event_id("0b3f7a2e-5c1d-4e8a-9f00-123456789abc");
    *e.mutable_payload()->mutable_recommendation_added() =
        MakeCommand(i | 1, 0).add_recommendation();
    values.push_back(e.SerializeAsString());
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  auto t0 = Clock::now();
  for (int start = 0; start < commands; start += chunk) {
    rocksdb::WriteBatch batch;
    for (int i = start; i < std::min(commands, start + chunk); ++i) {
      char key[8];
      for (int b = 0; b < 8; ++b)
        key[b] = static_cast<char>((i >> (56 - 8 * b)) & 0xFF);
      batch.Put(rocksdb::Slice(key, 8), values[i]).PermitUncheckedError();
    }
    db->Write(wo, &batch).PermitUncheckedError();
  }
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  db.reset();
  std::filesystem::remove_all(dir);
  return commands / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  int commands = 200000;
  int chunk = 1000;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--commands") {
      commands = value;
    } else if (flag == "--chunk") {
      chunk = value;
    } else if (flag == "--runs") {
      runs = value;
    } else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  std::vector<double> raw, ours;
  for (int r = 0; r < runs; ++r) {
    raw.push_back(RawRocksDb(commands, chunk));
    ours.push_back(Rectrackd(commands, chunk));
  }
  std::printf(
      "Medians of %d runs; %d commands in chunks of %d, each chunk "
      "fsynced.\n\n",
      runs, commands, chunk);
  std::printf("| figure | value | ratio to baseline |\n|---|---|---|\n");
  std::printf(
      "| raw RocksDB synced WriteBatch of encoded events (baseline) | %.0f "
      "events/s | 1.00 |\n",
      Median(raw));
  std::printf(
      "| rectrackd BulkApply, validated and projected | %.0f commands/s | %.2f "
      "|\n",
      Median(ours), Median(ours) / Median(raw));
  return 0;
}
