#include "media/transcode/thread_cpu.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace lunora::media {
namespace {

// utime + stime of /proc/self/task/<tid>/stat when its thread is named `name`.
bool thread_ticks(const std::string& tid, const std::string& name, uint64_t& ticks) {
  std::ifstream file("/proc/self/task/" + tid + "/stat");
  std::string line;
  if (!std::getline(file, line)) return false;  // the thread ended meanwhile
  // "tid (comm) state ppid ...": comm may hold spaces and parentheses, so it ends at the LAST ')'.
  const auto open = line.find('(');
  const auto close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return false;
  if (line.compare(open + 1, close - open - 1, name) != 0) return false;
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  // After comm: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14)
  // stime(15).
  for (int field = 3; field < 14; ++field) fields >> skip;
  uint64_t user = 0;
  uint64_t system = 0;
  fields >> user >> system;
  ticks = user + system;
  return true;
}

}  // namespace

double ThreadGroupCpu::seconds() {
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return 0;
  std::map<long, uint64_t> alive;  // the threads of this reading: ended ones are forgotten (their time stays)
  while (const dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    uint64_t ticks = 0;
    if (!thread_ticks(entry->d_name, name_, ticks)) continue;
    const long tid = std::strtol(entry->d_name, nullptr, 10);
    const auto seen = ticks_.find(tid);
    const uint64_t last = seen == ticks_.end() ? 0 : seen->second;
    // A thread id reused by a new thread starts again below the old reading.
    total_ticks_ += ticks >= last ? ticks - last : ticks;
    alive[tid] = ticks;
  }
  closedir(tasks);
  ticks_ = std::move(alive);
  return static_cast<double>(total_ticks_) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace lunora::media
