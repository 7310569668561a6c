// Kafka Connect's standalone offsets file (FileOffsetBackingStore,
// offset.storage.file.filename): a Java serialization stream holding one
// java.util.HashMap<byte[],byte[]>. Each key is the UTF-8 JSON
// ["<connector>",{partition}], each value the UTF-8 JSON {offset} (null: a
// removed offset). Only that exact shape is read, byte by byte; any other
// Java object is refused with a clear error rather than guessed at.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "offsets/offset_store.h"

namespace connectrun {

class KafkaOffsetsFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One (key, value) pair of the map, as bytes, in the stream's order.
struct KafkaOffsetsPair {
  std::optional<std::string> key, value;  // nullopt: Java null
};

// Whether `bytes` starts like a Java serialization stream (0xACED 0x0005).
bool is_java_serialization(std::string_view bytes);

// The map's pairs, in the order the stream holds them. Throws
// KafkaOffsetsFileError saying what was found where it expected what.
std::vector<KafkaOffsetsPair> read_kafka_offsets_pairs(std::string_view bytes);

// The stream java.io.ObjectOutputStream writes for a HashMap<byte[],byte[]>
// filled with these pairs by put() and iterated in this order: byte for byte
// what FileOffsetBackingStore.save() writes (Java's iteration order follows
// identity hash codes, so any order is one Java could write).
std::string write_kafka_offsets_pairs(const std::vector<KafkaOffsetsPair>& pairs);

// The entries of a Kafka Connect offsets file, decoded. Pairs with a null
// value (removed offsets) are left out; a key or value that is not the JSON
// Kafka writes throws KafkaOffsetsFileError naming the entry.
std::vector<OffsetEntry> decode_kafka_offsets(std::string_view bytes);
// connectrun's entries as Kafka Connect's offsets file.
std::string encode_kafka_offsets(const std::vector<OffsetEntry>& entries);

// The whole file (at most 256 MiB), or KafkaOffsetsFileError naming it.
std::string read_kafka_offsets_file(const std::string& path);

}  // namespace connectrun
