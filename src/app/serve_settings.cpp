#include "app/serve_settings.hpp"

#include <cpptoml.h>
#include <fmt/format.h>

#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <vector>

namespace lunora::app {
namespace {

struct Key {
  const char* name;
  std::function<Status(ServeSettings&, const std::string&)> apply;
};

Status parse_int(const std::string& text, int min, int max, int& out, const std::string& key) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < min || value > max) {
    return Error(ErrorCode::kInvalidArgument, key + ": expected a whole number from " + std::to_string(min) +
                                                  " to " + std::to_string(max) + ", got \"" + text + "\"");
  }
  out = static_cast<int>(value);
  return ok_status();
}

// US dollars per hour: a plain decimal number, 0 to 1000.
Status parse_rate(const std::string& text, double& out, const std::string& key) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(value >= 0 && value <= 1000)) {
    return Error(ErrorCode::kInvalidArgument,
                 key + ": expected US dollars per hour such as 0.702 (0 to 1000), got \"" + text + "\"");
  }
  out = value;
  return ok_status();
}

Status parse_bool(const std::string& text, bool& out, const std::string& key) {
  if (text == "1" || text == "true" || text == "yes") {
    out = true;
  } else if (text == "0" || text == "false" || text == "no" || text.empty()) {
    out = false;
  } else {
    return Error(ErrorCode::kInvalidArgument, key + ": expected true or false, got \"" + text + "\"");
  }
  return ok_status();
}

// DynamoDB's rule for table names: 3 to 255 of letters, digits, '_', '-' and '.'.
bool is_table_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 255) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
  });
}

Status check_store(const std::string& value) {
  constexpr std::string_view kDynamoDb = "dynamodb:";
  if (value == "sqlite") return ok_status();
  if (value.starts_with(kDynamoDb) && is_table_name(std::string_view(value).substr(kDynamoDb.size()))) {
    return ok_status();
  }
  return Error(
      ErrorCode::kInvalidArgument,
      "store: expected sqlite or dynamodb:TABLE (a DynamoDB table name: 3 to 255 letters, digits, _ - "
      "or .), got \"" +
          value + "\"");
}

