// The standard retry mode's decisions and backoff bounds, with a scripted random source.
#include "aws/retry_policy.hpp"

#include <gtest/gtest.h>

namespace lunora::aws {
namespace {

using std::chrono::milliseconds;
constexpr auto kPlenty = std::chrono::seconds(60);

AwsError service_error(int status, std::string code) {
  AwsError e;
  e.http_status = status;
  e.code = std::move(code);
  return e;
}

RetryPolicy fixed_random(double r, RetryOptions options = {}) {
  return RetryPolicy(options, [r] { return r; });
}

TEST(RetryPolicy, ThrottlingIsRetried) {
  for (const char* code :
       {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
        "TooManyRequestsException", "Throttling", "RequestThrottled", "SlowDown", "RequestThrottledException",
        "LimitExceededException"}) {
    EXPECT_TRUE(is_throttling_error(service_error(400, code))) << code;
    EXPECT_TRUE(is_retryable(service_error(400, code))) << code;
  }
  EXPECT_TRUE(is_throttling_error(service_error(429, "Http429")));
}

TEST(RetryPolicy, TransientErrorsAreRetried) {
  for (int status : {500, 502, 503, 504})
    EXPECT_TRUE(is_transient_error(service_error(status, "X"))) << status;
  EXPECT_TRUE(is_transient_error(service_error(400, "RequestTimeout")));
  EXPECT_TRUE(is_transient_error(service_error(400, "RequestTimeoutException")));
  for (ErrorCode kind : {ErrorCode::kTimeout, ErrorCode::kClosed, ErrorCode::kRefused, ErrorCode::kIo}) {
    EXPECT_TRUE(is_retryable(transport_error(Error(kind, "x"))));
  }
}

TEST(RetryPolicy, ClientErrorsAreFinal) {
  for (const char* code : {"ValidationException", "ConditionalCheckFailedException", "AccessDeniedException",
                           "UnrecognizedClientException", "ResourceNotFoundException",
                           "TransactionCanceledException", "SerializationException"}) {
    EXPECT_FALSE(is_retryable(service_error(400, code))) << code;
  }
  EXPECT_FALSE(is_retryable(service_error(501, "NotImplemented")));
  // A certificate that failed verification will fail again.
  EXPECT_FALSE(is_retryable(transport_error(Error(ErrorCode::kTls, "certificate verify failed"))));
}

TEST(RetryPolicy, ThreeAttemptsByDefault) {
  const RetryPolicy policy = fixed_random(0.5);
  const AwsError throttled = service_error(400, "ProvisionedThroughputExceededException");
  EXPECT_TRUE(policy.next_delay(throttled, 1, kPlenty).has_value());
  EXPECT_TRUE(policy.next_delay(throttled, 2, kPlenty).has_value());
  EXPECT_FALSE(policy.next_delay(throttled, 3, kPlenty).has_value());
  EXPECT_FALSE(policy.next_delay(service_error(400, "ValidationException"), 1, kPlenty).has_value());
}

TEST(RetryPolicy, FullJitterExponentialBackoff) {
  // r just under 1 gives the ceiling of each attempt: 50, 100, 200, ... ms.
  const RetryPolicy top = fixed_random(0.999999);
  EXPECT_EQ(top.backoff(1), milliseconds(49));
  EXPECT_EQ(top.backoff(2), milliseconds(99));
  EXPECT_EQ(top.backoff(3), milliseconds(199));
  EXPECT_EQ(fixed_random(1.0).backoff(4), milliseconds(400));
  EXPECT_EQ(fixed_random(0.5).backoff(3), milliseconds(100));
  EXPECT_EQ(fixed_random(0.0).backoff(5), milliseconds(0));
}

TEST(RetryPolicy, BackoffIsCappedAtTwentySeconds) {
  const RetryPolicy policy = fixed_random(1.0, RetryOptions{.max_attempts = 100});
  EXPECT_EQ(policy.backoff(10), milliseconds(20000));  // 50 ms * 2^9 = 25.6 s
  EXPECT_EQ(policy.backoff(90), milliseconds(20000));  // no overflow however far
}

TEST(RetryPolicy, DefaultRandomStaysInBounds) {
  const RetryPolicy policy;
  for (int attempt = 1; attempt <= 12; ++attempt) {
    for (int i = 0; i < 50; ++i) {
      const milliseconds delay = policy.backoff(attempt);
      EXPECT_GE(delay.count(), 0);
      EXPECT_LE(delay, std::min(milliseconds(20000), milliseconds(50) * (1 << (attempt - 1))));
    }
  }
}

TEST(RetryPolicy, NoRetryThatCannotFinishBeforeTheDeadline) {
  const RetryPolicy policy = fixed_random(1.0);
  const AwsError e = service_error(500, "InternalServerError");
  EXPECT_FALSE(policy.next_delay(e, 1, milliseconds(50)).has_value());
  EXPECT_EQ(policy.next_delay(e, 1, milliseconds(51)), milliseconds(50));
}

TEST(RetryPolicy, MaxAttemptsIsConfigurable) {
  const RetryPolicy once = fixed_random(0.5, RetryOptions{.max_attempts = 1});
  EXPECT_FALSE(once.next_delay(service_error(503, "ServiceUnavailable"), 1, kPlenty).has_value());
}

}  // namespace
}  // namespace lunora::aws
