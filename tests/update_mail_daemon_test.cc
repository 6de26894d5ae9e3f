// The update cycle's mail through the binaries: rectrackd (started with
// tests/daemon.h's Daemon, its time read from a --test-clock-file), the
// real rectrack CLI, and a real SMTP server on loopback (Debian's
// python3-aiosmtpd, tests/smtp_server.py). The mail server asks for
// STARTTLS and a login, with a CA and certificates made by openssl once per
// test program; rectrackd trusts that CA through --smtp-ca-file.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/cli_fixture.h"
#include "tests/smtp_server.h"

namespace rectrack::cli_test {
namespace {

using ::rectrack::testing::Header;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPassword[] = "correct horse battery";

class UpdateMailDaemonTest : public ::testing::Test {
 protected:
  // One CA and certificate set for the whole test program (making keys is
  // the slow part of a test otherwise); each test keeps its own directory.
  static void SetUpTestSuite() {
    certs_ = new testing::TempDir();
    MakeCertificates(certs_->path());
  }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(Cert("smtp.pem"))) << "openssl failed";
    SetClock("2026-11-02T09:00:00Z");
    std::ofstream(dir_.Sub("smtp-password")) << kPassword << "\n";
    std::ofstream(dir_.Sub("wrong-password")) << "not the password\n";
    for (auto [name, role, lead] :
         {std::make_tuple("clerk", "scrutiny", ""),
          std::make_tuple("gemma", "officer", "Gemma Barron")}) {
      tokens_[name] =
          testing::AddToken(RECTRACKD, data_dir(), name, role, lead);
      ASSERT_FALSE(tokens_[name].empty()) << "rectrackd token add failed";
    }
  }

  void TearDown() override {
    if (daemon_ != nullptr && daemon_->Running()) daemon_->Stop();
  }

  std::string data_dir() const { return dir_.Sub("data"); }
  std::string mail_dir() const { return dir_.Sub("mail"); }
  static std::string Cert(const std::string& name) { return certs_->Sub(name); }

  // In `dir`: a CA ("ca") that signed the mail server's certificate for
  // localhost and 127.0.0.1, and another CA ("rogue") that signed nothing of
  // it. P-256 keys: as good a test of the TLS checks as RSA, and made at
  // once where RSA keys take up to seconds.
  static void MakeCertificates(const std::string& dir) {
    const std::string key =
        "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes";
    const std::string script = absl::StrCat(
        "set -e; exec 2>/dev/null; cd ", dir,
        "\n"
        "echo subjectAltName=DNS:localhost,IP:127.0.0.1 > san.cnf\n"
        "for ca in ca rogue; do\n"
        "  openssl req -x509 ",
        key,
        " -keyout $ca.key -out $ca.pem -days 2 -subj \"/CN=$ca test CA\"\n"
        "done\n"
        "openssl req ",
        key,
        " -keyout smtp.key -out smtp.csr -subj /CN=localhost\n"
        "openssl x509 -req -in smtp.csr -CA ca.pem -CAkey ca.key"
        " -CAcreateserial -out smtp.pem -days 2 -extfile san.cnf\n");
    EXPECT_EQ(std::system(script.c_str()), 0) << "openssl failed";
  }

  // rectrackd's time, written whole and renamed over the file it reads.
  void SetClock(const std::string& rfc3339) {
    std::ofstream(dir_.Sub("clock.tmp")) << rfc3339 << "\n";
    std::filesystem::rename(dir_.Sub("clock.tmp"), dir_.Sub("clock"));
  }

  // Starts aiosmtpd asking for TLS (`mode`: "--starttls" or
  // "--implicit-tls") and a login as rectrack; returns its port.
  int StartSmtp(const std::string& mode) {
    return smtp_.Start(
        0, {"--cert", Cert("smtp.pem"), "--key", Cert("smtp.key"), mode,
            "--auth", absl::StrCat("rectrack:", kPassword)});
  }

  // rectrackd on the test clock, sending through the mail server on
  // `smtp_port` as rectrack with the password in `password_file`.
  void StartDaemon(const std::string& url, const std::string& password_file,
                   const std::string& ca_file) {
    daemon_ =
        std::make_unique<testing::Daemon>(RECTRACKD, dir_.path(), data_dir());
    ASSERT_TRUE(daemon_->Start(
        {"--test-clock-file", dir_.Sub("clock"), "--smtp-url", url,
         "--smtp-from", "scrutiny@council.example", "--smtp-user", "rectrack",
         "--smtp-password-file", password_file, "--smtp-ca-file", ca_file}))
        << Log();
  }
  void StartDaemon(int smtp_port) {
    StartDaemon(absl::StrCat("smtp://127.0.0.1:", smtp_port),
                dir_.Sub("smtp-password"), Cert("ca.pem"));
  }

