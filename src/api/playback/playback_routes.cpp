#include "api/playback/playback_routes.hpp"

#include <cctype>

namespace lunora::api {
namespace {

using boost::asio::awaitable;
using control::Playback;

constexpr const char* kPlaylistType = "application/vnd.apple.mpegurl";

void allow_any_origin(HttpResponse& response) {
  // Players embedded on other sites fetch the playlist and segments with XHR/fetch.
  response.headers.emplace_back("Access-Control-Allow-Origin", "*");
}

std::string query_token(const HttpRequest& request) {
  auto it = request.query.find("token");
  return it == request.query.end() ? std::string() : it->second;
}

// The refusal for a viewer without access, or nullopt.
std::optional<HttpResponse> refusal(const Playback& playback, const std::string& channel_id) {
  if (playback.access == Playback::Access::kNoChannel) {
    return json_error(404, "not_found", "no channel with id " + channel_id);
  }
  if (playback.access == Playback::Access::kDenied) {
    return json_error(403, "forbidden", "the playback token is missing or not valid for this channel");
  }
  return std::nullopt;
}

HttpResponse not_live(const std::string& message) {
  auto response = json_error(503, "not_live", message);
  response.headers.emplace_back("Retry-After", "2");
  response.headers.emplace_back("Cache-Control", "no-cache");
  allow_any_origin(response);
  return response;
}

HttpResponse playlist_response(const HttpRequest& request, const control::ControlPlane& control) {
  const std::string& id = request.path_params.at("id");
  const std::string token = query_token(request);
  const Playback playback = control.playback(id, token, /*watching=*/true);
  if (auto refused = refusal(playback, id)) {
    allow_any_origin(*refused);
    return *refused;
  }
  if (!playback.error.empty()) return not_live("HLS cannot package this channel's input: " + playback.error);
  if (!playback.stream) return not_live("HLS is starting for this channel; try again in a moment");
  if (!playback.input_connected) return not_live("the channel has no input: waiting for the stream");
  std::string playlist = playback.stream->playlist();
  if (playlist.empty()) return not_live("the first segment is being cut; try again in a moment");
  HttpResponse response{200,
                        kPlaylistType,
                        playback.needs_token ? playlist_with_token(playlist, token) : std::move(playlist),
                        {}};
  // A live playlist changes every segment: caches must revalidate every time.
  response.headers.emplace_back("Cache-Control", "no-cache");
  allow_any_origin(response);
  return response;
}

HttpResponse segment_response(const HttpRequest& request, const control::ControlPlane& control) {
  const std::string& id = request.path_params.at("id");
  const std::string& name = request.path_params.at("segment");
  const Playback playback = control.playback(id, query_token(request), /*watching=*/false);
  std::optional<HttpResponse> refused = refusal(playback, id);
  if (!refused && !is_segment_name(name)) {
    refused = json_error(404, "not_found", "no such file in this channel's HLS stream");
  }
  std::shared_ptr<const std::vector<uint8_t>> bytes;
  if (!refused) bytes = playback.stream ? playback.stream->segment(name) : nullptr;
  if (!refused && !bytes) {
    refused = json_error(404, "not_found", "segment " + name + " is not in the live window (any more)");
  }
  if (refused) {
    allow_any_origin(*refused);
    return *refused;
  }
  HttpResponse response{200, "video/mp2t", std::string(bytes->begin(), bytes->end()), {}};
  // Segment names are never reused (they carry the packager's start), so a cached copy is always right.
  response.headers.emplace_back("Cache-Control", "public, max-age=86400, immutable");
  allow_any_origin(response);
  return response;
}

HttpResponse html_error(int status, const std::string& title, const std::string& text) {
  HttpResponse response{status,
                        "text/html; charset=utf-8",
                        "<!doctype html><meta charset=utf-8><title>" + title +
                            "</title><body style=\"font-family:sans-serif;background:#111;color:#eee\"><p>" +
                            text + "</p>",
                        {}};
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

HttpResponse asset_response(const HttpRequest& request, const StaticAssets& assets, const std::string& key,
                            const char* cache_control) {
  const StaticAsset* asset = assets.find(key);
  if (asset == nullptr) return json_error(404, "not_found", "no asset " + key);
  HttpResponse response;
  response.headers.emplace_back("ETag", asset->etag);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Cache-Control", cache_control);
  if (request.header("if-none-match") == asset->etag) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  response.content_type = asset->content_type;
  response.body = asset->body;
  return response;
}

HttpResponse watch_response(const HttpRequest& request, const control::ControlPlane& control,
                            const StaticAssets& assets) {
  const std::string& id = request.path_params.at("id");
  const Playback playback = control.playback(id, query_token(request), /*watching=*/false);
  if (playback.access == Playback::Access::kNoChannel) {
    return html_error(404, "No such channel", "There is no channel with this id.");
  }
  if (playback.access == Playback::Access::kDenied) {
    return html_error(403, "Access denied", "Access denied: the playback token is missing or not valid.");
  }
  if (assets.find("watch.html") == nullptr) {
    return html_error(503, "Player not installed",
                      "The player page is not installed on this server: build the web assets (make web) "
                      "or point --web-dir at them.");
  }
  HttpResponse response = asset_response(request, assets, "watch.html", "no-cache");
  // Embeddable anywhere (no X-Frame-Options); scripts and hls.js's worker only from here; the video element
  // plays a MediaSource (a blob: URL).
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; script-src 'self'; worker-src 'self'; "
                                "media-src 'self' blob:; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; frame-ancestors *");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");  // the URL carries the token
  return response;
}

// The web GUI (issue 5): a single page that routes in the URL's fragment, so `/` is its only document.
HttpResponse gui_response(const HttpRequest& request, const StaticAssets& assets) {
  if (assets.find("index.html") == nullptr) {
    return html_error(503, "GUI not installed",
                      "The web GUI is not installed on this server: build the web assets (make web) or point "
                      "--web-dir at them. The REST API is at /api/v1.");
  }
  HttpResponse response = asset_response(request, assets, "index.html", "no-cache");
  // An admin page: never framed by another site (clickjacking); scripts only from here.
  response.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'self'; script-src 'self'; worker-src 'self'; "
      "media-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
      "connect-src 'self'; frame-ancestors 'none'");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  return response;
}

}  // namespace

