#include "server/service/http_gateway.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "server/service/http_connect.h"

namespace rectrack::service {
namespace {

using connect::Protocol;
using connect::WireFormat;
using google::protobuf::MethodDescriptor;

// Largest request body accepted (the gRPC port's limit, plus an envelope).
constexpr size_t kMaxBodyBytes = 16 * 1024 * 1024 + 5;
// Threads serving HTTP: every stream holds one for its life.
constexpr int kThreads = 64;

// The services callable over HTTP: the tracker, and health.
bool Served(const std::string& service) {
  return service == "rectrack.v1.Tracker" || service == "grpc.health.v1.Health";
}

bool PrintableAscii(absl::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e; });
}

// A deadline from Connect's connect-timeout-ms or gRPC-Web's grpc-timeout.
absl::Time DeadlineOf(const httplib::Request& req) {
  int64_t n = 0;
  if (req.has_header("connect-timeout-ms") &&
      absl::SimpleAtoi(req.get_header_value("connect-timeout-ms"), &n) &&
      n > 0) {
    return absl::Now() + absl::Milliseconds(n);
  }
  std::string grpc_timeout = req.get_header_value("grpc-timeout");
  if (grpc_timeout.size() >= 2 &&
      absl::SimpleAtoi(grpc_timeout.substr(0, grpc_timeout.size() - 1), &n) &&
      n > 0) {
    switch (grpc_timeout.back()) {
      case 'H':
        return absl::Now() + absl::Hours(n);
      case 'M':
        return absl::Now() + absl::Minutes(n);
      case 'S':
        return absl::Now() + absl::Seconds(n);
      case 'm':
        return absl::Now() + absl::Milliseconds(n);
      case 'u':
        return absl::Now() + absl::Microseconds(n);
      case 'n':
        return absl::Now() + absl::Nanoseconds(n);
      default:
        break;
    }
  }
  return absl::InfiniteFuture();
}

// The verified client certificate's subject (as gRPC spells it, RFC 2253)
// and common name, when the request came over mutual TLS.
std::pair<std::string, std::string> PeerCertificate(
    const httplib::Request& req) {
  if (req.ssl == nullptr) return {};
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      SSL_get_peer_certificate(const_cast<SSL*>(req.ssl)), X509_free);
  if (cert == nullptr ||
      SSL_get_verify_result(const_cast<SSL*>(req.ssl)) != X509_V_OK) {
    return {};
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  std::string subject(data, static_cast<size_t>(std::max(size, 0L)));
  char cn[256] = {0};
  int cn_size = X509_NAME_get_text_by_NID(name, NID_commonName, cn, sizeof cn);
  return {subject, cn_size > 0 ? std::string(cn, cn_size) : std::string()};
}

// Answers `status` (an error found before or by the call) in `format`.
void SendStatus(httplib::Response& res, const WireFormat& format,
                const grpc::Status& status) {
  switch (format.protocol) {
    case Protocol::kConnectUnary:
      res.status = connect::HttpStatus(status.error_code());
      res.set_content(connect::ErrorJson(status), "application/json");
      return;
    case Protocol::kConnectStreaming:
      res.status = 200;
      res.set_content(connect::Envelope(connect::kEndStreamFlag,
                                        connect::EndStreamJson(status)),
                      connect::ContentType(format));
      return;
    case Protocol::kGrpcWeb:
      res.status = 200;
      res.set_content(connect::Envelope(connect::kTrailersFlag,
                                        connect::GrpcWebTrailers(status)),
                      connect::ContentType(format));
      return;
  }
}

// The last frame of a stream in `format`.
std::string EndFrame(const WireFormat& format, const grpc::Status& status) {
  return format.protocol == Protocol::kGrpcWeb
             ? connect::Envelope(connect::kTrailersFlag,
                                 connect::GrpcWebTrailers(status))
             : connect::Envelope(connect::kEndStreamFlag,
                                 connect::EndStreamJson(status));
}

// One streamed response: the call, read a message at a time as the HTTP
// client takes them.
struct StreamedResponse {
  std::unique_ptr<InProcessCall> call;
  std::string request;
  WireFormat format;
  const google::protobuf::Descriptor* output = nullptr;
  std::atomic<int>* open = nullptr;
  bool started = false;

  ~StreamedResponse() { --*open; }

