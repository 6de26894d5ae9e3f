// EventStore: atomic batches, gapless positions and versions, durable
// idempotency, event ids, the data-directory lock.
#include "server/store/event_store.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/file_system.h"
#include "tests/test_util.h"

namespace rectrack::store {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1700000000);

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    StoreOptions options;
    options.clock = &clock_;
    auto opened = EventStore::Open(dir_.Sub("db"), options);
    ASSERT_OK(opened);
    store_ = *std::move(opened);
  }

  // A decider that appends one event to each of `streams` (also used by
  // FaultTest).
 public:
  static EventStore::Decider AppendTo(std::vector<std::string> streams,
                                      std::string result = "ok") {
    return [streams, result](Transaction& txn) -> absl::StatusOr<std::string> {
      for (const auto& s : streams) {
        v1::Event e;
        e.set_stream(s);
        e.set_type("Test");
        auto appended = txn.Append(e);
        if (!appended.ok()) return appended.status();
      }
      return result;
    };
  }

 protected:
  testing::TempDir dir_;
  FakeClock clock_{kStart};
  std::unique_ptr<EventStore> store_;
};

TEST_F(EventStoreTest, AppendAssignsPositionsVersionsAndRecordedAt) {
  ASSERT_OK(
      store_->SubmitAndWait({"", "", "corr"}, AppendTo({"rec-1", "rec-2"})));
  clock_.Advance(absl::Seconds(5));
  ASSERT_OK(store_->SubmitAndWait({"", "", ""}, AppendTo({"rec-1"})));

  auto all = store_->ReadAll(1, 100);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].position(), 1u);
  EXPECT_EQ((*all)[0].stream(), "rec-1");
  EXPECT_EQ((*all)[0].version(), 1u);
  EXPECT_EQ((*all)[0].correlation_id(), "corr");
  EXPECT_EQ((*all)[1].stream(), "rec-2");
  EXPECT_EQ((*all)[1].version(), 1u);
  EXPECT_EQ((*all)[2].version(), 2u);
  EXPECT_EQ(TimeFromProto((*all)[0].recorded_at()), kStart);
  EXPECT_EQ(TimeFromProto((*all)[2].recorded_at()), kStart + absl::Seconds(5));
  EXPECT_FALSE((*all)[0].event_id().empty());
  EXPECT_NE((*all)[0].event_id(), (*all)[1].event_id());

  auto stream = store_->ReadStream("rec-1");
  ASSERT_OK(stream);
  ASSERT_EQ(stream->size(), 2u);
  EXPECT_EQ((*stream)[1].position(), 3u);
  EXPECT_EQ(store_->LastPosition(), 3u);
}

TEST_F(EventStoreTest, RecordedAtNeverGoesBackwards) {
  ASSERT_OK(store_->SubmitAndWait({"", "", ""}, AppendTo({"rec-1"})));
  clock_.Advance(-absl::Hours(1));
  ASSERT_OK(store_->SubmitAndWait({"", "", ""}, AppendTo({"rec-1"})));
  auto all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  EXPECT_EQ(TimeFromProto((*all)[1].recorded_at()), kStart);
}

TEST_F(EventStoreTest, FailedDeciderWritesNothing) {
  auto result = store_->SubmitAndWait(
      {"req-1", "f", ""}, [](Transaction& txn) -> absl::StatusOr<std::string> {
        v1::Event e;
        e.set_stream("rec-1");
        EXPECT_OK(txn.Append(e));
        EXPECT_OK(txn.Append(e));
        txn.PutState("rec-1", "state");
        EXPECT_OK(txn.NextSequence("rec"));
        return absl::InvalidArgumentError("text is required");
      });
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->LastPosition(), 0u);
  auto all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  EXPECT_TRUE(all->empty());
  auto state = store_->GetState("rec-1");
  ASSERT_OK(state);
  EXPECT_FALSE(state->has_value());
  // The failed request id is free to use, and the counter did not move.
  auto next = store_->SubmitAndWait(
      {"req-1", "f", ""}, [](Transaction& txn) -> absl::StatusOr<std::string> {
        auto n = txn.NextSequence("rec");
        if (!n.ok()) return n.status();
        return absl::StrCat(*n);
      });
  ASSERT_OK(next);
  EXPECT_EQ(next->result, "1");
  EXPECT_FALSE(next->replayed);
}

