// bulk_bench: events per second through BulkApply (chunks of 1,000
// commands, each chunk fsynced before its acknowledgement) to a real
// rectrackd process, against the baseline of the same number of encoded
// events written straight to RocksDB in synced WriteBatches of the same
// size, in the same run. Then, on the database that import made: the peak
// memory of that rectrackd, and `verify` (refolding the whole log) against
// a raw iteration of the events column family.
//
// With --copy-file FILE it also writes the events of its first import to
// FILE in PostgreSQL's COPY format, for the peer comparison of
// bench/pg_peer.py.
//
// Usage: bulk_bench [--events N] [--chunk N] [--runs N] [--copy-file FILE]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_util.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "rocksdb/db.h"
#include "tests/daemon.h"

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

struct Imported {
  double events_per_second = 0;
  double verify_events_per_second = 0;
  double raw_scan_events_per_second = 0;
  double peak_rss_mib = 0;         // importing and serving
  double verify_peak_rss_mib = 0;  // after verify too
};

// The database in `dir`, opened read-only with every column family.
struct ReadOnlyDb {
  explicit ReadOnlyDb(const std::string& dir) {
    std::vector<std::string> families;
    rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &families)
        .PermitUncheckedError();
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& f : families)
      descriptors.emplace_back(f, rocksdb::ColumnFamilyOptions());
    if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors,
                                      &handles, &db)
             .ok()) {
      std::fprintf(stderr, "cannot open %s read-only\n", dir.c_str());
      std::exit(1);
    }
    for (auto* h : handles) {
      if (h->GetName() == "events") events = h;
    }
  }
  ~ReadOnlyDb() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
  ReadOnlyDb(const ReadOnlyDb&) = delete;
  ReadOnlyDb& operator=(const ReadOnlyDb&) = delete;

  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::ColumnFamilyHandle* events = nullptr;
};

// Reads every key and value of the events column family of the database
// in `dir`; events per second.
double RawScan(const std::string& dir) {
  ReadOnlyDb raw(dir);
  auto t0 = Clock::now();
  uint64_t n = 0, bytes = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        raw.db->NewIterator(rocksdb::ReadOptions(), raw.events));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ++n;
      bytes += it->value().size();
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  // What the import wrote, per event (to stderr: it explains the ratio).
  for (auto* h : raw.handles) {
    uint64_t keys = 0;
    std::unique_ptr<rocksdb::Iterator> all(
        raw.db->NewIterator(rocksdb::ReadOptions(), h));
    for (all->SeekToFirst(); all->Valid(); all->Next()) ++keys;
    std::fprintf(stderr, "column family %s: %.2f keys per event\n",
                 h->GetName().c_str(), n ? double(keys) / n : 0.0);
  }
  return bytes > 0 ? n / seconds : 0;
}

// Writes the events of the database in `dir` to `path` in PostgreSQL's
// COPY text format, for bench/pg_peer.py: stream, version, event id, type,
// recording time and the event as rectrackd stored it (bytea, hex).
void WriteCopyFile(const std::string& dir, const std::string& path) {
  ReadOnlyDb raw(dir);
  std::FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
  static const char kHex[] = "0123456789abcdef";
  std::unique_ptr<rocksdb::Iterator> it(
      raw.db->NewIterator(rocksdb::ReadOptions(), raw.events));
  std::string hex;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rectrack::v1::Event e;
    if (!e.ParseFromArray(it->value().data(),
                          static_cast<int>(it->value().size()))) {
      std::fprintf(stderr, "an event in %s does not parse\n", dir.c_str());
      std::exit(1);
    }
    hex.clear();
    for (char c : it->value().ToStringView()) {
      hex += kHex[(static_cast<unsigned char>(c) >> 4) & 0xF];
      hex += kHex[static_cast<unsigned char>(c) & 0xF];
    }
    std::time_t seconds = e.recorded_at().seconds();
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S+00", &tm);
    std::fprintf(out, "%s\t%llu\t%s\t%s\t%s\t\\\\x%s\n", e.stream().c_str(),
                 static_cast<unsigned long long>(e.version()),
                 e.event_id().c_str(), e.type().c_str(), when, hex.c_str());
  }
  if (std::fclose(out) != 0) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

