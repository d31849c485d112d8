#include "adapters/http/server.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <list>
#include <mutex>
#include <thread>

#include "adapters/http/connection_registry.h"
#include "adapters/http/spooled_body.h"
#include "core/base/digest.h"
#include "core/base/log.h"

namespace portier::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
constexpr size_t kBodyChunk = 64 * 1024;  // a body is read in pieces of at most this size

// Turns the callback-style Router into something a coroutine can await. The Respond given to
// the handler may be called from any thread; the result is posted back to the connection.
template <class Token>
auto async_route(const Router& router, Request request, Token&& token) {
  return asio::async_initiate<Token, void(Response)>(
      [&router](auto handler, Request request) {
        using Handler = decltype(handler);
        struct Pending {
          Handler handler;
          asio::executor_work_guard<asio::associated_executor_t<Handler>> work;
        };
        auto executor = asio::get_associated_executor(handler);
        auto pending = std::make_shared<Pending>(Pending{std::move(handler), asio::make_work_guard(executor)});
        router.route(std::move(request), [pending](Response response) {
          auto ex = pending->work.get_executor();
          asio::post(ex, [pending, response = std::move(response)]() mutable {
            pending->handler(std::move(response));
            pending->work.reset();
          });
        });
      },
      token, std::move(request));
}

std::string route_label(const std::string& path) {
  // First two segments only: ids in paths must not become metric series.
  size_t cut = path.find('/', 1);
  if (cut != std::string::npos) cut = path.find('/', cut + 1);
  return cut == std::string::npos ? path : path.substr(0, cut);
}

std::string peer_subject(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return {};
  std::string subject;
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    subject.assign(data, static_cast<size_t>(len));
    BIO_free(bio);
  }
  X509_free(cert);
  return subject;
}

// Why a request could not be read to its end, as status, title and detail.
struct Refusal {
  unsigned status;
  const char* title;
  std::string detail;
};

Refusal refusal_for(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) {
    return {413, "Content Too Large", "the request body exceeds the configured limit"};
  }
  if (ec == bhttp::error::header_limit) {
    return {431, "Request Header Fields Too Large", "the request header exceeds the limit"};
  }
  return {400, "Bad Request", "malformed HTTP request: " + ec.message()};
}

}  // namespace

class Server::Impl {
 public:
  Impl(std::vector<config::Listener> listeners, config::Limits limits, const Router& router,
       metrics::Registry& metrics, BodySpool spool)
      : listeners_(std::move(listeners)),
        limits_(limits),
        router_(router),
        metrics_(metrics),
        spool_(std::move(spool)) {
    metrics_.describe("portier_http_requests_total", "counter", "HTTP requests answered");
    metrics_.describe("portier_http_request_duration_seconds", "histogram",
                      "Time from a complete request to its answer");
    metrics_.describe("portier_http_rejected_total", "counter",
                      "Requests refused before routing (admission control, limits)");
  }

  Status start(unsigned io_threads) {
    for (const config::Listener& l : listeners_) {
      std::shared_ptr<ssl::context> tls;
      if (l.tls) {
        auto made = make_tls_context(*l.tls);
        if (!made.is_ok()) return made.status();
        tls = *made;
      }
      beast::error_code ec;
      auto acceptor = std::make_unique<tcp::acceptor>(ioc_);
      tcp::endpoint endpoint(asio::ip::make_address(l.address, ec), l.port);
      if (ec) return invalid_argument("listener " + l.name + ": bad address " + l.address);
      acceptor->open(endpoint.protocol(), ec);
      if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
      if (!ec) acceptor->bind(endpoint, ec);
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        return unavailable("listener " + l.name + ": cannot listen on " + l.address + ":" +
                           std::to_string(l.port) + ": " + ec.message());
      }
      ports_.push_back(acceptor->local_endpoint().port());
      log::info("listening", {{"listener", l.name},
                              {"address", l.address + ":" + std::to_string(ports_.back())},
                              {"tls", l.tls ? "yes" : "no"}});
      asio::co_spawn(ioc_, accept_loop(*acceptor, tls), asio::detached);
      acceptors_.push_back(std::move(acceptor));
    }
    for (unsigned i = 0; i < std::max(1u, io_threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    return Status::ok();
  }

  std::vector<uint16_t> ports() const { return ports_; }

  void drain(std::chrono::milliseconds timeout) {
    draining_ = true;
    for (auto& acceptor : acceptors_) {
      asio::post(ioc_, [&acceptor] {
        beast::error_code ignored;
        acceptor->close(ignored);
      });
    }
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      close_idle_connections();
      if (in_flight_ == 0 && connection_count() == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (in_flight_ > 0) {
      log::warn("drain timed out with requests in flight",
                {{"in_flight", std::to_string(in_flight_.load())}});
    }
  }

  void stop() {
    ioc_.stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

 private:
  Result<std::shared_ptr<ssl::context>> make_tls_context(const config::TlsSettings& s) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    beast::error_code ec;
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                     ssl::context::single_dh_use);
    ctx->use_certificate_chain_file(s.certificate_file, ec);
    if (ec) return invalid_argument("TLS certificate " + s.certificate_file + ": " + ec.message());
    ctx->use_private_key_file(s.private_key_file, ssl::context::pem, ec);
    if (ec) return invalid_argument("TLS private key " + s.private_key_file + ": " + ec.message());
    if (!s.client_ca_file.empty()) {
      ctx->load_verify_file(s.client_ca_file, ec);
      if (ec) return invalid_argument("TLS client CA " + s.client_ca_file + ": " + ec.message());
      if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(s.client_ca_file.c_str())) {
        SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
      }
      ctx->set_verify_mode(ssl::verify_peer | (s.require_client_certificate
                                                   ? ssl::verify_fail_if_no_peer_cert
                                                   : ssl::verify_none));
    }
    return ctx;
  }

  asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::shared_ptr<ssl::context> tls) {
    while (!draining_) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc_), kNoThrow);
      if (ec) {
        if (ec == asio::error::operation_aborted || draining_) co_return;
        log::warn("accept failed", {{"error", ec.message()}});
        continue;
      }
      auto executor = socket.get_executor();
      if (tls) {
        asio::co_spawn(executor, serve_tls(std::move(socket), tls), asio::detached);
      } else {
        asio::co_spawn(executor, serve_plain(std::move(socket)), asio::detached);
      }
    }
  }

  asio::awaitable<void> serve_plain(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    co_await serve(stream, stream, std::string(), false);
  }

  asio::awaitable<void> serve_tls(tcp::socket socket, std::shared_ptr<ssl::context> tls) {
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
    stream.next_layer().expires_after(limits_.header_timeout);
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kNoThrow);
    if (ec) {
      metrics_.increment("portier_http_rejected_total", {{"reason", "tls_handshake"}});
      log::info("TLS handshake failed", {{"error", ec.message()}});
      co_return;
    }
    std::string subject = peer_subject(stream.native_handle());
    co_await serve(stream, stream.next_layer(), subject, true);
    stream.next_layer().expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(kNoThrow);
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream, beast::tcp_stream& tcp, std::string subject,
                              bool tls) {
    auto state = register_connection(tcp);
    beast::flat_buffer buffer;
    std::string remote;
    {
      beast::error_code ec;
      auto ep = tcp.socket().remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string();
    }
    bool first = true;
    for (;;) {
      bhttp::request_parser<bhttp::buffer_body> parser;
      parser.header_limit(limits_.max_header_bytes);
      parser.body_limit(limits_.max_body_bytes);
      tcp.expires_after(first ? limits_.header_timeout : limits_.idle_timeout);
      first = false;
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, kNoThrow);
      BodyCollector body(UINT64_MAX, spool_.folder);
      Status kept;  // whether the body could be kept (a spool file on a full disk cannot)
      if (!ec) {
        state->busy = true;
        tcp.expires_after(limits_.request_timeout);
        const auto& head = parser.get();
        std::string path(head.target().substr(0, head.target().find('?')));
        if (router_.reads_spooled_body(std::string(head.method_string()), path)) {
          body = BodyCollector(spool_.in_memory_max, spool_.folder);
        }
        std::tie(ec, kept) = co_await read_body(stream, buffer, parser, body);
      }
      if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
          ec == beast::error::timeout || ec == asio::error::eof ||
          ec == asio::error::connection_reset) {
        break;
      }
      if (ec || !kept.is_ok()) {
        // The request cannot be read to its end: answer once and close the connection.
        Refusal why = ec ? refusal_for(ec)
                         : Refusal{503, "Service Unavailable", "the request body cannot be kept"};
        if (!kept.is_ok()) log::error("cannot spool a request body", {{"error", kept.to_string()}});
        Request partial;
        partial = to_request(parser.get(), BodyCollector(0, {}), remote, subject, tls);  // its head
        Response r = router_.refuse(partial, why.status, why.title, why.detail);
        metrics_.increment("portier_http_rejected_total",
                           {{"reason", ec ? ec.message() : "spool"}});
        co_await write(stream, r, 11, false);
        co_await linger(stream, tcp);
        break;
      }
      auto& req = parser.get();
      auto started = Clock::now();
      bool keep_alive = req.keep_alive() && !draining_;
      Response response;
      if (++in_flight_ > limits_.max_in_flight) {
        response = problem(503, "Service Unavailable", "too many requests in flight; retry soon");
        response.headers.emplace_back("Retry-After", "1");
        metrics_.increment("portier_http_rejected_total", {{"reason", "admission"}});
      } else {
        response = co_await async_route(router_, to_request(req, std::move(body), remote, subject, tls),
                                        asio::use_awaitable);
      }
      --in_flight_;
      std::string label = route_label(std::string(req.target().substr(0, req.target().find('?'))));
      metrics_.increment("portier_http_requests_total",
                         {{"route", label}, {"status", std::to_string(response.status)}});
      metrics_.observe("portier_http_request_duration_seconds", {{"route", label}},
                       std::chrono::duration<double>(Clock::now() - started).count());
      tcp.expires_after(limits_.request_timeout);
      bool ok = co_await write(stream, response, req.version(), keep_alive && !draining_);
      state->busy = false;
      if (!ok || !keep_alive || draining_) break;
    }
    unregister_connection(state);
    beast::error_code ignored;
    tcp.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Reads the body into `body` through a fixed buffer, so that memory does not grow with it
  // beyond what `body` keeps. Returns the read error, and whether `body` could keep it all.
  template <class Stream, class Parser>
  asio::awaitable<std::pair<beast::error_code, Status>> read_body(Stream& stream,
                                                                  beast::flat_buffer& buffer,
                                                                  Parser& parser,
                                                                  BodyCollector& body) {
    auto chunk = std::make_unique<char[]>(kBodyChunk);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.get();
      parser.get().body().size = kBodyChunk;
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
      if (ec == bhttp::error::need_buffer) ec = {};
      const size_t got = kBodyChunk - parser.get().body().size;
      if (got > 0) {
        if (Status s = body.append(std::string_view(chunk.get(), got)); !s.is_ok()) {
          co_return std::make_pair(beast::error_code(), s);
        }
      }
      if (ec) co_return std::make_pair(ec, Status::ok());
    }
    co_return std::make_pair(beast::error_code(), body.finish());
  }

  // Reads and discards what the client is still sending (for a while, up to a bound) after a
  // refusal, so that it can read our answer instead of failing on a reset connection.
  template <class Stream>
  asio::awaitable<void> linger(Stream& stream, beast::tcp_stream& tcp) {
    std::array<char, 16384> sink;
    uint64_t budget = 8 * limits_.max_body_bytes + (1 << 20);
    tcp.expires_after(std::chrono::seconds(2));
    while (budget > 0) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kNoThrow);
      if (ec) break;
      budget -= std::min<uint64_t>(budget, n);
    }
  }

  template <class Stream>
  asio::awaitable<bool> write(Stream& stream, const Response& r, unsigned version, bool keep_alive) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::server, "portier");
    res.set(bhttp::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) res.set(name, value);
    res.keep_alive(keep_alive);
    res.body() = r.body;
    res.prepare_payload();
    auto [ec, n] = co_await bhttp::async_write(stream, res, kNoThrow);
    co_return !ec;
  }

  Request to_request(const bhttp::request_header<>& req, BodyCollector body,
                     const std::string& remote, const std::string& subject, bool tls) {
    Request out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    auto q = out.target.find('?');
    out.path = out.target.substr(0, q);
    if (q != std::string::npos) out.query = out.target.substr(q + 1);
    for (const auto& field : req) {
      out.headers[std::string(field.name_string())] = std::string(field.value());
    }
    out.body = body.take_memory();
    out.spooled_body = body.take_spooled();
    out.remote_address = remote;
    out.client_certificate_subject = subject;
    out.tls = tls;
    out.correlation_id = out.header("X-Correlation-Id");
    if (out.correlation_id.empty() || out.correlation_id.size() > 64) {
      out.correlation_id = random_uuid();
    }
    return out;
  }

  std::shared_ptr<ConnectionRegistry::Connection> register_connection(beast::tcp_stream& tcp) {
    return connections_.add(tcp.get_executor(), [&tcp] {
      beast::error_code ignored;
      tcp.socket().cancel(ignored);
    });
  }

  // On the connection's strand, as its last step before the stream goes away.
  void unregister_connection(const std::shared_ptr<ConnectionRegistry::Connection>& state) {
    connections_.remove(state);
  }

  size_t connection_count() { return connections_.size(); }

  void close_idle_connections() { connections_.close_idle(); }

  std::vector<config::Listener> listeners_;
  config::Limits limits_;
  const Router& router_;
  metrics::Registry& metrics_;
  BodySpool spool_;
  asio::io_context ioc_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::vector<uint16_t> ports_;
  std::vector<std::thread> threads_;
  std::atomic<bool> draining_{false};
  std::atomic<uint32_t> in_flight_{0};
  ConnectionRegistry connections_;
};

Server::Server(std::vector<config::Listener> listeners, config::Limits limits, const Router& router,
               metrics::Registry& metrics, BodySpool spool)
    : impl_(std::make_unique<Impl>(std::move(listeners), limits, router, metrics,
                                   std::move(spool))) {}
Server::~Server() { impl_->stop(); }
Status Server::start(unsigned io_threads) { return impl_->start(io_threads); }
std::vector<uint16_t> Server::ports() const { return impl_->ports(); }
void Server::drain(std::chrono::milliseconds timeout) { impl_->drain(timeout); }
void Server::stop() { impl_->stop(); }

}  // namespace portier::http
