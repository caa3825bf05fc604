#include "aws/sigv4.hpp"

#include <algorithm>
#include <array>
#include <ctime>

#include "aws/crypto.hpp"
#include "aws/uri_encoding.hpp"

namespace lunora::aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
// The headers the signer itself sets; a caller giving one would sign a second, conflicting copy.
constexpr std::array<std::string_view, 4> kSignerHeaders = {"x-amz-date", "x-amz-security-token",
                                                            "x-amz-content-sha256", "authorization"};

std::string to_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
  return out;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Trims, and collapses each inner run of whitespace (quoted or not, and the line breaks of an obsolete
// folded header) into one space.
std::string canonical_header_value(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (const char c : value) {
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) encoded.emplace_back(uri_encode(name), uri_encode(value));
  // Sorted by the encoded name, then the encoded value (byte order, as the spec says).
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out.append(name).append("=").append(value);
  }
  return out;
}

struct CanonicalHeaders {
  std::string block;         // "name:value\n" per header
  std::string signed_names;  // "host;x-amz-date"
};

// Lowercase names, sorted; the values of a repeated header joined with ',' in the order they came.
CanonicalHeaders canonical_headers(const HeaderList& headers) {
  std::vector<std::pair<std::string, std::string>> lowered;
  lowered.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    lowered.emplace_back(to_lower(name), canonical_header_value(value));
  }
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (size_t i = 0; i < lowered.size(); ++i) {
    const bool repeat = i > 0 && lowered[i].first == lowered[i - 1].first;
    if (repeat) {
      out.block.back() = ',';  // replaces the previous value's '\n'
    } else {
      out.block.append(lowered[i].first).push_back(':');
      if (!out.signed_names.empty()) out.signed_names.push_back(';');
      out.signed_names.append(lowered[i].first);
    }
    out.block.append(lowered[i].second).push_back('\n');
  }
  return out;
}

Status validate(const RequestToSign& request, const SigningParams& params) {
  if (request.method.empty()) return Error(ErrorCode::kInvalidArgument, "sigv4: the request has no method");
  if (params.credentials.access_key_id.empty() || params.credentials.secret_access_key.empty()) {
    return Error(ErrorCode::kInvalidArgument, "sigv4: credentials without an access key id or secret");
  }
  if (params.region.empty() || params.service.empty()) {
    return Error(ErrorCode::kInvalidArgument, "sigv4: region and service are required");
  }
  bool has_host = !request.host.empty();
  for (const auto& [name, value] : request.headers) {
    const std::string lower = to_lower(name);
    if (lower.empty()) return Error(ErrorCode::kInvalidArgument, "sigv4: a header without a name");
    if (std::find(kSignerHeaders.begin(), kSignerHeaders.end(), lower) != kSignerHeaders.end()) {
      return Error(ErrorCode::kInvalidArgument, "sigv4: header " + name + " is set by the signer");
    }
    has_host = has_host || lower == "host";
  }
  if (!has_host) return Error(ErrorCode::kInvalidArgument, "sigv4: the request has no host");
  return ok_status();
}

bool has_header(const HeaderList& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& header) { return to_lower(header.first) == lower_name; });
}

}  // namespace

std::string amz_date(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[sizeof("20150830T123600Z")];
  std::strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

Result<SignedRequest> sign_request(const RequestToSign& request, const SigningParams& params) {
  if (Status valid = validate(request, params); !valid) return valid.error();

  const std::string date_time = amz_date(params.time);
  const std::string date = date_time.substr(0, 8);
  const std::string payload_hash = request.payload_hash ? *request.payload_hash : sha256_hex(request.body);
  const std::string& token = params.credentials.session_token;

  SignedRequest out;
  if (!token.empty()) out.headers_to_add.emplace_back("X-Amz-Security-Token", token);
  out.headers_to_add.emplace_back("X-Amz-Date", date_time);
  if (params.add_content_sha256_header) out.headers_to_add.emplace_back("x-amz-content-sha256", payload_hash);

  HeaderList signed_headers = request.headers;
  if (!has_header(signed_headers, "host")) signed_headers.emplace_back("host", request.host);
  for (const auto& header : out.headers_to_add) {
    if (header.first == "X-Amz-Security-Token" && !params.sign_session_token) continue;
    signed_headers.push_back(header);
  }
  const CanonicalHeaders headers = canonical_headers(signed_headers);

  const std::string path = params.normalize_path ? normalize_path(request.path) : request.path;
  out.canonical_request = request.method + "\n" + (params.encode_path ? encode_path_segments(path) : path) +
                          "\n" + canonical_query(request.query) + "\n" + headers.block + "\n" +
                          headers.signed_names + "\n" + payload_hash;

  const std::string scope = date + "/" + params.region + "/" + params.service + "/aws4_request";
  out.string_to_sign =
      std::string(kAlgorithm) + "\n" + date_time + "\n" + scope + "\n" + sha256_hex(out.canonical_request);

  // The signing key chain: the secret is never used directly, only this key derived for one day and scope.
  const std::string date_key = hmac_sha256("AWS4" + params.credentials.secret_access_key, date);
  const std::string region_key = hmac_sha256(date_key, params.region);
  const std::string service_key = hmac_sha256(region_key, params.service);
  const std::string signing_key = hmac_sha256(service_key, "aws4_request");
  out.signature = hex_lower(hmac_sha256(signing_key, out.string_to_sign));

  out.authorization = std::string(kAlgorithm) + " Credential=" + params.credentials.access_key_id + "/" +
                      scope + ", SignedHeaders=" + headers.signed_names + ", Signature=" + out.signature;
  out.headers_to_add.emplace_back("Authorization", out.authorization);
  return out;
}

}  // namespace lunora::aws
