// Wall-clock times in the API: milliseconds since the epoch inside, RFC 3339 UTC with milliseconds outside
// ("2026-11-26T00:11:46.123Z").
#pragma once

#include <cstdint>
#include <string>

namespace lunora::control {

int64_t now_ms();
std::string rfc3339(int64_t ms);

}  // namespace lunora::control
