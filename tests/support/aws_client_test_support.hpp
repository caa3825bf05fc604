// Running an AwsClient call to its end in a test: a fresh io_context, a time limit so that a bug fails the
// test instead of hanging it, and the options every client test starts from.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>

#include "aws/aws_client.hpp"

namespace lunora::testing {

inline aws::AwsClientOptions test_client_options(std::string endpoint) {
  aws::AwsClientOptions options;
  options.endpoint = std::move(endpoint);
  options.region = "us-east-1";
  options.signing_name = "dynamodb";
  options.credentials = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "test"};
  options.attempt_timeout = std::chrono::seconds(5);
  options.deadline = std::chrono::seconds(10);
  options.retry.base_delay = std::chrono::milliseconds(5);  // keeps the retry tests fast
  return options;
}

// A plain function, not a lambda, goes into co_spawn (the GCC 12 pitfall of src/api/api_routes.cpp).
inline boost::asio::awaitable<void> send_into(const aws::AwsClient* client, aws::AwsRequest request,
                                              std::optional<aws::AwsOutcome>* out) {
  out->emplace(co_await client->send(std::move(request)));
}

// nullopt when the call did not finish within `limit`.
inline std::optional<aws::AwsOutcome> run_call(const aws::AwsClient& client, aws::AwsRequest request,
                                               std::chrono::seconds limit = std::chrono::seconds(20)) {
  boost::asio::io_context io;
  std::optional<aws::AwsOutcome> out;
  boost::asio::co_spawn(io, send_into(&client, std::move(request), &out), boost::asio::detached);
  io.run_for(limit);
  return out;
}

}  // namespace lunora::testing
