// The Lambda Runtime API (version 2018-06-01) from the runtime's side: ask for the next invocation, answer it
// or report its failure, or report that the runtime could not start. Blocking calls on the runtime's own
// thread (the one that runs `lunora lambda`'s loop): Lambda gives that thread nothing else to do, and the
// environment is frozen while it waits for the next invocation.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace lunora::api::lambda {

struct Invocation {
  std::string request_id;   // Lambda-Runtime-Aws-Request-Id
  int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms: when the invocation times out (Unix ms)
  std::string payload;      // the event
};

class RuntimeClient {
 public:
  // `address`: host:port, as in AWS_LAMBDA_RUNTIME_API.
  static Result<std::unique_ptr<RuntimeClient>> connect(const std::string& address);
  ~RuntimeClient();
  RuntimeClient(const RuntimeClient&) = delete;
  RuntimeClient& operator=(const RuntimeClient&) = delete;

  // Waits for the next invocation (as long as it takes).
  Result<Invocation> next();
  Status respond(const std::string& request_id, const std::string& body);
  // The invocation failed: `type` ("Lunora.BadEvent") and `message` reach the caller and the function's log.
  Status fail(const std::string& request_id, const std::string& type, const std::string& message);
  // The runtime cannot serve (bad settings): Lambda reports it and discards this environment.
  Status init_failed(const std::string& type, const std::string& message);

 private:
  struct Impl;
  explicit RuntimeClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lunora::api::lambda
