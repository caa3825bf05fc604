#include "control/validation.hpp"

#include <fmt/format.h>

namespace lunora::control {

Problem require_object(const nlohmann::json& body) {
  if (!body.is_object()) return validation_failed("", "the request body must be a JSON object");
  return std::nullopt;
}

Problem only_fields(const nlohmann::json& object, std::initializer_list<const char*> allowed,
                    const std::string& prefix) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const char* name : allowed) known = known || key == name;
    if (!known) {
      std::string list;
      for (const char* name : allowed) list += (list.empty() ? "" : ", ") + std::string(name);
      return validation_failed(prefix + key,
                               fmt::format("unknown field \"{}{}\"; expected one of: {}", prefix, key, list));
    }
  }
  return std::nullopt;
}

Problem check_string(const nlohmann::json& value, const std::string& field, size_t max_length) {
  if (!value.is_string()) return validation_failed(field, field + " must be a string");
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() > max_length) {
    return validation_failed(field, fmt::format("{} is longer than {} characters", field, max_length));
  }
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f)
      return validation_failed(field, field + " must not contain control characters");
  }
  return std::nullopt;
}

Problem check_name(const nlohmann::json& value, const std::string& field, size_t max_length) {
  if (auto problem = check_string(value, field, max_length)) return problem;
  if (value.get_ref<const std::string&>().find_first_not_of(' ') == std::string::npos) {
    return validation_failed(field, field + " must not be empty");
  }
  return std::nullopt;
}

Problem check_bool(const nlohmann::json& value, const std::string& field) {
  if (!value.is_boolean()) return validation_failed(field, field + " must be true or false");
  return std::nullopt;
}

Problem check_int(const nlohmann::json& value, const std::string& field, int64_t min, int64_t max) {
  if (!value.is_number_integer()) return validation_failed(field, field + " must be a whole number");
  const auto number = value.get<int64_t>();
  if (number < min || number > max) {
    return validation_failed(field, fmt::format("{} must be between {} and {}", field, min, max));
  }
  return std::nullopt;
}

}  // namespace lunora::control
