// The CPU time of a group of threads (issue 9: a rendition's CPU share). A rendition's thread has a name of
// its own; the threads libx264 starts from it inherit that name (Linux copies a thread's name to the threads
// it creates), so the group is every thread of the process with that name.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace lunora::media {

class ThreadGroupCpu {
 public:
  explicit ThreadGroupCpu(std::string name) : name_(std::move(name)) {}

  // User and system CPU seconds of the group's threads since the first call, counting threads that ended
  // since (libx264's threads end when its encoder is opened again): it never goes back. 0 when /proc cannot
  // be read. Reads /proc: call it off the I/O threads.
  double seconds();

 private:
  std::string name_;                // as /proc/self/task/*/comm shows it (at most 15 characters)
  std::map<long, uint64_t> ticks_;  // each thread's last reading, by thread id
  uint64_t total_ticks_ = 0;        // what every thread seen has used
};

}  // namespace lunora::media
