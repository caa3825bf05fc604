#include "control/outcome.hpp"

namespace lunora::control {

Outcome error_outcome(int status, const std::string& code, const std::string& message,
                      const std::string& field) {
  nlohmann::json error = {{"code", code}, {"message", message}};
  if (!field.empty()) error["field"] = field;
  return Outcome{status, {{"error", error}}};
}

}  // namespace lunora::control
