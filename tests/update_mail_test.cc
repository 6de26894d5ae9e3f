// The whole update cycle with real mail: rectrackd's server (the Server
// that rectrackd's main() runs, in-process so that its clock can be set)
// over real gRPC, with its mailer sending through a real SMTP server on
// loopback (Debian's python3-aiosmtpd, tests/smtp_server.py) that writes
// each message it takes to a file. Requests, one message per lead, answers,
// approval, reminders, the digest, the report, and restarts that must send
// nothing twice.
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rectrack/v1/tracker.grpc.pb.h"
#include "server/service/server.h"
#include "server/service/tokens.h"
#include "tests/smtp_server.h"
#include "tests/test_util.h"

namespace rectrack::service {
namespace {

using ::rectrack::testing::Header;
using ::testing::HasSubstr;
using ::testing::Not;

class UpdateMailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string now = "2026-11-01T00:00:00Z";
    for (auto [name, role, lead] :
         {std::make_tuple("clerk", Role::kScrutiny, ""),
          std::make_tuple("gemma", Role::kOfficer, "Gemma Barron"),
          std::make_tuple("tom", Role::kOfficer, "Tom Jones")}) {
      std::vector<std::string> leads;
      if (*lead != '\0') leads.push_back(lead);
      auto token = AddToken(data_dir(), name, role, leads, now);
      ASSERT_OK(token);
      tokens_[name] = *token;
    }
  }

  void TearDown() override {
    server_.reset();
    smtp_.Stop();
  }

  std::string data_dir() const { return dir_.Sub("data"); }
  std::string mail_dir() const { return dir_.Sub("mail"); }

  void StartServer(int smtp_port) {
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.data_dir = data_dir();
    options.clock = &clock_;
    options.mail.smtp_url = absl::StrCat("smtp://127.0.0.1:", smtp_port);
    options.mail.from = "scrutiny@council.example";
    options.mail.poll = absl::Milliseconds(100);
    options.mail.first_retry = absl::Milliseconds(100);
    options.mail.max_retry = absl::Milliseconds(400);
    auto started = Server::Start(options);
    ASSERT_OK(started);
    server_ = *std::move(started);
  }
  void Restart(int smtp_port) {
    server_->Shutdown();
    server_.reset();
    StartServer(smtp_port);
  }

  std::unique_ptr<v1::Tracker::Stub> As(const std::string& name) {
    client::ConnectOptions options;
    options.token = tokens_[name];
    return v1::Tracker::NewStub(client::Connect(server_->address(), options));
  }

