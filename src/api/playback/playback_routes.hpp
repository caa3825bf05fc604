// What viewers reach without the admin token (issue 4; docs/openapi.yaml "Playback"): the live HLS playlist
// and segments of a channel, the player page /watch/{id}, and the browser assets it loads. A channel's
// playback token (or the channel being public) grants access; everything is answered on the HTTP thread
// from the control plane's playback snapshot.
#pragma once

#include <memory>

#include "api/http/router.hpp"
#include "api/playback/static_assets.hpp"
#include "control/control_plane.hpp"

namespace lunora::api {

void add_playback_routes(Router& router, control::ControlPlane& control,
                         std::shared_ptr<const StaticAssets> assets);

// The playlist as served to a viewer: every segment URI line gets `?token=...` so the player's segment
// requests carry it too (players do not copy a playlist's query to its segments).
std::string playlist_with_token(const std::string& playlist, const std::string& token);

// A segment name the packager can have made: letters, digits, '-', '_' and a ".ts" ending. Anything else
// (dots, slashes, "..") is no segment.
bool is_segment_name(std::string_view name);

}  // namespace lunora::api
