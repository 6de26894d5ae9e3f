#include "server/service/server.h"

#include <arpa/inet.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log.h"
#include "common/metrics.h"
#include "common/status_macros.h"
#include "grpc/health/v1/health.pb.h"
#include "server/service/access_log.h"

namespace rectrack::service {
namespace {

// Largest request message accepted (see tracker.proto).
constexpr int kMaxMessageBytes = 16 * 1024 * 1024;

// True for 127.x.x.x, ::1 and localhost: addresses only this machine can
// reach.
// Only a numeric loopback address (127.0.0.0/8, ::1, ::ffff:127.x) or
// "localhost" counts: a name such as "127.0.0.1.example.org" can resolve to
// anything.
bool IsLoopback(const std::string& listen) {
  absl::string_view host = listen;
  if (size_t colon = host.rfind(':'); colon != absl::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (!absl::ConsumePrefix(&host, "ipv4:")) absl::ConsumePrefix(&host, "ipv6:");
  if (absl::ConsumePrefix(&host, "[") && !absl::ConsumeSuffix(&host, "]")) {
    return false;
  }
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* flag) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot read ", flag, " ", path, ": it must be a readable PEM file"));
  }
  return text.str();
}

// gRPC reports a certificate and key that do not belong together only as a
// failure to bind the port; say what is wrong instead.
absl::Status CheckKeyPair(
    const ServerOptions& options,
    const grpc::SslServerCredentialsOptions::PemKeyCertPair& pair) {
  auto bio = [](const std::string& pem) {
    return std::unique_ptr<BIO, decltype(&BIO_free)>(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  };
  auto cert_bio = bio(pair.cert_chain);
  auto key_bio = bio(pair.private_key);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (cert == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--tls-cert ", options.tls_cert,
        " holds no PEM certificate (it should begin with -----BEGIN "
        "CERTIFICATE-----)"));
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr),
      EVP_PKEY_free);
  if (key == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--tls-key ", options.tls_key,
        " holds no unencrypted PEM private key (it should begin with "
        "-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::FailedPreconditionError(absl::StrCat(
        "the private key in --tls-key ", options.tls_key,
        " does not belong to the certificate in --tls-cert ", options.tls_cert,
        "; give the key the certificate was issued for"));
  }
  return absl::OkStatus();
}

// Plaintext only on loopback, unless behind a TLS proxy on this machine.
absl::Status CheckPlaintext(const ServerOptions& options,
                            const std::string& listen) {
  if (IsLoopback(listen) || options.allow_plaintext) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to serve on ", listen,
      " without TLS: tokens and council data would cross the network "
      "unencrypted. Give --tls-cert and --tls-key, listen on "
      "127.0.0.1, or (only behind a TLS proxy on this machine) add "
      "--allow-plaintext"));
}