  // httplib's content provider: false ends the response early.
  bool Next(httplib::DataSink& sink) {
    if (!started) {
      started = true;
      if (!call->Start() || !call->Write(request) || !call->WritesDone()) {
        return End(sink);
      }
    }
    bool waiting = false;
    std::optional<std::string> message = call->Read(absl::Seconds(1), &waiting);
    if (waiting) return sink.is_writable();  // a client gone ends the call
    if (!message.has_value()) return End(sink);
    absl::StatusOr<std::string> body =
        connect::FromBinary(*output, *message, format.json);
    if (!body.ok()) {
      call->Cancel();
      return End(sink);
    }
    std::string frame = connect::Envelope(0, *body);
    return sink.write(frame.data(), frame.size());
  }

  bool End(httplib::DataSink& sink) {
    std::string frame = EndFrame(format, call->Finish());
    sink.write(frame.data(), frame.size());
    sink.done();
    return true;
  }
};

// Serves the files under `dir` at /. httplib decodes the path and refuses
// any that climbs out of the directory ("..", also as %2e%2e); it types
// files by extension (html, js, css, json, svg, png, woff2, ...). Others
// are sent as bytes, and browsers are told not to sniff them into
// something else.
absl::Status ServeStatic(const std::string& dir, httplib::Server& http) {
  if (!http.set_mount_point("/", dir,
                            {{"X-Content-Type-Options", "nosniff"},
                             {"Referrer-Policy", "no-referrer"}})) {
    return absl::FailedPreconditionError(
        absl::StrCat("--http-static ", dir, " is not a readable directory"));
  }
  http.set_file_request_handler(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.has_header("Content-Type")) {
          res.set_header("Content-Type", "application/octet-stream");
        }
      });
  return absl::OkStatus();
}

}  // namespace

HttpGateway::HttpGateway(HttpGatewayOptions options,
                         std::shared_ptr<grpc::Channel> channel)
    : options_(std::move(options)), caller_(std::move(channel)) {}

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Start(
    HttpGatewayOptions options, std::shared_ptr<grpc::Channel> channel) {
  std::unique_ptr<HttpGateway> gateway(
      new HttpGateway(std::move(options), std::move(channel)));
  const HttpGatewayOptions& o = gateway->options_;
  if (o.tls_cert.empty()) {
    gateway->http_ = std::make_unique<httplib::Server>();
  } else {
    auto tls = std::make_unique<httplib::SSLServer>(
        o.tls_cert.c_str(), o.tls_key.c_str(),
        o.tls_client_ca.empty() ? nullptr : o.tls_client_ca.c_str());
    if (!tls->is_valid()) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot serve HTTPS on ", o.listen, " with --tls-cert ",
                       o.tls_cert, " and --tls-key ", o.tls_key));
    }
    gateway->http_ = std::move(tls);
  }
  httplib::Server& http = *gateway->http_;
  http.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  http.set_payload_max_length(kMaxBodyBytes);
  http.set_keep_alive_timeout(2);
  if (!o.static_dir.empty()) {
    RECTRACK_RETURN_IF_ERROR(ServeStatic(o.static_dir, http));
  }
  gateway->Route();

  absl::string_view host_view =
      absl::string_view(o.listen).substr(0, o.listen.rfind(':'));
  absl::ConsumePrefix(&host_view, "[");
  absl::ConsumeSuffix(&host_view, "]");
  const std::string host(host_view);
  int port = -1;
  if (size_t colon = o.listen.rfind(':'); colon != std::string::npos) {
    if (!absl::SimpleAtoi(o.listen.substr(colon + 1), &port)) port = -1;
  }
  if (port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http-listen ", o.listen, " must be HOST:PORT, e.g. 127.0.0.1:8080"));
  }
  gateway->port_ = port == 0 ? http.bind_to_any_port(host)
                             : (http.bind_to_port(host, port) ? port : -1);
  if (gateway->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen for HTTP on ", o.listen,
        ": the address is in use or not valid here; choose another "
        "--http-listen"));
  }
  gateway->thread_ = std::thread([&http] { http.listen_after_bind(); });
  return gateway;
}

HttpGateway::~HttpGateway() { Stop(); }

void HttpGateway::Stop() {
  if (!thread_.joinable()) return;
  http_->stop();
  thread_.join();
}

