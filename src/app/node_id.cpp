#include "app/node_id.hpp"

#include <unistd.h>

#include <cstdio>
#include <random>

namespace lunora::app {

std::string make_node_id() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "node");
  std::random_device random;
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(random() & 0xffffU));
  return std::string(host) + "-" + suffix;
}

}  // namespace lunora::app
