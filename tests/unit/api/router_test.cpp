#include "api/http/router.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

namespace lunora::api {
namespace {

namespace asio = boost::asio;

// A handler answering with its name and the path parameters it was given.
Handler named(std::string name) {
  return [name](HttpRequest& request) -> asio::awaitable<HttpReply> {
    nlohmann::json body = {{"handler", name}, {"params", request.path_params}};
    co_return HttpResponse{200, "application/json", body.dump(), {}};
  };
}

HttpResponse dispatch(const Router& router, HttpRequest& request) {
  asio::io_context io;
  auto future = asio::co_spawn(io, router.dispatch(request), asio::use_future);
  io.run();
  return std::get<HttpResponse>(future.get());
}

HttpResponse dispatch(const Router& router, const std::string& method, const std::string& target) {
  HttpRequest request;
  request.method = method;
  request.target = target;
  request.path = target.substr(0, target.find('?'));
  return dispatch(router, request);
}

nlohmann::json body_of(const HttpResponse& response) {
  return nlohmann::json::parse(response.body);
}

TEST(RouterTest, MatchesLiteralPathsAndFillsParams) {
  Router router;
  router.add("GET", "/api/v1/destinations", named("list"));
  router.add("POST", "/api/v1/destinations/{id}/start", named("start"));

  auto list = dispatch(router, "GET", "/api/v1/destinations");
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(body_of(list)["handler"], "list");

  auto start = dispatch(router, "POST", "/api/v1/destinations/d-42/start");
  EXPECT_EQ(start.status, 200);
  EXPECT_EQ(body_of(start)["handler"], "start");
  EXPECT_EQ(body_of(start)["params"]["id"], "d-42");
}

TEST(RouterTest, PercentDecodesParamsWithinTheirSegment) {
  Router router;
  router.add("GET", "/things/{name}/x", named("thing"));
  // An encoded slash stays part of the value instead of splitting the path.
  auto response = dispatch(router, "GET", "/things/a%2Fb%20c%zz/x?q=1");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(body_of(response)["params"]["name"], "a/b c%zz");
}

TEST(RouterTest, LiteralSegmentBeatsParamWhateverTheOrder) {
  for (bool literal_first : {true, false}) {
    Router router;
    if (literal_first) router.add("GET", "/streams/active", named("literal"));
    router.add("GET", "/streams/{id}", named("param"));
    if (!literal_first) router.add("GET", "/streams/active", named("literal"));

    EXPECT_EQ(body_of(dispatch(router, "GET", "/streams/active"))["handler"], "literal");
    EXPECT_EQ(body_of(dispatch(router, "GET", "/streams/other"))["handler"], "param");
  }
}

TEST(RouterTest, EarlierLiteralPositionWins) {
  Router router;
  router.add("GET", "/{a}/b", named("param-first"));
  router.add("GET", "/a/{b}", named("literal-first"));
  EXPECT_EQ(body_of(dispatch(router, "GET", "/a/b"))["handler"], "literal-first");
}

TEST(RouterTest, NoMatchIs404WithJsonError) {
  Router router;
  router.add("GET", "/a", named("a"));
  auto response = dispatch(router, "GET", "/x");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(body_of(response),
            nlohmann::json::parse(R"({"error":{"code":"not_found","message":"no route for GET /x"}})"));
  // Segment counts must agree, a trailing slash included.
  EXPECT_EQ(dispatch(router, "GET", "/a/").status, 404);
  EXPECT_EQ(dispatch(router, "GET", "/a/b").status, 404);
}

TEST(RouterTest, OtherMethodIs405WithAllow) {
  Router router;
  router.add("GET", "/items/{id}", named("get"));
  router.add("POST", "/items/{id}", named("post"));
  router.add("GET", "/items/{id}/x", named("other"));
  auto response = dispatch(router, "DELETE", "/items/7");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(body_of(response)["error"]["code"], "method_not_allowed");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "GET, POST");
}

TEST(RouterTest, RoutesListsInInsertionOrder) {
  Router router;
  router.add("GET", "/b", named("1"));
  router.add("post", "/a/{id}", named("2"));
  router.add("GET", "/a", named("3"));
  const auto routes = router.routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0].method, "GET");
  EXPECT_EQ(routes[0].pattern, "/b");
  EXPECT_EQ(routes[1].method, "POST");  // methods are upper-cased
  EXPECT_EQ(routes[1].pattern, "/a/{id}");
  EXPECT_EQ(routes[2].pattern, "/a");
}

TEST(RouterTest, HandlerMayAwait) {
  Router router;
  router.add("GET", "/wait", [](HttpRequest&) -> asio::awaitable<HttpReply> {
    asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::milliseconds(1));
    co_await timer.async_wait(asio::use_awaitable);
    co_return HttpResponse{204, "text/plain", "", {}};
  });
  EXPECT_EQ(dispatch(router, "GET", "/wait").status, 204);
}

TEST(RouterTest, JsonErrorEscapesAndNamesTheField) {
  auto response = json_error(400, "invalid_argument", "bad \"name\"\nline\x01 \xff", "name");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/json");
  const auto body = body_of(response);  // parses: escaped, invalid UTF-8 replaced
  EXPECT_EQ(body["error"]["code"], "invalid_argument");
  EXPECT_EQ(body["error"]["field"], "name");
  EXPECT_EQ(body["error"]["message"], "bad \"name\"\nline\x01 \xEF\xBF\xBD");

  EXPECT_FALSE(body_of(json_error(500, "internal", "x"))["error"].contains("field"));
}

}  // namespace
}  // namespace lunora::api
