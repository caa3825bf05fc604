// The REST API v1 (issue 3; docs/openapi.yaml): routes, bearer-token auth, JSON bodies, SSE, /metrics,
// /healthz. Talks to control/ only, hopping onto the control thread for every command.
#pragma once

#include <memory>
#include <string>

#include "api/http/router.hpp"
#include "api/playback/static_assets.hpp"
#include "control/control_plane.hpp"

namespace lunora::api {

struct ApiOptions {
  std::string admin_token_sha256;  // hex SHA-256 of the admin token
  size_t sse_max_queued = 5000;    // events buffered per SSE client before it is dropped (it resumes)
  std::shared_ptr<const StaticAssets> assets;  // the player page and its scripts (null: none)
  std::string node_id;  // several nodes on one store: this node, named on the requests it forwards
};

// Adds every route (REST API v1 and playback) to `router`.
void add_api_routes(Router& router, control::ControlPlane& control, const ApiOptions& options);
std::shared_ptr<Router> make_api_router(control::ControlPlane& control, const ApiOptions& options);

}  // namespace lunora::api