const std::vector<Key>& keys() {
  static const std::vector<Key> list = {
      {"data_dir",
       [](ServeSettings& s, const std::string& v) {
         s.data_dir = v;
         return ok_status();
       }},
      {"http",
       [](ServeSettings& s, const std::string& v) -> Status {
         if (auto hp = split_host_port(v, "http"); !hp) return hp.error();
         s.http = v;
         return ok_status();
       }},
      {"rtmp",
       [](ServeSettings& s, const std::string& v) -> Status {
         if (auto hp = split_host_port(v, "rtmp"); !hp) return hp.error();
         s.rtmp = v;
         return ok_status();
       }},
      {"public_host",
       [](ServeSettings& s, const std::string& v) {
         s.public_host = v;
         return ok_status();
       }},
      {"public_url",
       [](ServeSettings& s, const std::string& v) -> Status {
         if (!v.starts_with("http://") && !v.starts_with("https://")) {
           return Error(
               ErrorCode::kInvalidArgument,
               "public_url: expected an http:// or https:// URL such as https://live.example.com, got \"" +
                   v + "\"");
         }
         s.public_url = v;
         while (s.public_url.size() > 8 && s.public_url.back() == '/') s.public_url.pop_back();
         return ok_status();
       }},
      {"web_dir",
       [](ServeSettings& s, const std::string& v) {
         s.web_dir = v;
         return ok_status();
       }},
      {"srt_port", [](ServeSettings& s,
                      const std::string& v) { return parse_int(v, 1024, 65535, s.srt_port, "srt_port"); }},
      {"api_token",
       [](ServeSettings& s, const std::string& v) -> Status {
         if (v.size() < 16) {
           return Error(ErrorCode::kInvalidArgument, "api_token: use at least 16 characters");
         }
         s.api_token = v;
         return ok_status();
       }},
      {"secret_key",
       [](ServeSettings& s, const std::string& v) {
         s.secret_key = v;
         return ok_status();
       }},
      {"insecure_tls",
       [](ServeSettings& s, const std::string& v) { return parse_bool(v, s.insecure_tls, "insecure_tls"); }},
      {"backoff_initial_ms",
       [](ServeSettings& s, const std::string& v) {
         return parse_int(v, 10, 600000, s.backoff_initial_ms, "backoff_initial_ms");
       }},
      {"backoff_cap_ms",
       [](ServeSettings& s, const std::string& v) {
         return parse_int(v, 10, 3600000, s.backoff_cap_ms, "backoff_cap_ms");
       }},
      {"threads",
       [](ServeSettings& s, const std::string& v) { return parse_int(v, 1, 64, s.threads, "threads"); }},
      {"store",
       [](ServeSettings& s, const std::string& v) -> Status {
         if (auto checked = check_store(v); !checked) return checked;
         s.store = v;
         return ok_status();
       }},
      {"create_table",
       [](ServeSettings& s, const std::string& v) { return parse_bool(v, s.create_table, "create_table"); }},
      {"lease_ms", [](ServeSettings& s,
                      const std::string& v) { return parse_int(v, 1000, 600000, s.lease_ms, "lease_ms"); }},
      {"node_url",
       [](ServeSettings& s, const std::string& v) -> Status {
         if (!v.starts_with("http://")) {
           return Error(
               ErrorCode::kInvalidArgument,
               "node_url: expected the http:// URL the other nodes reach this node's API at, such as "
               "http://10.0.1.7:8080, got \"" +
                   v + "\"");
         }
         s.node_url = v;
         return ok_status();
       }},
      {"public_rtmp_url",
       [](ServeSettings& s, const std::string& v) -> Status {
         if ((!v.starts_with("rtmp://") && !v.starts_with("rtmps://")) || v.ends_with("/")) {
           return Error(
               ErrorCode::kInvalidArgument,
               "public_rtmp_url: expected the rtmp://host[:port]/app URL MediaLive reaches this node's "
               "RTMP ingest at, such as rtmp://lunora.example.com:1935/live, got \"" +
                   v + "\"");
         }
         s.public_rtmp_url = v;
         return ok_status();
       }},
      {"medialive_poll_moving_ms",
       [](ServeSettings& s, const std::string& v) {
         return parse_int(v, 100, 600000, s.medialive_poll_moving_ms, "medialive_poll_moving_ms");
       }},
      {"medialive_poll_steady_ms",
       [](ServeSettings& s, const std::string& v) {
         return parse_int(v, 100, 3600000, s.medialive_poll_steady_ms, "medialive_poll_steady_ms");
       }},
      {"medialive_batch_window_ms",
       [](ServeSettings& s, const std::string& v) {
         return parse_int(v, 0, 600000, s.medialive_batch_window_ms, "medialive_batch_window_ms");
       }},
      {"medialive_input_usd_per_hour",
       [](ServeSettings& s, const std::string& v) {
         return parse_rate(v, s.medialive_input_usd_per_hour, "medialive_input_usd_per_hour");
       }},
      {"medialive_output_usd_per_hour",
       [](ServeSettings& s, const std::string& v) {
         return parse_rate(v, s.medialive_output_usd_per_hour, "medialive_output_usd_per_hour");
       }},
      {"medialive_role_arn",
       [](ServeSettings& s, const std::string& v) -> Status {
         if (!v.starts_with("arn:")) {
           return Error(ErrorCode::kInvalidArgument,
                        "medialive_role_arn: expected an IAM role ARN (arn:aws:iam::...), got \"" + v + "\"");
         }
         s.medialive_role_arn = v;
         return ok_status();
       }},
      {"lambda_relay",
       [](ServeSettings& s, const std::string& v) { return parse_bool(v, s.lambda_relay, "lambda_relay"); }},
      {"relay_node_url",
       [](ServeSettings& s, const std::string& v) -> Status {
         s.relay_node_url.clear();
         if (v.empty()) return ok_status();  // none (the template's default)
         auto url = boost::urls::parse_uri(v);
         if (!url || (url->scheme() != "http" && url->scheme() != "https") || url->host().empty() ||
             (!url->path().empty() && url->path() != "/")) {
           return Error(ErrorCode::kInvalidArgument,
                        "relay_node_url: expected the http:// or https:// base URL of the relay node's API, "
                        "such as https://relay.example.com, got \"" +
                            v + "\"");
         }
         s.relay_node_url = v;
         if (s.relay_node_url.ends_with('/')) s.relay_node_url.pop_back();
         return ok_status();
       }},
  };
  return list;
}

}  // namespace

