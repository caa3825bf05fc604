// One HTTP/1.1 request and its response over a fresh TCP or TLS connection, within a deadline: the transport
// under the AWS client. The only file of aws/ with Beast in it (a Beast+SSL translation unit is slow to
// compile, TOOLING.md).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aws/endpoint.hpp"
#include "core/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace lunora::aws {

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, as on the wire
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;

  // The first header of that name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

// A client context that verifies certificates against the system's CA store (the AWS endpoints' chains).
std::shared_ptr<boost::asio::ssl::context> make_verifying_tls_context();

// Resolves, connects, (for https: handshakes with SNI, certificate and host name verification through `tls`),
// writes the request and reads the response, everything before `deadline`. A failure is an Error coded
// kTimeout, kRefused, kClosed, kDns, kTls, kParse or kIo. The connection is closed afterwards.
boost::asio::awaitable<Result<HttpResponse>> http_exchange(const Endpoint& endpoint,
                                                           boost::asio::ssl::context& tls,
                                                           HttpRequest request,
                                                           std::chrono::steady_clock::time_point deadline,
                                                           size_t max_response_bytes);

}  // namespace lunora::aws
