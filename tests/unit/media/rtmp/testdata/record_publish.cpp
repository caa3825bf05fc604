// One-off recorder for ffmpeg_publish.bin (see README.md): accepts one RTMP publisher on 127.0.0.1:PORT,
// answers it with RtmpServerSession, and writes every byte the client sent to OUTPUT until it disconnects.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "media/rtmp/rtmp_server_session.hpp"

namespace rtmp = lunora::media::rtmp;

class AcceptAll : public rtmp::RtmpServerSessionCallbacks {
 public:
  lunora::Status on_publish(std::string_view app, std::string_view key) override {
    std::fprintf(stderr, "publish app=%.*s key=%.*s\n", int(app.size()), app.data(), int(key.size()),
                 key.data());
    return lunora::ok_status();
  }
  void on_media_message(uint8_t type, uint32_t ts, lunora::ByteSpan body) override {}
  void on_unpublish() override {}
};

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener, 1) != 0)
    return 1;
  int fd = accept(listener, nullptr, nullptr);
  std::ofstream out(argv[2], std::ios::binary);
  AcceptAll callbacks;
  rtmp::RtmpServerSession session(callbacks);
  uint8_t buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    out.write(reinterpret_cast<const char*>(buf), n);
    if (!session.feed(lunora::ByteSpan(buf, static_cast<size_t>(n)))) break;
    lunora::Bytes reply = session.take_output();
    if (!reply.empty() && write(fd, reply.data(), reply.size()) < 0) break;
  }
  close(fd);
  return 0;
}
