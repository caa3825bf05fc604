#include "media/srt/srt_library.hpp"

#include <spdlog/spdlog.h>
#include <syslog.h>

#include <string_view>

namespace lunora::media {

SrtLibrary::SrtLibrary() {
  srt_startup();
}
SrtLibrary::~SrtLibrary() {
  srt_cleanup();
}

std::string srt_last_error() {
  return srt_getlasterror_str();
}

Status apply_srt_options(SRTSOCKET socket, const EndpointUrl& url, bool caller) {
  const auto fail = [](const char* what) {
    return Error(ErrorCode::kInvalidArgument, std::string("SRT option ") + what + ": " + srt_last_error());
  };
  const int transtype = SRTT_LIVE;
  if (srt_setsockflag(socket, SRTO_TRANSTYPE, &transtype, sizeof transtype) != 0) return fail("transtype");
  if (!url.passphrase.empty()) {
    if (srt_setsockflag(socket, SRTO_PASSPHRASE, url.passphrase.data(),
                        static_cast<int>(url.passphrase.size())) != 0) {
      return fail("passphrase");
    }
  }
  if (url.latency_ms >= 0) {
    const int latency = url.latency_ms;
    if (srt_setsockflag(socket, SRTO_LATENCY, &latency, sizeof latency) != 0) return fail("latency");
  }
  if (caller && !url.streamid.empty()) {
    if (srt_setsockflag(socket, SRTO_STREAMID, url.streamid.data(), static_cast<int>(url.streamid.size())) !=
        0) {
      return fail("streamid");
    }
  }
  return ok_status();
}

Error classify_srt_connect_failure(SRTSOCKET socket, const std::string& where) {
  const int code = srt_getlasterror(nullptr);
  const std::string message = srt_last_error();
  if (code == SRT_ECONNREJ) {
    const int reason = srt_getrejectreason(socket);
    if (reason == SRT_REJ_BADSECRET || reason == SRT_REJ_UNSECURE) {
      return Error(ErrorCode::kPublishRejected,
                   where + ": the listener refused the passphrase (check passphrase=)");
    }
    if (reason == SRT_REJ_TIMEOUT) return Error(ErrorCode::kTimeout, where + ": connection timed out");
    if (reason >= SRT_REJC_PREDEFINED) {
      return Error(ErrorCode::kPublishRejected, where + ": the listener rejected the stream (code " +
                                                    std::to_string(reason) + "): check streamid=");
    }
    if (reason == SRT_REJ_PEER || reason == SRT_REJ_RESOURCE || reason == SRT_REJ_CLOSE) {
      return Error(ErrorCode::kPublishRejected,
                   where + ": the listener rejected the connection: " + srt_rejectreason_str(reason));
    }
    return Error(ErrorCode::kRefused,
                 where + ": connection rejected: " + std::string(srt_rejectreason_str(reason)));
  }
  return Error(ErrorCode::kIo, where + ": " + message);
}

}  // namespace lunora::media
