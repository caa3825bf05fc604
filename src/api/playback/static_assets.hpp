// The built browser assets (web/dist: the player page, hls.js, later the GUI), read once at start and served
// from memory: a request names a key of a map, never a path on disk, so no request can reach another file.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace lunora::api {

struct StaticAsset {
  std::string body;
  std::string content_type;
  std::string etag;  // quoted, from the content
};

class StaticAssets {
 public:
  // Every regular file under `dir`, keyed by its path relative to it ("watch.html", "assets/hls.min.js").
  // An error says what is missing or unreadable; `max_bytes` bounds the memory they take.
  static Result<std::shared_ptr<const StaticAssets>> load(const std::filesystem::path& dir,
                                                          size_t max_bytes = 64 << 20);
  // An empty set (no web folder): every asset is missing.
  StaticAssets() = default;

  const StaticAsset* find(std::string_view relative_path) const;
  size_t size() const { return files_.size(); }

 private:
  std::map<std::string, StaticAsset, std::less<>> files_;
};

// "text/html; charset=utf-8" for "x.html", ...; application/octet-stream when the extension is unknown.
std::string content_type_for(std::string_view path);

}  // namespace lunora::api