  grpc::Status Apply(const std::string& who, std::vector<v1::Command> commands,
                     v1::ApplyResponse* response = nullptr) {
    v1::ApplyRequest request;
    for (auto& c : commands) *request.add_commands() = std::move(c);
    v1::ApplyResponse ignored;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(20));
    return As(who)->Apply(&ctx, request, response ? response : &ignored);
  }
  void Must(const std::string& who, std::vector<v1::Command> commands) {
    grpc::Status s = Apply(who, std::move(commands));
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  void SetDay(int year, int month, int day) {
    clock_.Set(absl::FromCivil(absl::CivilSecond(year, month, day, 9, 0, 0),
                               absl::UTCTimeZone()));
  }

  static v1::Command Person(const std::string& name, const std::string& email) {
    v1::Command c;
    c.mutable_add_person()->set_name(name);
    c.mutable_add_person()->set_email(email);
    return c;
  }
  static v1::Command Action(const std::string& lead, const std::string& text,
                            const std::string& due) {
    v1::Command c;
    c.mutable_add_action()->set_recommendation_id("rec-1");
    c.mutable_add_action()->set_text(text);
    c.mutable_add_action()->add_leads(lead);
    c.mutable_add_action()->set_timescale(due);
    return c;
  }
  static v1::Command Answer(const std::string& id, const std::string& text) {
    v1::Command c;
    c.mutable_answer_update()->set_id(id);
    c.mutable_answer_update()->set_text(text);
    return c;
  }

  // A review meeting on 17 December 2026, three actions, the directory.
  void Seed() {
    Must("clerk", {Person("Gemma Barron", "gemma.barron@council.example"),
                   Person("Tom Jones", "tom.jones@council.example"),
                   Person("clerk", "scrutiny.officer@council.example")});
    v1::Command open;
    open.mutable_open_review()->set_title("Review of Partnerships");
    open.mutable_open_review()->set_committee("Strategic Leadership O&S");
    open.mutable_open_review()->set_published_on("2026-06-01");
    v1::Command meeting;
    meeting.mutable_schedule_report_back()->set_review_id("$0");
    meeting.mutable_schedule_report_back()->set_date("2026-12-17");
    v1::Command rec;
    rec.mutable_add_recommendation()->set_review_id("$0");
    rec.mutable_add_recommendation()->set_ref("A");
    rec.mutable_add_recommendation()->set_text("That partnerships be listed");
    v1::Command respond;
    respond.mutable_record_response()->set_recommendation_id("$2");
    respond.mutable_record_response()->set_decision(v1::DECISION_ACCEPTED);
    respond.mutable_record_response()->set_text("Agreed");
    respond.mutable_record_response()->set_responded_on("2026-07-01");
    Must("clerk", {open, meeting, rec, respond});
    Must("clerk",
         {Action("Gemma Barron", "List every partnership", "March 2027"),
          Action("Tom Jones", "Publish the list", "Jan 2027"),
          Action("Gemma Barron", "Train the officers", "Feb 2027")});
  }

  v1::Report Report() {
    v1::GetReportRequest request;
    request.set_review_id("review-1");
    v1::Report report;
    grpc::ClientContext ctx;
    grpc::Status s = As("clerk")->GetReport(&ctx, request, &report);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return report;
  }
  v1::ListOutboxResponse Outbox() {
    v1::ListOutboxResponse outbox;
    grpc::ClientContext ctx;
    grpc::Status s =
        As("clerk")->ListOutbox(&ctx, v1::ListOutboxRequest(), &outbox);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return outbox;
  }

  testing::TempDir dir_;
  testing::SmtpServer smtp_{RECTRACK_SMTP_SERVER, mail_dir()};
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 11, 2, 9, 0, 0),
                                   absl::UTCTimeZone())};
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<Server> server_;
};

