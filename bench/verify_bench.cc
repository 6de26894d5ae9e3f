// verify_bench: admin verify (domain::WholeLog::Verify: the log refolded
// into a scratch database in bounded memory, then compared with the live
// families key by key, at one snapshot) over N events, against the baseline
// of a raw scan of the same events (every key and value of the events
// column family) in the same run. Each measurement runs in a fresh process
// of its own (this program, with --measure), so its peak memory (VmHWM) is
// its own and not the build's. The same at N / 4 events shows whether
// verify's memory grows with the log. Medians of --runs runs.
//
// Usage: verify_bench [--events N] [--runs N]
//        verify_bench --build DATA_DIR [--events N]   (only builds the log,
//        for trying `rectrack admin verify` by hand on rectrackd)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_util.h"
#include "rocksdb/db.h"
#include "server/domain/tracker.h"
#include "server/store/event_store.h"

namespace {

using rectrack::bench::Median;
using rectrack::bench::TempDir;
using Steady = std::chrono::steady_clock;

constexpr int kGroup = 20;  // commands per review, see AddGroup
constexpr int kChunk = 1000;

// One review's commands: the review, 4 recommendations each accepted with
// an action, 6 progress notes over those actions, 1 person (20 events).
// Refs "$N" count from the start of `request`.
void AddGroup(int g, rectrack::v1::ApplyRequest* request) {
  const int base = request->commands_size();
  auto* open = request->add_commands()->mutable_open_review();
  open->set_title(absl::StrCat("Review ", g));
  open->set_committee(absl::StrCat("Committee ", g % 7));
  open->set_published_on("2024-01-10");
  std::vector<std::string> actions;
  for (int k = 0; k < 4; ++k) {
    const std::string rec = absl::StrCat("$", request->commands_size());
    auto* add = request->add_commands()->mutable_add_recommendation();
    add->set_review_id(absl::StrCat("$", base));
    add->set_ref(absl::StrCat(k + 1));
    add->set_text(
        "That the council's representatives ensure partnerships consult "
        "children and young people when designing services aimed at them.");
    auto* respond = request->add_commands()->mutable_record_response();
    respond->set_recommendation_id(rec);
    respond->set_decision(rectrack::v1::DECISION_ACCEPTED);
    respond->set_text("Agreed");
    actions.push_back(absl::StrCat("$", request->commands_size()));
    auto* act = request->add_commands()->mutable_add_action();
    act->set_recommendation_id(rec);
    act->set_text("Consult the youth council on every new service");
    act->add_leads(absl::StrCat("Lead ", g % 500));
    act->set_timescale("2025-03-31");
  }
  for (int n = 0; n < 6; ++n) {
    auto* note = request->add_commands()->mutable_report_progress();
    note->set_id(actions[n % actions.size()]);
    note->set_text(absl::StrCat("Progress note ", n));
  }
  auto* person = request->add_commands()->mutable_add_person();
  person->set_name(absl::StrCat("Person ", g));
  person->set_email(absl::StrCat("person", g, "@council.gov.uk"));
}

// A database of about `events` events in `dir`, written through the
// tracker in requests of kChunk commands.
void Build(const std::string& dir, int events) {
  auto store = rectrack::store::EventStore::Open(dir);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    std::exit(1);
  }
  rectrack::domain::Tracker tracker(store->get());
  for (int g = 0; g * kGroup < events;) {
    rectrack::v1::ApplyRequest request;
    for (; request.commands_size() < kChunk && g * kGroup < events; ++g) {
      AddGroup(g, &request);
    }
    auto applied = tracker.ApplyAndWait(request, "bench");
    if (!applied.ok()) {
      std::fprintf(stderr, "building the log: %s\n",
                   std::string(applied.status().message()).c_str());
      std::exit(1);
    }
  }
}

// This process's peak resident memory (VmHWM), MiB.
double PeakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::strtod(line.c_str() + 6, nullptr) / 1024;
    }
  }
  return 0;
}

