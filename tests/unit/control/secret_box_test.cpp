#include "control/secret_box.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace lunora::control {
namespace {

std::array<unsigned char, SecretBox::kKeyBytes> key_of(unsigned char fill) {
  std::array<unsigned char, SecretBox::kKeyBytes> key{};
  key.fill(fill);
  return key;
}

class SecretBoxFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lunora-secret-" + std::to_string(::getpid()) + "-" + random_token(6));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST(SecretBox, SealsAndOpens) {
  const auto box = SecretBox::from_key(key_of(7));
  const std::string sealed = box.seal("live_123456_abcdef");
  EXPECT_EQ(sealed.find("live_123456"), std::string::npos);
  auto opened = box.open(sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "live_123456_abcdef");
  EXPECT_NE(box.seal("same"), box.seal("same")) << "a fresh nonce every time";
  EXPECT_EQ(box.seal(""), "");
  EXPECT_EQ(*box.open(""), "");
}

TEST(SecretBox, RefusesAnotherKeyAndTampering) {
  const auto box = SecretBox::from_key(key_of(1));
  const std::string sealed = box.seal("stream-key");
  auto other = SecretBox::from_key(key_of(2)).open(sealed);
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.error().message().find("secret key"), std::string::npos);
  std::string tampered = sealed;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.open(tampered).ok());
  EXPECT_FALSE(box.open("not base64 at all!").ok());
  EXPECT_FALSE(box.open("c2hvcnQ=").ok()) << "shorter than nonce + MAC";
}

TEST_F(SecretBoxFileTest, CreatesTheKeyFileOnceWithMode0600) {
  auto first = SecretBox::load(path("secret.key"), "");
  ASSERT_TRUE(first.ok()) << first.error().message();
  struct stat st {};
  ASSERT_EQ(::stat(path("secret.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  const std::string sealed = first->seal("kept across restarts");
  auto second = SecretBox::load(path("secret.key"), "");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second->open(sealed), "kept across restarts");
}

TEST_F(SecretBoxFileTest, EnvironmentKeyWinsInHexOrBase64) {
  const std::string hex(64, 'a');
  auto from_hex = SecretBox::load(path("unused.key"), hex);
  ASSERT_TRUE(from_hex.ok());
  EXPECT_FALSE(std::filesystem::exists(path("unused.key")));
  EXPECT_EQ(*SecretBox::from_key(key_of(0xaa)).open(from_hex->seal("x")), "x");
  auto from_base64 = SecretBox::load(path("unused.key"), "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=");
  ASSERT_TRUE(from_base64.ok());
  EXPECT_EQ(*from_hex->open(from_base64->seal("y")), "y");
  auto bad = SecretBox::load(path("unused.key"), "too-short");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("LUNORA_SECRET_KEY"), std::string::npos);
}

TEST_F(SecretBoxFileTest, DamagedKeyFileIsAnErrorNamingIt) {
  std::ofstream(path("secret.key")) << "garbage\n";
  auto box = SecretBox::load(path("secret.key"), "");
  ASSERT_FALSE(box.ok());
  EXPECT_NE(box.error().message().find(path("secret.key")), std::string::npos);
}

TEST(SecretHelpers, TokensHashesAndComparison) {
  std::set<std::string> tokens;
  for (int i = 0; i < 100; ++i) tokens.insert(random_token(24));
  EXPECT_EQ(tokens.size(), 100u);
  EXPECT_EQ(random_token(24).size(), 32u);
  EXPECT_EQ(random_token(24).find_first_of("+/="), std::string::npos) << "URL-safe, no padding";
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(constant_time_equal("same", "same"));
  EXPECT_FALSE(constant_time_equal("same", "sane"));
  EXPECT_FALSE(constant_time_equal("same", "same!"));
}

}  // namespace
}  // namespace lunora::control
