#include "api/api_routes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "api/http/http_forwarder.hpp"
#include "api/playback/playback_routes.hpp"
#include "control/secret_box.hpp"

namespace lunora::api {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using control::ControlPlane;
using control::Outcome;

constexpr const char* kForwardToHeader = "X-Lunora-Forward-To";

// `?allow_restart=true`: a change to a channel on MediaLive (direct mode) may restart it (issue 8).
bool allow_restart(const HttpRequest& request) {
  auto it = request.query.find("allow_restart");
  return it != request.query.end() && (it->second == "true" || it->second == "1");
}

HttpResponse to_response(const Outcome& outcome) {
  HttpResponse response;
  if (!outcome.forward_to.empty()) {
    // Taken up by forward_if_asked() below: the request goes on to the node that drives the channel.
    response.status = 307;
    response.headers.emplace_back(kForwardToHeader, outcome.forward_to);
    if (!outcome.forward_body.is_null()) response.body = outcome.forward_body.dump();
    return response;
  }
  response.status = outcome.status;
  if (outcome.status == 204) {
    response.content_type.clear();
  } else {
    response.body = outcome.body.dump();
  }
  return response;
}

template <typename Command>
awaitable<std::invoke_result_t<Command&>> run_command(Command command) {
  co_return command();
}

// A command on the control thread; what it changed is in the read snapshot before the reply leaves.
template <typename Command>
awaitable<Outcome> run_control_command(ControlPlane* control, Command command) {
  Outcome outcome = command();
  control->publish_snapshot();
  co_return outcome;
}

awaitable<HttpReply> reply_of(awaitable<Outcome> pending) {
  Outcome outcome = co_await std::move(pending);
  co_return to_response(outcome);
}

// Runs `command` on the control thread and comes back with its Outcome. Not a coroutine itself: GCC 12
// destroys an init-capture of a coroutine parameter twice, so the command only moves through plain calls.
template <typename Command>
awaitable<HttpReply> on_control(ControlPlane& control, Command command) {
  return reply_of(asio::co_spawn(control.executor(), run_control_command(&control, std::move(command)),
                                 asio::use_awaitable));
}

// The destinations list on the control thread, with the snapshot brought up to date first.
awaitable<std::optional<std::string>> current_destinations_list(ControlPlane* control,
                                                                std::optional<std::string> channel_id) {
  control->publish_snapshot();
  co_return control->destinations_list_json(channel_id);
}

// The slate picture as a reply, read on the control thread (a plain function: no lambda captures cross into a
// coroutine frame, see on_control).
awaitable<HttpReply> slate_picture_reply(ControlPlane* control, std::string id) {
  auto image = control->slate_image(id);
  if (!image) co_return json_error(404, "not_found", "no channel with id " + id);
  HttpResponse response{200, std::move(image->first), std::move(image->second), {}};
  response.headers.emplace_back("Cache-Control", "no-store");
  co_return response;
}

awaitable<HttpReply> reply_now(HttpReply reply) {
  co_return reply;
}

std::string forward_target(const HttpReply& reply) {
  const auto* response = std::get_if<HttpResponse>(&reply);
  if (response == nullptr || response->status != 307) return {};
  for (const auto& [name, value] : response->headers) {
    if (name == kForwardToHeader) return value;
  }
  return {};
}

awaitable<int> refresh_from_store(ControlPlane* control) {
  control->refresh_from_store();
  control->publish_snapshot();
  co_return 0;
}

awaitable<HttpReply> sync_after_forward(ControlPlane* control, HttpResponse answer) {
  // The write landed on the other node: this node reads it from the store before answering, so that the
  // client's next read here sees it.
  co_await asio::co_spawn(control->executor(), refresh_from_store(control), asio::use_awaitable);
  co_return answer;
}

// A command for a channel another node drives: the request goes on to that node once (never again from
// there: a channel moving between nodes answers 503), and its answer is ours.
awaitable<HttpReply> forward_if_asked(HttpReply reply, HttpRequest* request, ControlPlane* control,
                                      std::string node_id) {
  const std::string target = forward_target(reply);
  if (target.empty()) co_return reply;
  if (!request->header(kForwardedHeader).empty()) {
    co_return json_error(503, "channel_moving",
                         "the channel moved to another node while this request was on its way; try again");
  }
  // A body the command rewrote for the other node (Outcome::forward_body) goes instead of the request's.
  if (const auto& rewritten = std::get<HttpResponse>(reply).body; !rewritten.empty()) {
    request->body = rewritten;
  }
  HttpResponse answer = co_await forward_request(*request, target, node_id);
  if (request->method != "GET" && answer.status < 300) {
    co_return co_await sync_after_forward(control, answer);
  }
  co_return answer;
}

class Auth {
 public:
  explicit Auth(std::string token_sha256) : token_sha256_(std::move(token_sha256)) {}

