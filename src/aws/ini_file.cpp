#include "aws/ini_file.hpp"

namespace lunora::aws {

namespace {

std::string_view trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

}  // namespace

const IniSection* IniFile::section(std::string_view name) const {
  const auto it = sections.find(name);
  return it == sections.end() ? nullptr : &it->second;
}

Result<IniFile> parse_ini(std::string_view text, std::string_view file_name) {
  IniFile file;
  IniSection* current = nullptr;
  std::string parent;  // the property an indented line belongs to, while its value is empty
  size_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view raw = text.substr(start, end - start);
    start = end + 1;
    ++line_number;

    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto malformed = [&](std::string_view why) {
      return Error(ErrorCode::kParse, "malformed INI line " + std::to_string(line_number) + " of " +
                                          std::string(file_name) + ": " + std::string(why));
    };
    const bool indented = raw.front() == ' ' || raw.front() == '\t';

    if (line.front() == '[') {
      if (line.back() != ']') return malformed("a section header must end with ']'");
      const std::string_view name = trim(line.substr(1, line.size() - 2));
      if (name.empty()) return malformed("empty section name");
      current = &file.sections[std::string(name)];
      parent.clear();
      continue;
    }
    const size_t equals = line.find('=');
    if (equals == std::string_view::npos) return malformed("expected [section] or name = value");
    if (current == nullptr) return malformed("a property before any [section]");
    const std::string name(trim(line.substr(0, equals)));
    const std::string value(trim(line.substr(equals + 1)));
    if (name.empty()) return malformed("a property without a name");

    if (indented && !parent.empty()) {
      (*current)[std::string(parent).append(".").append(name)] = value;
      continue;
    }
    (*current)[name] = value;
    parent = value.empty() ? name : std::string();
  }
  return file;
}

}  // namespace lunora::aws
