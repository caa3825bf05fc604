// A channel's `medialive` object (issue 8): read from a create body (checked field by field), kept in the
// channel record's extra_json, and shown in the API.
#pragma once

#include <nlohmann/json.hpp>

#include "control/validation.hpp"
#include "engine/engine.hpp"

namespace lunora::control {

// Reads `medialive` of a create body onto `spec`; `default_role_arn` stands for a role_arn the body leaves
// out ("" = none: then it is required).
Problem read_medialive_settings(const nlohmann::json& body, engine::MediaLiveSpec& spec,
                                const std::string& default_role_arn = "");
// The spec as stored (and, with `resources`, as the API shows it: no relay settings, which Lunora derives).
nlohmann::json medialive_settings_json(const engine::MediaLiveSpec& spec);
engine::MediaLiveSpec medialive_settings_from(const nlohmann::json& stored);
// MediaLive's state as the driving process last saw it, kept in the record (`medialive_seen`): the others
// (nodes mirroring the channel, `lunora lambda` reading its relay node's channels, an environment built
// again) show it from there until they see MediaLive themselves. `relay_url` is the hint the driver shows.
nlohmann::json medialive_seen_json(const engine::MediaLiveReport& seen, const std::string& relay_url);
engine::MediaLiveReport medialive_seen_from(const nlohmann::json& stored, std::string& relay_url);

}  // namespace lunora::control