void HttpGateway::Route() {
  httplib::Server& http = *http_;
  // CORS: named origins only. The token travels in a header, never a
  // cookie, so no credentials mode is needed.
  auto allow_origin = [this](const httplib::Request& req,
                             httplib::Response& res) {
    if (!req.has_header("Origin")) return;
    const std::string origin = req.get_header_value("Origin");
    const auto& allowed = options_.cors_origins;
    if (std::find(allowed.begin(), allowed.end(), origin) == allowed.end() &&
        std::find(allowed.begin(), allowed.end(), "*") == allowed.end()) {
      return;
    }
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Vary", "Origin");
    res.set_header("Access-Control-Expose-Headers",
                   "grpc-status, grpc-message, grpc-status-details-bin, "
                   "content-encoding, connect-content-encoding");
  };
  http.set_pre_routing_handler(
      [allow_origin](const httplib::Request& req, httplib::Response& res) {
        if (req.method != "OPTIONS")
          return httplib::Server::HandlerResponse::Unhandled;
        allow_origin(req, res);
        if (res.has_header("Access-Control-Allow-Origin")) {
          res.set_header("Access-Control-Allow-Methods", "POST, GET");
          res.set_header(
              "Access-Control-Allow-Headers",
              "content-type, authorization, x-request-id, "
              "connect-protocol-version, "
              "connect-timeout-ms, x-grpc-web, x-user-agent, grpc-timeout");
          res.set_header("Access-Control-Max-Age", "7200");
        }
        res.status = 204;
        return httplib::Server::HandlerResponse::Handled;
      });
  http.Post(R"(/([A-Za-z0-9_.]+)/([A-Za-z0-9_]+))",
            [this, allow_origin](const httplib::Request& req,
                                 httplib::Response& res) {
              allow_origin(req, res);
              HandleRpc(req, res);
            });
  http.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    const bool serving = !options_.serving || options_.serving();
    res.status = serving ? 200 : 503;
    res.set_content(serving ? "SERVING\n" : "NOT_SERVING\n", "text/plain");
  });
  if (options_.metrics) {
    http.Get("/metrics",
             [this](const httplib::Request&, httplib::Response& res) {
               res.set_content(options_.metrics(), "text/plain; version=0.0.4");
             });
  }
}

grpc::Status HttpGateway::Forwarded(const httplib::Request& req,
                                    const MethodDescriptor& method,
                                    CallOptions* options) const {
  options->method =
      absl::StrCat("/", method.service()->full_name(), "/", method.name());
  options->deadline = DeadlineOf(req);
  for (const char* header : {"authorization", "x-request-id"}) {
    if (!req.has_header(header)) continue;
    std::string value = req.get_header_value(header);
    if (!PrintableAscii(value)) {
      return connect::BadRequestStatus(
          absl::StrCat("the ", header,
                       " header holds characters other than printable "
                       "ASCII; send the token or id as it was given"));
    }
    options->metadata.emplace_back(header, std::move(value));
  }
  options->metadata.emplace_back("x-rectrack-gateway", options_.gateway_secret);
  auto [subject, common_name] = PeerCertificate(req);
  if (!subject.empty()) {
    options->metadata.emplace_back("x-rectrack-client-subject-bin", subject);
    options->metadata.emplace_back("x-rectrack-client-cn-bin", common_name);
  }
  return grpc::Status::OK;
}

namespace {

// The method `service`/`name` if it may be called over HTTP in `format`.
grpc::Status FindMethod(const std::string& service, const std::string& name,
                        const WireFormat& format,
                        const MethodDescriptor** found) {
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          service);
  const MethodDescriptor* method = descriptor == nullptr || !Served(service)
                                       ? nullptr
                                       : descriptor->FindMethodByName(name);
  if (method == nullptr) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        absl::StrCat("there is no method ", service, "/", name,
                                     " here; the tracker's methods are "
                                     "rectrack.v1.Tracker/<Method> as in "
                                     "tracker.proto"));
  }
  *found = method;
  if (method->client_streaming()) {
    return grpc::Status(
        grpc::StatusCode::UNIMPLEMENTED,
        absl::StrCat(name,
                     " streams both ways, which needs gRPC over HTTP/2 (the "
                     "gRPC port); over HTTP send Apply with up to 10,000 "
                     "commands"));
  }
  if (format.protocol == Protocol::kGrpcWeb ||
      method->server_streaming() ==
          (format.protocol == Protocol::kConnectStreaming)) {
    return grpc::Status::OK;
  }
  return connect::BadRequestStatus(
      method->server_streaming()
          ? absl::StrCat(name,
                         " is a stream: send content-type "
                         "application/connect+json with an enveloped "
                         "request, as Connect clients do")
          : absl::StrCat(name,
                         " is a single call: send content-type "
                         "application/json"));
}

}  // namespace

