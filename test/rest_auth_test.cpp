// rest.auth's password file and basic-auth check, and the process metrics of
// /metrics, without a listener (e2e_http_endpoints_test.cpp runs them served).
#include <catch2/catch.hpp>

#include <set>

#include "json/base64.h"
#include "ops/rest_auth.h"
#include "ops/rest_metrics.h"
#include "support.h"

using namespace testsupport;
using connectrun::rest::BasicAuth;

TEST_CASE("rest.auth reads PropertyFileLoginModule files and checks basic credentials", "[rest]") {
  TempDir dir;
  write_file(dir / "users", "# comment\nadmin: s3cret\nops = pa:ss,admin\n");
  auto auth = BasicAuth::from_file(dir / "users");
  CHECK(auth.users() == 2);
  auto basic = [](const std::string& s) { return "Basic " + connectrun::base64::encode(s); };
  CHECK(auth.accepts(basic("admin:s3cret")));
  CHECK(auth.accepts("basic " + connectrun::base64::encode("admin:s3cret")));  // the scheme in any case
  CHECK(auth.accepts(basic("ops:pa:ss")));  // the password is what follows the first ':' of the credentials
  CHECK_FALSE(auth.accepts(basic("admin:s3cre")));
  CHECK_FALSE(auth.accepts(basic("admin:s3cret2")));
  CHECK_FALSE(auth.accepts(basic("nobody:s3cret")));
  CHECK_FALSE(auth.accepts(basic("admin")));
  CHECK_FALSE(auth.accepts("Bearer abc"));
  CHECK_FALSE(auth.accepts("Basic !!!"));
  CHECK_FALSE(auth.accepts(""));

  CHECK_THROWS_WITH(BasicAuth::from_file(dir / "missing"), Catch::Contains("cannot read the password file"));
  write_file(dir / "empty", "# nobody\n");
  CHECK_THROWS_WITH(BasicAuth::from_file(dir / "empty"), Catch::Contains("names no user"));
  write_file(dir / "nopass", "admin:\n");
  CHECK_THROWS_WITH(BasicAuth::from_file(dir / "nopass"), Catch::Contains("user 'admin' has no password"));
}

TEST_CASE("process metrics are read from proc and each named once", "[rest]") {
  std::string text = connectrun::rest::process_metrics_text();
  std::set<std::string> names;
  for (auto& line : split_lines(text)) {
    if (line.rfind("# TYPE ", 0) == 0) continue;
    if (line.rfind("# HELP ", 0) == 0) continue;
    auto name = line.substr(0, line.find(' '));
    CHECK(names.insert(name).second);
    // CPU time may still be 0 in a process just started (10 ms ticks); the others are positive.
    CHECK(std::stod(line.substr(line.find(' ') + 1)) >= (name == "process_cpu_seconds_total" ? 0 : 1));
  }
  CHECK(names == std::set<std::string>{"process_cpu_seconds_total", "process_resident_memory_bytes",
                                       "process_start_time_seconds", "process_open_fds", "process_max_fds"});
}
