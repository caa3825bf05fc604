// The Engine the control plane talks to: each channel's calls go to the engine that runs it (issue 8). A
// channel without a MediaLive spec runs on the local engine. A channel on MediaLive in `direct` mode has no
// local part: its outputs are the MediaLive channel's RTMP pushes. In `hybrid` mode its ingest and outputs
// are local, and MediaLive pushes one fixed RTMP output (the relay) into that ingest while any output is on.
//
// Threading: every call comes from the control thread (engine.hpp), so the router's own state needs no
// lock; the MediaLive engine does its AWS work on its own thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/backoff.hpp"
#include "engine/engine.hpp"
#include "engine/medialive/medialive_engine.hpp"

namespace lunora::engine {

// A destination's publish URL as a MediaLive RTMP destination: everything up to the last '/' is the URL,
// the rest is the stream name. Only rtmp:// and rtmps:// (what MediaLive's RTMP output pushes to).
Result<medialive::RtmpPush> rtmp_push_of(const std::string& destination_id, const std::string& url);

class EngineRouter final : public Engine {
 public:
  // `medialive` may be null: then `medialive_unavailable` says why, and a channel on MediaLive cannot open.
  EngineRouter(Engine& local, std::unique_ptr<medialive::MediaLiveEngine> medialive,
               std::string medialive_unavailable);
  ~EngineRouter() override;
  EngineRouter(const EngineRouter&) = delete;
  EngineRouter& operator=(const EngineRouter&) = delete;

  Status open_channel(const IngestSpec& spec) override;
  void close_channel(const std::string& channel_id, std::function<void()> done) override;
  void release_channel(const std::string& channel_id) override;
  Status switch_input(const std::string& channel_id, const std::string& to) override;
  Status start_output(const std::string& channel_id, const OutputSpec& spec) override;
  void stop_output(const std::string& channel_id, const std::string& destination_id,
                   std::function<void()> done) override;
  Result<std::shared_ptr<const HlsStream>> start_hls(const std::string& channel_id) override;
  void stop_hls(const std::string& channel_id) override;
  void set_started(const std::string& channel_id, bool started) override;
  void allow_restart(const std::string& channel_id) override;
  std::vector<ChannelReport> report() override;
  void shutdown(std::function<void()> done) override;

 private:
  struct MediaLiveChannel {
    MediaLiveSpec spec;
    std::map<std::string, medialive::RtmpPush> pushes;  // direct: the outputs on, by destination id
    std::map<std::string, bool> local_outputs;          // hybrid: the local outputs on
    bool started = false;                               // runs with no output on (started by hand)
    // Opened and not reported yet: MediaLive is told nothing until the control plane restored the outputs
    // that were on (an empty wish would stop a running channel on a restart of Lunora or a takeover).
    bool fresh = true;
    bool restart_allowed = false;  // the pending change may restart it (cleared once it is applied)
    // Direct: outputs stopped but maybe still pushed; each `done` runs once MediaLive no longer pushes it.
    std::vector<std::pair<std::string, std::function<void()>>> stopping;
    // Closed: kept until MediaLive stopped the channel (then `closed` runs and the entry goes).
    bool closing = false;
    std::function<void()> closed;
    // Provisioning failed (AWS unreachable, a refusal): tried again with backoff, since the creates are
    // idempotent and a refusal may be fixed in the account meanwhile.
    Backoff provision_backoff{BackoffPolicy{std::chrono::seconds(10), std::chrono::minutes(5), 2.0}};
    std::optional<std::chrono::steady_clock::time_point> provision_retry_at;
  };
  void retry_provisioning(const std::string& channel_id, MediaLiveChannel& channel,
                          const MediaLiveReport& report);
  bool direct(const std::string& channel_id) const;
  void push_desired(const std::string& channel_id, MediaLiveChannel& channel);
  static ChannelReport direct_report(const std::string& channel_id, const MediaLiveChannel& channel,
                                     const MediaLiveReport& medialive,
                                     const std::vector<medialive::RtmpPush>& outputs);
  // Moves the `done`s whose wait is over to `done`; true when a closing channel may go. `outputs`: what
  // MediaLive pushes now, with URLs and keys.
  static bool settle(MediaLiveChannel& channel, const MediaLiveReport& medialive,
                     const std::vector<medialive::RtmpPush>& outputs,
                     std::vector<std::function<void()>>& done);

  Engine& local_;
  std::unique_ptr<medialive::MediaLiveEngine> medialive_;
  const std::string medialive_unavailable_;
  std::map<std::string, MediaLiveChannel> medialive_channels_;  // control thread only
};

}  // namespace lunora::engine