Imported Rectrackd(int commands, int chunk, const std::string& copy_file) {
  std::string dir = TempDir();
  rectrack::testing::Daemon daemon(RECTRACKD_PATH, dir);
  if (!daemon.Start()) {
    std::fprintf(stderr, "rectrackd did not start; see %s/rectrackd.log\n",
                 dir.c_str());
    std::exit(1);
  }
  auto stub = rectrack::v1::Tracker::NewStub(grpc::CreateChannel(
      daemon.address(), grpc::InsecureChannelCredentials()));
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
  Imported out;
  auto t0 = Clock::now();
  {
    grpc::ClientContext ctx;
    auto stream = stub->BulkApply(&ctx);
    for (const auto& req : chunks) {
      rectrack::v1::BulkApplyResponse ack;
      if (!stream->Write(req) || !stream->Read(&ack)) break;
    }
    stream->WritesDone();
    grpc::Status status = stream->Finish();
    if (!status.ok()) {
      std::fprintf(stderr, "BulkApply failed: %s\n",
                   status.error_message().c_str());
      std::exit(1);
    }
  }
  out.events_per_second =
      commands / std::chrono::duration<double>(Clock::now() - t0).count();
  chunks.clear();
  out.peak_rss_mib = rectrack::testing::MemoryMiB(daemon.pid()).second;

  t0 = Clock::now();
  rectrack::v1::VerifyResponse verify;
  grpc::ClientContext ctx;
  grpc::Status s = stub->Verify(&ctx, rectrack::v1::VerifyRequest(), &verify);
  if (!s.ok() || !verify.ok()) {
    std::fprintf(stderr, "verify failed: %s\n", s.error_message().c_str());
    std::exit(1);
  }
  out.verify_events_per_second =
      verify.events_checked() /
      std::chrono::duration<double>(Clock::now() - t0).count();
  out.verify_peak_rss_mib = rectrack::testing::MemoryMiB(daemon.pid()).second;
  daemon.Stop();
  out.raw_scan_events_per_second = RawScan(dir + "/data");
  if (!copy_file.empty()) WriteCopyFile(dir + "/data", copy_file);
  std::filesystem::remove_all(dir);
  return out;
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
  int events = 1000000;
  int chunk = 1000;
  int runs = 1;
  std::string copy_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    int value = std::atoi(argv[i + 1]);
    if (flag == "--copy-file") {
      copy_file = argv[i + 1];
    } else if (flag == "--events") {
      events = value;
    } else if (flag == "--chunk") {
      chunk = value;
    } else if (flag == "--runs") {
      runs = value;
    } else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  std::vector<double> raw, ours, verify, scan, rss, verify_rss;
  for (int r = 0; r < runs; ++r) {
    raw.push_back(RawRocksDb(events, chunk));
    Imported i = Rectrackd(events, chunk, r == 0 ? copy_file : "");
    ours.push_back(i.events_per_second);
    verify.push_back(i.verify_events_per_second);
    scan.push_back(i.raw_scan_events_per_second);
    rss.push_back(i.peak_rss_mib);
    verify_rss.push_back(i.verify_peak_rss_mib);
  }
  std::printf(
      "| BulkApply of %d events in chunks of %d, each fsynced, validated "
      "and projected | %.0f events/s | raw RocksDB synced WriteBatches of "
      "the same encoded events: %.0f events/s | %.2f | ≥ 0.5 |\n",
      events, chunk, Median(ours), Median(raw), Median(ours) / Median(raw));
  std::printf(
      "| verify: refold all %d events, compare every projection and index "
      "| %.0f events/s | raw iteration of the events column family: %.0f "
      "events/s | %.2f | ≥ 0.5 |\n",
      events, Median(verify), Median(scan), Median(verify) / Median(scan));
  std::printf(
      "| peak RSS of rectrackd importing and holding %d events (RocksDB "
      "defaults per column family: 8 MiB block cache, 64 MiB memtable) | "
      "%.0f MiB | - | - | - |\n",
      events, Median(rss));
  std::printf(
      "| peak RSS of the same rectrackd once verify has run | %.0f MiB | - | "
      "- | - |\n",
      Median(verify_rss));
  return 0;
}