// A decider that appends to `stream` once `release` is notified, telling
// `started` when the committer has reached it.
EventStore::Decider Blocking(absl::Notification* started,
                             absl::Notification* release) {
  return [started, release](Transaction& txn) -> absl::StatusOr<std::string> {
    started->Notify();
    release->WaitForNotification();
    v1::Event e;
    e.set_stream("rec-blocking");
    e.set_type("Test");
    auto appended = txn.Append(e);
    if (!appended.ok()) return appended.status();
    return std::string("ok");
  };
}

TEST_F(EventStoreTest, AFullQueueRefusesAtOnceInsteadOfGrowing) {
  store_.reset();
  StoreOptions options;
  options.clock = &clock_;
  options.max_queued = 2;
  auto opened = EventStore::Open(dir_.Sub("db"), options);
  ASSERT_OK(opened);
  store_ = *std::move(opened);

  absl::Notification started, release;
  std::atomic<int> finished{0};
  std::vector<absl::StatusCode> codes(5, absl::StatusCode::kUnknown);
  auto record = [&](int i) {
    return [&, i](absl::StatusOr<CommitResult> r) {
      codes[i] = r.status().code();
      ++finished;
    };
  };
  store_->Submit({"", "", ""}, Blocking(&started, &release), record(0));
  started.WaitForNotification();  // the committer is busy with it
  for (int i = 1; i < 5; ++i) {
    store_->Submit({"", "", ""}, AppendTo({absl::StrCat("rec-", i)}),
                   record(i));
  }
  // Two wait; the other two were refused without waiting.
  EXPECT_EQ(finished.load(), 2);
  EXPECT_EQ(codes[3], absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(codes[4], absl::StatusCode::kResourceExhausted);
  release.Notify();
  while (finished.load() < 5) std::this_thread::yield();
  EXPECT_EQ(codes[0], absl::StatusCode::kOk);
  EXPECT_EQ(codes[1], absl::StatusCode::kOk);
  EXPECT_EQ(codes[2], absl::StatusCode::kOk);
  auto all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 3u);
}

TEST_F(EventStoreTest, ARequestWhoseDeadlinePassedInTheQueueIsNotApplied) {
  absl::Notification started, release;
  std::atomic<int> finished{0};
  absl::Status late;
  store_->Submit({"", "", ""}, Blocking(&started, &release),
                 [&](absl::StatusOr<CommitResult>) { ++finished; });
  started.WaitForNotification();
  RequestInfo info{"req-late", "fp", ""};
  info.deadline = absl::Now() + absl::Milliseconds(20);
  store_->Submit(info, AppendTo({"rec-late"}),
                 [&](absl::StatusOr<CommitResult> r) {
                   late = r.status();
                   ++finished;
                 });
  absl::SleepFor(absl::Milliseconds(60));
  release.Notify();
  while (finished.load() < 2) std::this_thread::yield();
  EXPECT_EQ(late.code(), absl::StatusCode::kDeadlineExceeded) << late;
  EXPECT_THAT(std::string(late.message()), ::testing::HasSubstr("nothing"));
  auto all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].stream(), "rec-blocking");
  // The request id was not used up: a retry applies it.
  ASSERT_OK(
      store_->SubmitAndWait({"req-late", "fp", ""}, AppendTo({"rec-late"})));
}

// The newest write-ahead log file of the store in `dir`.
std::string NewestLog(const std::string& dir) {
  std::string newest;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string name = entry.path().string();
    if (absl::EndsWith(name, ".log") && name > newest) newest = name;
  }
  return newest;
}

