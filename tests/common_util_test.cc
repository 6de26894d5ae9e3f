// common/: dates, ids, timestamps, status conversion and the test clock
// file.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/dates.h"
#include "common/grpc_status.h"
#include "common/ids.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace rectrack {
namespace {

using ::testing::HasSubstr;

TEST(NormalizeDateTest, AcceptsTheFormsPeopleType) {
  for (const char* text : {"2007-05-17", "17/05/2007", "17 May 2007",
                           "17 may 07", " 17 May 2007 ", "17 MAY 2007"}) {
    auto d = NormalizeDate(text, "on");
    ASSERT_OK(d);
    EXPECT_EQ(*d, "2007-05-17") << text;
  }
  auto leap = NormalizeDate("29/02/2008", "on");
  ASSERT_OK(leap);
  EXPECT_EQ(*leap, "2008-02-29");
}

TEST(NormalizeDateTest, RefusesWhatIsNotADateNamingTheField) {
  for (const char* text : {"2007-02-30", "soon", "31/04/2010", "2007-5",
                           "17 Smarch 2007", "", "1/1/10"}) {
    auto d = NormalizeDate(text, "responded_on");
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("responded_on"))
        << text;
  }
}

TEST(DatesTest, DayOfAndTimestampsRoundTrip) {
  absl::Time t = absl::FromUnixSeconds(1700000000) + absl::Nanoseconds(123);
  EXPECT_EQ(DayOf(t), "2023-11-14");
  google::protobuf::Timestamp ts;
  SetTimestamp(t, &ts);
  EXPECT_EQ(ts.seconds(), 1700000000);
  EXPECT_EQ(ts.nanos(), 123);
  EXPECT_EQ(TimeFromProto(ts), t);
  absl::Time before_epoch = absl::FromUnixSeconds(-1) + absl::Milliseconds(500);
  SetTimestamp(before_epoch, &ts);
  EXPECT_EQ(ts.seconds(), -1);
  EXPECT_EQ(ts.nanos(), 500000000);
}

TEST(IdsTest, ParseMakeAndOrder) {
  auto id = ParseEntityId("rec-12", "id");
  ASSERT_OK(id);
  EXPECT_EQ(id->kind, EntityKind::kRecommendation);
  EXPECT_EQ(id->number, 12u);
  EXPECT_EQ(MakeEntityId(EntityKind::kAction, 3), "action-3");
  for (const char* bad :
       {"rec-", "rec-0", "rec-01", "rec-x", "foo-1", "rec-+1"}) {
    EXPECT_EQ(ParseEntityId(bad, "id").status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(ParseEntityId("", "review_id").status().message(),
            "review_id is required");
  EXPECT_TRUE(EntityIdLess("action-2", "action-10"));
  EXPECT_FALSE(EntityIdLess("action-10", "action-2"));
  EXPECT_TRUE(EntityIdLess("review-9", "rec-1"));
}

TEST(GrpcStatusTest, CodesAndMessagesSurviveTheRoundTrip) {
  absl::Status s = absl::AbortedError("rec-1 is at version 2");
  grpc::Status g = ToGrpcStatus(s);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(g.error_message(), "rec-1 is at version 2");
  EXPECT_EQ(FromGrpcStatus(g), s);
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_STREQ(CodeName(absl::StatusCode::kFailedPrecondition),
               "FAILED_PRECONDITION");
}

// rectrackd --test-clock-file: the time is whatever the file says now.
TEST(FileClockTest, FollowsTheFileAndKeepsTheLastGoodTime) {
  testing::TempDir dir;
  const std::string path = dir.Sub("clock");
  std::ofstream(path) << "2026-11-02T09:00:00Z\n";
  absl::StatusOr<std::unique_ptr<FileClock>> clock = FileClock::Open(path);
  ASSERT_OK(clock);
  const absl::Time first = absl::FromCivil(
      absl::CivilSecond(2026, 11, 2, 9, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ((*clock)->Now(), first);
  std::ofstream(path) << "2026-11-30T10:00:00+01:00\n";
  EXPECT_EQ((*clock)->Now(), first + absl::Hours(28 * 24));
  // Half-written or gone: the last time read stands.
  std::ofstream(path) << "2026-11-3";
  EXPECT_EQ((*clock)->Now(), first + absl::Hours(28 * 24));
  std::filesystem::remove(path);
  EXPECT_EQ((*clock)->Now(), first + absl::Hours(28 * 24));
}

TEST(FileClockTest, ABadFileIsRefusedNamingItAndTheForm) {
  testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<FileClock>> missing =
      FileClock::Open(dir.Sub("nowhere"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(),
              HasSubstr(absl::StrCat("test-clock-file: cannot read ",
                                     dir.Sub("nowhere"))));
  std::ofstream(dir.Sub("clock")) << "30/11/2026 09:00\n";
  absl::StatusOr<std::unique_ptr<FileClock>> bad =
      FileClock::Open(dir.Sub("clock"));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(),
              HasSubstr("holds \"30/11/2026 09:00\", not a time such as "
                        "2026-11-30T09:00:00Z"));
  std::ofstream(dir.Sub("empty")).close();
  EXPECT_EQ(FileClock::Open(dir.Sub("empty")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rectrack
