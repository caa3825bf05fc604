// The control plane's event log: resumes replay stored events in order, and a resume from before the kept
// events starts with `resync` instead of silently skipping what was pruned.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>

#include "control/control_plane.hpp"
#include "engine/local/local_engine.hpp"

namespace lunora::control {
namespace {

int free_udp_port() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class ControlEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lunora-control-" + std::to_string(::getpid()) + "-" + random_token(6));
    std::filesystem::create_directories(dir_);
    auto store = store::open_sqlite_store((dir_ / "lunora.db").string());
    ASSERT_TRUE(store.ok()) << store.error().message();
    store_ = std::move(store.value());
    engine::LocalEngineOptions engine_options;
    engine_options.ingest_host = "127.0.0.1";
    engine_ = std::make_unique<engine::LocalEngine>(io_, engine_options);  // RTMP listener not started
    ControlOptions options;
    options.first_srt_port = free_udp_port();
    control_ = std::make_unique<ControlPlane>(io_.get_executor(), *store_, *engine_, SecretBox::from_key({}),
                                              options);
    auto started = control_->start();
    ASSERT_TRUE(started.ok()) << started.error().message();
    ASSERT_TRUE(started->has_value()) << "an empty store gets the channel main";
    channel_id_ = (**started)["channel_id"].get<std::string>();
  }
  void TearDown() override {
    control_->shutdown([] {});
    control_.reset();
    engine_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::vector<store::EventRecord> resume(std::optional<int64_t> after) {
    std::vector<store::EventRecord> seen;
    control_->subscribe(after, [&seen](const store::EventRecord& event) {
      seen.push_back(event);
      return true;
    });
    return seen;
  }

  std::filesystem::path dir_;
  boost::asio::io_context io_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<engine::LocalEngine> engine_;
  std::unique_ptr<ControlPlane> control_;
  std::string channel_id_;
};

TEST_F(ControlEventsTest, ResumeReplaysEveryLaterEventInOrder) {
  for (int i = 0; i < 5; ++i) {
    auto made = control_->create_destination({{"channel_id", channel_id_},
                                              {"name", "d" + std::to_string(i)},
                                              {"platform", "custom"},
                                              {"url", "rtmp://127.0.0.1:1/live"},
                                              {"stream_key", "key-" + std::to_string(i)}});
    ASSERT_EQ(made.status, 201) << made.body.dump();
  }
  const int64_t last = *store_->last_event_id();
  auto replayed = resume(last - 3);
  ASSERT_EQ(replayed.size(), 3u);
  for (size_t i = 0; i < replayed.size(); ++i) EXPECT_EQ(replayed[i].id, last - 2 + static_cast<int64_t>(i));
  EXPECT_EQ(replayed.back().type, "destination");
  EXPECT_TRUE(resume(std::nullopt).empty()) << "no Last-Event-ID: only new events";
}

TEST_F(ControlEventsTest, ResumeFromPrunedEventsStartsWithResync) {
  for (int i = 0; i < 8; ++i) {
    auto made = control_->create_destination({{"channel_id", channel_id_},
                                              {"name", "d" + std::to_string(i)},
                                              {"platform", "custom"},
                                              {"url", "rtmp://127.0.0.1:1/live"},
                                              {"stream_key", "key-" + std::to_string(i)}});
    ASSERT_EQ(made.status, 201);
  }
  ASSERT_TRUE(store_->prune_events(2).ok());
  // A fresh control plane on the same store has only what the store kept (as after a restart).
  control_->shutdown([] {});
  ControlOptions options;
  options.first_srt_port = free_udp_port();
  control_ =
      std::make_unique<ControlPlane>(io_.get_executor(), *store_, *engine_, SecretBox::from_key({}), options);
  ASSERT_TRUE(control_->start().ok());
  const int64_t last = *store_->last_event_id();
  auto replayed = resume(1);
  ASSERT_FALSE(replayed.empty());
  EXPECT_EQ(replayed.front().type, "resync");
  EXPECT_EQ(replayed.front().id, 0) << "not a stored event: no id to resume from";
  EXPECT_EQ(replayed.back().id, last);
  auto recent = resume(last - 1);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_NE(recent.front().type, "resync") << "nothing missed: no resync";
}

}  // namespace
}  // namespace lunora::control
