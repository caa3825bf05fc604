#include "media/transcode/thread_cpu.hpp"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace lunora::media {

double thread_group_cpu_seconds(const std::string& name) {
  DIR* tasks = opendir("/proc/self/task");
  if (tasks == nullptr) return 0;
  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  uint64_t ticks = 0;
  while (const dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream file(std::string("/proc/self/task/") + entry->d_name + "/stat");
    std::string line;
    if (!std::getline(file, line)) continue;  // the thread ended meanwhile
    // "tid (comm) state ppid ...": comm may hold spaces and parentheses, so it ends at the LAST ')'.
    const auto open = line.find('(');
    const auto close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    if (line.compare(open + 1, close - open - 1, name) != 0) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string skip;
    // After comm: state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime(14)
    // stime(15).
    for (int field = 3; field < 14; ++field) fields >> skip;
    uint64_t user = 0;
    uint64_t system = 0;
    fields >> user >> system;
    ticks += user + system;
  }
  closedir(tasks);
  return static_cast<double>(ticks) / ticks_per_second;
}

}  // namespace lunora::media
