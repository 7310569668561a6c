// AWS Signature Version 4, checked: s3rver checks only the access key id, so a
// test stand-in (sigv4_proxy.py, itself checked against AWS's published
// examples and against s3cmd's signatures) recomputes every request's
// signature with the secret, as S3 does, in front of it. Every request S3Sink,
// S3Source and the client make — PutObject, the multipart upload, GetObject,
// ListObjectsV2, HeadBucket — passes it with keys holding spaces, unicode, '+',
// '=', '&', '?', '#', '%' in the path and the query; a wrong secret gets the
// 403 SignatureDoesNotMatch, reported clearly.
#include <catch2/catch.hpp>

#include <algorithm>

#include <fmt/format.h>

#include "connectors/s3/s3_client.h"
#include "connectors/s3/test/s3_test_support.h"
#include "support.h"

using namespace testsupport;
using namespace s3test;

namespace {
int count_with(const std::vector<std::string>& lines, const std::string& start) {
  return static_cast<int>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.rfind(start, 0) == 0; }));
}

std::string restore_job(const std::string& url, const std::string& dir, const std::string& topics_dir) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/restore-offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: false
connectors:
  - name: restore
    connector.class: S3Source
    s3.bucket.name: test-bucket
    store.url: {1}
    aws.access.key.id: S3RVER
    aws.secret.access.key: S3RVER
    topics.dir: "{2}"
    format.class: io.confluent.connect.s3.format.json.JsonFormat
  - name: out
    connector.class: FileStreamSink
    topics: events
    file: {0}/out.txt
)",
                     dir, url, topics_dir);
}

std::string s3cmd_via(const TempDir& dir, const SigV4Proxy& proxy, const std::string& secret, const std::string& args,
                      int* status) {
  write_file(dir / "s3cfg", fmt::format("[default]\naccess_key = S3RVER\nsecret_key = {}\nhost_base = 127.0.0.1:{}\n"
                                        "host_bucket = 127.0.0.1:{}\nuse_https = False\nsignature_v2 = False\n"
                                        "bucket_location = us-east-1\n",
                                        secret, proxy.port(), proxy.port()));
  return shell("s3cmd --no-progress -c " + dir / "s3cfg" + " " + args + " 2>&1", status);
}
}  // namespace

