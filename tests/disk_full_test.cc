// A real rectrackd on a real, small file system (a 6 MiB tmpfs mounted by
// the test) that fills up under concurrent writers: no abort, changes
// refused with UNAVAILABLE, reads served, rectrackd starts on the full
// disk, writing resumes by itself once space is freed, and nothing
// acknowledged is lost.
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "tests/daemon.h"
#include "tests/test_util.h"

namespace rectrack {
namespace {

using ::testing::HasSubstr;
using Stub = v1::Tracker::Stub;

// Writes `bytes` of zeros to `path` (or until the disk is full when bytes
// is 0); returns how many were written.
size_t FillFile(const std::string& path, size_t bytes) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return 0;
  std::string block(4096, '\0');
  size_t written = 0;
  while (bytes == 0 || written < bytes) {
    ssize_t n = write(fd, block.data(), block.size());
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  close(fd);
  return written;
}

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    disk_ = dir_.Sub("disk");
    ASSERT_EQ(mkdir(disk_.c_str(), 0700), 0);
    if (mount("tmpfs", disk_.c_str(), "tmpfs", 0, "size=6m,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a 6 MiB tmpfs at " << disk_ << " ("
                   << std::strerror(errno)
                   << "): this test needs root (CAP_SYS_ADMIN) to make a "
                      "real small file system; run the tests as root";
    }
    mounted_ = true;
    // Ballast, freed later to give the disk room again.
    ASSERT_EQ(FillFile(disk_ + "/ballast", 2 << 20), size_t{2} << 20);
    daemon_ = std::make_unique<testing::Daemon>(RECTRACKD, dir_.path(),
                                                disk_ + "/data");
    ASSERT_TRUE(daemon_->Start()) << Log();
    stub_ = NewStub();
  }

  void TearDown() override {
    if (daemon_ != nullptr && daemon_->Running()) daemon_->Stop();
    if (mounted_) umount2(disk_.c_str(), MNT_DETACH);
  }

  std::string Log() const {
    return testing::ReadFile(dir_.Sub("rectrackd.log"));
  }
  std::unique_ptr<Stub> NewStub() {
    return v1::Tracker::NewStub(
        client::Connect(daemon_->address(), client::ConnectOptions()));
  }

  grpc::Status Apply(Stub* stub, const v1::ApplyRequest& req,
                     v1::ApplyResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(testing::In(30));
    return stub->Apply(&ctx, req, resp);
  }

  // A progress report on action-1 of about 2 KB.
  static v1::ApplyRequest Progress(const std::string& request_id) {
    v1::ApplyRequest req;
    req.set_request_id(request_id);
    auto* p = req.add_commands()->mutable_report_progress();
    p->set_id("action-1");
    p->set_text(absl::StrCat(request_id, " ", std::string(2000, 'x')));
    return req;
  }

  grpc::Status GetAction(Stub* stub) {
    grpc::ClientContext ctx;
    ctx.set_deadline(testing::In(30));
    v1::GetActionRequest req;
    req.set_id("action-1");
    v1::Action out;
    return stub->GetAction(&ctx, req, &out);
  }

  // Every event of the log, by position.
  std::map<uint64_t, v1::Event> ReadLog(Stub* stub) {
    std::map<uint64_t, v1::Event> log;
    uint64_t from = 1;
    while (true) {
      v1::ReadEventsRequest req;
      req.set_from_position(from);
      v1::ReadEventsResponse resp;
      grpc::ClientContext ctx;
      ctx.set_deadline(testing::In(30));
      grpc::Status s = stub->ReadEvents(&ctx, req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok() || resp.events().empty()) break;
      for (const auto& e : resp.events()) log[e.position()] = e;
      from = resp.events().rbegin()->position() + 1;
    }
    return log;
  }

