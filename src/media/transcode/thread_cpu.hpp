// The CPU time of a group of threads (issue 9: a rendition's CPU share). A rendition's thread has a name of
// its own; the threads libx264 starts from it inherit that name (Linux copies a thread's name to the threads
// it creates), so the group is every thread of the process with that name.
#pragma once

#include <string>

namespace lunora::media {

// User and system CPU seconds of this process's threads named `name` (as /proc/self/task/*/comm shows it,
// at most 15 characters); 0 when /proc cannot be read. Reads /proc: call it off the I/O threads.
double thread_group_cpu_seconds(const std::string& name);

}  // namespace lunora::media