TEST_F(EventStoreTest, ATornLastRecordIsDroppedAndEverythingBeforeItKept) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(store_->SubmitAndWait({"", "", ""},
                                    AppendTo({absl::StrCat("rec-", i)})));
    // A crash during the fifth write, before its fsync returned, would
    // leave the end mark as it was after the fourth.
    if (i == 3) {
      std::filesystem::copy_file(dir_.Sub("db/rectrack-end"),
                                 dir_.Sub("end-after-4"));
    }
  }
  store_.reset();
  std::string log = NewestLog(dir_.Sub("db"));
  ASSERT_FALSE(log.empty());
  auto size = std::filesystem::file_size(log);
  std::filesystem::resize_file(log, size - 3);  // a write torn by a crash
  std::filesystem::copy_file(dir_.Sub("end-after-4"),
                             dir_.Sub("db/rectrack-end"),
                             std::filesystem::copy_options::overwrite_existing);
  Reopen();
  auto all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[3].stream(), "rec-3");
  // The log goes on without a gap.
  ASSERT_OK(store_->SubmitAndWait({"", "", ""}, AppendTo({"rec-5"})));
  all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[4].position(), 5u);
}

// The newest write-ahead log cut in half after its writes were
// acknowledged (a disk or a copy losing its tail): the log would silently
// lose them and reuse their positions, so the open is refused.
TEST_F(EventStoreTest, AWriteAheadLogCutShortIsRefusedWithDataLoss) {
  for (int i = 0; i < 600; ++i) {
    ASSERT_OK(store_->SubmitAndWait({absl::StrCat("req-", i), "f", ""},
                                    AppendTo({absl::StrCat("rec-", i)})));
  }
  store_.reset();
  std::string log = NewestLog(dir_.Sub("db"));
  ASSERT_FALSE(log.empty());
  std::filesystem::resize_file(log, std::filesystem::file_size(log) / 2);
  StoreOptions options;
  options.clock = &clock_;
  auto opened = EventStore::Open(dir_.Sub("db"), options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(opened.status().message()),
              HasSubstr("up to position 600 had been written"));
  EXPECT_THAT(std::string(opened.status().message()),
              HasSubstr("--restore-from"));
}

TEST_F(EventStoreTest, EachEventCarriesTheHashOfItsPredecessor) {
  ASSERT_OK(store_->SubmitAndWait({"", "", ""}, AppendTo({"rec-1", "rec-2"})));
  ASSERT_OK(store_->SubmitAndWait({"", "", ""}, AppendTo({"rec-1"})));
  Reopen();  // the chain goes on from the last event's hash
  ASSERT_OK(store_->SubmitAndWait({"", "", ""}, AppendTo({"rec-3"})));
  auto all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[0].predecessor_hash(), std::string(32, '\0'));
  for (size_t i = 0; i < all->size(); ++i) {
    EXPECT_EQ((*all)[i].hash().size(), 32u);
    if (i > 0) {
      EXPECT_EQ((*all)[i].predecessor_hash(), (*all)[i - 1].hash());
    }
  }
  EXPECT_NE((*all)[1].hash(), (*all)[2].hash());
  auto stream = store_->ReadStream("rec-1");
  ASSERT_OK(stream);
  EXPECT_EQ((*stream)[1].hash(), (*all)[2].hash());
}

TEST_F(EventStoreTest, AResumingConsumerIsToldWhenTheLogIsNotTheOneItLeft) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(store_->SubmitAndWait({"", "", ""}, AppendTo({"rec-1"})));
  }
  auto all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  const std::string held = (*all)[1].hash();  // a consumer that read 1..2
  EXPECT_OK(store_->CheckResumePoint(3, held));
  EXPECT_OK(store_->CheckResumePoint(3, ""));  // no check asked for
  // The same positions in another log (as after restoring another backup).
  store_.reset();
  std::filesystem::remove_all(dir_.Sub("db"));
  Reopen();
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(store_->SubmitAndWait({"", "", ""}, AppendTo({"rec-1"})));
  }
  absl::Status replaced = store_->CheckResumePoint(3, held);
  EXPECT_EQ(replaced.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(replaced.message()),
              HasSubstr("is not the one you read"));
  EXPECT_THAT(std::string(replaced.message()),
              HasSubstr("Read the log again from position 1"));
  // A shorter log than the consumer read.
  absl::Status shorter = store_->CheckResumePoint(10, held);
  EXPECT_EQ(shorter.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(shorter.message()), HasSubstr("ends at 3"));
}