Result<ServeSettings> load_serve_settings(const SettingValues& flags, const std::string& config) {
  std::string path = config;
  if (path.empty()) {
    if (const char* env = std::getenv("LUNORA_CONFIG")) path = env;
  }
  SettingValues file;
  if (!path.empty()) {
    auto loaded = settings_from_toml(path);
    if (!loaded) return loaded.error();
    file = std::move(*loaded);
  }
  return merge_settings(flags, settings_from_env(), file);
}

Result<std::pair<std::string, uint16_t>> split_host_port(const std::string& text, const std::string& what) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Error(ErrorCode::kInvalidArgument,
                 what + ": expected HOST:PORT such as 127.0.0.1:8080, got \"" + text + "\"");
  }
  int port = 0;
  if (auto parsed = parse_int(text.substr(colon + 1), 0, 65535, port, what); !parsed) return parsed.error();
  return std::make_pair(text.substr(0, colon), static_cast<uint16_t>(port));
}

SettingValues settings_from_env() {
  SettingValues values;
  for (const auto& key : keys()) {
    std::string name = "LUNORA_";
    for (const char* c = key.name; *c != '\0'; ++c) name += static_cast<char>(std::toupper(*c));
    if (const char* value = std::getenv(name.c_str())) values[key.name] = value;
  }
  return values;
}

Result<SettingValues> settings_from_toml(const std::string& path) {
  std::shared_ptr<cpptoml::table> table;
  try {
    table = cpptoml::parse_file(path);
  } catch (const cpptoml::parse_exception& e) {
    return Error(ErrorCode::kParse, "config " + path + ": " + e.what());
  }
  SettingValues values;
  for (const auto& [name, value] : *table) {
    bool known = false;
    for (const auto& key : keys()) known = known || name == key.name;
    if (!known) {
      return Error(ErrorCode::kInvalidArgument, fmt::format("config {}: unknown setting \"{}\"", path, name));
    }
    if (auto text = value->as<std::string>()) {
      values[name] = text->get();
    } else if (auto number = value->as<int64_t>()) {
      values[name] = std::to_string(number->get());
    } else if (auto flag = value->as<bool>()) {
      values[name] = flag->get() ? "true" : "false";
    } else if (auto real = value->as<double>()) {
      values[name] = std::to_string(real->get());  // the hourly rates (0.702)
    } else {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("config {}: \"{}\" must be a string, number or boolean", path, name));
    }
  }
  return values;
}

Result<ServeSettings> merge_settings(const SettingValues& flags, const SettingValues& env,
                                     const SettingValues& file) {
  ServeSettings settings;
  for (const auto& key : keys()) {
    const std::pair<const SettingValues*, const char*> sources[] = {
        {&flags, "flag"}, {&env, "environment"}, {&file, "config file"}};
    for (const auto& [source, label] : sources) {
      auto it = source->find(key.name);
      if (it == source->end()) continue;
      if (auto applied = key.apply(settings, it->second); !applied) {
        return applied.error().wrap(std::string(label));
      }
      break;
    }
  }
  return settings;
}

}  // namespace lunora::app
