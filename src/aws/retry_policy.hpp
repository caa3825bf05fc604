// The AWS SDKs' "standard" retry mode: throttling and transient errors are retried, up to 3 attempts, with
// capped exponential backoff and full jitter; a client error (validation, a failed condition, access denied)
// is final. Pure: the random source is injected and the caller says how much time is left.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "aws/aws_error.hpp"

namespace lunora::aws {

// Too many requests: the service asks us to slow down (ProvisionedThroughputExceededException, 429, ...).
bool is_throttling_error(const AwsError& error);
// The service or the network hiccupped: 500/502/503/504, RequestTimeout, a reset or timed-out connection.
bool is_transient_error(const AwsError& error);
inline bool is_retryable(const AwsError& error) {
  return is_throttling_error(error) || is_transient_error(error);
}

struct RetryOptions {
  int max_attempts = 3;  // the first attempt included, as AWS_MAX_ATTEMPTS counts
  // DynamoDB's base in the SDKs (the JS and Python SDKs use 50 ms for it); other services' SDKs start higher,
  // which matters little with full jitter.
  std::chrono::milliseconds base_delay{50};
  std::chrono::milliseconds max_backoff{20000};  // the standard mode's cap
};

class RetryPolicy {
 public:
  // Uniform in [0, 1). Called from any thread the client runs on.
  using Random = std::function<double()>;

  // Without `random`, a seeded Mersenne Twister behind a mutex.
  explicit RetryPolicy(RetryOptions options = {}, Random random = {});

  const RetryOptions& options() const { return options_; }

  // After `attempts_made` attempts, the last of which failed with `error`: the delay before the next one, or
  // nullopt when the error is final, the attempts are used up, or the delay would not fit in `time_left`.
  std::optional<std::chrono::milliseconds> next_delay(const AwsError& error, int attempts_made,
                                                      std::chrono::steady_clock::duration time_left) const;

  // Full jitter: uniform in [0, min(max_backoff, base_delay * 2^(attempts_made - 1))].
  std::chrono::milliseconds backoff(int attempts_made) const;

 private:
  RetryOptions options_;
  Random random_;
};

}  // namespace lunora::aws