void HttpGateway::HandleRpc(const httplib::Request& req,
                            httplib::Response& res) {
  const std::string service = req.matches[1];
  const std::string name = req.matches[2];
  std::optional<WireFormat> format =
      connect::ParseContentType(req.get_header_value("Content-Type"));
  if (!format.has_value()) {
    res.status = 415;
    res.set_content(
        connect::ErrorJson(connect::BadRequestStatus(absl::StrCat(
            "content-type \"", req.get_header_value("Content-Type"),
            "\" is not served: send application/json (or application/proto) "
            "for a call, application/connect+json for a stream such as "
            "Watch, or application/grpc-web+proto"))),
        "application/json");
    return;
  }
  const MethodDescriptor* method = nullptr;
  if (grpc::Status s = FindMethod(service, name, *format, &method); !s.ok()) {
    SendStatus(res, *format, s);
    if (method == nullptr && format->protocol == Protocol::kConnectUnary) {
      res.status = 404;
    }
    return;
  }
  CallOptions options;
  if (grpc::Status s = Forwarded(req, *method, &options); !s.ok()) {
    SendStatus(res, *format, s);
    return;
  }
  if (format->protocol != Protocol::kConnectUnary) {
    Stream(req, *method, *format, options, res);
    return;
  }
  absl::StatusOr<std::string> request =
      connect::ToBinary(*method->input_type(), req.body, format->json);
  if (!request.ok()) {
    SendStatus(
        res, *format,
        connect::BadRequestStatus(std::string(request.status().message())));
    return;
  }
  UnaryResult result = caller_.Unary(options, *request);
  if (!result.status.ok()) {
    SendStatus(res, *format, result.status);
    return;
  }
  absl::StatusOr<std::string> body = connect::FromBinary(
      *method->output_type(), result.response, format->json);
  if (!body.ok()) {
    SendStatus(res, *format,
               grpc::Status(grpc::StatusCode::INTERNAL,
                            std::string(body.status().message())));
    return;
  }
  res.status = 200;
  res.set_content(*body, connect::ContentType(*format));
}

void HttpGateway::Stream(const httplib::Request& req,
                         const MethodDescriptor& method,
                         const WireFormat& format, const CallOptions& options,
                         httplib::Response& res) {
  absl::string_view body = req.body;
  std::optional<connect::Frame> frame = connect::TakeFrame(&body);
  if (!frame.has_value() || !body.empty()) {
    SendStatus(res, format,
               connect::BadRequestStatus(
                   "a stream's request body must be exactly one enveloped "
                   "message (a flags byte, a 4-byte big-endian length, the "
                   "message), as Connect and gRPC-Web clients send it"));
    return;
  }
  if ((frame->flags & connect::kCompressedFlag) != 0) {
    SendStatus(res, format,
               grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                            "compressed messages are not accepted; send "
                            "them uncompressed"));
    return;
  }
  absl::StatusOr<std::string> request =
      connect::ToBinary(*method.input_type(), frame->data, format.json);
  if (!request.ok()) {
    SendStatus(
        res, format,
        connect::BadRequestStatus(std::string(request.status().message())));
    return;
  }
  if (++streams_ > options_.max_streams) {
    --streams_;
    SendStatus(res, format,
               grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                            absl::StrCat("the HTTP port already serves ",
                                         options_.max_streams,
                                         " streams, its limit; try again "
                                         "later, or use the gRPC port")));
    return;
  }
  auto stream = std::make_shared<StreamedResponse>();
  stream->call = caller_.Open(options);
  stream->request = *std::move(request);
  stream->format = format;
  stream->output = method.output_type();
  stream->open = &streams_;
  res.status = 200;
  res.set_chunked_content_provider(
      connect::ContentType(format),
      [stream](size_t, httplib::DataSink& sink) { return stream->Next(sink); });
}

}  // namespace rectrack::service
