#include "media/net/rtmp_input.hpp"

#include <spdlog/spdlog.h>

#include "core/redact.hpp"

namespace lunora::media {

RtmpInput::RtmpInput(boost::asio::io_context& io, EndpointUrl url, InputRecorder& recorder)
    : url_(std::move(url)), recorder_(recorder), server_(io, url_.host, url_.port) {}

RtmpInput::~RtmpInput() {
  stop();
}

Status RtmpInput::start() {
  // The relay owns the recorder for longer than this input: a non-owning shared_ptr.
  server_.mount(url_.app, url_.stream_key, std::shared_ptr<InputRecorder>(&recorder_, [](InputRecorder*) {}));
  auto started = server_.start();
  if (started)
    spdlog::info("event=input_mounted protocol=rtmp app={} key={}", url_.app,
                 stream_key_hint(url_.stream_key));
  return started;
}

void RtmpInput::stop() {
  server_.stop();
}

}  // namespace lunora::media
