// The INI dialect of ~/.aws/credentials and ~/.aws/config: "[section]" headers, "name = value" properties,
// '#' and ';' comment lines, and indented sub-properties under a property with no value ("s3 =\n  x = 1").
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace lunora::aws {

using IniSection = std::map<std::string, std::string>;

struct IniFile {
  std::map<std::string, IniSection, std::less<>> sections;

  const IniSection* section(std::string_view name) const;
};

// `file_name` only names the file in errors ("malformed INI line 3 of /home/u/.aws/config: ...").
Result<IniFile> parse_ini(std::string_view text, std::string_view file_name);

}  // namespace lunora::aws