TEST_CASE("S3 requests carry AWS SigV4 signatures that a checking stand-in accepts and a wrong secret is refused", "[s3][e2e]") {
  {
    INFO("the stand-in computes AWS's published example signatures");
    int status = -1;
    std::string out = shell("python3 " CONNECTRUN_SOURCE_DIR "/connectors/s3/test/sigv4_proxy.py --self-test 2>&1", &status);
    INFO(out);
    CHECK(status == 0);
    CHECK_THAT(out, Catch::Contains("'GET Object': signature f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41 "
                                    "matches the documented"));
    CHECK(std::count(out.begin(), out.end(), '\n') == 4);
    CHECK(out.find("DIFFERS") == std::string::npos);
  }
  S3rverServer s3;
  SigV4Proxy proxy(s3);
  TempDir dir;
  const std::string odd = "odd dir/\xc3\xa9 \xc3\xbc+a=b&c?d#e%f~.json";  // é ü + = & ? # % in a key
  {
    INFO("the stand-in accepts s3cmd's signatures (an independent signer) on such a key");
    write_file(dir / "f.txt", "from s3cmd\n");
    int status = -1;
    std::string out = s3cmd_via(dir, proxy, "S3RVER", "put " + dir / "f.txt" + " 's3://test-bucket/s3cmd/" + odd + "'", &status);
    INFO(out);
    CHECK(status == 0);
    CHECK(s3.get("test-bucket", "s3cmd/" + odd) == "from s3cmd\n");
  }
  {
    INFO("the client's PutObject, multipart upload, GetObject, ListObjectsV2 and HeadBucket pass");
    using namespace connectrun::s3;
    S3Client client(S3Endpoint{.url = proxy.url(), .region = "us-west-2", .bucket = "test-bucket"},
                    S3Credentials{"S3RVER", "S3RVER", ""}, S3RetryPolicy{.retries = 0});
    client.check_bucket();
    client.put_object("client/" + odd, "one\n");
    std::string id = client.create_multipart_upload("client/multi " + odd);
    std::string etag = client.upload_part("client/multi " + odd, id, 1, "two\n");
    client.complete_multipart_upload("client/multi " + odd, id, {etag});
    CHECK(client.get_object("client/" + odd) == "one\n");
    CHECK(s3.get("test-bucket", "client/multi " + odd) == "two\n");
    auto listed = client.list_objects("client/", "client/a+b=c d\xc3\xa9");  // start-after with such characters too
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].key == "client/multi " + odd);
    CHECK(listed[1].key == "client/" + odd);
    // s3rver 3.7.1 answers 405 to AbortMultipartUpload: only its signature is checked here.
    std::string id2 = client.create_multipart_upload("client/aborted " + odd);
    try {
      client.abort_multipart_upload("client/aborted " + odd, id2);
    } catch (const S3Error& e) {
      CHECK(e.status() != 403);
    }
  }
  const std::string topics_dir = "arch ive/\xc3\xa9+a=b";
  {
    INFO("S3Sink (PutObject and a multipart upload) and S3Source (ListObjectsV2, GetObject) through the stand-in");
    std::string input = json_lines(0, 120003);  // 5.6 MB: one multipart object of 120000 records, then 3 in a PutObject
    write_file(dir / "in.txt", input);
    auto yaml = sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = fmt::format("    topics.dir: \"{}\"\n    flush.size: 120000\n"
                                                                                "    s3.part.size: 5242880\n", topics_dir)});
    REQUIRE(run_in_process(via(yaml, s3, proxy.url())));
    const std::string p = topics_dir + "/events/partition=0/events+0+";
    auto keys = s3.keys("test-bucket");
    CHECK(std::count(keys.begin(), keys.end(), p + "0000000000.json") == 1);
    CHECK(std::count(keys.begin(), keys.end(), p + "0000120000.json") == 1);
    REQUIRE(run_in_process(restore_job(proxy.url(), dir.path(), topics_dir)));
    CHECK(read_file(dir / "out.txt") == input);
  }
  auto seen = proxy.requests();
  CHECK(count_with(seen, "BAD") == 0);
  for (const char* op : {"OK HeadBucket", "OK PutObject", "OK CreateMultipartUpload", "OK UploadPart",
                         "OK CompleteMultipartUpload", "OK AbortMultipartUpload", "OK GetObject", "OK ListObjectsV2"}) {
    INFO(op);
    CHECK(count_with(seen, op) > 0);
  }
  CHECK(count_with(seen, "OK UploadPart") >= 3);  // the client's one and the sink's two parts
  CHECK(count_with(seen, "OK ListObjectsV2 GET /test-bucket?") + count_with(seen, "OK ListObjectsV2 GET /test-bucket/?") >= 2);
  {
    INFO("a wrong secret: s3cmd and connectrun get 403 SignatureDoesNotMatch");
    int status = -1;
    std::string out = s3cmd_via(dir, proxy, "WRONG", "ls s3://test-bucket/", &status);
    CHECK(status != 0);
    CHECK_THAT(out, Catch::Contains("SignatureDoesNotMatch"));
    write_file(dir / "in2.txt", json_lines(0, 3));
    auto yaml = sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = "    topics.dir: wrong\n"});
    yaml.replace(yaml.find("aws.secret.access.key: S3RVER"), 29, "aws.secret.access.key: WRONG");
    yaml.replace(yaml.find(dir / "in.txt"), (dir / "in.txt").size(), dir / "in2.txt");
    yaml.replace(yaml.find(dir / "offsets.json"), (dir / "offsets.json").size(), dir / "offsets2.json");
    write_file(dir / "job.yaml", via(yaml, s3, proxy.url()));
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, std::chrono::seconds(60));
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("bucket 'test-bucket' at endpoint " + proxy.url()) &&
                          Catch::Contains("HTTP 403 SignatureDoesNotMatch") && Catch::Contains("aws.secret.access.key"));
    CHECK(stored_position(dir / "offsets2.json") == -1);
    CHECK(count_with(proxy.requests(), "BAD") >= 2);
    for (auto& k : s3.keys("test-bucket")) CHECK(k.rfind("wrong/", 0) != 0);
  }
}
