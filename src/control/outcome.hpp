// What a control-plane command answers: the API contract (status + JSON body) is decided here, once, so every
// front door (HTTP, Lambda) answers the same.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace lunora::control {

struct Outcome {
  // Constructors rather than an aggregate: `{status, body}` stays short where forward_to is not needed.
  Outcome() = default;  // NOLINT(bugprone-exception-escape): only allocation can throw, as anywhere
  Outcome(int status_code, nlohmann::json json) : status(status_code), body(std::move(json)) {}

  int status = 200;
  nlohmann::json body;  // null for 204
  // Several nodes on one store: the command is for a channel another node drives; the front door sends the
  // request on to that node's API (this base URL) and answers with its answer.
  std::string forward_to;
  // With forward_to: the body to send there instead of the request's (null = the request's own), where the
  // other node would read the original differently (`lunora lambda` makes its channels' engine explicit).
  nlohmann::json forward_body;
};

// {"error": {"code", "message", "field"?}}
Outcome error_outcome(int status, const std::string& code, const std::string& message,
                      const std::string& field = "");
inline Outcome validation_failed(const std::string& field, const std::string& message) {
  return error_outcome(422, "validation_failed", message, field);
}
inline Outcome not_found(const std::string& what) {
  return error_outcome(404, "not_found", what);
}
inline Outcome conflict(const std::string& message) {
  return error_outcome(409, "conflict", message);
}

}  // namespace lunora::control
