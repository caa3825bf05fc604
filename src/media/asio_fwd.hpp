// Forward declarations of the Boost.Asio types that public media/ headers name, so that including them does
// not pull Asio and OpenSSL into every translation unit (one Beast/Asio TU costs ~15 s to compile here).
#pragma once

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}  // namespace ssl
}  // namespace boost::asio
