#include "aws/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>
#include <random>
#include <string_view>

namespace lunora::aws {

namespace {

// The throttling codes of the SDKs' standard mode (botocore retries/standard.py, aws-sdk-go-v2 retry).
constexpr std::array<std::string_view, 14> kThrottlingCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

constexpr std::array<std::string_view, 3> kTransientCodes = {"RequestTimeout", "RequestTimeoutException",
                                                             "PriorRequestNotComplete"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& codes, std::string_view code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

RetryPolicy::Random default_random() {
  struct State {
    std::mutex mutex;  // guards engine: one policy serves every call of a client, on any thread
    std::mt19937_64 engine{std::random_device{}()};
  };
  auto state = std::make_shared<State>();
  return [state] {
    std::lock_guard lock(state->mutex);
    return std::uniform_real_distribution<double>(0.0, 1.0)(state->engine);
  };
}

}  // namespace

bool is_throttling_error(const AwsError& error) {
  return error.http_status == 429 || contains(kThrottlingCodes, error.code);
}

bool is_transient_error(const AwsError& error) {
  if (error.http_status == 0) {
    // No response: a reset, refused or timed-out connection may work next time; a certificate that failed
    // verification will not.
    switch (error.transport) {
      case ErrorCode::kTimeout:
      case ErrorCode::kClosed:
      case ErrorCode::kRefused:
      case ErrorCode::kIo:
      case ErrorCode::kDns:
        return true;
      default:
        return false;
    }
  }
  const int s = error.http_status;
  return s == 500 || s == 502 || s == 503 || s == 504 || contains(kTransientCodes, error.code);
}

RetryPolicy::RetryPolicy(RetryOptions options, Random random)
    : options_(options), random_(random ? std::move(random) : default_random()) {}

std::chrono::milliseconds RetryPolicy::backoff(int attempts_made) const {
  // Doubling in floating point cannot overflow, however many attempts a caller allows.
  const double exponent = std::max(0, attempts_made - 1);
  const double ceiling = std::min(static_cast<double>(options_.max_backoff.count()),
                                  static_cast<double>(options_.base_delay.count()) * std::pow(2.0, exponent));
  const double r = std::clamp(random_(), 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<int64_t>(r * ceiling));
}

std::optional<std::chrono::milliseconds> RetryPolicy::next_delay(
    const AwsError& error, int attempts_made, std::chrono::steady_clock::duration time_left) const {
  if (!is_retryable(error) || attempts_made >= options_.max_attempts) return std::nullopt;
  const std::chrono::milliseconds delay = backoff(attempts_made);
  // A retry that would start after the deadline only delays the same failure.
  if (delay >= time_left) return std::nullopt;
  return delay;
}

}  // namespace lunora::aws