TEST_F(EventStoreTest, DamageInsideTheLogStopsTheOpenWithAClearError) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(store_->SubmitAndWait({"", "", ""},
                                    AppendTo({absl::StrCat("rec-", i)})));
  }
  store_.reset();
  std::string log = NewestLog(dir_.Sub("db"));
  ASSERT_FALSE(log.empty());
  {
    std::fstream f(log, std::ios::in | std::ios::out | std::ios::binary);
    auto middle =
        static_cast<std::streamoff>(std::filesystem::file_size(log) / 2);
    f.seekg(middle);
    char c = 0;
    f.read(&c, 1);
    f.seekp(middle);
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  StoreOptions options;
  options.clock = &clock_;
  auto opened = EventStore::Open(dir_.Sub("db"), options);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(opened.status().message()),
              ::testing::HasSubstr("--restore-from"));
}

// A file system that, while `failing` is set, refuses every write with
// `error` (the disk is full, or it has become read-only).
class FaultyFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem()
      : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FaultyFileSystem"; }

  std::atomic<bool> failing{false};
  rocksdb::IOStatus error = rocksdb::IOStatus::NoSpace("no space left");

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    if (failing) return error;
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
    if (s.ok()) result->reset(new File(std::move(file), this));
    return s;
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, FaultyFileSystem* fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* d) override {
      return fs_->failing ? fs_->error : target()->Append(data, o, d);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v,
                             rocksdb::IODebugContext* d) override {
      return fs_->failing ? fs_->error : target()->Append(data, o, v, d);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* d) override {
      return fs_->failing ? fs_->error : target()->Sync(o, d);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o,
                            rocksdb::IODebugContext* d) override {
      return fs_->failing ? fs_->error : target()->Fsync(o, d);
    }

   private:
    FaultyFileSystem* fs_;
  };
};

class FaultTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    fs_ = std::make_shared<FaultyFileSystem>();
    if (std::string(GetParam()) == "read-only") {
      fs_->error = rocksdb::IOStatus::IOError("Read-only file system");
    }
    env_ = rocksdb::NewCompositeEnv(fs_);
    StoreOptions options;
    options.clock = &clock_;
    options.env = env_.get();
    auto opened = EventStore::Open(dir_.Sub("db"), options);
    ASSERT_OK(opened);
    store_ = *std::move(opened);
  }
  void TearDown() override {
    fs_->failing = false;
    store_.reset();
  }

  testing::TempDir dir_;
  FakeClock clock_{kStart};
  std::shared_ptr<FaultyFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<EventStore> store_;
};

using Decide = EventStoreTest;