  std::string Log() const { return ReadFile(dir_.Sub("rectrackd.log")); }

  // The real CLI as `who` (a token made in SetUp).
  CliResult As(const std::string& who, std::vector<std::string> args) {
    args.insert(args.end(),
                {"--server", daemon_->address(), "--token", tokens_[who]});
    const std::string out = dir_.Sub("cli.out");
    const std::string err = dir_.Sub("cli.err");
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    const int code = ExitCode(Spawn(RECTRACK_CLI, args, out, err));
    return {code, ReadFile(out), ReadFile(err)};
  }
  void Must(std::vector<std::string> args) {
    CliResult r = As("clerk", args);
    ASSERT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
  }

  // Waits (up to 30 s) until `pred` holds.
  template <typename Pred>
  bool Await(Pred pred) {
    for (int i = 0; i < 600; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  int LoginsRefused() {
    const std::string log = ReadFile(mail_dir() + "/auth.log");
    int n = 0;
    for (size_t at = 0; (at = log.find(" refused", at)) != std::string::npos;
         ++at) {
      ++n;
    }
    return n;
  }
  // Nothing is due in rectrack updates outbox (everything was sent).
  bool NothingDue() {
    CliResult outbox = As("clerk", {"updates", "outbox"});
    return outbox.exit_code == 0 && absl::StrContains(outbox.out, "SENT ") &&
           !absl::StrContains(outbox.out, "DUE  ");
  }

  // A review meeting on 17 December 2026 and two actions with different
  // leads, through the CLI.
  void Seed() {
    Must({"people", "add", "Gemma Barron", "--email",
          "gemma.barron@council.example"});
    Must(
        {"people", "add", "Tom Jones", "--email", "tom.jones@council.example"});
    Must({"people", "add", "clerk", "--email",
          "scrutiny.officer@council.example"});
    Must({"review", "open", "--title", "Review of Partnerships", "--committee",
          "Strategic Leadership O&S"});
    Must({"review", "schedule", "review-1", "--date", "2026-12-17"});
    Must({"rec", "add", "review-1", "--ref", "A", "--text",
          "That partnerships be listed"});
    Must({"rec", "respond", "rec-1", "--decision", "accepted", "--text",
          "Agreed"});
    Must({"action", "add", "rec-1", "--text", "List every partnership",
          "--lead", "Gemma Barron", "--due", "March 2027"});
    Must({"action", "add", "rec-1", "--text", "Publish the list", "--lead",
          "Tom Jones", "--due", "April 2027"});
  }

  // review-2, reported on 11 February 2027, with an action for Gemma
  // Barron, and its updates asked for: one request, due 28 January 2027.
  void AskForAnotherReview() {
    Must({"review", "open", "--title", "Review of Libraries", "--committee",
          "Communities O&S"});
    Must({"rec", "add", "review-2", "--ref", "A", "--text",
          "That opening hours be published"});
    Must({"rec", "respond", "rec-2", "--decision", "accepted", "--text",
          "Agreed"});
    Must({"action", "add", "rec-2", "--text", "Publish opening hours", "--lead",
          "Gemma Barron", "--due", "June 2027"});
    Must({"updates", "request", "review-2", "--meeting", "2027-02-11"});
  }

  static testing::TempDir* certs_;
  testing::TempDir dir_;
  testing::SmtpServer smtp_{RECTRACK_SMTP_SERVER, mail_dir()};
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<testing::Daemon> daemon_;
};

testing::TempDir* UpdateMailDaemonTest::certs_ = nullptr;

TEST_F(UpdateMailDaemonTest, MailGoesThroughStartTlsLoggedInAsTheSmtpUser) {
  const int smtp_port = StartSmtp("--starttls");
  ASSERT_GT(smtp_port, 0);
  StartDaemon(smtp_port);
  Seed();
  Must({"updates", "request", "review-1"});
  std::vector<std::string> mail = smtp_.AwaitMail(2);
  ASSERT_EQ(mail.size(), 2u) << Log();
  for (const std::string& m : mail) {
    EXPECT_EQ(Header(m, "X-Encrypted"), "yes");
    EXPECT_EQ(Header(m, "X-Auth-User"), "rectrack");
  }
  EXPECT_TRUE(Await([&] { return NothingDue(); }));
}

TEST_F(UpdateMailDaemonTest, SmtpsWorksToo) {
  const int smtp_port = StartSmtp("--implicit-tls");
  ASSERT_GT(smtp_port, 0);
  StartDaemon(absl::StrCat("smtps://127.0.0.1:", smtp_port),
              dir_.Sub("smtp-password"), Cert("ca.pem"));
  Seed();
  Must({"updates", "request", "review-1"});
  std::vector<std::string> mail = smtp_.AwaitMail(2);
  ASSERT_EQ(mail.size(), 2u) << Log();
  EXPECT_EQ(Header(mail[0], "X-Encrypted"), "yes");
  EXPECT_EQ(Header(mail[0], "X-Auth-User"), "rectrack");
}

TEST_F(UpdateMailDaemonTest, AWrongPasswordIsLoggedAndTheMailStaysDue) {
  const int smtp_port = StartSmtp("--starttls");
  ASSERT_GT(smtp_port, 0);
  StartDaemon(absl::StrCat("smtp://127.0.0.1:", smtp_port),
              dir_.Sub("wrong-password"), Cert("ca.pem"));
  Seed();
  Must({"updates", "request", "review-1"});
  // Tried, refused, and tried again later.
  ASSERT_TRUE(Await([&] { return LoginsRefused() >= 2; })) << Log();
  EXPECT_THAT(Log(), HasSubstr("mail: not sent; will try again"));
  EXPECT_THAT(Log(), HasSubstr("it refused the user name \\\"rectrack\\\" or "
                               "its password"));
  EXPECT_TRUE(smtp_.Received().empty());
  CliResult outbox = As("clerk", {"updates", "outbox"});
  EXPECT_THAT(outbox.out, HasSubstr("DUE  request  to Gemma Barron"));
  EXPECT_THAT(outbox.out, Not(HasSubstr("SENT ")));

  // With the right password, the messages kept due go.
  daemon_->Stop();
  StartDaemon(smtp_port);
  EXPECT_EQ(smtp_.AwaitMail(2).size(), 2u) << Log();
}

TEST_F(UpdateMailDaemonTest, AnUntrustedCertificateIsRefusedBeforeLoggingIn) {
  const int smtp_port = StartSmtp("--starttls");
  ASSERT_GT(smtp_port, 0);
  // The mail server's certificate is not signed by this CA.
  StartDaemon(absl::StrCat("smtp://127.0.0.1:", smtp_port),
              dir_.Sub("smtp-password"), Cert("rogue.pem"));
  Seed();
  Must({"updates", "request", "review-1"});
  ASSERT_TRUE(Await([&] {
    return absl::StrContains(Log(), "mail: not sent; will try again");
  }));
  EXPECT_THAT(Log(), HasSubstr("its TLS certificate is not trusted"));
  EXPECT_THAT(Log(), HasSubstr("SSL certificate problem"));
  EXPECT_TRUE(smtp_.Received().empty());
  // The password was never offered to a server that could not be checked.
  EXPECT_EQ(ReadFile(mail_dir() + "/auth.log"), "");
  CliResult outbox = As("clerk", {"updates", "outbox"});
  EXPECT_THAT(outbox.out, HasSubstr("DUE  request"));
}

TEST_F(UpdateMailDaemonTest, ACaFileThatIsNotPemIsNamedInTheLog) {
  const int smtp_port = StartSmtp("--starttls");
  ASSERT_GT(smtp_port, 0);
  std::ofstream(dir_.Sub("not-a-ca.pem")) << "not a certificate\n";
  StartDaemon(absl::StrCat("smtp://127.0.0.1:", smtp_port),
              dir_.Sub("smtp-password"), dir_.Sub("not-a-ca.pem"));
  Seed();
  Must({"updates", "request", "review-1"});
  ASSERT_TRUE(Await([&] {
    return absl::StrContains(Log(), "mail: not sent; will try again");
  }));
  EXPECT_THAT(Log(), HasSubstr(absl::StrCat(
                         dir_.Sub("not-a-ca.pem"),
                         " (smtp-ca-file) holds no CA certificate in PEM")));
  EXPECT_TRUE(smtp_.Received().empty());
  EXPECT_EQ(ReadFile(mail_dir() + "/auth.log"), "");
}

TEST_F(UpdateMailDaemonTest, AMissingCaFileStopsRectrackdAtStart) {
  testing::Daemon daemon(RECTRACKD, dir_.path(), data_dir());
  EXPECT_FALSE(daemon.Start({"--smtp-url", "smtp://127.0.0.1:25", "--smtp-from",
                             "scrutiny@council.example", "--smtp-ca-file",
                             dir_.Sub("nowhere.pem")}));
  EXPECT_THAT(Log(), HasSubstr("smtp-ca-file: cannot read"));
}

TEST_F(UpdateMailDaemonTest, ABadTestClockFileStopsRectrackdAtStart) {
  std::ofstream(dir_.Sub("clock")) << "next Tuesday\n";
  testing::Daemon daemon(RECTRACKD, dir_.path(), data_dir());
  EXPECT_FALSE(daemon.Start({"--test-clock-file", dir_.Sub("clock")}));
  EXPECT_THAT(Log(), HasSubstr("holds \\\"next Tuesday\\\", not a time such "
                               "as 2026-11-30T09:00:00Z"));
}

// The whole cycle through the binaries, with a crash in the middle.
TEST_F(UpdateMailDaemonTest, AWholeCycleThroughRectrackdAndTheCli) {
  const int smtp_port = StartSmtp("--starttls");
  ASSERT_GT(smtp_port, 0);
  StartDaemon(smtp_port);
  Seed();
  CliResult asked = As("clerk", {"updates", "request", "review-1"});
  ASSERT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_THAT(asked.out, HasSubstr("Asked for 2 updates"));

  // One message per lead, each with their own action.
  std::vector<std::string> mail = smtp_.AwaitMail(2);
  ASSERT_EQ(mail.size(), 2u) << Log();
  std::map<std::string, std::string> to_lead;
  for (const std::string& m : mail) to_lead[Header(m, "X-Envelope-To")] = m;
  EXPECT_THAT(to_lead["gemma.barron@council.example"],
              HasSubstr("List every partnership"));
  EXPECT_THAT(to_lead["tom.jones@council.example"],
              HasSubstr("Publish the list"));
  EXPECT_THAT(Header(to_lead["gemma.barron@council.example"], "Subject"),
              HasSubstr("Update wanted by 2026-12-03"));

  // The reminder day on rectrackd's clock: three days before the due day.
  SetClock("2026-11-30T09:00:00Z");
  mail = smtp_.AwaitMail(4);
  ASSERT_EQ(mail.size(), 4u) << Log();
  std::set<std::string> reminded;
  for (size_t i = 2; i < mail.size(); ++i) {
    EXPECT_THAT(Header(mail[i], "Subject"),
                HasSubstr("Reminder: update due 2026-12-03"));
    reminded.insert(Header(mail[i], "X-Envelope-To"));
  }
  EXPECT_EQ(reminded, (std::set<std::string>{"gemma.barron@council.example",
                                             "tom.jones@council.example"}));

  // Once each is recorded as sent, rectrackd dies without warning and
  // starts again on the same data: nothing goes twice.
  ASSERT_TRUE(Await([&] { return NothingDue(); }));
  daemon_->Kill9();
  StartDaemon(smtp_port);
  EXPECT_TRUE(NothingDue());
  // A request for another review is listed after review-1's messages, so
  // once it has come the restarted mailer has been through the whole
  // outbox: had it thought a request or reminder unsent, that would have
  // gone first.
  AskForAnotherReview();
  mail = smtp_.AwaitMail(5);
  ASSERT_EQ(mail.size(), 5u) << Log();
  EXPECT_THAT(Header(mail[4], "Subject"),
              HasSubstr("Update wanted by 2027-01-28"));
  ASSERT_TRUE(Await([&] { return NothingDue(); }));
  EXPECT_EQ(smtp_.Received().size(), 5u);

  // The lead answers with the CLI, the clerk approves, the report shows it.
  CliResult answered =
      As("gemma", {"updates", "answer", "action-1", "--text",
                   "Forty partnerships listed", "--status", "in-progress"});
  ASSERT_EQ(answered.exit_code, 0) << answered.err;
  CliResult before = As("clerk", {"report", "review-1"});
  EXPECT_THAT(before.out, Not(HasSubstr("Forty partnerships listed")));
  Must({"updates", "approve", "action-1"});
  CliResult report = As("clerk", {"report", "review-1"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_THAT(report.out, HasSubstr("Forty partnerships listed"));
  EXPECT_EQ(smtp_.Received().size(), 5u);
  std::set<std::string> keys;
  for (const std::string& m : smtp_.Received()) {
    EXPECT_TRUE(keys.insert(Header(m, "X-Rectrack-Message")).second)
        << "sent twice: " << Header(m, "X-Rectrack-Message");
  }
}

}  // namespace
}  // namespace rectrack::cli_test
