// A channel's slate picture (issue 6): uploaded as PNG or JPEG, checked by decoding it, kept in the store (a
// setting, not the channel record, so that events and lists never carry megabytes), and handed to the engine.
#include <sodium.h>
#include <spdlog/spdlog.h>

#include "control/model.hpp"

namespace lunora::control {
namespace {

std::string setting_key(const std::string& channel_id) {
  return "slate_image:" + channel_id;
}

std::string to_base64(const std::vector<uint8_t>& bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::vector<uint8_t>> from_base64(const std::string& text) {
  std::vector<uint8_t> out(text.size());
  size_t length = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

// "image/png; charset=x" -> "image/png"; "" when it is no picture type the slate takes.
std::string picture_type(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  return type == "image/png" || type == "image/jpeg" ? type : "";
}

}  // namespace

void ControlPlane::load_slate_image(Channel& channel) {
  auto stored = store_.get_setting(setting_key(channel.record.id));
  if (!stored || !*stored || (*stored)->empty()) return;
  const std::string& text = **stored;
  const auto newline = text.find('\n');
  auto bytes = newline == std::string::npos ? std::nullopt : from_base64(text.substr(newline + 1));
  if (!bytes) {
    spdlog::warn("event=slate_image_unreadable channel={}", channel.record.id);
    return;
  }
  channel.slate_image_type = text.substr(0, newline);
  channel.slate_image = std::move(*bytes);
}

Outcome ControlPlane::set_slate_image(const std::string& id, const std::string& content_type,
                                      const std::string& body) {
  Channel* channel = find_channel_synced(id);
  if (channel == nullptr) return not_found("no channel with id " + id);
  if (auto elsewhere = forward_if_elsewhere(id)) return *elsewhere;
  const std::string type = picture_type(content_type);
  if (type.empty()) {
    return error_outcome(415, "unsupported_media_type",
                         "send the slate picture as image/png or image/jpeg (the file's bytes as the body)");
  }
  std::vector<uint8_t> bytes(body.begin(), body.end());
  if (bytes.empty()) return validation_failed("body", "the slate picture is empty");
  if (auto valid = engine::validate_slate_image(bytes); !valid) {
    return validation_failed("body", valid.error().message());
  }
  if (auto stored = store_.put_setting(setting_key(id), type + "\n" + to_base64(bytes)); !stored) {
    last_store_error_ = stored.error().message();
    return store_failed();
  }
  Channel updated = *channel;
  updated.slate_image = std::move(bytes);
  updated.slate_image_type = type;
  if (!save_channel(updated)) return store_failed();
  *channel = std::move(updated);
  (void)engine_.open_channel(ingest_spec(*channel));  // the same ingest: only the slate's picture changes
  spdlog::info("event=slate_image_set channel={} type={} bytes={}", id, type, channel->slate_image.size());
  return {200, channel_json(*channel)};
}

std::optional<std::pair<std::string, std::string>> ControlPlane::slate_image(const std::string& id) {
  Channel* channel = find_channel(id);
  if (channel == nullptr) return std::nullopt;
  if (channel->slate_image.empty()) {
    const auto card = engine::default_slate_image();
    return std::make_pair(std::string("image/png"), std::string(card.begin(), card.end()));
  }
  return std::make_pair(channel->slate_image_type,
                        std::string(channel->slate_image.begin(), channel->slate_image.end()));
}

Outcome ControlPlane::clear_slate_image(const std::string& id) {
  Channel* channel = find_channel_synced(id);
  if (channel == nullptr) return not_found("no channel with id " + id);
  if (auto elsewhere = forward_if_elsewhere(id)) return *elsewhere;
  if (channel->slate_image.empty()) return {200, channel_json(*channel)};
  if (auto stored = store_.put_setting(setting_key(id), ""); !stored) {
    last_store_error_ = stored.error().message();
    return store_failed();
  }
  Channel updated = *channel;
  updated.slate_image.clear();
  updated.slate_image_type.clear();
  if (!save_channel(updated)) return store_failed();
  *channel = std::move(updated);
  (void)engine_.open_channel(ingest_spec(*channel));
  spdlog::info("event=slate_image_cleared channel={}", id);
  return {200, channel_json(*channel)};
}

}  // namespace lunora::control
