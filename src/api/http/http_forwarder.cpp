#include "api/http/http_forwarder.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
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

}  // namespace

asio::awaitable<HttpResponse> forward_request(const HttpRequest& request, const std::string& base_url,
                                              const std::string& from_node,
                                              std::chrono::milliseconds timeout) {
  auto url = boost::urls::parse_uri(base_url);
  if (!url || url->scheme() != "http" || url->host().empty()) {
    co_return unreachable(base_url, "only http:// node URLs can be forwarded to");
  }
  const std::string host(url->host());
  const std::string port = url->has_port() ? std::string(url->port()) : "80";
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(host, port, nothrow);
  if (rec) co_return unreachable(base_url, rec.message());
  beast::tcp_stream stream(executor);
  stream.expires_after(timeout);
  if (auto [ec, ep] = co_await stream.async_connect(endpoints, nothrow); ec) {
    co_return unreachable(base_url, ec.message());
  }
  auto out = outgoing(request, host + ":" + port, from_node);
  if (auto [ec, n] = co_await http::async_write(stream, out, nothrow); ec) {
    co_return unreachable(base_url, ec.message());
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> answer;
  if (auto [ec, n] = co_await http::async_read(stream, buffer, answer, nothrow); ec) {
    co_return unreachable(base_url, ec.message());
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  HttpResponse response;
  response.status = static_cast<int>(answer.result_int());
  response.content_type = std::string(answer[http::field::content_type]);
  response.body = std::move(answer.body());
  co_return response;
}

}  // namespace lunora::api
