#include "app/node_id.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>

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

}  // namespace lunora::app
