// How rectrackd is reached: loopback or not, TLS and mutual TLS handshakes,
// certificates and keys that do not fit.
#include "tests/access_fixture.h"

namespace rectrack::service::access_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(AccessTest, NonLoopbackNeedsTlsOrAnExplicitFlagAndThenATokenStill) {
  std::filesystem::remove(TokensPath(data_dir()));  // never had a token
  ServerOptions options;
  options.listen = "0.0.0.0:0";
  options.data_dir = data_dir();
  options.clock = &clock_;
  auto refused = Server::Start(options);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("without TLS"));
  EXPECT_THAT(refused.status().message(), HasSubstr("--allow-plaintext"));

  options.allow_plaintext = true;
  auto started = Server::Start(options);
  ASSERT_OK(started);
  // No tokens: not open, because the address is not loopback.
  auto stub = v1::Tracker::NewStub(
      client::Connect(absl::StrCat("127.0.0.1:", (*started)->port()), {}));
  grpc::Status s = Unary(&Stub::ListReviews, *stub, v1::ListReviewsRequest());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(s.error_message(), HasSubstr("rectrackd token add"));
}

// ---------------------------------------------------------------- TLS

// Certificates made with openssl for this test: a CA, a server certificate
// for localhost signed by it, a client certificate (CN=clerk) signed by it,
// and a second CA nobody trusts with its own client certificate.
class TlsTest : public AccessTest {
 protected:
  void SetUp() override {
    AccessTest::SetUp();
    const std::string d = dir_.path();
    std::string script = absl::StrCat(
        "set -e; cd ", d, "\n",
        "cat > san.cnf <<EOF\n"
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
        "EOF\n"
        "for ca in ca rogue; do\n"
        "  openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key "
        "-out $ca.pem -days 2 -subj \"/CN=$ca test CA\" 2>/dev/null\n"
        "done\n"
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out "
        "server.csr -subj /CN=localhost 2>/dev/null\n"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -out server.pem -days 2 -extfile san.cnf 2>/dev/null\n"
        "openssl req -newkey rsa:2048 -nodes -keyout clerk.key -out clerk.csr "
        "-subj \"/O=Test Council/CN=clerk\" 2>/dev/null\n"
        "openssl x509 -req -in clerk.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -out clerk.pem -days 2 2>/dev/null\n"
        "openssl req -newkey rsa:2048 -nodes -keyout intruder.key -out "
        "intruder.csr -subj /CN=clerk 2>/dev/null\n"
        "openssl x509 -req -in intruder.csr -CA rogue.pem -CAkey rogue.key "
        "-CAcreateserial -out intruder.pem -days 2 2>/dev/null\n");
    ASSERT_EQ(std::system(script.c_str()), 0) << "openssl failed";
  }

  std::string Pem(const std::string& name) { return ReadFile(dir_.Sub(name)); }

  ServerOptions TlsOptions(bool mutual) {
    ServerOptions options;
    options.tls_cert = dir_.Sub("server.pem");
    options.tls_key = dir_.Sub("server.key");
    if (mutual) options.tls_client_ca = dir_.Sub("ca.pem");
    return options;
  }

  client::ConnectOptions Trusting(const std::string& ca) {
    client::ConnectOptions options;
    options.tls = true;
    options.tls_ca_pem = Pem(ca);
    options.tls_server_name = "localhost";
    return options;
  }

  static grpc::Status List(Stub& stub) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(5));
    v1::ListReviewsResponse r;
    return stub.ListReviews(&ctx, v1::ListReviewsRequest(), &r);
  }
};

