// The pure parts of the playback routes: which names can be segments, the token added to a playlist's
// segment URIs, and the web assets read into memory (a request names a map key, never a path).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "api/playback/playback_routes.hpp"
#include "api/playback/static_assets.hpp"

namespace lunora::api {
namespace {

TEST(PlaybackRoutes, SegmentNamesAreLettersDigitsDashesAndTs) {
  EXPECT_TRUE(is_segment_name("seg-mwwzm4ym-0.ts"));
  EXPECT_TRUE(is_segment_name("seg_12.ts"));
  for (const char* bad : {"", ".ts", "..", "../seg-1.ts", "seg-1.ts/..", "seg-1.m3u8", "seg 1.ts",
                          "seg-1.ts\n", "a/b.ts", "a\\b.ts", "seg-1.TS", "seg-..ts", "seg%2F1.ts"}) {
    EXPECT_FALSE(is_segment_name(bad)) << bad;
  }
  EXPECT_FALSE(is_segment_name(std::string(200, 'a') + ".ts"));
}

TEST(PlaybackRoutes, TokenGoesOnEverySegmentUriAndNoTag) {
  const std::string playlist =
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:4\n"
      "#EXTINF:2.000,\nseg-a-4.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:1.967,\nseg-a-5.ts\n";
  EXPECT_EQ(
      playlist_with_token(playlist, "T0k"),
      "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:4\n"
      "#EXTINF:2.000,\nseg-a-4.ts?token=T0k\n#EXT-X-DISCONTINUITY\n#EXTINF:1.967,\nseg-a-5.ts?token=T0k\n");
  EXPECT_EQ(playlist_with_token("#EXTM3U\nseg-1.ts", "x"), "#EXTM3U\nseg-1.ts?token=x");
  EXPECT_EQ(playlist_with_token("", "x"), "");
}

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/lunora-assets-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  void write(const std::string& relative, const std::string& text) const {
    std::filesystem::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative, std::ios::binary) << text;
  }

 private:
  std::filesystem::path path_;
};

TEST(StaticAssets, ReadsTheFolderIntoMemoryByRelativePath) {
  TempDir dir;
  dir.write("watch.html", "<!doctype html>");
  dir.write("assets/hls.min.js", "var Hls;");
  dir.write("assets/watch.css", "body{}");
  auto assets = StaticAssets::load(dir.path());
  ASSERT_TRUE(assets) << assets.error().message();
  EXPECT_EQ((*assets)->size(), 3u);
  const StaticAsset* page = (*assets)->find("watch.html");
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->body, "<!doctype html>");
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page->etag.front(), '"');
  ASSERT_NE((*assets)->find("assets/hls.min.js"), nullptr);
  EXPECT_EQ((*assets)->find("assets/hls.min.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ((*assets)->find("assets/watch.css")->content_type, "text/css; charset=utf-8");
  // Changed content, changed ETag.
  EXPECT_NE((*assets)->find("assets/hls.min.js")->etag, (*assets)->find("assets/watch.css")->etag);

  // Files written after the start, and every other spelling, are not served.
  dir.write("later.html", "x");
  for (const char* missing : {"later.html", "../watch.html", "assets/../watch.html", "/watch.html", "assets",
                              "./watch.html", "assets//hls.min.js"}) {
    EXPECT_EQ((*assets)->find(missing), nullptr) << missing;
  }
}

TEST(StaticAssets, AMissingOrOversizedFolderIsAClearError) {
  auto missing = StaticAssets::load("/nonexistent/lunora-web");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find("/nonexistent/lunora-web"), std::string::npos);

  TempDir dir;
  dir.write("big.js", std::string(2048, 'x'));
  auto big = StaticAssets::load(dir.path(), 1024);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message().find("larger than"), std::string::npos);
}

TEST(StaticAssets, ContentTypesByExtension) {
  EXPECT_EQ(content_type_for("a.json"), "application/json");
  EXPECT_EQ(content_type_for("a.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("a.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("a.bin"), "application/octet-stream");
  EXPECT_EQ(content_type_for("html"), "application/octet-stream");
}

}  // namespace
}  // namespace lunora::api
