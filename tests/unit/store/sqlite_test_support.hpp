// A fresh directory under the system temp dir per test, removed at the end, so store tests use real files.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace lunora::store::testing {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / unique_name()) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  static std::string unique_name() {
    static std::atomic<int> counter{0};
    return "lunora_store_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
           std::to_string(std::random_device{}());
  }

  std::filesystem::path path_;
};

}  // namespace lunora::store::testing
