// A self-signed certificate made at test time with OpenSSL's API, for TLS tests that need a server no public
// CA vouches for. Nothing is written to disk.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl.hpp>
#include <memory>
#include <stdexcept>
#include <string>

namespace lunora::testing {

struct TestCertificate {
  std::string certificate_pem;
  std::string private_key_pem;

  // `subject_alt_name` as in openssl.cnf: "IP:127.0.0.1", "DNS:other.example".
  static TestCertificate make(const std::string& subject_alt_name) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    if (!key || !cert) throw std::runtime_error("OpenSSL: cannot make a key");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("lunora test"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, subject_alt_name.c_str());
    if (!san) throw std::runtime_error("OpenSSL: bad subjectAltName");
    X509_add_ext(cert.get(), san, -1);
    X509_EXTENSION_free(san);
    if (!X509_sign(cert.get(), key.get(), EVP_sha256())) throw std::runtime_error("OpenSSL: cannot sign");
    return {to_pem(cert.get()), to_pem(key.get())};
  }

  std::unique_ptr<boost::asio::ssl::context> server_context() const {
    auto ctx = std::make_unique<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    ctx->use_certificate(boost::asio::buffer(certificate_pem), boost::asio::ssl::context::pem);
    ctx->use_private_key(boost::asio::buffer(private_key_pem), boost::asio::ssl::context::pem);
    return ctx;
  }

  // A client context that trusts only this certificate.
  std::shared_ptr<boost::asio::ssl::context> trusting_client_context() const {
    auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
    ctx->add_certificate_authority(boost::asio::buffer(certificate_pem));
    ctx->set_verify_mode(boost::asio::ssl::verify_peer);
    return ctx;
  }

 private:
  static std::string to_pem(X509* cert) {
    return bio_text([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
  }
  static std::string to_pem(EVP_PKEY* key) {
    return bio_text([key](BIO* bio) {
      return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
  }
  template <typename Write>
  static std::string bio_text(Write write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!write(bio.get())) throw std::runtime_error("OpenSSL: cannot write PEM");
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(size));
  }
};

}  // namespace lunora::testing
