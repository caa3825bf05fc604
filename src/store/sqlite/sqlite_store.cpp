// Replaced by the SQLite implementation (in progress on the store branch).
#include "store/store.hpp"

namespace lunora::store {

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path) {
  return Error(ErrorCode::kInternal, "SQLite store not built yet: " + path);
}

}  // namespace lunora::store
