// A running rectrackd: the event store, the tracker and the gRPC server,
// started and stopped together. Used by main() and by in-process tests.
#pragma once

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/server.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "server/domain/tracker.h"
#include "server/service/access.h"
#include "server/service/call_metrics.h"
#include "server/service/http_gateway.h"
#include "server/service/in_process.h"
#include "server/service/mailer.h"
#include "server/service/reflection_v1.h"
#include "server/service/tracker_service.h"
#include "server/store/event_store.h"

namespace rectrack::service {

struct ServerOptions {
  // host:port to listen on; port 0 picks a free port.
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = "./data";
  // When set, first restore the latest backup in this directory into
  // data_dir, which must be missing or empty.
  std::string restore_from;
  // TLS: PEM files of the server's certificate chain and private key.
  // With tls_client_ca, clients must also present a certificate signed by
  // that CA (mutual TLS).
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // Serve plaintext on an address other than loopback (only behind a
  // TLS-terminating proxy on the same machine). Refused without it.
  bool allow_plaintext = false;
  // Not owned; must outlive the server.
  Clock* clock = RealClock::Get();
  // Log one JSON line per call to stderr.
  bool access_log = false;
  // Most requests folded into one synced write (group commit); 1 makes
  // every request its own fsync (benchmarks compare the two).
  size_t max_group_size = 512;
  // Benchmarks only: a generic service served beside rectrack.v1.Tracker
  // (a no-op method to measure what gRPC itself costs). Not owned.
  grpc::CallbackGenericService* extra_generic_service = nullptr;
  // Benchmarks only: false serves without counting calls for /metrics
  // (to measure what counting costs).
  bool count_calls = true;
  // Most Watch streams at once (each holds a server thread); beyond it a
  // new watch is refused with RESOURCE_EXHAUSTED.
  int max_watchers = 256;
  // host:port of the HTTP port (Connect, gRPC-Web, /healthz, /metrics);
  // empty: none. Same TLS and loopback rules as `listen`.
  std::string http_listen;
  // Directory of static files served on the HTTP port; empty: none.
  std::string http_static;
  // Origins that browsers may call the HTTP port from (CORS).
  std::vector<std::string> http_cors_origins;
  // The update cycle: whether officers' answers need approval, and how many
  // days before a meeting updates are due.
  domain::UpdateSettings updates;
  // Mail of the update cycle; without an SMTP URL nothing is sent.
  MailOptions mail;
};

class Server {
 public:
  // Opens the database and starts serving. FAILED_PRECONDITION if the data
  // directory is unusable, UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options);

  // Stops if still running.
  ~Server();

  // The port actually bound.
  int port() const { return port_; }
  // The HTTP port bound; 0 without one.
  int http_port() const;
  std::string address() const;

  // How callers are let in, in words, for the start-up log.
  std::string access_summary() const;

  // The body of /metrics: calls, the write path, watchers, the log, in
  // Prometheus's text format.
  std::string MetricsText() const;

  // Refuses new changes, lets in-flight calls finish (waiting at most
  // `grace`), then closes the database cleanly. Idempotent.
  void Shutdown(absl::Duration grace = absl::Seconds(10));

 private:
  Server() = default;
  absl::Status StartHttp(const std::string& secret);

  ServerOptions options_;
  std::unique_ptr<store::EventStore> store_;
  std::unique_ptr<domain::Tracker> tracker_;
  std::unique_ptr<Access> access_;
  std::unique_ptr<CallMetrics> call_metrics_;
  std::unique_ptr<TrackerService> service_;
  std::unique_ptr<ReflectionV1> reflection_v1_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<InProcessCaller> in_process_;
  std::unique_ptr<HttpGateway> http_;
  std::unique_ptr<Mailer> mailer_;
  int port_ = 0;
};

}  // namespace rectrack::service
