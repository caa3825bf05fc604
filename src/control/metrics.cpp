// GET /metrics: Prometheus text format (0.0.4). Labels carry ids, names and platforms, never a URL or key.
#include <fmt/format.h>

#include "control/model.hpp"
#include "control/platforms.hpp"

namespace lunora::control {
namespace {

std::string escape_label(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

constexpr const char* kChannelStates[] = {"idle", "starting", "running", "stopping", "error"};
constexpr const char* kDestinationStatuses[] = {"ready", "starting", "streaming", "stopping", "error"};

}  // namespace

Outcome ControlPlane::list_platforms() {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& platform : platforms()) items.push_back(platform_to_json(platform));
  return {200, {{"platforms", items}}};
}

std::string ControlPlane::metrics_text() {
  std::string out;
  header(out, "lunora_channel_state", "gauge", "1 for the channel's current state");
  for (const auto& [id, channel] : channels_) {
    for (const char* state : kChannelStates) {
      out += fmt::format("lunora_channel_state{{channel_id=\"{}\",channel=\"{}\",state=\"{}\"}} {}\n", id,
                         escape_label(channel->record.name), state, channel->record.state == state ? 1 : 0);
    }
  }
  header(out, "lunora_channel_input_connected", "gauge", "1 while a publisher is connected");
  for (const auto& [id, channel] : channels_) {
    out += fmt::format("lunora_channel_input_connected{{channel_id=\"{}\"}} {}\n", id,
                       channel->input.connected ? 1 : 0);
  }
  header(out, "lunora_channel_input_bitrate_kbps", "gauge", "input bitrate over the last second");
  for (const auto& [id, channel] : channels_) {
    out += fmt::format("lunora_channel_input_bitrate_kbps{{channel_id=\"{}\"}} {:.1f}\n", id,
                       channel->input.bitrate_kbps);
  }
  header(out, "lunora_channel_input_bytes_total", "counter", "bytes received from publishers");
  for (const auto& [id, channel] : channels_) {
    out +=
        fmt::format("lunora_channel_input_bytes_total{{channel_id=\"{}\"}} {}\n", id, channel->input.bytes);
  }
  header(out, "lunora_channel_slate_on", "gauge", "1 while the slate stands in for a lost input");
  for (const auto& [id, channel] : channels_) {
    out +=
        fmt::format("lunora_channel_slate_on{{channel_id=\"{}\"}} {}\n", id, channel->input.slate_on ? 1 : 0);
  }
  header(out, "lunora_channel_slate_seconds_total", "counter", "seconds the slate was on the wire");
  for (const auto& [id, channel] : channels_) {
    out += fmt::format("lunora_channel_slate_seconds_total{{channel_id=\"{}\"}} {:.1f}\n", id,
                       channel->input.slate_seconds);
  }
  header(out, "lunora_channel_active_input", "gauge",
         "1 for the input (primary or backup) whose media the destinations get");
  for (const auto& [id, channel] : channels_) {
    const bool backup = channel->input.active == "backup";
    out += fmt::format("lunora_channel_active_input{{channel_id=\"{}\",input=\"primary\"}} {}\n", id,
                       backup ? 0 : 1);
    if (channel->backup) {
      out += fmt::format("lunora_channel_active_input{{channel_id=\"{}\",input=\"backup\"}} {}\n", id,
                         backup ? 1 : 0);
    }
  }
  header(out, "lunora_channel_input_delivering", "gauge", "1 while the input delivers media");
  for (const auto& [id, channel] : channels_) {
    out += fmt::format("lunora_channel_input_delivering{{channel_id=\"{}\",input=\"primary\"}} {}\n", id,
                       channel->input.delivering ? 1 : 0);
    if (channel->input.backup) {
      out += fmt::format("lunora_channel_input_delivering{{channel_id=\"{}\",input=\"backup\"}} {}\n", id,
                         channel->input.backup->delivering ? 1 : 0);
    }
  }
  header(out, "lunora_channel_failovers_total", "counter", "switches from the primary input to the backup");
  for (const auto& [id, channel] : channels_) {
    out +=
        fmt::format("lunora_channel_failovers_total{{channel_id=\"{}\"}} {}\n", id, channel->input.failovers);
  }
  header(out, "lunora_hls_live", "gauge",
         "1 while the channel's HLS playlist lists segments of a live input");
  for (const auto& [id, channel] : channels_) {
    out +=
        fmt::format("lunora_hls_live{{channel_id=\"{}\"}} {}\n", id, channel->hls_status == "live" ? 1 : 0);
  }
  header(out, "lunora_hls_segments_total", "counter", "segments the channel's HLS packager published");
  for (const auto& [id, channel] : channels_) {
    out +=
        fmt::format("lunora_hls_segments_total{{channel_id=\"{}\"}} {}\n", id, channel->hls_report.segments);
  }
  header(out, "lunora_hls_window_bytes", "gauge", "memory held by the segments of the live window");
  for (const auto& [id, channel] : channels_) {
    out += fmt::format("lunora_hls_window_bytes{{channel_id=\"{}\"}} {}\n", id,
                       channel->hls_report.window_bytes);
  }

  header(out, "lunora_destination_status", "gauge", "1 for the destination's current status");
  for (const auto& [id, destination] : destinations_) {
    const auto& record = destination->record;
    for (const char* status : kDestinationStatuses) {
      out += fmt::format(
          "lunora_destination_status{{destination_id=\"{}\",channel_id=\"{}\",destination=\"{}\",platform=\"{"
          "}\","
          "status=\"{}\"}} {}\n",
          id, record.channel_id, escape_label(record.name), record.platform, status,
          record.status == status ? 1 : 0);
    }
  }
  struct Series {
    const char* name;
    const char* type;
    const char* help;
    double (*value)(const engine::OutputReport&);
  };
  const Series series[] = {
      {"lunora_destination_bitrate_kbps", "gauge", "output bitrate over the last second",
       [](const engine::OutputReport& r) { return r.bitrate_kbps; }},
      {"lunora_destination_bytes_sent_total", "counter", "bytes written to the destination",
       [](const engine::OutputReport& r) { return static_cast<double>(r.bytes_sent); }},
      {"lunora_destination_reconnects_total", "counter", "connections after the first",
       [](const engine::OutputReport& r) { return static_cast<double>(r.reconnects); }},
      {"lunora_destination_dropped_packets_total", "counter",
       "packets dropped because the destination fell behind",
       [](const engine::OutputReport& r) { return static_cast<double>(r.dropped_packets); }},
      {"lunora_destination_uptime_seconds", "gauge", "seconds since the current connection went live",
       [](const engine::OutputReport& r) { return static_cast<double>(r.uptime_s); }},
  };
  for (const auto& s : series) {
    header(out, s.name, s.type, s.help);
    for (const auto& [id, destination] : destinations_) {
      const bool live = destination->record.desired_on && destination->in_engine;
      out += fmt::format("{}{{destination_id=\"{}\",channel_id=\"{}\"}} {}\n", s.name, id,
                         destination->record.channel_id, live ? s.value(destination->output) : 0.0);
    }
  }
  medialive_metrics(out);
  rendition_metrics(out);
  return out;
}

// Channels on MediaLive: whether each runs (and bills), and the cost meter's figures.
void ControlPlane::medialive_metrics(std::string& out) const {
  struct Series {
    const char* name;
    const char* type;
    const char* help;
    double (*value)(const engine::MediaLiveReport&);
  };
  static const Series series[] = {
      {"lunora_medialive_running", "gauge", "1 while the channel's MediaLive channel runs (and bills)",
       [](const engine::MediaLiveReport& r) { return r.running ? 1.0 : 0.0; }},
      {"lunora_medialive_running_seconds_total", "counter",
       "time the MediaLive channel ran, as Lunora saw it",
       [](const engine::MediaLiveReport& r) { return r.running_seconds; }},
      {"lunora_medialive_billed_minutes_total", "counter",
       "minutes billed: each start at least 10 (MediaLive's minimum)",
       [](const engine::MediaLiveReport& r) { return static_cast<double>(r.billed_minutes); }},
      {"lunora_medialive_estimated_usd_total", "counter", "estimated cost from the configured hourly rates",
       [](const engine::MediaLiveReport& r) { return r.estimated_usd; }},
      {"lunora_medialive_starts_total", "counter", "runs of the MediaLive channel",
       [](const engine::MediaLiveReport& r) { return static_cast<double>(r.runs); }},
  };
  for (const auto& s : series) {
    header(out, s.name, s.type, s.help);
    for (const auto& [id, channel] : channels_) {
      if (!channel->medialive) continue;
      out += fmt::format("{}{{channel_id=\"{}\",mode=\"{}\"}} {}\n", s.name, id, channel->medialive->mode,
                         s.value(channel->medialive_report));
    }
  }
}

}  // namespace lunora::control
