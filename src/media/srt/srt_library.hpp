// libsrt's process-wide start-up and clean-up, and small helpers shared by the SRT input and output.
#pragma once

#include <srt/srt.h>

#include <string>

#include "core/result.hpp"
#include "media/endpoint_url.hpp"

namespace lunora::media {

// Holds libsrt started while alive (srt_startup / srt_cleanup, reference counted by libsrt itself).
class SrtLibrary {
 public:
  SrtLibrary();
  ~SrtLibrary();
  SrtLibrary(const SrtLibrary&) = delete;
  SrtLibrary& operator=(const SrtLibrary&) = delete;
};

// The last libsrt error as a readable string.
std::string srt_last_error();
// Applies passphrase, latency and streamid from `url` to `socket` (before connect or listen).
Status apply_srt_options(SRTSOCKET socket, const EndpointUrl& url, bool caller);
// "connection rejected: wrong passphrase" and the like, for a failed srt_connect.
Error classify_srt_connect_failure(SRTSOCKET socket, const std::string& where);

}  // namespace lunora::media
