// docs/openapi.yaml and the real API router describe the same routes (issue 3: "test that spec and routes
// match"). The spec is read with a line scanner (paths at 2 spaces, methods at 4 spaces under `paths:`), the
// router is built by api::make_api_router on a real control plane (SQLite store in a temp dir, a local engine
// that is constructed but not started), and the two sets of (METHOD, pattern) must be equal.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <utility>

#include "api/api_routes.hpp"
#include "control/control_plane.hpp"
#include "control/secret_box.hpp"
#include "engine/local/local_engine.hpp"
#include "store/store.hpp"

namespace lunora {
namespace {

using RouteSet = std::set<std::pair<std::string, std::string>>;  // (METHOD, pattern)

const char* const kSpecPath = LUNORA_TESTDATA_DIR "/../../docs/openapi.yaml";

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// The operations under the top-level `paths:` key: `  /path:` lines, then `    method:` lines below each.
RouteSet spec_routes(const std::string& file) {
  std::ifstream in(file);
  EXPECT_TRUE(in.good()) << "cannot read " << file;
  static const std::regex path_line(R"(^  (/\S*):$)");
  static const std::regex method_line(R"(^    (get|put|post|delete|options|head|patch|trace):$)");
  RouteSet routes;
  bool in_paths = false;
  std::string current_path;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line[0] != ' ' && line[0] != '#') {  // a top-level key
      in_paths = line == "paths:";
      current_path.clear();
      continue;
    }
    if (!in_paths) continue;
    std::smatch match;
    if (std::regex_match(line, match, path_line)) {
      current_path = match[1];
    } else if (line.size() > 2 && line[0] == ' ' && line[1] == ' ' && line[2] != ' ' && line[2] != '#') {
      current_path.clear();  // some other key at path level (not a path): its children are no operations
    } else if (!current_path.empty() && std::regex_match(line, match, method_line)) {
      routes.emplace(upper(match[1]), current_path);
    }
  }
  return routes;
}

std::string describe(const RouteSet& routes) {
  std::string text;
  for (const auto& [method, pattern] : routes) text += "\n  " + method + " " + pattern;
  return text.empty() ? " (none)" : text;
}

RouteSet minus(const RouteSet& a, const RouteSet& b) {
  RouteSet out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lunora-openapi-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(OpenApiRoutes, SpecScannerFindsTheOperations) {
  const RouteSet routes = spec_routes(kSpecPath);
  EXPECT_TRUE(routes.count({"GET", "/healthz"})) << describe(routes);
  EXPECT_TRUE(routes.count({"DELETE", "/api/v1/channels/{id}"})) << describe(routes);
  EXPECT_TRUE(routes.count({"POST", "/api/v1/destinations/{id}/start"})) << describe(routes);
  EXPECT_GE(routes.size(), 15u) << describe(routes);
}

TEST(OpenApiRoutes, SpecAndRouterHaveTheSameRoutes) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty()) << "mkdtemp failed";
  auto store = store::open_sqlite_store((dir.path() / "lunora.db").string());
  ASSERT_TRUE(store.ok()) << store.error().message();

  boost::asio::io_context io;
  engine::LocalEngine engine(io, {});
  std::array<unsigned char, control::SecretBox::kKeyBytes> key{};
  key.fill(0x42);
  control::ControlPlane control(io.get_executor(), **store, engine, control::SecretBox::from_key(key), {});
  const auto router = api::make_api_router(control, {});
  ASSERT_NE(router, nullptr);

  RouteSet served;
  for (const auto& route : router->routes()) {
    const bool added = served.emplace(upper(route.method), route.pattern).second;
    EXPECT_TRUE(added) << "the router has " << route.method << " " << route.pattern << " twice";
  }
  const RouteSet documented = spec_routes(kSpecPath);
  ASSERT_FALSE(documented.empty()) << "no operations found under paths: in " << kSpecPath;

  EXPECT_EQ(served, documented) << "served but not in docs/openapi.yaml:"
                                << describe(minus(served, documented))
                                << "\nin docs/openapi.yaml but not served:"
                                << describe(minus(documented, served));
}

}  // namespace
}  // namespace lunora