  // nullopt when the request carries the admin token.
  std::optional<HttpResponse> check(const HttpRequest& request) const {
    const std::string header = request.header("authorization");
    // The scheme is case-insensitive (RFC 9110 11.1).
    const std::string prefix = "bearer ";
    std::string scheme = header.substr(0, prefix.size());
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (header.size() <= prefix.size() || scheme != prefix) {
      return refuse("this route needs the admin token: send Authorization: Bearer <token>");
    }
    if (!control::constant_time_equal(control::sha256_hex(header.substr(prefix.size())), token_sha256_)) {
      // The target as sent (Beast admits no control characters in it), minus the query.
      spdlog::warn("event=auth_failed peer={} path={}", request.peer,
                   request.target.substr(0, request.target.find('?')));
      return refuse("the token is not valid");
    }
    return std::nullopt;
  }

 private:
  static HttpResponse refuse(const std::string& message) {
    auto response = json_error(401, "unauthorized", message);
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  std::string token_sha256_;
};

// The JSON body of a POST/PATCH, or the error reply (415 wrong type, 400 not JSON).
std::variant<nlohmann::json, HttpResponse> json_body(const HttpRequest& request) {
  const std::string type = request.header("content-type");
  if (type.rfind("application/json", 0) != 0) {
    return json_error(415, "unsupported_media_type",
                      "send the body as JSON with Content-Type: application/json");
  }
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return json_error(400, "invalid_json", "the request body is not valid JSON");
  return body;
}

}  // namespace

std::shared_ptr<Router> make_api_router(ControlPlane& control, const ApiOptions& options) {
  auto router = std::make_shared<Router>();
  add_api_routes(*router, control, options);
  return router;
}

void add_api_routes(Router& routes, ControlPlane& control, const ApiOptions& options) {
  Router* router = &routes;
  auto auth = std::make_shared<Auth>(options.admin_token_sha256);
  ControlPlane* cp = &control;

  // Wraps a handler with the token check, and sends a command for a channel another node drives there.
  auto guarded = [auth, cp, node_id = options.node_id](Handler handler) -> Handler {
    return [auth, cp, node_id, handler = std::move(handler)](HttpRequest& request) -> awaitable<HttpReply> {
      if (auto refused = auth->check(request)) co_return *refused;
      HttpReply reply = co_await handler(request);
      co_return co_await forward_if_asked(std::move(reply), &request, cp, node_id);
    };
  };
  // A handler taking the parsed JSON body.
  auto with_body = [guarded](std::function<awaitable<HttpReply>(HttpRequest&, nlohmann::json)> handler) {
    return guarded([handler = std::move(handler)](HttpRequest& request) -> awaitable<HttpReply> {
      auto body = json_body(request);
      if (auto* error = std::get_if<HttpResponse>(&body)) co_return *error;
      auto pending = handler(request, std::get<nlohmann::json>(std::move(body)));
      co_return co_await std::move(pending);
    });
  };
  auto param = [](const HttpRequest& request) { return request.path_params.at("id"); };

  router->add("GET", "/healthz", [](HttpRequest&) -> awaitable<HttpReply> {
    co_return HttpResponse{200, "application/json", R"({"status":"ok"})", {}};
  });
  router->add("GET", "/metrics", [cp](HttpRequest&) -> awaitable<HttpReply> {
    std::string text = co_await asio::co_spawn(
        cp->executor(), run_command([cp] { return cp->metrics_text(); }), asio::use_awaitable);
    co_return HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", std::move(text), {}};
  });

  router->add("GET", "/api/v1/channels", guarded([cp](HttpRequest&) -> awaitable<HttpReply> {
                return on_control(*cp, [cp] { return cp->list_channels(); });
              }));
  router->add("POST", "/api/v1/channels", with_body([cp](HttpRequest&, nlohmann::json body) {
                return on_control(*cp, [cp, body = std::move(body)] { return cp->create_channel(body); });
              }));
  router->add("GET", "/api/v1/channels/{id}", guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
                return on_control(*cp, [cp, id = param(r)] { return cp->get_channel(id); });
              }));
  router->add("PATCH", "/api/v1/channels/{id}", with_body([cp, param](HttpRequest& r, nlohmann::json body) {
                return on_control(
                    *cp, [cp, id = param(r), body = std::move(body)] { return cp->patch_channel(id, body); });
              }));
  router->add(
      "DELETE", "/api/v1/channels/{id}", guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
        auto force = r.query.find("force");
        const bool forced = force != r.query.end() && (force->second == "true" || force->second == "1");
        return on_control(*cp, [cp, id = param(r), forced] { return cp->delete_channel(id, forced); });
      }));
  router->add("GET", "/api/v1/channels/{id}/ingest",
              guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
                return on_control(*cp, [cp, id = param(r)] { return cp->channel_ingest(id); });
              }));
  router->add("POST", "/api/v1/channels/{id}/start",
              guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
                return on_control(*cp, [cp, id = param(r)] { return cp->start_channel(id); });
              }));
  router->add("POST", "/api/v1/channels/{id}/stop",
              guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
                return on_control(*cp, [cp, id = param(r)] { return cp->stop_channel(id); });
              }));
  // The body is optional: {"to": "primary"|"backup"}; without one, the input that is not on air.
  router->add("POST", "/api/v1/channels/{id}/input/switch",
              guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
                nlohmann::json body = nullptr;
                if (!r.body.empty()) {
                  auto parsed = json_body(r);
                  if (auto* error = std::get_if<HttpResponse>(&parsed)) return reply_now(*error);
                  body = std::get<nlohmann::json>(std::move(parsed));
                }
                return on_control(
                    *cp, [cp, id = param(r), body = std::move(body)] { return cp->switch_input(id, body); });
              }));
  // The slate picture: the file itself as the body (up to HttpServerOptions::max_upload_bytes), not JSON.
  router->add("PUT", "/api/v1/channels/{id}/slate",
              guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
                return on_control(*cp, [cp, id = param(r), type = r.header("content-type"), body = r.body] {
                  return cp->set_slate_image(id, type, body);
                });
              }));
  router->add(
      "GET", "/api/v1/channels/{id}/slate", guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
        const std::string id = param(r);
        co_return co_await asio::co_spawn(cp->executor(), slate_picture_reply(cp, id), asio::use_awaitable);
      }));
  router->add("DELETE", "/api/v1/channels/{id}/slate",
              guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
                return on_control(*cp, [cp, id = param(r)] { return cp->clear_slate_image(id); });
              }));
  // Renditions (issue 9).
  auto rendition_name = [](const HttpRequest& request) { return request.path_params.at("name"); };
  router->add("GET", "/api/v1/channels/{id}/renditions",
              guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
                return on_control(*cp, [cp, id = param(r)] { return cp->list_renditions(id); });
              }));
  router->add(
      "POST", "/api/v1/channels/{id}/renditions", with_body([cp, param](HttpRequest& r, nlohmann::json body) {
        return on_control(
            *cp, [cp, id = param(r), body = std::move(body)] { return cp->create_rendition(id, body); });
      }));
  router->add("GET", "/api/v1/channels/{id}/renditions/{name}",
              guarded([cp, param, rendition_name](HttpRequest& r) -> awaitable<HttpReply> {
                return on_control(*cp, [cp, id = param(r), name = rendition_name(r)] {
                  return cp->get_rendition(id, name);
                });
              }));
  router->add("PATCH", "/api/v1/channels/{id}/renditions/{name}",
              with_body([cp, param, rendition_name](HttpRequest& r, nlohmann::json body) {
                return on_control(*cp, [cp, id = param(r), name = rendition_name(r), body = std::move(body)] {
                  return cp->patch_rendition(id, name, body);
                });
              }));
  router->add("DELETE", "/api/v1/channels/{id}/renditions/{name}",
              guarded([cp, param, rendition_name](HttpRequest& r) -> awaitable<HttpReply> {
                auto force = r.query.find("force");
                const bool forced =
                    force != r.query.end() && (force->second == "true" || force->second == "1");
                return on_control(*cp, [cp, id = param(r), name = rendition_name(r), forced] {
                  return cp->delete_rendition(id, name, forced);
                });
              }));
  router->add("POST", "/api/v1/channels/{id}/playback-token",
              guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
                return on_control(*cp, [cp, id = param(r)] { return cp->rotate_playback_token(id); });
              }));

  router->add("GET", "/api/v1/destinations", guarded([cp](HttpRequest& r) -> awaitable<HttpReply> {
                // The hot read path: served from the control plane's snapshot on this I/O thread.
                std::optional<std::string> channel_id;
                if (auto it = r.query.find("channel_id"); it != r.query.end()) channel_id = it->second;
                std::optional<std::string> text;
                if (cp->destinations_snapshot_current()) {
                  text = cp->destinations_list_json(channel_id);
                } else {
                  // A change already announced over SSE is not in the snapshot yet: read after its command.
                  text = co_await asio::co_spawn(cp->executor(), current_destinations_list(cp, channel_id),
                                                 asio::use_awaitable);
                }
                if (!text) {
                  co_return json_error(404, "not_found", "no channel with id " + channel_id.value_or(""));
                }
                HttpResponse response;
                response.body = std::move(text).value();
                co_return response;
              }));
  router->add("POST", "/api/v1/destinations", with_body([cp](HttpRequest&, nlohmann::json body) {
                return on_control(*cp, [cp, body = std::move(body)] { return cp->create_destination(body); });
              }));
  router->add("GET", "/api/v1/destinations/{id}",
              guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
                return on_control(*cp, [cp, id = param(r)] { return cp->get_destination(id); });
              }));
  router->add("PATCH", "/api/v1/destinations/{id}",
              with_body([cp, param](HttpRequest& r, nlohmann::json body) {
                return on_control(*cp, [cp, id = param(r), body = std::move(body), allow = allow_restart(r)] {
                  return cp->patch_destination(id, body, allow);
                });
              }));
  router->add(
      "DELETE", "/api/v1/destinations/{id}", guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
        return on_control(
            *cp, [cp, id = param(r), allow = allow_restart(r)] { return cp->delete_destination(id, allow); });
      }));
  router->add(
      "POST", "/api/v1/destinations/{id}/start", guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
        return on_control(
            *cp, [cp, id = param(r), allow = allow_restart(r)] { return cp->start_destination(id, allow); });
      }));
  router->add(
      "POST", "/api/v1/destinations/{id}/stop", guarded([cp, param](HttpRequest& r) -> awaitable<HttpReply> {
        return on_control(
            *cp, [cp, id = param(r), allow = allow_restart(r)] { return cp->stop_destination(id, allow); });
      }));

  router->add("GET", "/api/v1/platforms", guarded([cp](HttpRequest&) -> awaitable<HttpReply> {
                return on_control(*cp, [cp] { return cp->list_platforms(); });
              }));

  const size_t sse_max_queued = options.sse_max_queued;
  router->add(
      "GET", "/api/v1/events", guarded([cp, sse_max_queued](HttpRequest& r) -> awaitable<HttpReply> {
        std::optional<int64_t> last_event_id;
        std::string resume = r.header("last-event-id");
        if (resume.empty()) {
          if (auto it = r.query.find("last_event_id"); it != r.query.end()) resume = it->second;
        }
        if (!resume.empty()) {
          char* end = nullptr;
          errno = 0;
          const long long value = std::strtoll(resume.c_str(), &end, 10);
          if (end == resume.c_str() || *end != '\0' || value < 0 || errno == ERANGE) {
            co_return json_error(400, "bad_request", "Last-Event-ID must be a non-negative whole number");
          }
          last_event_id = value;
        }
        auto stats_flag = r.query.find("stats");
        const bool stats =
            stats_flag != r.query.end() && (stats_flag->second == "1" || stats_flag->second == "true");
        auto channel = std::make_shared<SseChannel>(co_await asio::this_coro::executor, sse_max_queued);
        channel->push("retry: 2000\n\n");
        auto subscribe = [cp, channel, last_event_id, stats] {
          auto push = [channel](const store::EventRecord& event) {
            if (event.id == 0) {  // not a stored event (resync, stats): no id to resume from
              return channel->push("event: " + event.type + "\ndata: " + event.data + "\n\n");
            }
            return channel->push(SseChannel::format(event.id, event.type, event.data));
          };
          cp->subscribe(last_event_id, push);
          if (stats) cp->subscribe_stats(push);
          return true;
        };
        co_await asio::co_spawn(cp->executor(), run_command(std::move(subscribe)), asio::use_awaitable);
        co_return channel;
      }));
  add_playback_routes(routes, control, options.assets);
}

}  // namespace lunora::api