bool is_segment_name(std::string_view name) {
  if (name.size() <= 3 || name.size() > 128 || !name.ends_with(".ts")) return false;
  for (const char c : name.substr(0, name.size() - 3)) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_') return false;
  }
  return true;
}

std::string playlist_with_token(const std::string& playlist, const std::string& token) {
  std::string out;
  out.reserve(playlist.size() + 64 * (token.size() + 8));
  size_t start = 0;
  while (start < playlist.size()) {
    size_t end = playlist.find('\n', start);
    if (end == std::string::npos) end = playlist.size();
    const std::string_view line(playlist.data() + start, end - start);
    out.append(line);
    if (!line.empty() && line.front() != '#') out.append("?token=").append(token);
    if (end < playlist.size()) out.push_back('\n');
    start = end + 1;
  }
  return out;
}

void add_playback_routes(Router& router, control::ControlPlane& control,
                         std::shared_ptr<const StaticAssets> assets) {
  if (!assets) assets = std::make_shared<const StaticAssets>();
  control::ControlPlane* cp = &control;
  router.add("GET", "/hls/{id}/index.m3u8",
             [cp](HttpRequest& r) -> awaitable<HttpReply> { co_return playlist_response(r, *cp); });
  router.add("GET", "/hls/{id}/{segment}",
             [cp](HttpRequest& r) -> awaitable<HttpReply> { co_return segment_response(r, *cp); });
  router.add("GET", "/watch/{id}", [cp, assets](HttpRequest& r) -> awaitable<HttpReply> {
    co_return watch_response(r, *cp, *assets);
  });
  router.add("GET", "/",
             [assets](HttpRequest& r) -> awaitable<HttpReply> { co_return gui_response(r, *assets); });
  router.add("GET", "/assets/{file}", [assets](HttpRequest& r) -> awaitable<HttpReply> {
    co_return asset_response(r, *assets, "assets/" + r.path_params.at("file"), "public, max-age=3600");
  });
}

}  // namespace lunora::api