// A secret known only to this process: the HTTP gateway's calls carry it,
// so Access can tell them from a network caller sending the same headers.
std::string GatewaySecret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "";
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ServerOptions& options) {
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together: give both or neither");
  }
  if (options.tls_cert.empty()) {
    if (!options.tls_client_ca.empty()) {
      return absl::InvalidArgumentError(
          "--tls-client-ca needs --tls-cert and --tls-key too");
    }
    RECTRACK_RETURN_IF_ERROR(CheckPlaintext(options, options.listen));
    if (!options.http_listen.empty()) {
      RECTRACK_RETURN_IF_ERROR(CheckPlaintext(options, options.http_listen));
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  RECTRACK_ASSIGN_OR_RETURN(pair.cert_chain,
                            ReadPem(options.tls_cert, "--tls-cert"));
  RECTRACK_ASSIGN_OR_RETURN(pair.private_key,
                            ReadPem(options.tls_key, "--tls-key"));
  RECTRACK_RETURN_IF_ERROR(CheckKeyPair(options, pair));
  ssl.pem_key_cert_pairs.push_back(pair);
  if (!options.tls_client_ca.empty()) {
    RECTRACK_ASSIGN_OR_RETURN(
        ssl.pem_root_certs, ReadPem(options.tls_client_ca, "--tls-client-ca"));
    ssl.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

// Every call is counted for /metrics; with --access-log it is logged too.
std::vector<
    std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
Interceptors(const ServerOptions& options, CallMetrics* metrics) {
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      creators;
  if (options.count_calls) creators.push_back(metrics->InterceptorFactory());
  if (options.access_log) {
    creators.push_back(std::make_unique<AccessLogFactory>(options.clock));
  }
  return creators;
}

// The event store in options.data_dir, restored first from
// options.restore_from when given.
absl::StatusOr<std::unique_ptr<store::EventStore>> OpenStore(
    const ServerOptions& options) {
  if (!options.restore_from.empty()) {
    RECTRACK_RETURN_IF_ERROR(store::EventStore::RestoreFromBackup(
        options.restore_from, options.data_dir));
  }
  store::StoreOptions store_options;
  store_options.clock = options.clock;
  store_options.max_group_size = options.max_group_size;
  return store::EventStore::Open(options.data_dir, store_options);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options) {
  std::unique_ptr<Server> server(new Server());
  server->options_ = options;
  RECTRACK_RETURN_IF_ERROR(CheckMailOptions(options.mail));
  RECTRACK_ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> creds,
                            Credentials(options));
  RECTRACK_ASSIGN_OR_RETURN(server->store_, OpenStore(options));
  // The store holds the data directory's lock now: no verify of another
  // rectrackd can be using a scratch database there.
  domain::WholeLog::RemoveLeftoverScratch(options.data_dir, options.clock);
  server->tracker_ =
      std::make_unique<domain::Tracker>(server->store_.get(), options.updates);
  if (server->store_->projections_stale()) {
    // Written by an older rectrackd: its state and indexes are rebuilt
    // from the log, which never changes form.
    RECTRACK_ASSIGN_OR_RETURN(uint64_t events,
                              server->tracker_->RebuildProjections());
    Log(options.clock, "info",
        "rebuilt state and indexes from the event log for this version",
        {{"events", static_cast<double>(events)}});
  }
  server->access_ =
      std::make_unique<Access>(options.data_dir, IsLoopback(options.listen));
  const std::string secret = GatewaySecret();
  if (!options.http_listen.empty()) {
    if (secret.empty()) {
      return absl::InternalError("no random bytes for the HTTP port's secret");
    }
    server->access_->AcceptGateway(secret, IsLoopback(options.http_listen));
  }
  server->service_ = std::make_unique<TrackerService>(
      server->tracker_.get(), server->access_.get(), options.max_watchers);

  grpc::EnableDefaultHealthCheckService(true);
  // gRPC's health service carries no descriptor; this links in ours (same
  // names), so reflection describes it and it can be called over HTTP.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Without this, a second server on the same port would silently share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(options.listen, creds, &server->port_);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  server->call_metrics_ = std::make_unique<CallMetrics>(
      std::vector<std::string>{"rectrack.v1.Tracker", "grpc.health.v1.Health",
                               "grpc.reflection.v1.ServerReflection",
                               "grpc.reflection.v1alpha.ServerReflection"});
  builder.experimental().SetInterceptorCreators(
      Interceptors(options, server->call_metrics_.get()));
  builder.RegisterService(server->service_.get());
  server->reflection_v1_ = std::make_unique<ReflectionV1>();
  builder.RegisterService(server->reflection_v1_.get());
  if (options.extra_generic_service != nullptr) {
    builder.RegisterCallbackGenericService(options.extra_generic_service);
  }
  server->grpc_server_ = builder.BuildAndStart();
  if (server->grpc_server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", options.listen,
        ": the address is in use or not valid here; choose another --listen"));
  }
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(-1);
  channel_args.SetMaxSendMessageSize(-1);
  server->in_process_ = std::make_unique<InProcessCaller>(
      server->grpc_server_->InProcessChannel(channel_args));
  server->reflection_v1_->SetCaller(server->in_process_.get());
  if (!options.http_listen.empty()) {
    RECTRACK_RETURN_IF_ERROR(server->StartHttp(secret));
  }
  if (!options.mail.smtp_url.empty()) {
    server->mailer_ = std::make_unique<Mailer>(server->tracker_.get(),
                                               options.mail, options.clock);
    server->mailer_->Start();
  }
  return server;
}

