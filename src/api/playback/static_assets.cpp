#include "api/playback/static_assets.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

namespace lunora::api {
namespace {

std::string etag_of(const std::string& body) {
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a: a cache validator, not a security boundary
  for (const unsigned char c : body) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  std::array<char, 24> text{};
  std::snprintf(text.data(), text.size(), "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text.data();
}

}  // namespace

std::string content_type_for(std::string_view path) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (path.ends_with(extension)) return std::string(type);
  }
  return "application/octet-stream";
}

Result<std::shared_ptr<const StaticAssets>> StaticAssets::load(const std::filesystem::path& dir,
                                                               size_t max_bytes) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error(ErrorCode::kNotFound, "the web assets folder " + dir.string() + " does not exist");
  }
  auto assets = std::make_shared<StaticAssets>();
  size_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in.good() && !in.eof()) return Error(ErrorCode::kIo, "cannot read " + it->path().string());
    total += body.str().size();
    if (total > max_bytes) {
      return Error(ErrorCode::kInvalidArgument, "the web assets in " + dir.string() + " are larger than " +
                                                    std::to_string(max_bytes >> 20) + " MiB");
    }
    const std::string key = it->path().lexically_relative(dir).generic_string();
    StaticAsset asset{body.str(), content_type_for(key), ""};
    asset.etag = etag_of(asset.body);
    assets->files_.emplace(key, std::move(asset));
  }
  if (ec) return Error(ErrorCode::kIo, "cannot list " + dir.string() + ": " + ec.message());
  return std::shared_ptr<const StaticAssets>(std::move(assets));
}

const StaticAsset* StaticAssets::find(std::string_view relative_path) const {
  auto it = files_.find(relative_path);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace lunora::api
