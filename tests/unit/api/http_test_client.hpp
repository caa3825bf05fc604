// A deliberately small HTTP/1.1 client over plain POSIX sockets for the server tests: every read has a
// deadline (poll), so a server that misbehaves fails a test instead of hanging it, and it can send bytes no
// real client would (garbage, oversized bodies, half requests).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace lunora::api::test {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class TestClient {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr auto kDefaultTimeout = std::chrono::seconds(5);

  explicit TestClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~TestClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return connected_; }

  // Sends everything; false when the peer is gone.
  bool send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  // Reads one response (Content-Length framed, or up to EOF without one); nullopt on timeout or a bad frame.
  std::optional<ClientResponse> read_response(std::chrono::milliseconds timeout = kDefaultTimeout) {
    const auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(deadline)) return std::nullopt;
    }
    ClientResponse response;
    const std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    const std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12) return std::nullopt;
    response.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string line =
          head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t value_start = colon + 1;
      while (value_start < line.size() && line[value_start] == ' ') ++value_start;
      response.headers[name] = line.substr(value_start);
    }
    if (response.status / 100 == 1) return response;  // interim: no body
    if (auto length = response.headers.find("content-length"); length != response.headers.end()) {
      const size_t size = std::stoul(length->second);
      while (buffer_.size() < size) {
        if (!fill(deadline)) return std::nullopt;
      }
      response.body = buffer_.substr(0, size);
      buffer_.erase(0, size);
    } else {
      while (fill(deadline)) {
      }
      if (!eof_) return std::nullopt;
      response.body = std::move(buffer_);
      buffer_.clear();
    }
    return response;
  }

  // Reads until `needle` has arrived; returns everything up to and including it (kept out of the buffer).
  std::optional<std::string> read_until(const std::string& needle,
                                        std::chrono::milliseconds timeout = kDefaultTimeout) {
    const auto deadline = Clock::now() + timeout;
    size_t at;
    while ((at = buffer_.find(needle)) == std::string::npos) {
      if (!fill(deadline)) return std::nullopt;
    }
    std::string out = buffer_.substr(0, at + needle.size());
    buffer_.erase(0, at + needle.size());
    return out;
  }

  // True when the server closes the connection (EOF or reset) before the deadline; data read meanwhile is
  // dropped.
  bool wait_closed(std::chrono::milliseconds timeout = kDefaultTimeout) {
    const auto deadline = Clock::now() + timeout;
    while (fill(deadline)) buffer_.clear();
    return eof_;
  }

 private:
  // Appends what arrives before the deadline; false on timeout or end of stream (eof_ set).
  bool fill(Clock::time_point deadline) {
    if (eof_) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) return false;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
};

inline std::string get_request(const std::string& target, const std::string& extra_headers = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers + "\r\n";
}

}  // namespace lunora::api::test