TEST_F(TlsTest, TlsHandshakeSucceedsWithTheRightCaAndFailsOtherwise) {
  Start(TlsOptions(false));
  auto good = StubFor(tokens_[Role::kViewer], Trusting("ca.pem"));
  grpc::Status s = List(*good);
  EXPECT_TRUE(s.ok()) << s.error_message();

  auto wrong_ca = StubFor(tokens_[Role::kViewer], Trusting("rogue.pem"));
  EXPECT_EQ(List(*wrong_ca).error_code(), grpc::StatusCode::UNAVAILABLE);

  // A plaintext client gets a clean failure, not a hang.
  auto plaintext = StubFor(tokens_[Role::kViewer]);
  EXPECT_EQ(List(*plaintext).error_code(), grpc::StatusCode::UNAVAILABLE);

  // TLS does not replace the token.
  auto no_token = StubFor("", Trusting("ca.pem"));
  EXPECT_EQ(List(*no_token).error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TlsTest, MutualTlsNamesTheCertificateSubjectAsTheActor) {
  ASSERT_OK(AddToken(data_dir(), "clerk", Role::kScrutiny, {},
                     "2024-01-02T00:00:00Z"));
  Start(TlsOptions(true));
  client::ConnectOptions with_cert = Trusting("ca.pem");
  with_cert.tls_cert_pem = Pem("clerk.pem");
  with_cert.tls_key_pem = Pem("clerk.key");
  auto clerk = StubFor("", with_cert);
  v1::ApplyResponse r;
  grpc::Status s = Apply(*clerk, {OpenReview("Waste")}, &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  v1::GetHistoryRequest h;
  h.set_id(r.results(0).entity_id());
  v1::GetHistoryResponse history;
  grpc::ClientContext ctx;
  ASSERT_TRUE(clerk->GetHistory(&ctx, h, &history).ok());
  ASSERT_EQ(history.events_size(), 1);
  EXPECT_THAT(history.events(0).actor(), HasSubstr("CN=clerk"));
  EXPECT_THAT(history.events(0).actor(), HasSubstr("O=Test Council"));

  // No client certificate, or one from a CA the server does not trust:
  // the handshake fails, token or not.
  auto no_cert = StubFor(tokens_[Role::kAdmin], Trusting("ca.pem"));
  EXPECT_EQ(List(*no_cert).error_code(), grpc::StatusCode::UNAVAILABLE);
  client::ConnectOptions intruder = Trusting("ca.pem");
  intruder.tls_cert_pem = Pem("intruder.pem");
  intruder.tls_key_pem = Pem("intruder.key");
  auto rogue = StubFor(tokens_[Role::kAdmin], intruder);
  EXPECT_EQ(List(*rogue).error_code(), grpc::StatusCode::UNAVAILABLE);

  // With a certificate and a token, the token decides the role.
  client::ConnectOptions viewer_with_cert = with_cert;
  auto viewer = StubFor(tokens_[Role::kViewer], viewer_with_cert);
  EXPECT_EQ(Apply(*viewer, {OpenReview("Waste")}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(TlsTest, BadTlsSettingsAreRefusedAtStart) {
  ServerOptions options = TlsOptions(false);
  options.tls_key.clear();
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir();
  options.clock = &clock_;
  auto s = Server::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("--tls-key"));
  options = TlsOptions(false);
  options.tls_cert = dir_.Sub("missing.pem");
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir();
  options.clock = &clock_;
  s = Server::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("missing.pem"));
  // A key of another certificate: said so, not "address in use".
  options = TlsOptions(false);
  options.tls_key = dir_.Sub("clerk.key");
  options.listen = "127.0.0.1:0";
  options.data_dir = data_dir();
  options.clock = &clock_;
  s = Server::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(),
              HasSubstr("does not belong to the certificate"));
  // A certificate file that holds a key instead.
  options.tls_cert = dir_.Sub("server.key");
  s = Server::Start(options);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("holds no PEM certificate"));
}

TEST_F(AccessTest, OnlyNumericLoopbackAddressesAndLocalhostCountAsLoopback) {
  std::filesystem::remove(TokensPath(data_dir()));  // never had a token
  for (std::string listen : {"127.0.0.1.nip.io:0", "127.example.org:0",
                             "[127.0.0.1]x:0", "ipv4:127.0.0.1.nip.io:0"}) {
    ServerOptions options;
    options.listen = listen;
    options.data_dir = data_dir();
    options.clock = &clock_;
    auto s = Server::Start(options);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition)
        << listen;
    EXPECT_THAT(s.status().message(), HasSubstr("without TLS")) << listen;
  }
  for (std::string listen :
       {"127.0.0.1:0", "localhost:0", "[::1]:0", "127.0.0.2:0"}) {
    ServerOptions options;
    options.listen = listen;
    options.data_dir = data_dir();
    options.clock = &clock_;
    auto s = Server::Start(options);
    if (!s.ok() && listen == "[::1]:0" &&
        !absl::StrContains(s.status().message(), "without TLS")) {
      continue;  // a machine without IPv6 cannot bind it at all
    }
    ASSERT_OK(s);
    EXPECT_THAT((*s)->access_summary(), HasSubstr("open")) << listen;
  }
}

}  // namespace
}  // namespace rectrack::service::access_test
