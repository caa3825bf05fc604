// Error parsing from the bodies DynamoDB (awsJson 1.0) and MediaLive (restJson) send back: the code and the
// message reach the caller intact.
#include "aws/aws_error.hpp"

#include <gtest/gtest.h>

namespace lunora::aws {
namespace {

TEST(AwsError, DynamoDbTypeLosesItsNamespace) {
  const AwsError e =
      parse_aws_error(400, "", "REQ1",
                      R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                      R"("message":"The conditional request failed"})");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.code, "ConditionalCheckFailedException");
  EXPECT_EQ(e.message, "The conditional request failed");
  EXPECT_EQ(e.request_id, "REQ1");
}

TEST(AwsError, CoralNamespacesToo) {
  const AwsError e = parse_aws_error(
      400, "", "",
      R"({"__type":"com.amazon.coral.validate#ValidationException",)"
      R"("message":"One or more parameter values were invalid: Missing the key pk in the item"})");
  EXPECT_EQ(e.code, "ValidationException");
  EXPECT_EQ(e.message, "One or more parameter values were invalid: Missing the key pk in the item");
}

TEST(AwsError, CapitalisedMessage) {
  // AccessDeniedException spells it "Message".
  const AwsError e =
      parse_aws_error(400, "", "",
                      R"({"__type":"com.amazon.coral.service#AccessDeniedException",)"
                      R"("Message":"User: arn:aws:iam::123456789012:user/x is not authorized"})");
  EXPECT_EQ(e.code, "AccessDeniedException");
  EXPECT_EQ(e.message, "User: arn:aws:iam::123456789012:user/x is not authorized");
}

TEST(AwsError, HeaderWinsAndLosesItsDocumentationUrl) {
  // restJson (MediaLive): the code comes in x-amzn-ErrorType, the body has only the message.
  const AwsError e =
      parse_aws_error(409, "ConflictException:http://internal.amazon.com/coral/com.amazonaws.medialive/", "",
                      R"({"message":"Channel is not idle"})");
  EXPECT_EQ(e.code, "ConflictException");
  EXPECT_EQ(e.message, "Channel is not idle");
}

TEST(AwsError, CodeFieldBeforeType) {
  const AwsError e =
      parse_aws_error(429, "", "", R"({"code":"TooManyRequestsException","__type":"X#Other"})");
  EXPECT_EQ(e.code, "TooManyRequestsException");
}

TEST(AwsError, NonJsonBodyKeepsTheStatus) {
  const AwsError e = parse_aws_error(502, "", "", "<html><body>Bad Gateway</body></html>");
  EXPECT_EQ(e.code, "Http502");
  EXPECT_EQ(e.message, "<html><body>Bad Gateway</body></html>");
  EXPECT_EQ(parse_aws_error(503, "", "", "").code, "Http503");
}

TEST(AwsError, SanitizesCodes) {
  EXPECT_EQ(sanitize_error_code("a.b#C"), "C");
  EXPECT_EQ(sanitize_error_code("C:http://x#y"), "C");
  EXPECT_EQ(sanitize_error_code(" C "), "C");
  EXPECT_EQ(sanitize_error_code(""), "");
}

TEST(AwsError, ToErrorKeepsCodeMessageAndRequestId) {
  AwsError e =
      parse_aws_error(400, "", "RID", R"({"__type":"x#ConditionalCheckFailedException","message":"failed"})");
  Error error = e.to_error();
  EXPECT_EQ(error.code(), ErrorCode::kConflict);
  EXPECT_EQ(error.message(), "ConditionalCheckFailedException: failed (HTTP 400, request id RID)");

  e = parse_aws_error(400, "", "",
                      R"({"__type":"x#ResourceNotFoundException","message":"Requested resource not found"})");
  EXPECT_EQ(e.to_error().code(), ErrorCode::kNotFound);

  e = parse_aws_error(400, "", "",
                      R"({"__type":"x#ProvisionedThroughputExceededException","message":"slow"})");
  e.retryable = true;
  e.attempts = 3;
  EXPECT_EQ(e.to_error().code(), ErrorCode::kIo);
  EXPECT_EQ(e.to_error().message(),
            "ProvisionedThroughputExceededException: slow (HTTP 400) after 3 attempts");
}

TEST(AwsError, TransportErrorsKeepTheirKind) {
  const AwsError e = transport_error(Error(ErrorCode::kTimeout, "timed out"));
  EXPECT_EQ(e.http_status, 0);
  EXPECT_EQ(e.code, kTimeoutCode);
  EXPECT_EQ(e.to_error().code(), ErrorCode::kTimeout);
  EXPECT_EQ(transport_error(Error(ErrorCode::kTls, "bad cert")).code, kTlsCode);
  EXPECT_EQ(transport_error(Error(ErrorCode::kClosed, "reset")).code, kConnectionCode);
}

}  // namespace
}  // namespace lunora::aws
