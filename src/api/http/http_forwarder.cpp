#include "api/http/http_forwarder.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include "api/http/router.hpp"

namespace lunora::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

HttpResponse unreachable(const std::string& base_url, const std::string& why) {
  return json_error(502, "node_unreachable",
                    "the node driving this channel (" + base_url + ") did not answer: " + why);
}

http::request<http::string_body> outgoing(const HttpRequest& request, const std::string& authority,
                                          const std::string& from_node) {
  http::request<http::string_body> out;
  out.method_string(request.method);
  out.target(request.target);
  out.version(11);
  out.set(http::field::host, authority);
  for (const char* name : {"authorization", "content-type", "accept"}) {
    if (const std::string value = request.header(name); !value.empty()) out.set(name, value);
  }
  out.set(kForwardedHeader, from_node);
  out.set(http::field::connection, "close");
  out.body() = request.body;
  out.prepare_payload();
  return out;
}

// One request and its answer over a connected stream (plain TCP, or TLS after its handshake).
template <typename Stream>
asio::awaitable<HttpResponse> exchange(Stream& stream, const http::request<http::string_body>& out,
                                       const std::string& base_url) {
  if (auto [ec, n] = co_await http::async_write(stream, out, nothrow); ec) {
    co_return unreachable(base_url, ec.message());
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> answer;
  if (auto [ec, n] = co_await http::async_read(stream, buffer, answer, nothrow); ec) {
    co_return unreachable(base_url, ec.message());
  }
  HttpResponse response;
  response.status = static_cast<int>(answer.result_int());
  response.content_type = std::string(answer[http::field::content_type]);
  response.body = std::move(answer.body());
  co_return response;
}

// https: the system's CAs and the host's name are checked (a relay node behind a TLS proxy, reached over the
// internet by `lunora lambda`: the admin token crosses it).
asio::awaitable<HttpResponse> exchange_tls(beast::tcp_stream stream, http::request<http::string_body> out,
                                           std::string host, std::string base_url) {
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), tls);
  secure.set_verify_callback(asio::ssl::host_name_verification(host));
  if (SSL_set_tlsext_host_name(secure.native_handle(), host.c_str()) != 1) {
    co_return unreachable(base_url, "the TLS server name " + host + " was refused");
  }
  if (auto [ec] = co_await secure.async_handshake(asio::ssl::stream_base::client, nothrow); ec) {
    co_return unreachable(base_url, "TLS: " + ec.message());
  }
  HttpResponse response = co_await exchange(secure, out, base_url);
  co_await secure.async_shutdown(nothrow);  // the answer is in: a peer that drops the connection is fine
  co_return response;
}

}  // namespace

asio::awaitable<HttpResponse> forward_request(const HttpRequest& request, const std::string& base_url,
                                              const std::string& from_node,
                                              std::chrono::milliseconds timeout) {
  auto url = boost::urls::parse_uri(base_url);
  const bool tls = url && url->scheme() == "https";
  if (!url || (url->scheme() != "http" && !tls) || url->host().empty()) {
    co_return unreachable(base_url, "only http:// and https:// node URLs can be forwarded to");
  }
  const std::string host(url->host());
  const std::string port = url->has_port() ? std::string(url->port()) : (tls ? "443" : "80");
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(host, port, nothrow);
  if (rec) co_return unreachable(base_url, rec.message());
  beast::tcp_stream stream(executor);
  stream.expires_after(timeout);  // the whole exchange, TLS included
  if (auto [ec, ep] = co_await stream.async_connect(endpoints, nothrow); ec) {
    co_return unreachable(base_url, ec.message());
  }
  auto out = outgoing(request, url->has_port() ? host + ":" + port : host, from_node);
  if (tls) {
    co_return co_await exchange_tls(std::move(stream), std::move(out), host, base_url);
  }
  HttpResponse response = co_await exchange(stream, out, base_url);
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  co_return response;
}

}  // namespace lunora::api
