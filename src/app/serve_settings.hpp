// Settings of `lunora serve`: flags, then LUNORA_* environment variables, then the TOML config file, then
// defaults (issue 3). Each value remembers where it came from, so the start banner can say.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace lunora::app {

struct ServeSettings {
  std::string data_dir = "./data";
  std::string http = "127.0.0.1:8080";
  std::string rtmp = "0.0.0.0:1935";
  std::string public_host;    // host in ingest URLs; default: the RTMP host, or 127.0.0.1 for 0.0.0.0
  std::string public_url;     // base of playback URLs; default http://<public host>:<HTTP port>
  std::string web_dir;        // the built browser assets (web/dist); default: the source tree's
  int srt_port = 9000;        // the `main` channel's SRT port; new channels take the next free one
  std::string api_token;      // admin token (LUNORA_API_TOKEN); "" = generated on first start
  std::string secret_key;     // LUNORA_SECRET_KEY; "" = <data-dir>/secret.key
  bool insecure_tls = false;  // accept any certificate from RTMPS destinations (test servers)
  int backoff_initial_ms = 1000;
  int backoff_cap_ms = 30000;
  int threads = 2;
  // "sqlite" (<data-dir>/lunora.db) or "dynamodb:TABLE" (AWS configuration from the environment).
  std::string store = "sqlite";
  bool create_table = false;  // dynamodb: create the table when it does not exist
  int lease_ms = 10000;       // dynamodb: how long the active node's lease lasts without a renewal
  std::string node_url;       // dynamodb: where the other nodes reach this one's API; default from --http
  // MediaLive (issue 8).
  std::string public_rtmp_url;  // where MediaLive pushes hybrid channels' relay; default rtmp://<public host>
  int medialive_poll_moving_ms = 5000;          // DescribeChannel while a channel moves
  int medialive_poll_steady_ms = 30000;         // ... while it is steady
  int medialive_batch_window_ms = 10000;        // changes within it share one restart (direct mode)
  double medialive_input_usd_per_hour = 0.294;  // the cost meter's rates (us-east-1, HD AVC input)
  double medialive_output_usd_per_hour = 0.702;
  std::string medialive_role_arn;  // the role of channels made on MediaLive without medialive.role_arn
  // Serverless (issue 10). serve: this node is the relay node of a `lunora lambda` deployment on the same
  // table (drives the channels with a local part, leaves MediaLive direct ones to the function).
  bool lambda_relay = false;
  // lambda: that relay node's API (http:// or https://); "" = hybrid and local channels are refused.
  std::string relay_node_url;
};

// One source's values: key -> text, keys as in the TOML file (data_dir, http, rtmp, ...).
using SettingValues = std::map<std::string, std::string>;

// Reads `LUNORA_<KEY>` for every known key.
SettingValues settings_from_env();
// Reads the TOML file (top-level keys); an error names the file and line.
Result<SettingValues> settings_from_toml(const std::string& path);
// Applies sources in order of precedence (first wins) over the defaults; an error names the key and source.
Result<ServeSettings> merge_settings(const SettingValues& flags, const SettingValues& env,
                                     const SettingValues& file);

// The settings `lunora serve` would run with: `flags`, then the environment, then the TOML file (`config`, or
// LUNORA_CONFIG when empty). Also read by commands that look at a server's data (`lunora medialive plan`).
Result<ServeSettings> load_serve_settings(const SettingValues& flags, const std::string& config);

// host:port -> parts (an error says what is wrong).
Result<std::pair<std::string, uint16_t>> split_host_port(const std::string& text, const std::string& what);

}  // namespace lunora::app
