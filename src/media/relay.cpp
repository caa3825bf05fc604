#include "media/relay.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "media/net/rtmp_input.hpp"
#include "media/net/rtmp_output.hpp"
#include "media/srt/srt_input.hpp"
#include "media/srt/srt_output.hpp"

namespace lunora::media {

Relay::Relay(boost::asio::io_context& io, OutputOptions output_options)
    : io_(io), output_options_(output_options), recorder_(hub_) {}

Relay::~Relay() = default;

Status Relay::start_input(const std::string& url) {
  auto parsed = parse_endpoint_url(url);
  if (!parsed) return parsed.error().wrap("input");
  if (parsed->scheme == EndpointUrl::Scheme::kSrt) {
    if (parsed->mode != "listener") {
      return Error(ErrorCode::kInvalidArgument, "input: an SRT input must be a listener: add ?mode=listener");
    }
    srt_input_ = std::make_unique<SrtInput>(std::move(parsed.value()), recorder_);
    return srt_input_->start();
  }
  if (parsed->scheme == EndpointUrl::Scheme::kRtmps) {
    return Error(ErrorCode::kInvalidArgument,
                 "input: rtmps:// ingest is not supported; use rtmp:// or srt://");
  }
  rtmp_input_ = std::make_unique<RtmpInput>(io_, std::move(parsed.value()), recorder_);
  return rtmp_input_->start();
}

Result<uint64_t> Relay::add_output(const std::string& url) {
  auto parsed = parse_endpoint_url(url);
  if (!parsed) return parsed.error().wrap("output");
  if (parsed->scheme == EndpointUrl::Scheme::kSrt && parsed->mode != "caller") {
    return Error(ErrorCode::kInvalidArgument, "output: SRT outputs are callers; remove mode=listener");
  }
  std::shared_ptr<NetworkOutput> output;
  if (parsed->scheme == EndpointUrl::Scheme::kSrt) {
    output = make_srt_output(std::move(parsed.value()), output_options_);
  } else {
    if (parsed->scheme == EndpointUrl::Scheme::kRtmps && !tls_) {
      tls_ = make_client_tls_context(output_options_.insecure_tls);
    }
    output = make_rtmp_output(io_, std::move(parsed.value()), output_options_, tls_);
  }
  uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    outputs_.emplace(id, output);
  }
  spdlog::info("event=output_added id={} url={}", id, output->redacted_url());
  hub_.add_output(output);
  output->start();
  return id;
}

Status Relay::remove_output(uint64_t id, std::function<void()> done) {
  std::shared_ptr<NetworkOutput> output;
  {
    std::lock_guard lock(mutex_);
    auto it = outputs_.find(id);
    if (it == outputs_.end()) return Error(ErrorCode::kInvalidArgument, "no output " + std::to_string(id));
    output = it->second;
    outputs_.erase(it);
  }
  hub_.remove_output(output.get());
  spdlog::info("event=output_removed id={} url={}", id, output->redacted_url());
  output->stop([output, done = std::move(done)] {
    if (done) done();
  });
  return ok_status();
}

void Relay::stop(std::function<void()> done) {
  if (srt_input_) srt_input_->stop();
  if (rtmp_input_) rtmp_input_->stop();
  std::vector<std::shared_ptr<NetworkOutput>> outputs;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, output] : outputs_) outputs.push_back(output);
    outputs_.clear();
  }
  if (outputs.empty()) {
    done();
    return;
  }
  auto remaining = std::make_shared<std::atomic<size_t>>(outputs.size());
  auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
  for (auto& output : outputs) {
    hub_.remove_output(output.get());
    output->stop([output, remaining, shared_done] {
      if (remaining->fetch_sub(1) == 1) (*shared_done)();
    });
  }
}

InputStats Relay::input_stats() const {
  return recorder_.stats();
}

std::vector<RelayOutputStats> Relay::output_stats() const {
  std::lock_guard lock(mutex_);
  std::vector<RelayOutputStats> out;
  for (const auto& [id, output] : outputs_) out.push_back({id, output->redacted_url(), output->stats()});
  return out;
}

std::vector<uint64_t> Relay::output_ids() const {
  std::lock_guard lock(mutex_);
  std::vector<uint64_t> ids;
  for (const auto& [id, output] : outputs_) ids.push_back(id);
  return ids;
}

}  // namespace lunora::media
