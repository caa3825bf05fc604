#include "control/medialive_settings.hpp"

#include <algorithm>
#include <cctype>

namespace lunora::control {
namespace {

bool all_digits(const std::string& text) {
  return !text.empty() && text.size() <= 32 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// "a.b.c.d/n", the form MediaLive's input security group rules take.
bool is_ipv4_cidr(const std::string& text) {
  int a = 0, b = 0, c = 0, d = 0, bits = 0;
  char end = 0;
  if (std::sscanf(text.c_str(), "%d.%d.%d.%d/%d%c", &a, &b, &c, &d, &bits, &end) != 5) return false;
  return std::max({a, b, c, d}) <= 255 && std::min({a, b, c, d}) >= 0 && bits >= 0 && bits <= 32;
}

Problem read_input(const nlohmann::json& input, engine::MediaLiveSpec& spec) {
  if (!input.is_object()) return validation_failed("medialive.input", "medialive.input must be an object");
  if (auto p = only_fields(
          input,
          {"type", "srt_address", "srt_port", "stream_id", "latency_ms", "rtmp_stream", "allowed_cidr"},
          "medialive.input.")) {
    return p;
  }
  const auto& type = input.value("type", nlohmann::json("SRT_CALLER"));
  if (type != "SRT_CALLER" && type != "RTMP_PUSH") {
    return validation_failed("medialive.input.type",
                             "medialive.input.type must be \"SRT_CALLER\" or \"RTMP_PUSH\"");
  }
  spec.input_type = type.get<std::string>();
  if (spec.input_type == "SRT_CALLER") {
    // MediaLive calls the encoder: it needs the address and port of the encoder's SRT listener.
    if (!input.contains("srt_address") || !input.contains("srt_port")) {
      return validation_failed(
          input.contains("srt_address") ? "medialive.input.srt_port" : "medialive.input.srt_address",
          "an SRT_CALLER input needs srt_address and srt_port: the encoder's SRT listener, "
          "which MediaLive calls");
    }
    if (auto p = check_name(input["srt_address"], "medialive.input.srt_address", 255)) return p;
    if (auto p = check_int(input["srt_port"], "medialive.input.srt_port", 1, 65535)) return p;
    spec.srt_address = input["srt_address"].get<std::string>();
    spec.srt_port = input["srt_port"].get<int>();
    if (input.contains("stream_id")) {
      if (auto p = check_string(input["stream_id"], "medialive.input.stream_id", 512)) return p;
      spec.srt_stream_id = input["stream_id"].get<std::string>();
    }
    if (input.contains("latency_ms")) {
      if (auto p = check_int(input["latency_ms"], "medialive.input.latency_ms", 120, 15000)) return p;
      spec.srt_latency_ms = input["latency_ms"].get<int>();
    }
    return std::nullopt;
  }
  if (input.contains("rtmp_stream")) {
    if (auto p = check_name(input["rtmp_stream"], "medialive.input.rtmp_stream", 255)) return p;
    const auto stream = input["rtmp_stream"].get<std::string>();
    const auto slash = stream.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == stream.size() ||
        stream.find('/', slash + 1) != std::string::npos) {
      return validation_failed(
          "medialive.input.rtmp_stream",
          "medialive.input.rtmp_stream must be \"app/instance\" (the push URL's last two parts)");
    }
    spec.rtmp_stream = stream;
  }
  if (input.contains("allowed_cidr")) {
    const auto& cidr = input["allowed_cidr"];
    if (!cidr.is_string() || !is_ipv4_cidr(cidr.get<std::string>())) {
      return validation_failed("medialive.input.allowed_cidr",
                               "medialive.input.allowed_cidr must be an IPv4 CIDR such as 203.0.113.0/24");
    }
    spec.allowed_cidr = cidr.get<std::string>();
  }
  return std::nullopt;
}

Problem read_hls(const nlohmann::json& hls, engine::MediaLiveSpec& spec) {
  if (!hls.is_object()) return validation_failed("medialive.hls", "medialive.hls must be an object");
  if (auto p = only_fields(hls, {"s3_url", "playback_url"}, "medialive.hls.")) return p;
  if (!hls.contains("s3_url") || !hls.contains("playback_url")) {
    return validation_failed(hls.contains("s3_url") ? "medialive.hls.playback_url" : "medialive.hls.s3_url",
                             "medialive.hls needs s3_url (where MediaLive writes) and playback_url (where "
                             "viewers read)");
  }
  if (auto p = check_string(hls["s3_url"], "medialive.hls.s3_url", 1024)) return p;
  if (auto p = check_string(hls["playback_url"], "medialive.hls.playback_url", 2048)) return p;
  const auto s3 = hls["s3_url"].get<std::string>();
  const auto playback = hls["playback_url"].get<std::string>();
  if (!s3.starts_with("s3://") && !s3.starts_with("s3ssl://")) {
    return validation_failed("medialive.hls.s3_url", "medialive.hls.s3_url must be s3://bucket/path/name");
  }
  if (!playback.starts_with("https://") && !playback.starts_with("http://")) {
    return validation_failed("medialive.hls.playback_url",
                             "medialive.hls.playback_url must be an http(s) URL");
  }
  spec.hls_s3_url = s3;
  spec.hls_playback_url = playback;
  return std::nullopt;
}

}  // namespace

Problem read_medialive_settings(const nlohmann::json& body, engine::MediaLiveSpec& spec,
                                const std::string& default_role_arn) {
  if (!body.is_object()) return validation_failed("medialive", "medialive must be an object");
  if (auto p =
          only_fields(body, {"mode", "channel_id", "input_id", "role_arn", "input", "hls"}, "medialive.")) {
    return p;
  }
  const auto& mode = body.value("mode", nlohmann::json("hybrid"));
  if (mode != "direct" && mode != "hybrid") {
    return validation_failed("medialive.mode", "medialive.mode must be \"direct\" or \"hybrid\"");
  }
  spec.mode = mode.get<std::string>();
  for (const char* field : {"channel_id", "input_id"}) {
    if (!body.contains(field)) continue;
    const auto& id = body[field];
    if (!id.is_string() || !all_digits(id.get<std::string>())) {
      return validation_failed(std::string("medialive.") + field,
                               std::string("medialive.") + field + " must be a MediaLive id (digits)");
    }
    (field == std::string("channel_id") ? spec.channel_id : spec.input_id) = id.get<std::string>();
  }
  const bool adopt = !spec.channel_id.empty();
  if (body.contains("role_arn")) {
    if (auto p = check_string(body["role_arn"], "medialive.role_arn", 2048)) return p;
    spec.role_arn = body["role_arn"].get<std::string>();
    if (!spec.role_arn.starts_with("arn:")) {
      return validation_failed("medialive.role_arn",
                               "medialive.role_arn must be an IAM role ARN (arn:aws:iam::...)");
    }
  } else if (!default_role_arn.empty()) {
    spec.role_arn = default_role_arn;
  } else if (!adopt) {
    return validation_failed(
        "medialive.role_arn",
        "medialive.role_arn is required: the IAM role MediaLive assumes (README), unless "
        "LUNORA_MEDIALIVE_ROLE_ARN names a default");
  }
  if (body.contains("input")) {
    if (adopt) {
      return validation_failed("medialive.input",
                               "an adopted channel (medialive.channel_id) keeps its own input");
    }
    if (auto p = read_input(body["input"], spec)) return p;
  } else if (!adopt && spec.input_id.empty()) {
    return validation_failed("medialive.input",
                             "medialive.input is required: how the encoder's feed reaches MediaLive");
  }
  if (body.contains("hls") && !body["hls"].is_null()) {
    if (auto p = read_hls(body["hls"], spec)) return p;
  } else if (spec.mode == "direct" && !adopt) {
    // A MediaLive channel needs an output at all times (its encodes must feed one), and a direct channel's
    // destinations come and go: its HLS group is the output that stays. (Hybrid: the relay stays.)
    return validation_failed("medialive.hls",
                             "a channel in direct mode needs medialive.hls (s3_url, playback_url): MediaLive "
                             "keeps no channel without an output, and destinations come and go");
  }
  return std::nullopt;
}

nlohmann::json medialive_settings_json(const engine::MediaLiveSpec& spec) {
  nlohmann::json input = {{"type", spec.input_type}};
  if (spec.input_type == "SRT_CALLER") {
    input["srt_address"] = spec.srt_address;
    input["srt_port"] = spec.srt_port;
    input["stream_id"] = spec.srt_stream_id;
    input["latency_ms"] = spec.srt_latency_ms;
  } else {
    input["rtmp_stream"] = spec.rtmp_stream;
    input["allowed_cidr"] = spec.allowed_cidr;
  }
  nlohmann::json hls = nullptr;
  if (!spec.hls_s3_url.empty()) hls = {{"s3_url", spec.hls_s3_url}, {"playback_url", spec.hls_playback_url}};
  const auto id_or_null = [](const std::string& id) {
    return id.empty() ? nlohmann::json(nullptr) : nlohmann::json(id);
  };
  return {{"mode", spec.mode},
          {"channel_id", id_or_null(spec.channel_id)},
          {"input_id", id_or_null(spec.input_id)},
          {"role_arn", spec.role_arn},
          {"input", input},
          {"hls", hls}};
}

engine::MediaLiveSpec medialive_settings_from(const nlohmann::json& stored) {
  engine::MediaLiveSpec spec;
  const auto text = [&stored](const char* key) {
    const auto it = stored.find(key);
    return it != stored.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  spec.mode = text("mode");
  spec.channel_id = text("channel_id");
  spec.input_id = text("input_id");
  spec.role_arn = text("role_arn");
  if (const auto input = stored.find("input"); input != stored.end() && input->is_object()) {
    spec.input_type = input->value("type", std::string("SRT_CALLER"));
    spec.srt_address = input->value("srt_address", std::string());
    spec.srt_port = input->value("srt_port", 0);
    spec.srt_stream_id = input->value("stream_id", std::string());
    spec.srt_latency_ms = input->value("latency_ms", 120);
    spec.rtmp_stream = input->value("rtmp_stream", std::string("live/lunora"));
    spec.allowed_cidr = input->value("allowed_cidr", std::string("0.0.0.0/0"));
  }
  if (const auto hls = stored.find("hls"); hls != stored.end() && hls->is_object()) {
    spec.hls_s3_url = hls->value("s3_url", std::string());
    spec.hls_playback_url = hls->value("playback_url", std::string());
  }
  return spec;
}

nlohmann::json medialive_seen_json(const engine::MediaLiveReport& seen, const std::string& relay_url) {
  return {{"phase", seen.phase},
          {"error", seen.error},
          {"channel_id", seen.channel_id},
          {"input_id", seen.input_id},
          {"input_urls", seen.input_urls},
          {"state", seen.state},
          {"activity", seen.activity},
          {"restart_pending", seen.restart_pending},
          {"pushes", seen.pushes},
          {"running", seen.running},
          {"running_seconds", seen.running_seconds},
          {"billed_minutes", seen.billed_minutes},
          {"estimated_usd", seen.estimated_usd},
          {"runs", seen.runs},
          {"relay_url", relay_url}};
}

engine::MediaLiveReport medialive_seen_from(const nlohmann::json& stored, std::string& relay_url) {
  engine::MediaLiveReport seen;
  if (!stored.is_object()) return seen;
  const auto text = [&stored](const char* key) {
    const auto it = stored.find(key);
    return it != stored.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const auto texts = [&stored](const char* key) {
    std::vector<std::string> out;
    if (const auto it = stored.find(key); it != stored.end() && it->is_array()) {
      for (const auto& item : *it) {
        if (item.is_string()) out.push_back(item.get<std::string>());
      }
    }
    return out;
  };
  const auto number = [&stored](const char* key) {
    const auto it = stored.find(key);
    return it != stored.end() && it->is_number() ? it->get<double>() : 0.0;
  };
  seen.phase = text("phase");
  seen.error = text("error");
  seen.channel_id = text("channel_id");
  seen.input_id = text("input_id");
  seen.input_urls = texts("input_urls");
  seen.state = text("state");
  seen.activity = text("activity");
  seen.restart_pending = stored.value("restart_pending", false) == true;
  seen.pushes = texts("pushes");
  seen.running = stored.value("running", false) == true;
  seen.running_seconds = number("running_seconds");
  seen.billed_minutes = static_cast<int64_t>(number("billed_minutes"));
  seen.estimated_usd = number("estimated_usd");
  seen.runs = static_cast<int>(number("runs"));
  relay_url = text("relay_url");
  return seen;
}

}  // namespace lunora::control