absl::Status Server::StartHttp(const std::string& secret) {
  HttpGatewayOptions http;
  http.listen = options_.http_listen;
  http.tls_cert = options_.tls_cert;
  http.tls_key = options_.tls_key;
  http.tls_client_ca = options_.tls_client_ca;
  http.static_dir = options_.http_static;
  http.cors_origins = options_.http_cors_origins;
  http.gateway_secret = secret;
  grpc::HealthCheckServiceInterface* health =
      grpc_server_->GetHealthCheckService();
  store::EventStore* store = store_.get();
  http.serving = [store, health] {
    return health != nullptr && store->accepting();
  };
  http.metrics = [this] { return MetricsText(); };
  grpc::ChannelArguments channel_args;
  channel_args.SetMaxReceiveMessageSize(-1);
  channel_args.SetMaxSendMessageSize(-1);
  RECTRACK_ASSIGN_OR_RETURN(
      http_, HttpGateway::Start(std::move(http),
                                grpc_server_->InProcessChannel(channel_args)));
  return absl::OkStatus();
}

int Server::http_port() const { return http_ == nullptr ? 0 : http_->port(); }

std::string Server::address() const {
  std::string host(options_.listen.substr(0, options_.listen.rfind(':')));
  return absl::StrCat(host, ":", port_);
}

std::string Server::MetricsText() const {
  std::string out;
  call_metrics_->Write(&out);
  const store::StoreMetrics& m = store_->metrics();
  WriteMetricHeader("rectrack_commit_group_size", "histogram",
                    "Requests decided together and made durable by one "
                    "fsync (group commit).",
                    &out);
  m.group_size.Write("rectrack_commit_group_size", "", &out);
  WriteMetricHeader("rectrack_wal_sync_seconds", "histogram",
                    "Each synced write: the write-ahead log appended and "
                    "fsynced before any change in it is acknowledged.",
                    &out);
  m.sync_write.Write("rectrack_wal_sync_seconds", "", &out);
  auto write = [&out](const char* name, const char* type, const char* help,
                      double value) {
    WriteMetricHeader(name, type, help, &out);
    WriteSample(name, "", value, &out);
  };
  write("rectrack_wal_written_bytes_total", "counter",
        "Bytes written to the write-ahead log.",
        static_cast<double>(m.wal_bytes_written.load()));
  write("rectrack_wal_bytes", "gauge",
        "Bytes of write-ahead log files on disk now.",
        static_cast<double>(store_->wal_bytes()));
  write("rectrack_failed_writes_total", "counter",
        "Synced writes that failed (disk full, I/O error); nothing of them "
        "was acknowledged.",
        static_cast<double>(m.failed_writes.load()));
  write("rectrack_commit_queue_depth", "gauge",
        "Changes waiting to be written now.",
        static_cast<double>(store_->queue_depth()));
  write("rectrack_log_position", "gauge",
        "Position of the last event in the log.",
        static_cast<double>(store_->LastPosition()));
  write("rectrack_watchers", "gauge", "Watch streams open now (gRPC and HTTP).",
        static_cast<double>(service_->watchers()));
  write("rectrack_http_streams", "gauge",
        "Streams open now on the HTTP port (each holds a thread).",
        http_ == nullptr ? 0 : static_cast<double>(http_->open_streams()));
  return out;
}

std::string Server::access_summary() const {
  std::string transport = options_.tls_cert.empty() ? "plaintext"
                          : options_.tls_client_ca.empty()
                              ? "TLS"
                              : "mutual TLS (client certificates)";
  if (access_->open()) {
    return absl::StrCat(
        transport,
        "; open: no access tokens exist, so anyone who can reach this "
        "loopback address may do anything. Add one with rectrackd token "
        "add and every call will need one (no restart needed)");
  }
  return absl::StrCat(transport,
                      "; every call needs an access token or a client "
                      "certificate with an access entry");
}

void Server::Shutdown(absl::Duration grace) {
  if (grpc_server_ == nullptr) {
    return;
  }
  if (auto* health = grpc_server_->GetHealthCheckService()) {
    health->SetServingStatus(false);
  }
  if (mailer_ != nullptr) mailer_->Stop();  // before the store stops
  mailer_.reset();
  store_->StopAccepting();
  grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  if (http_ != nullptr) http_->Stop();  // its calls have ended by now
  http_.reset();
  in_process_.reset();
  grpc_server_->Wait();
  grpc_server_.reset();
  service_.reset();
  access_.reset();
  tracker_.reset();
  store_.reset();  // joins the committer and closes the database
}

Server::~Server() { Shutdown(); }

}  // namespace rectrack::service