TEST_P(FaultTest, WritesAreRefusedReadsGoOnAndWritingResumesAfterwards) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(store_->SubmitAndWait(
        {"", "", ""}, Decide::AppendTo({absl::StrCat("rec-", i)})));
  }
  fs_->failing = true;
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto refused = store_->SubmitAndWait({"req-x", "fp", ""},
                                         Decide::AppendTo({"rec-refused"}));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable)
        << refused.status();
    // The first refusal says what went wrong; later ones that writing
    // resumes by itself.
    if (attempt == 0 && std::string(GetParam()) == "disk-full") {
      EXPECT_THAT(std::string(refused.status().message()),
                  ::testing::HasSubstr("the disk is full"));
    } else if (attempt > 0) {
      EXPECT_THAT(std::string(refused.status().message()),
                  ::testing::HasSubstr("resumes by itself"));
    }
  }
  // Reads go on while writes cannot.
  auto all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 3u);

  // Once the fault is gone, writing resumes where the log left off,
  // without a restart, and the refused request (same id) is applied now,
  // once.
  fs_->failing = false;
  ASSERT_OK(store_->SubmitAndWait({"req-x", "fp", ""},
                                  Decide::AppendTo({"rec-refused"})));
  all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ((*all)[3].position(), 4u);
  EXPECT_EQ((*all)[3].stream(), "rec-refused");
  auto again = store_->SubmitAndWait({"req-x", "fp", ""},
                                     Decide::AppendTo({"rec-refused"}));
  ASSERT_OK(again);
  EXPECT_TRUE(again->replayed);

  // And it all survives a reopen with the ordinary file system.
  store_.reset();
  StoreOptions options;
  options.clock = &clock_;
  auto reopened = EventStore::Open(dir_.Sub("db"), options);
  ASSERT_OK(reopened);
  store_ = *std::move(reopened);
  all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  EXPECT_EQ(all->size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(DiskFullAndReadOnly, FaultTest,
                         ::testing::Values("disk-full", "read-only"));

TEST_F(EventStoreTest, OneFailingRequestDoesNotSpoilItsGroup) {
  std::atomic<int> done{0};
  std::vector<absl::StatusCode> codes(3);
  for (int i = 0; i < 3; ++i) {
    EventStore::Decider decide =
        i == 1 ? EventStore::Decider(
                     [](Transaction&) -> absl::StatusOr<std::string> {
                       return absl::NotFoundError("nope");
                     })
               : AppendTo({absl::StrCat("rec-", i)});
    store_->Submit({"", "", ""}, decide,
                   [&, i](absl::StatusOr<CommitResult> r) {
                     codes[i] = r.status().code();
                     ++done;
                   });
  }
  while (done.load() < 3) std::this_thread::yield();
  EXPECT_EQ(codes[0], absl::StatusCode::kOk);
  EXPECT_EQ(codes[1], absl::StatusCode::kNotFound);
  EXPECT_EQ(codes[2], absl::StatusCode::kOk);
  auto all = store_->ReadAll(1, 10);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].position(), 2u);
}

TEST_F(EventStoreTest, RetriedRequestIdReturnsOriginalResultAcrossReopen) {
  auto first =
      store_->SubmitAndWait({"req-7", "fp", ""}, AppendTo({"rec-1"}, "r1"));
  ASSERT_OK(first);
  EXPECT_FALSE(first->replayed);

  auto again =
      store_->SubmitAndWait({"req-7", "fp", ""}, AppendTo({"rec-1"}, "r2"));
  ASSERT_OK(again);
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->result, "r1");

  Reopen();
  auto after_restart =
      store_->SubmitAndWait({"req-7", "fp", ""}, AppendTo({"rec-1"}, "r3"));
  ASSERT_OK(after_restart);
  EXPECT_TRUE(after_restart->replayed);
  EXPECT_EQ(after_restart->result, "r1");
  EXPECT_EQ(store_->LastPosition(), 1u);

  auto other =
      store_->SubmitAndWait({"req-7", "other", ""}, AppendTo({"rec-1"}));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(other.status().message()), HasSubstr("req-7"));
}

TEST_F(EventStoreTest, EventIdsAreUniqueForever) {
  auto with_id = [](std::string id) {
    return [id](Transaction& txn) -> absl::StatusOr<std::string> {
      v1::Event e;
      e.set_stream("rec-1");
      e.set_event_id(id);
      auto r = txn.Append(e);
      if (!r.ok()) return r.status();
      return std::string();
    };
  };
  ASSERT_OK(store_->SubmitAndWait({"", "", ""}, with_id("evt-a")));
  Reopen();
  auto dup = store_->SubmitAndWait({"", "", ""}, with_id("evt-a"));
  EXPECT_EQ(dup.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(dup.status().message()), HasSubstr("evt-a"));
  EXPECT_EQ(store_->LastPosition(), 1u);
}

TEST_F(EventStoreTest, SecondOpenOfTheSameDirectoryIsRefused) {
  auto second = EventStore::Open(dir_.Sub("db"));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr("in use by another"));
}

TEST_F(EventStoreTest, UnusableDirectoryIsRefused) {
  auto opened = EventStore::Open("/proc/rectrack-cannot-be-here");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(opened.status().message()),
              HasSubstr("data directory"));
}

