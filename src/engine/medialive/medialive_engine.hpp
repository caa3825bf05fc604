// The MediaLive side of Lunora's channels on MediaLive (issue 8): per Lunora channel, the MediaLive resources
// are found or made (provisioner.hpp), then a ChannelDriver makes the MediaLive channel follow the wanted
// pushes and running state, and a CostMeter counts what its runs cost. Its own thread runs every AWS call, so
// the control thread never waits on AWS: it sets what it wants and reads status() (a snapshot).
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "aws/aws_client.hpp"
#include "aws/medialive/medialive_client.hpp"
#include "core/result.hpp"
#include "engine/medialive/channel_driver.hpp"
#include "engine/medialive/cost_meter.hpp"
#include "engine/medialive/provisioner.hpp"

namespace lunora::engine::medialive {

class MediaLiveEngine {
 public:
  struct Options {
    ChannelDriver::Options driver;
    HourlyRates rates;
  };
  struct ChannelStatus {
    std::string phase;  // "provisioning" | "ready" (driven) | "failed" (error says why)
    std::string error;
    Provisioned resources;             // ids, once provisioned
    ChannelDriver::Observed observed;  // the driver's last look (ready only)
    CostSummary cost;
  };

  static Result<std::unique_ptr<MediaLiveEngine>> create(aws::AwsClientOptions client_options,
                                                         Options options);
  ~MediaLiveEngine();
  MediaLiveEngine(const MediaLiveEngine&) = delete;
  MediaLiveEngine& operator=(const MediaLiveEngine&) = delete;

  // Any thread. Finds or makes the channel's MediaLive resources, then drives them; again for an open
  // channel: nothing (close it first to change them).
  void open_channel(const std::string& lunora_id, ProvisionRequest request);
  // Any thread. What the channel should be: kept until it is provisioned, then handed to its driver.
  void set_desired(const std::string& lunora_id, ChannelDriver::Desired desired);
  // Any thread. Stops driving it (MediaLive is left as it is: a running channel keeps running).
  void close_channel(const std::string& lunora_id);
  // Any thread: every driven channel is looked at now.
  void refresh();
  // Any thread: nothing is being provisioned and every driver is quiet (ChannelDriver::quiet): what MediaLive
  // was asked is answered and the statuses say so.
  bool quiet();
  // Any thread; nullopt for a channel not open.
  std::optional<ChannelStatus> status(const std::string& lunora_id);

 private:
  MediaLiveEngine(std::unique_ptr<aws::AwsClient> client, Options options);
  struct Channel {
    explicit Channel(HourlyRates rates) : cost(rates) {}
    std::string phase = "provisioning";
    std::string error;
    Provisioned resources;
    ChannelDriver::Desired desired;
    bool desired_given = false;  // set_desired() was called: the driver may act
    std::shared_ptr<ChannelDriver> driver;
    CostMeter cost;
    bool hls = false;         // an HLS output group: one output more on the bill
    uint64_t generation = 0;  // which open_channel() a provisioning result belongs to
    int starts_metered = 0;   // the driver's StartChannel count the cost meter has seen
  };
  static boost::asio::awaitable<void> provision_then_drive(MediaLiveEngine* engine, std::string lunora_id,
                                                           ProvisionRequest request, uint64_t generation);
  void provisioned(const std::string& lunora_id, uint64_t generation, Result<Provisioned> result);
  void start_driver(Channel& channel);  // mutex_ held

  const Options options_;
  std::unique_ptr<aws::AwsClient> client_;
  aws::MediaLiveClient medialive_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::mutex mutex_;  // guards channels_ and next_generation_ (control thread and the engine's thread)
  std::map<std::string, Channel> channels_;
  uint64_t next_generation_ = 1;
  bool closing_ = false;  // the destructor runs: no driver starts any more
  std::thread thread_;    // runs io_: every AWS call
};

}  // namespace lunora::engine::medialive
