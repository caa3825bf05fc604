#!/usr/bin/env bash
# Fails when src/media/ includes a header from a room above it (DESIGN.md: media knows nothing of HTTP, JSON,
# SQL or AWS), or src/aws/ anything but core/ (aws/ sits beside media/, under engine/ and store/).
set -eu
src=${1:?usage: check_layering.sh SRC_DIR}
bad=$(grep -rnE '#include "(control|api|store|aws|engine|app)/' "$src/media" "$src/core" || true)
bad+=$(grep -rnE '#include [<"](nlohmann|sqlite3|boost/beast)' "$src/media" "$src/core" || true)
bad+=$(grep -rnE '#include "(media|control|api|store|engine|app)/' "$src/aws" || true)
if [ -n "$bad" ]; then
  echo "layering violation:"
  echo "$bad"
  exit 1
fi
echo "layering ok"
