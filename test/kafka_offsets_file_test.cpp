// Kafka Connect's standalone offsets file (a Java-serialized
// HashMap<byte[],byte[]>): read from the real file connect-standalone 3.6.2
// wrote (../shared/reference/samples, read in place), written byte for byte
// as Java writes it, and anything else refused clearly.
#include <catch2/catch.hpp>

#include "json/json_writer.h"
#include "offsets/kafka_offsets_file.h"
#include "offsets/offset_store.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;

namespace {
const std::string kSample =
    std::string(CONNECTRUN_SOURCE_DIR) + "/../shared/reference/samples/kafka-connect-3.6.2-standalone.offsets";

std::string sample() {
  std::string bytes = read_kafka_offsets_file(kSample);
  REQUIRE(bytes.size() == 278);
  return bytes;
}

std::string json(const Value& v) { return to_schemaless_json(v); }
}  // namespace

TEST_CASE("Kafka offsets file: the connect-standalone 3.6.2 sample reads as its two entries", "[migrate]") {
  std::string bytes = sample();
  CHECK(is_java_serialization(bytes));
  auto pairs = read_kafka_offsets_pairs(bytes);
  REQUIRE(pairs.size() == 2);
  CHECK(*pairs[0].key == R"(["other-source",{"filename":"/var/log/demo/other.log"}])");
  CHECK(*pairs[0].value == R"({"position":4})");
  auto entries = decode_kafka_offsets(bytes);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].connector == "other-source");
  CHECK(json(entries[0].partition) == R"({"filename":"/var/log/demo/other.log"})");
  CHECK(json(entries[0].offset) == R"({"position":4})");
  CHECK(entries[1].connector == "local-file-source");
  CHECK(json(entries[1].partition) == R"({"filename":"/var/log/demo/app.log"})");
  CHECK(json(entries[1].offset) == R"({"position":270})");
}

TEST_CASE("Kafka offsets file: the sample's entries written again give Java's bytes exactly", "[migrate]") {
  std::string bytes = sample();
  CHECK(write_kafka_offsets_pairs(read_kafka_offsets_pairs(bytes)) == bytes);
  // Through connectrun's own entries (JSON parsed and written again) too.
  CHECK(encode_kafka_offsets(decode_kafka_offsets(bytes)) == bytes);
}

TEST_CASE("Kafka offsets file: HashMap's capacity and threshold as put() leaves them", "[migrate]") {
  auto header_numbers = [](const std::string& b) {
    // threshold at 0x43, capacity at 0x49, size at 0x4d (after the HashMap class description).
    auto u32 = [&](size_t at) {
      return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
             (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
    };
    return std::array<uint32_t, 3>{u32(0x43), u32(0x49), u32(0x4d)};
  };
  // new HashMap<>() never filled: threshold 0, capacity written as 16.
  std::string empty = write_kafka_offsets_pairs({});
  CHECK(header_numbers(empty) == std::array<uint32_t, 3>{0, 16, 0});
  CHECK(read_kafka_offsets_pairs(empty).empty());
  std::vector<KafkaOffsetsPair> pairs;
  for (int i = 0; i < 13; ++i)
    pairs.push_back({"[\"c\",{\"p\":" + std::to_string(i) + "}]", std::string("{\"o\":1}")});
  std::vector<KafkaOffsetsPair> twelve(pairs.begin(), pairs.begin() + 12);
  CHECK(header_numbers(write_kafka_offsets_pairs(twelve)) == std::array<uint32_t, 3>{12, 16, 12});
  // The 13th put passes the threshold: the table doubles.
  std::string thirteen = write_kafka_offsets_pairs(pairs);
  CHECK(header_numbers(thirteen) == std::array<uint32_t, 3>{24, 32, 13});
  auto back = read_kafka_offsets_pairs(thirteen);
  REQUIRE(back.size() == 13);
  CHECK(*back[12].key == "[\"c\",{\"p\":12}]");
  // A null value (a removed offset) reads back as null and is left out of the entries.
  pairs[3].value.reset();
  auto with_null = read_kafka_offsets_pairs(write_kafka_offsets_pairs(pairs));
  CHECK_FALSE(with_null[3].value.has_value());
  CHECK(decode_kafka_offsets(write_kafka_offsets_pairs(pairs)).size() == 12);
}

TEST_CASE("Kafka offsets file: anything but a HashMap of byte arrays is refused clearly", "[migrate]") {
  std::string bytes = sample();
  auto refused = [](const std::string& b, const std::string& says) {
    try {
      read_kafka_offsets_pairs(b);
      FAIL("accepted: " << says);
    } catch (const KafkaOffsetsFileError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(says) != std::string::npos);
      CHECK(std::string(e.what()).find("serialized java.util.HashMap of byte[]") != std::string::npos);
    }
  };
  refused(bytes.substr(0, 200), "truncated");
  refused(bytes + "x", "1 bytes after the map");
  refused("{\"offsets\":[]}", "not a Java serialization stream");
  std::string tree = bytes;
  tree.replace(tree.find("HashMap"), 7, "TreeMap");
  refused(tree, "holds a java.util.TreeMap");
  std::string object_key = bytes;
  object_key[0x51] = 0x73;  // TC_OBJECT where the first key's TC_ARRAY is: a map of objects, not byte arrays
  refused(object_key, "entry 1's key: expected a byte[]");
  std::string int_array = bytes;
  int_array[0x56] = 'I';  // "[I": an int[] where byte[] is expected
  refused(int_array, "an array of [I, not a byte[]");

  // Byte arrays that are not Kafka's JSON: named by entry.
  auto not_json = write_kafka_offsets_pairs({{std::string("[\"c\",{\"p\":1}]"), std::string("{\"o\":1}")},
                                             {std::string("not json"), std::string("{}")}});
  CHECK_THROWS_WITH(decode_kafka_offsets(not_json), Catch::Contains("entry 2: the key is not JSON"));
  auto not_key = write_kafka_offsets_pairs({{std::string("{\"c\":1}"), std::string("{}")}});
  CHECK_THROWS_WITH(decode_kafka_offsets(not_key), Catch::Contains("is not [\"connector\",{partition}]"));
}

TEST_CASE("offsets file: Kafka Connect's own file is named as such with the import command", "[migrate]") {
  TempDir dir;
  write_file(dir / "connect.offsets", sample());
  try {
    OffsetStore::read_only(dir / "connect.offsets");
    FAIL("a Kafka Connect offsets file was read as connectrun's");
  } catch (const OffsetStoreError& e) {
    std::string what = e.what();
    INFO(what);
    CHECK(what.find("is Kafka Connect's offsets file") != std::string::npos);
    CHECK(what.find("connectrun offsets import --from-kafka-connect " + dir / "connect.offsets") != std::string::npos);
    CHECK(what.find("corrupt") == std::string::npos);
  }
  // The import's store starts empty over it and replaces it at its first flush.
  {
    auto store = OffsetStore::open_replacing_kafka_file(dir / "connect.offsets", std::chrono::milliseconds(0));
    CHECK(store->entries().empty());
    store->put("c", MapEntries{{"filename", "/x"}}, MapEntries{{"position", int64_t{3}}});
    REQUIRE_FALSE(store->flush());
  }
  auto again = OffsetStore::read_only(dir / "connect.offsets");
  REQUIRE(again->entries().size() == 1);
  CHECK(json(again->entries()[0].offset) == R"({"position":3})");
}