  testing::TempDir dir_;
  std::string disk_;
  bool mounted_ = false;
  std::unique_ptr<testing::Daemon> daemon_;
  std::unique_ptr<Stub> stub_;
};

TEST_F(DiskFullTest, RefusesWritesServesReadsAndResumesWhenSpaceReturns) {
  {
    v1::ApplyRequest seed;
    auto* open = seed.add_commands()->mutable_open_review();
    open->set_title("Disk full");
    open->set_committee("Scrutiny");
    auto* rec = seed.add_commands()->mutable_add_recommendation();
    rec->set_review_id("$0");
    rec->set_ref("1");
    rec->set_text("Keep writing");
    auto* resp = seed.add_commands()->mutable_record_response();
    resp->set_recommendation_id("$1");
    resp->set_decision(v1::DECISION_ACCEPTED);
    resp->set_text("Agreed");
    auto* add = seed.add_commands()->mutable_add_action();
    add->set_recommendation_id("$1");
    add->set_text("Fill the disk");
    add->add_leads("Tester");
    add->set_timescale("March 2030");
    v1::ApplyResponse out;
    grpc::Status s = Apply(stub_.get(), seed, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // Four writers until each has been refused 20 times; a reader alongside.
  std::mutex mu;
  std::map<std::string, v1::ApplyResponse> acked;
  std::vector<std::string> refused;  // request ids refused with UNAVAILABLE
  std::vector<std::string> unexpected;
  std::string refusal;
  std::atomic<bool> writers_done{false};
  std::atomic<int> reads_ok{0}, reads_failed{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto stub = NewStub();
      int refusals = 0;
      for (int i = 0; refusals < 20 && i < 20000; ++i) {
        v1::ApplyRequest req = Progress(absl::StrCat("w", w, "-", i));
        v1::ApplyResponse resp;
        grpc::Status s = Apply(stub.get(), req, &resp);
        std::lock_guard<std::mutex> lock(mu);
        if (s.ok()) {
          acked[req.request_id()] = resp;
        } else if (s.error_code() == grpc::StatusCode::UNAVAILABLE) {
          ++refusals;
          refused.push_back(req.request_id());
          refusal = s.error_message();
        } else {
          unexpected.push_back(
              absl::StrCat(s.error_code(), ": ", s.error_message()));
        }
      }
    });
  }
  std::thread reader([&] {
    auto stub = NewStub();
    while (!writers_done) {
      (GetAction(stub.get()).ok() ? reads_ok : reads_failed)++;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  for (auto& t : writers) t.join();
  writers_done = true;
  reader.join();

  std::printf(
      "full disk: %zu changes acknowledged, %zu refused, %d reads "
      "served, %zu other errors\n",
      acked.size(), refused.size(), reads_ok.load(), unexpected.size());
  ASSERT_TRUE(daemon_->Running()) << "rectrackd died on the full disk:\n"
                                  << Log();
  EXPECT_THAT(unexpected, ::testing::IsEmpty());
  ASSERT_GE(refused.size(), 80u);
  EXPECT_GT(acked.size(), 100u);
  EXPECT_THAT(refusal, HasSubstr("disk is full"));
  EXPECT_THAT(refusal, HasSubstr("nothing of this change was recorded"));
  EXPECT_GT(reads_ok.load(), 0);
  EXPECT_EQ(reads_failed.load(), 0);

  // Whatever room is left is taken too, and rectrackd is restarted on the
  // full disk: it starts, serves reads and refuses changes.
  FillFile(disk_ + "/filler", 0);
  int stopped = daemon_->Stop();
  ASSERT_TRUE(WIFEXITED(stopped) && WEXITSTATUS(stopped) == 0)
      << "rectrackd did not stop cleanly on the full disk:\n"
      << Log();
  // Closing the database can free what its log files held: take that too,
  // so that it really starts on a full disk.
  FillFile(disk_ + "/filler2", 0);
  ASSERT_TRUE(daemon_->Start()) << "rectrackd did not start on the full disk:\n"
                                << Log();
  stub_ = NewStub();
  EXPECT_TRUE(GetAction(stub_.get()).ok());
  {
    v1::ApplyResponse resp;
    grpc::Status s = Apply(stub_.get(), Progress("after-restart"), &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE)
        << s.error_message();
    refused.push_back("after-restart");
  }
  EXPECT_THAT(Log(), HasSubstr("serving reads only"));

  // Space returns: writing resumes by itself, without a restart.
  ASSERT_EQ(unlink((disk_ + "/filler").c_str()), 0);
  ASSERT_EQ(unlink((disk_ + "/filler2").c_str()), 0);
  ASSERT_EQ(unlink((disk_ + "/ballast").c_str()), 0);
  grpc::Status resumed;
  for (int i = 0; i < 100; ++i) {
    v1::ApplyResponse resp;
    v1::ApplyRequest req = Progress("resumed");
    resumed = Apply(stub_.get(), req, &resp);
    if (resumed.ok()) {
      acked[req.request_id()] = resp;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(resumed.ok()) << resumed.error_message();

  // Every acknowledged request is in the log where it was acknowledged,
  // and no refused one is there at all.
  std::map<uint64_t, v1::Event> log = ReadLog(stub_.get());
  for (const auto& [id, resp] : acked) {
    ASSERT_EQ(resp.results_size(), 1);
    auto it = log.find(resp.results(0).position());
    ASSERT_NE(it, log.end()) << id << " was acknowledged but is lost";
    EXPECT_EQ(it->second.request_id(), id);
    EXPECT_EQ(it->second.event_id(), resp.results(0).event_id());
  }
  std::set<std::string> refused_ids(refused.begin(), refused.end());
  for (const auto& [position, event] : log) {
    EXPECT_FALSE(refused_ids.count(event.request_id()) &&
                 !acked.count(event.request_id()))
        << event.request_id() << " was refused but is in the log at "
        << position;
  }
  v1::VerifyResponse verified;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->Verify(&ctx, v1::VerifyRequest(), &verified).ok());
  EXPECT_TRUE(verified.ok()) << verified.DebugString();
  EXPECT_THAT(Log(), ::testing::Not(HasSubstr("Assertion")));
}

}  // namespace
}  // namespace rectrack
