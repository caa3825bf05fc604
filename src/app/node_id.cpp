#include "app/node_id.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>
#include <string_view>

namespace lunora::app {
namespace {

std::string make_node_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "node");
  std::random_device random;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(random() & 0xffffU));
  return std::string(host) + "-" + suffix;
}

}  // namespace

Result<std::string> load_or_create_node_id(const std::string& data_dir) {
  const std::string path = data_dir + "/node-id";
  if (std::ifstream in(path); in) {
    std::string id;
    std::getline(in, id);
    if (!id.empty()) return id;
  }
  const std::string id = make_node_id();
  std::ofstream out(path, std::ios::trunc);
  out << id << "\n";
  out.flush();
  if (!out) return Error(ErrorCode::kIo, "cannot write the node id to " + path);
  return id;
}

bool is_loopback_url(const std::string& url) {
  std::string_view rest = url;
  if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  const std::string_view host =
      rest.starts_with('[') ? rest.substr(0, rest.find(']') + 1) : rest.substr(0, rest.find_first_of(":/"));
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

}  // namespace lunora::app