TEST_F(EventStoreTest, StateAndSequencesSurviveReopen) {
  ASSERT_OK(store_->SubmitAndWait(
      {"", "", ""}, [](Transaction& txn) -> absl::StatusOr<std::string> {
        txn.PutState("rec-1", "hello");
        txn.PutIndex("by_lead", "ann", "action-1");
        auto n = txn.NextSequence("rec");
        return n.ok() ? std::string() : std::string("bad");
      }));
  Reopen();
  auto state = store_->GetState("rec-1");
  ASSERT_OK(state);
  EXPECT_EQ(state->value_or(""), "hello");
  auto index = store_->ScanIndex("by_lead", "ann");
  ASSERT_OK(index);
  EXPECT_THAT(*index, ::testing::ElementsAre("action-1"));
  auto next = store_->SubmitAndWait(
      {"", "", ""}, [](Transaction& txn) -> absl::StatusOr<std::string> {
        auto n = txn.NextSequence("rec");
        if (!n.ok()) return n.status();
        return absl::StrCat(*n);
      });
  ASSERT_OK(next);
  EXPECT_EQ(next->result, "2");
}

TEST_F(EventStoreTest, IndexScanStaysInsideItsPrefix) {
  ASSERT_OK(store_->SubmitAndWait(
      {"", "", ""}, [](Transaction& txn) -> absl::StatusOr<std::string> {
        txn.PutIndex("lead", "ann", "action-1");
        txn.PutIndex("lead", "anna", "action-2");
        txn.PutIndex("lead", "an", "action-3");
        txn.PutIndex("leads", "ann", "action-4");
        return std::string();
      }));
  auto ann = store_->ScanIndex("lead", "ann");
  ASSERT_OK(ann);
  EXPECT_THAT(*ann, ::testing::ElementsAre("action-1"));
  ASSERT_OK(store_->SubmitAndWait(
      {"", "", ""}, [](Transaction& txn) -> absl::StatusOr<std::string> {
        txn.DeleteIndex("lead", "ann", "action-1");
        return std::string();
      }));
  ann = store_->ScanIndex("lead", "ann");
  ASSERT_OK(ann);
  EXPECT_TRUE(ann->empty());
}

// Many threads appending at once: positions 1..N and each stream's versions
// 1..M, with no gaps and nothing lost.
TEST_F(EventStoreTest, ConcurrentAppendsAreGapless) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = store_->SubmitAndWait({absl::StrCat("t", t, "-", i), "f", ""},
                                       AppendTo({absl::StrCat("rec-", t + 1)}));
        if (!r.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto all = store_->ReadAll(1, kThreads * kPerThread + 10);
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), static_cast<size_t>(kThreads * kPerThread));
  std::map<std::string, uint64_t> versions;
  for (size_t i = 0; i < all->size(); ++i) {
    const v1::Event& e = (*all)[i];
    EXPECT_EQ(e.position(), i + 1);
    EXPECT_EQ(e.version(), ++versions[e.stream()]);
  }
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(versions[absl::StrCat("rec-", t + 1)],
              static_cast<uint64_t>(kPerThread));
  }
}

TEST_F(EventStoreTest, DryRunReportsTheResultAndWritesNothing) {
  RequestInfo info{"req-d", "f", "", true};
  auto r = store_->SubmitAndWait(info, AppendTo({"rec-1"}, "would"));
  ASSERT_OK(r);
  EXPECT_EQ(r->result, "would");
  EXPECT_EQ(store_->LastPosition(), 0u);
  auto stream = store_->ReadStream("rec-1");
  ASSERT_OK(stream);
  EXPECT_TRUE(stream->empty());
  info.dry_run = false;
  auto real = store_->SubmitAndWait(info, AppendTo({"rec-1"}, "did"));
  ASSERT_OK(real);
  EXPECT_FALSE(real->replayed);
  EXPECT_EQ(real->result, "did");
}

TEST_F(EventStoreTest, AfterStopAcceptingNewRequestsAreUnavailable) {
  store_->StopAccepting();
  auto r = store_->SubmitAndWait({"", "", ""}, AppendTo({"rec-1"}));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("shutting down"));
}

}  // namespace
}  // namespace rectrack::store
