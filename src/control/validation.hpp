// Request-body checks with messages that say what is wrong and which field (issue 3: "a sentence a person
// understands"). Each returns the error Outcome, or nullopt when the value is fine.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>

#include "control/outcome.hpp"

namespace lunora::control {

using Problem = std::optional<Outcome>;

Problem require_object(const nlohmann::json& body);
// Fields not in `allowed` are refused: a typo ("stream_kye") must not be silently ignored.
Problem only_fields(const nlohmann::json& object, std::initializer_list<const char*> allowed,
                    const std::string& prefix = "");
// A string of 1..max_length characters without control characters.
Problem check_name(const nlohmann::json& value, const std::string& field, size_t max_length = 100);
Problem check_string(const nlohmann::json& value, const std::string& field, size_t max_length);
Problem check_bool(const nlohmann::json& value, const std::string& field);
Problem check_int(const nlohmann::json& value, const std::string& field, int64_t min, int64_t max);

}  // namespace lunora::control