TEST_F(UpdateMailTest, AWholeCycleThroughARealMailServer) {
  const int smtp_port = smtp_.Start();
  ASSERT_GT(smtp_port, 0);
  StartServer(smtp_port);
  Seed();
  v1::Command ask;
  ask.mutable_request_updates()->set_review_id("review-1");
  Must("clerk", {ask});

  // One message per lead, listing their actions and how to answer.
  std::vector<std::string> mail = smtp_.AwaitMail(2);
  ASSERT_EQ(mail.size(), 2u);
  std::map<std::string, std::string> to_lead;
  for (const std::string& m : mail) to_lead[Header(m, "X-Envelope-To")] = m;
  const std::string& gemma = to_lead["gemma.barron@council.example"];
  const std::string& tom = to_lead["tom.jones@council.example"];
  ASSERT_FALSE(gemma.empty());
  ASSERT_FALSE(tom.empty());
  EXPECT_THAT(Header(gemma, "Subject"),
              HasSubstr("Update wanted by 2026-12-03"));
  EXPECT_THAT(gemma, HasSubstr("List every partnership"));
  EXPECT_THAT(gemma, HasSubstr("Train the officers"));
  EXPECT_THAT(gemma, HasSubstr("Target: March 2027"));
  EXPECT_THAT(gemma, HasSubstr("Last update: none yet"));
  EXPECT_THAT(gemma, HasSubstr("rectrack updates answer action-1 --text"));
  EXPECT_THAT(gemma, HasSubstr("POST /rectrack.v1.Tracker/Apply"));
  EXPECT_THAT(gemma, Not(HasSubstr("Publish the list")));
  EXPECT_THAT(tom, HasSubstr("Publish the list"));
  EXPECT_THAT(tom, Not(HasSubstr("Train the officers")));

  // The officer answers for her own actions only.
  Must("gemma", {Answer("action-1", "Forty partnerships listed")});
  Must("gemma", {Answer("action-3", "Training booked for January")});
  grpc::Status not_hers = Apply("gemma", {Answer("action-2", "Done")});
  EXPECT_EQ(not_hers.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // A restart in the middle sends nothing again.
  Restart(smtp_port);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(smtp_.Received().size(), 2u);
  v1::ListOutboxResponse outbox = Outbox();
  int due = 0;
  for (const auto& m : outbox.messages()) due += m.sent() ? 0 : 1;
  EXPECT_EQ(due, 0) << outbox.DebugString();

  // Three days before the due day: a reminder to the lead who has not
  // answered, and to nobody else.
  SetDay(2026, 11, 30);
  mail = smtp_.AwaitMail(3);
  ASSERT_EQ(mail.size(), 3u);
  EXPECT_EQ(Header(mail[2], "X-Envelope-To"), "tom.jones@council.example");
  EXPECT_THAT(Header(mail[2], "Subject"),
              HasSubstr("Reminder: update due 2026-12-03"));
  EXPECT_THAT(mail[2], HasSubstr("Publish the list"));

  // The scrutiny officer approves one answer; the other still waits.
  v1::Command approve;
  approve.mutable_approve_update()->set_id("action-1");
  Must("clerk", {approve});
  v1::Report report = Report();
  EXPECT_THAT(report.DebugString(), HasSubstr("Forty partnerships listed"));
  EXPECT_THAT(report.DebugString(),
              Not(HasSubstr("Training booked for January")));

  // On the due day: the due-day reminder and the digest to the scrutiny
  // officer; after it, the lead who did not answer is among the report's
  // exceptions.
  SetDay(2026, 12, 3);
  mail = smtp_.AwaitMail(5);
  ASSERT_EQ(mail.size(), 5u);
  std::map<std::string, std::string> late;
  for (size_t i = 3; i < mail.size(); ++i) {
    late[Header(mail[i], "X-Envelope-To")] = mail[i];
  }
  EXPECT_THAT(Header(late["tom.jones@council.example"], "Subject"),
              HasSubstr("Update due today"));
  const std::string& digest = late["scrutiny.officer@council.example"];
  EXPECT_THAT(digest, HasSubstr("Not answered:\r\n- action-2 (Tom Jones)"));
  EXPECT_THAT(digest, HasSubstr("- action-3 (Gemma Barron)"));
  SetDay(2026, 12, 4);
  report = Report();
  bool tom_overdue = false;
  for (const auto& x : report.exceptions()) {
    tom_overdue |= x.kind() == v1::ReportException::KIND_UPDATE_NOT_ANSWERED &&
                   x.action_id() == "action-2" &&
                   absl::StrContains(x.detail(), "Tom");
  }
  EXPECT_TRUE(tom_overdue) << report.DebugString();

  // Another restart, and still every message went once.
  Restart(smtp_port);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  mail = smtp_.Received();
  EXPECT_EQ(mail.size(), 5u);
  std::set<std::string> keys;
  for (const std::string& m : mail) {
    EXPECT_TRUE(keys.insert(Header(m, "X-Rectrack-Message")).second)
        << "sent twice: " << Header(m, "X-Rectrack-Message");
  }
  // Each message sent is an event in the log.
  outbox = Outbox();
  int sent = 0;
  for (const auto& m : outbox.messages()) sent += m.sent() ? 1 : 0;
  EXPECT_EQ(sent, 5);
}

TEST_F(UpdateMailTest, AMailServerThatIsDownIsRetriedAndNeverHoldsUpWrites) {
  const int smtp_port = smtp_.Start();
  ASSERT_GT(smtp_port, 0);
  smtp_.Stop();  // the port is known, nobody listens
  StartServer(smtp_port);
  Seed();
  v1::Command ask;
  ask.mutable_request_updates()->set_review_id("review-1");
  // Writes go through while the mail server is down.
  Must("clerk", {ask});
  Must("gemma", {Answer("action-1", "Forty partnerships listed")});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const v1::ListOutboxResponse outbox = Outbox();
  int due = 0;
  for (const auto& m : outbox.messages()) due += m.sent() ? 0 : 1;
  EXPECT_EQ(due, 2);
  ASSERT_EQ(smtp_.Start(smtp_port), smtp_port);
  EXPECT_EQ(smtp_.AwaitMail(2).size(), 2u);
}

}  // namespace
}  // namespace rectrack::service
