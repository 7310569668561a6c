// A slow server: a test stand-in (sigv4_proxy.py) in front of s3rver holds
// every request back and loses the answers of the first PutObject requests
// after the objects were written, as when an answer times out. S3Sink retries
// them (s3.part.retries) and, because an object's name and content follow only
// from its first record's offset, the retried PUT rewrites the same object:
// every object complete, every record once, the run ends 0 with everything
// committed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "connectors/s3/test/s3_test_support.h"
#include "support.h"

using namespace testsupport;
using namespace s3test;

TEST_CASE("S3Sink behind a slow server that loses answers writes every record once in complete objects", "[s3][e2e]") {
  S3rverServer s3;
  SigV4Proxy slow(s3, SigV4ProxyOptions{.delay_ms = 250, .drop_answers = 2});
  TempDir dir;
  std::string input = json_lines(0, 32);  // 10 objects by flush.size 3, the last 2 records completed at the end of the run
  write_file(dir / "in.txt", input);
  auto yaml = sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = "    s3.part.retries: 3\n"
                                                                    "    errors.retry.timeout: 30000\n"});
  write_file(dir / "job.yaml", via(yaml, s3, slow.url()));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, std::chrono::seconds(120));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  auto requests = slow.requests();
  const auto dropped = std::count_if(requests.begin(), requests.end(), [](auto& l) { return l.rfind("DROPPED", 0) == 0; });
  CHECK(dropped == 2);
  // Objects go up one after another: the first object's PUT and its first
  // retry lost their answers, so it was sent three times; 11 objects, 13 PUTs.
  auto first_drop = std::find_if(requests.begin(), requests.end(), [](auto& l) { return l.rfind("DROPPED", 0) == 0; });
  REQUIRE(first_drop != requests.end());
  std::string target = first_drop->substr(std::string("DROPPED PutObject PUT ").size());
  target = target.substr(0, target.find(' '));
  CHECK(std::count(requests.begin(), requests.end(), "OK PutObject PUT " + target) == 3);
  CHECK(std::count_if(requests.begin(), requests.end(), [](auto& l) { return l.rfind("OK PutObject", 0) == 0; }) == 13);

  auto keys = s3.keys("test-bucket");
  REQUIRE(keys.size() == 11);
  std::string all;
  for (auto& k : keys) all += s3.get("test-bucket", k);
  CHECK(all == input);  // complete objects, no record twice, none lost
  CHECK(keys.back() == "topics/events/partition=0/events+0+0000000030.json");
  CHECK(stored_position(dir / "offsets.json") == static_cast<long>(std::filesystem::file_size(dir / "in.txt")));
}
