// RtmpOutput against Lunora's own RTMP server session over loopback: what a destination sees first, its
// clock, and the proper close on stop.
#include "media/net/rtmp_output.hpp"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "media/hub/hub.hpp"
#include "media/rtmp/rtmp_server_session.hpp"
#include "support/packets.hpp"

namespace lunora::media {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

struct Received {
  uint8_t type;
  uint32_t timestamp;
  Bytes body;
};

// A one-connection RTMP server that records everything a publisher sends.
class RecordingServer : public rtmp::RtmpServerSessionCallbacks {
 public:
  explicit RecordingServer(asio::io_context& io)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (!ec) serve(std::move(socket));
    });
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  Status on_publish(std::string_view app, std::string_view key) override {
    std::lock_guard lock(mutex_);
    app_ = std::string(app);
    key_ = std::string(key);
    return ok_status();
  }
  void on_media_message(uint8_t type, uint32_t timestamp, ByteSpan body) override {
    std::lock_guard lock(mutex_);
    messages_.push_back({type, timestamp, Bytes(body.begin(), body.end())});
    changed_.notify_all();
  }
  void on_unpublish() override {
    std::lock_guard lock(mutex_);
    unpublished_ = true;
    changed_.notify_all();
  }

  template <typename Predicate>
  bool wait(Predicate predicate) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return predicate(*this); });
  }

  std::mutex mutex_;  // guards everything below: written on the io thread, read by the test
  std::condition_variable changed_;
  std::string app_;
  std::string key_;
  std::vector<Received> messages_;
  bool unpublished_ = false;

 private:
  void serve(tcp::socket socket) {
    socket_ = std::make_unique<tcp::socket>(std::move(socket));
    session_ = std::make_unique<rtmp::RtmpServerSession>(*this);
    read();
  }
  void read() {
    socket_->async_read_some(asio::buffer(buffer_), [this](boost::system::error_code ec, size_t n) {
      if (ec) return;
      if (!session_->feed(ByteSpan(buffer_.data(), n))) return;
      const Bytes out = session_->take_output();
      if (!out.empty()) asio::write(*socket_, asio::buffer(out));
      read();
    });
  }

  tcp::acceptor acceptor_;
  std::unique_ptr<tcp::socket> socket_;
  std::unique_ptr<rtmp::RtmpServerSession> session_;
  std::array<uint8_t, 16384> buffer_{};
};

class RtmpOutputTest : public ::testing::Test {
 protected:
  RtmpOutputTest() : work_(asio::make_work_guard(io_)), server_(io_) {
    thread_ = std::thread([this] { io_.run(); });
  }
  ~RtmpOutputTest() override {
    work_.reset();
    io_.stop();
    thread_.join();
  }

  std::shared_ptr<NetworkOutput> make_output() {
    auto url = parse_endpoint_url("rtmp://127.0.0.1:" + std::to_string(server_.port()) + "/live/the-key");
    EXPECT_TRUE(url.ok());
    return make_rtmp_output(io_, url.value(), OutputOptions{}, nullptr);
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  RecordingServer server_;
  std::thread thread_;
};

TEST_F(RtmpOutputTest, SendsMetadataAndSequenceHeadersThenTheGopOnItsOwnClock) {
  Hub hub;
  auto video_config = std::const_pointer_cast<MediaPacket>(testing::config(PacketKind::kVideoConfig));
  video_config->video = {.width = 1280, .height = 720, .fps = 30};
  hub.publish(video_config);
  hub.publish(testing::config(PacketKind::kAudioConfig));
  hub.publish(testing::video(3600000, true, 1, 10000));  // an hour into the encoder's clock
  hub.publish(testing::audio(3600010));
  hub.publish(testing::video(3600033, false));

  auto output = make_output();
  hub.add_output(output);
  output->start();
  ASSERT_TRUE(server_.wait([](auto& s) { return s.messages_.size() >= 6; }));
  {
    std::lock_guard lock(server_.mutex_);
    EXPECT_EQ(server_.app_, "live");
    EXPECT_EQ(server_.key_, "the-key");
    const auto& m = server_.messages_;
    EXPECT_EQ(m[0].type, 18);  // @setDataFrame onMetaData
    EXPECT_EQ(m[1].type, 9);   // AVC sequence header
    EXPECT_EQ(m[1].body[0], 0x17);
    EXPECT_EQ(m[1].body[1], 0x00);
    EXPECT_EQ(m[2].type, 8);  // AAC sequence header
    EXPECT_EQ(m[2].body[1], 0x00);
    EXPECT_EQ(m[3].type, 9);  // the cached keyframe, first on this destination's clock
    EXPECT_EQ(m[3].body[0], 0x17);
    EXPECT_EQ(m[3].body.size(), 5u + 10000u);
    EXPECT_EQ(m[3].timestamp, 0u);
    EXPECT_EQ(m[4].timestamp, 10u);
    EXPECT_EQ(m[5].timestamp, 33u);
  }
  // Live packets keep flowing on the same clock.
  hub.publish(testing::video(3600066, false));
  ASSERT_TRUE(server_.wait([](auto& s) { return s.messages_.size() >= 7; }));
  EXPECT_EQ(output->stats().state, OutputState::kLive);

  std::promise<void> stopped;
  hub.remove_output(output.get());
  output->stop([&] { stopped.set_value(); });
  ASSERT_EQ(stopped.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(server_.wait([](auto& s) { return s.unpublished_; })) << "FCUnpublish/deleteStream on stop";
  EXPECT_EQ(output->stats().state, OutputState::kStopped);
}

}  // namespace
}  // namespace lunora::media
