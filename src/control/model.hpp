// The control plane's in-memory view of one channel and one destination: the stored record (desired and
// reported state), the secrets opened once, and what the engine last reported. Owned by the control thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "control/control_plane.hpp"

namespace lunora::control {

struct ControlPlane::Channel {
  store::ChannelRecord record;
  std::string rtmp_key;    // opened from record.rtmp_key_sealed
  std::string passphrase;  // opened from record.passphrase_sealed
  engine::InputReport input;
  bool input_reported = false;       // the engine reported at least once (the first report is no change)
  bool driven = false;               // this process drives it (several nodes: by lease; lambda: by mode)
  std::string listen_error;          // the ingest could not be opened ("" = fine)
  int64_t next_open_attempt_ms = 0;  // when to try opening it again
  int64_t idle_since_ms = 0;         // when the channel last had no destination on (auto stop); 0 = has some
  bool manual_start = false;         // started by hand (POST .../start): runs without destinations

  // Input loss (issue 6), kept in record.extra_json: the slate goes out after this long without media.
  int input_loss_slate_after_ms = 1000;
  int input_loss_stop_after_s = 0;   // destinations stop after this long on the slate; 0 = never
  std::vector<uint8_t> slate_image;  // the channel's own slate picture (PNG/JPEG; kept as a store setting)
  std::string slate_image_type;      // its Content-Type; "" = the built-in card
  int64_t slate_on_since_ms = 0;     // when the slate last went on (0 = off)

  // Backup input (issue 6), kept in record.extra_json (its RTMP key sealed).
  std::optional<engine::BackupIngestSpec> backup;
  int failover_after_ms = 1000;  // the active input silent this long: the other takes over
  int failback_after_s = 10;     // the primary delivering this long takes over again; 0 = only by hand

  // On MediaLive (issue 8), kept in record.extra_json: the spec (with the ids once MediaLive's resources are
  // made) and the engine's last word on it.
  std::optional<engine::MediaLiveSpec> medialive;
  engine::MediaLiveReport medialive_report;
  std::string relay_url_seen;  // not driven here: the relay URL hint its driver shows (medialive_seen)
  std::string
      playback_base_seen;  // the base URL its driver's viewers use (`lunora lambda`: the relay node's)

  // Renditions (issue 9), kept in record.extra_json: the profiles in the order they were made (names are
  // unique in the channel), and the running ones as the engine last reported them.
  std::vector<engine::RenditionSpec> renditions;
  std::vector<engine::RenditionReport> rendition_reports;

  // Playback (issue 4). The token and `is_public` are kept in record.extra_json (the token sealed).
  std::string playback_token;
  bool is_public = false;                        // plays without the token
  std::shared_ptr<const engine::HlsStream> hls;  // set while the engine packages the channel
  engine::HlsReport hls_report;                  // the engine's last word on it
  std::string hls_start_error;                   // why start_hls failed ("" = it did not)
  std::string hls_status = "off";                // off|starting|live|error, as last announced
  // When a viewer last asked for the playlist (ms since the epoch; 0 = never). Written by HTTP threads
  // through the playback snapshot, read by the reconciler: shared by every copy of this channel.
  std::shared_ptr<std::atomic<int64_t>> last_watched_ms = std::make_shared<std::atomic<int64_t>>(0);
};

struct ControlPlane::Destination {
  store::DestinationRecord record;
  std::string stream_key;       // opened from record.stream_key_sealed
  std::string url;              // the full URL, opened from record.url_sealed
  std::string status_detail;    // "waiting for input", "connecting", ... (kept in record.extra_json)
  std::string rendition;        // the channel's rendition it sends ("" = the input as it comes; extra_json)
  engine::OutputReport output;  // last engine report (stats)
  bool in_engine = false;       // start_output was issued for the current desired state
  uint64_t generation = 0;      // bumped by every start/stop: late completions of older ones are ignored

  // The JSON of the last snapshot and what it was built from (rebuilt only when that changes).
  std::shared_ptr<const std::string> json_text;
  std::tuple<int64_t, bool, std::string, uint64_t, double, uint64_t, uint32_t, uint64_t, std::string>
      json_source;  // the last element: its platform warnings (they follow the input's health)
};

// Renditions as kept in a channel's extra_json, and whether a report's change is worth an event
// (rendition_commands.cpp).
engine::RenditionSpec rendition_from_stored(const nlohmann::json& stored);
nlohmann::json rendition_stored_json(const engine::RenditionSpec& spec);
bool renditions_moved(const std::vector<engine::RenditionReport>& before,
                      const std::vector<engine::RenditionReport>& after);

}  // namespace lunora::control