// --measure MODE DIR: one measurement in this fresh process; prints
// "seconds peak_rss_mib events".
int Measure(const std::string& mode, const std::string& dir) {
  double seconds = 0;
  uint64_t events = 0;
  if (mode == "scan") {
    rocksdb::DB* raw = nullptr;
    std::vector<std::string> names;
    rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names)
        .PermitUncheckedError();
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    families.reserve(names.size());
    for (const auto& n : names) {
      families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, families,
                                      &handles, &raw)
             .ok()) {
      return 1;
    }
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* cf = nullptr;
    for (auto* h : handles) {
      if (h->GetName() == "events") cf = h;
    }
    const auto t0 = Steady::now();
    uint64_t bytes = 0;
    {
      std::unique_ptr<rocksdb::Iterator> it(
          db->NewIterator(rocksdb::ReadOptions(), cf));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++events;
        bytes += it->value().size();
      }
    }
    seconds = std::chrono::duration<double>(Steady::now() - t0).count();
    if (bytes == 0) return 1;
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  } else {
    auto store = rectrack::store::EventStore::Open(dir);
    if (!store.ok()) return 1;
    rectrack::domain::Tracker tracker(store->get());
    const auto t0 = Steady::now();
    auto report = tracker.Verify();
    seconds = std::chrono::duration<double>(Steady::now() - t0).count();
    if (!report.ok() || !report->ok()) {
      std::fprintf(stderr, "verify failed or found problems\n");
      return 1;
    }
    events = report->events_checked();
  }
  std::printf("%f %f %llu\n", seconds, PeakRssMiB(),
              static_cast<unsigned long long>(events));
  return 0;
}

struct Figures {
  double seconds = 0;
  double peak_rss_mib = 0;
  uint64_t events = 0;
};

// Runs this program with --measure in a process of its own.
Figures Spawn(const std::string& self, const std::string& mode,
              const std::string& dir) {
  const std::string command =
      absl::StrCat("'", self, "' --measure ", mode, " '", dir, "'");
  std::FILE* pipe = popen(command.c_str(), "r");
  Figures f;
  unsigned long long events = 0;
  if (pipe == nullptr ||
      std::fscanf(pipe, "%lf %lf %llu", &f.seconds, &f.peak_rss_mib, &events) !=
          3 ||
      pclose(pipe) != 0) {
    std::fprintf(stderr, "the %s measurement failed\n", mode.c_str());
    std::exit(1);
  }
  f.events = events;
  return f;
}

// One size: builds the database, then `runs` scans and verifies.
void RunSize(const std::string& self, int events, int runs) {
  const std::string dir = TempDir();
  const std::string data = dir + "/data";
  const auto t0 = Steady::now();
  Build(data, events);
  std::fprintf(stderr, "built %d events in %.1f s\n", events,
               std::chrono::duration<double>(Steady::now() - t0).count());
  std::vector<double> verify_s, verify_rss, scan_s, scan_rss;
  uint64_t checked = 0;
  for (int r = 0; r < runs; ++r) {
    Figures scan = Spawn(self, "scan", data);
    Figures verify = Spawn(self, "verify", data);
    scan_s.push_back(scan.seconds);
    scan_rss.push_back(scan.peak_rss_mib);
    verify_s.push_back(verify.seconds);
    verify_rss.push_back(verify.peak_rss_mib);
    checked = verify.events;
  }
  std::filesystem::remove_all(dir);
  std::printf(
      "| verify of %llu events (fold into a scratch database, compare key "
      "by key) | %.2f s (%.0f events/s) | raw scan of the events column "
      "family: %.3f s (%.0f events/s) | %.3f | - |\n",
      static_cast<unsigned long long>(checked), Median(verify_s),
      checked / Median(verify_s), Median(scan_s), checked / Median(scan_s),
      Median(scan_s) / Median(verify_s));
  std::printf(
      "| peak RSS of a process verifying %llu events | %.0f MiB | the same "
      "process scanning them: %.0f MiB | %.2f | - |\n",
      static_cast<unsigned long long>(checked), Median(verify_rss),
      Median(scan_rss), Median(verify_rss) / Median(scan_rss));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--measure") {
    return Measure(argv[2], argv[3]);
  }
  int events = 200000;
  int runs = 3;
  std::string build_only;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--build") {
      build_only = argv[i + 1];
    } else if (flag == "--events") {
      events = value;
    } else if (flag == "--runs") {
      runs = value;
    } else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  if (!build_only.empty()) {
    Build(build_only, events);
    return 0;
  }
  const std::string self = std::filesystem::canonical("/proc/self/exe");
  RunSize(self, events / 4, runs);
  RunSize(self, events, runs);
  return 0;
}
