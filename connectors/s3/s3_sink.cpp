#include "connectors/s3/s3_sink.h"

#include <chrono>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/s3/s3_keys.h"
#include "connectors/s3/s3_partition_writer.h"
#include "connectors/s3/s3_partitioner.h"

namespace connectrun::s3 {

namespace {

using config::ConfigError;
using config::ConfigValue;
using config::KeyType;

// Keys of Confluent's connector that connectrun declares but does not
// implement: refused when set to anything but their default.
struct Refused {
  const char* name;
  KeyType type;
  ConfigValue default_value;
  const char* doc;
};
const std::vector<Refused>& refused_keys() {
  static const std::vector<Refused> keys = {
      {"s3.ssea.name", KeyType::String, std::string(), "Server-side encryption algorithm: not supported by connectrun."},
      {"s3.sse.key", KeyType::Password, std::string(), "SSE-C key: not supported by connectrun."},
      {"s3.sse.kms.key.id", KeyType::String, std::string(), "SSE-KMS key: not supported by connectrun."},
      {"s3.acl.canned", KeyType::String, ConfigValue{}, "Canned ACL: not supported by connectrun."},
      {"s3.wan.mode", KeyType::Boolean, false, "S3 Transfer Acceleration: not supported by connectrun."},
      {"s3.credentials.provider.class", KeyType::Class, std::string("com.amazonaws.auth.DefaultAWSCredentialsProviderChain"),
       "Only the default chain (keys, environment, ~/.aws/credentials) is supported by connectrun."},
      {"s3.proxy.url", KeyType::String, std::string(), "Proxy: not supported by connectrun (libcurl's https_proxy "
                                                        "environment variable applies)."},
      {"s3.proxy.user", KeyType::String, ConfigValue{}, "Proxy user: not supported by connectrun."},
      {"s3.proxy.password", KeyType::Password, ConfigValue{}, "Proxy password: not supported by connectrun."},
      {"s3.object.tagging", KeyType::Boolean, false, "Object tags: not supported by connectrun."},
      {"store.kafka.keys", KeyType::Boolean, false, "Writing keys to separate objects: not supported by connectrun."},
      {"store.kafka.headers", KeyType::Boolean, false, "Writing headers to separate objects: not supported by connectrun."},
      {"schema.compatibility", KeyType::String, std::string("NONE"),
       "Only NONE (a new value schema starts new objects) is supported by connectrun."},
      {"storage.class", KeyType::Class, std::string("io.confluent.connect.s3.storage.S3Storage"),
       "The storage: only S3Storage."},
  };
  return keys;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class S3SinkTask : public SinkTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    for (const auto& k : refused_keys())
      if (cfg.was_set(k.name) && cfg.get(k.name) != k.default_value &&
          !(std::holds_alternative<std::string>(k.default_value) && cfg.get_string(k.name).empty() &&
            std::get<std::string>(k.default_value).empty()))
        throw ConfigError(k.name, fmt::format("{} is not supported by connectrun: {}", k.name, k.doc));
    s_.format.kind = parse_format_class(cfg.get_string("format.class"));
    s_.format.gzip = cfg.get_string("s3.compression.type") == "gzip";
    s_.format.gzip_level = cfg.get_int("s3.compression.level");
    s_.format.avro_codec = cfg.get_string("avro.codec");
    s_.format.avro_enhanced = cfg.get_bool("enhanced.avro.schema.support");
    s_.format.avro_meta = cfg.get_bool("connect.meta.data");
    if (s_.format.kind == FormatKind::Avro) {
      if (!avro_codec_supported(s_.format.avro_codec))
        throw ConfigError("avro.codec", fmt::format("avro.codec {} is not supported by connectrun: use null or deflate",
                                                    s_.format.avro_codec));
      // Confluent's AvroFormat compresses inside the file (avro.codec) and never gzips the object: the key is
      // ignored there too, said at start.
      avro_ignores_gzip_ = s_.format.gzip;
      s_.format.gzip = false;
    }
    s_.format.bytearray_extension = cfg.get_string("format.bytearray.extension");
    s_.format.bytearray_separator =
        cfg.is_null("format.bytearray.separator") ? std::string("\n") : unescape_java(cfg.get_string("format.bytearray.separator"));
    s_.topics_dir = cfg.get_string("topics.dir");
    s_.dir_delim = cfg.get_string("directory.delim");
    s_.file_delim = cfg.get_string("file.delim");
    s_.pad_width = cfg.get_int("filename.offset.zero.pad.width");
    s_.flush_size = cfg.get_long("flush.size");
    s_.rotate_interval_ms = cfg.get_long("rotate.interval.ms");
    s_.rotate_schedule_interval_ms = cfg.get_long("rotate.schedule.interval.ms");
    s_.part_size = static_cast<size_t>(cfg.get_long("s3.part.size"));
    if (s_.rotate_schedule_interval_ms > 0 && cfg.get_string("timezone").empty())
      throw ConfigError("timezone", "rotate.schedule.interval.ms needs timezone (e.g. UTC), as Confluent's does");
    ignore_nulls_ = cfg.get_string("behavior.on.null.values") == "ignore";
    partitioner_ = make_partitioner(cfg);
    cfg_ = cfg;
  }

  void start(SinkTaskContext& ctx) override {
    ctx_ = &ctx;
    client_ = make_client(cfg_);
    uploader_ = std::make_unique<Uploader>(make_client(cfg_));
    if (s_.rotate_schedule_interval_ms > 0 || partitioner_->uses_wallclock())
      ctx.log->warn("{}: object names depend on the wall clock, so a replay after a crash may write the same records "
                    "into differently named objects (not exactly once; see docs/connectors/s3.md)",
                    s_.rotate_schedule_interval_ms > 0 ? "rotate.schedule.interval.ms" : "timestamp.extractor=Wallclock");
    if (avro_ignores_gzip_)
      ctx.log->warn("s3.compression.type=gzip does not apply to AvroFormat, as in Confluent's connector: the objects "
                    "are not gzipped (avro.codec=deflate compresses their blocks)");
    ctx.retry("reach " + client_->where(), [&] { client_->check_bucket(); });
  }

  void open(const std::vector<TopicPartition>& partitions) override {
    for (const auto& tp : partitions)
      if (!writers_.count(tp))
        writers_.emplace(tp, std::make_unique<PartitionWriter>(tp, s_, *partitioner_, *client_, *uploader_, *ctx_));
  }

  void close(const std::vector<TopicPartition>& partitions) override {
    last_ = {};
    for (const auto& tp : partitions) writers_.erase(tp);  // what is still open is read again
  }

  void put(std::vector<Record>& batch) override {
    upload_result([&] { uploader_->check(); });
    put_since_commit_ = true;
    int64_t now = now_ms();
    for (auto& r : batch) {
      if (r.value.is_null()) {
        if (ignore_nulls_) {
          ctx_->log->debug("null value at {} partition {} offset {} ignored (behavior.on.null.values=ignore)", r.topic,
                           r.partition.value_or(0), r.bus_offset);
          continue;
        }
        throw ConnectError(fmt::format("null value at topic '{}' partition {} offset {}: set behavior.on.null.values="
                                       "ignore to skip such records (a tombstone cannot be written as an object line)",
                                       r.topic, r.partition.value_or(0), r.bus_offset));
      }
      PartitionWriter& w = writer_for(r);
      try {
        std::string encoded = partitioner_->encode(r, now);
        w.write(r, encoded, now);
      } catch (const DataException& e) {
        ctx_->report(r, e);  // errors.tolerance: fail, or skip (dead letter queue)
      }
    }
  }

  // The engine calls flush() only when the input has ended (this task's
  // pre_commit does not call it). At the end of a --once run the open objects
  // are completed, named as always by their first record's offset, so the run
  // commits everything and the next run's names continue after them.
  // Otherwise (the drain when a continuous run stops) objects complete only by
  // the rotation rules, as Confluent's do: what is open is read again after a
  // restart and written to the same objects.
  void flush() override {
    if (!ctx_->stop_at_end_of_data) return;
    for (auto& [tp, w] : writers_) w->complete();
  }

  TopicPartitionOffsets pre_commit(const TopicPartitionOffsets& current) override {
    TopicPartitionOffsets out;
    int64_t now = now_ms();
    for (auto& [tp, w] : writers_) w->rotate_if_due(now);
    // Called after a batch: the upload in flight goes on beside the next
    // batch. Called while idle (and the last time, at stop): wait for it.
    upload_result([&] { put_since_commit_ ? uploader_->check() : uploader_->wait(); });
    put_since_commit_ = false;
    for (const auto& [tp, pos] : current) {
      auto it = writers_.find(tp);
      out[tp] = it == writers_.end() ? pos  // nothing of it buffered: everything taken was skipped
                                     : it->second->safe_position(pos);
    }
    return out;
  }

  void stop() override {
    last_ = {};
    writers_.clear();
  }

 private:
  // The record's partition writer; a batch is mostly one topic partition, so
  // the last one found is tried first (no key built and looked up per record).
  PartitionWriter& writer_for(const Record& r) {
    int32_t partition = r.partition.value_or(0);
    if (last_.writer && last_.tp->partition == partition && last_.tp->topic == r.topic) return *last_.writer;
    TopicPartition tp{r.topic, partition};
    auto it = writers_.find(tp);
    if (it == writers_.end())
      it = writers_.emplace(tp, std::make_unique<PartitionWriter>(tp, s_, *partitioner_, *client_, *uploader_, *ctx_)).first;
    last_ = {&it->first, it->second.get()};
    return *it->second;
  }

  // An upload's failure fails the task (it was retried within errors.retry.timeout already).
  template <class F>
  void upload_result(F&& f) {
    try {
      f();
    } catch (const RetryStopped&) {
      throw;
    } catch (const ConnectError& e) {
      throw ConnectError(e.what(), false);
    }
  }

  config::ConfigValues cfg_;
  SinkSettings s_;
  bool avro_ignores_gzip_ = false;
  bool ignore_nulls_ = false;
  std::unique_ptr<Partitioner> partitioner_;
  SinkTaskContext* ctx_ = nullptr;
  std::unique_ptr<S3Client> client_;
  std::unique_ptr<Uploader> uploader_;  // after the client, before the writers: writers wait for it when they go
  bool put_since_commit_ = false;
  std::map<TopicPartition, std::unique_ptr<PartitionWriter>> writers_;
  struct {
    const TopicPartition* tp = nullptr;
    PartitionWriter* writer = nullptr;
  } last_;  // writer_for's last answer (map nodes stay put until erased)
};

}  // namespace

PluginInfo s3_sink_plugin() {
  PluginInfo p;
  p.name = "S3Sink";
  p.aliases = {"io.confluent.connect.s3.S3SinkConnector", "S3SinkConnector"};
  p.kind = PluginKind::Sink;
  p.summary = "Writes each topic partition's records to S3-compatible object storage as Confluent's S3 sink does.";
  p.description =
      "Objects are named <topics.dir>/<topic>/<encoded partition>/<topic>+<partition>+<start offset><ext> from the "
      "first record's offset, and completed by flush.size, rotate.interval.ms, rotate.schedule.interval.ms or a new "
      "value schema; a topic partition's position advances only once its objects are complete, so a replay after a "
      "crash rewrites the same objects with the same content (exactly once, unless the wall clock decides names or "
      "rotation). Requests are signed with AWS Signature Version 4 (libcurl); objects above s3.part.size go up as "
      "multipart uploads. See docs/connectors/s3.md.";
  define_connection_keys(p.spec);
  p.spec.define({.name = "topics.dir", .type = KeyType::String, .default_value = ConfigValue{std::string("topics")},
                 .doc = "The top-level folder of the objects."});
  p.spec.define({.name = "directory.delim", .type = KeyType::String, .default_value = ConfigValue{std::string("/")},
                 .doc = "The separator between folders of object names."});
  p.spec.define({.name = "file.delim", .type = KeyType::String, .default_value = ConfigValue{std::string("+")},
                 .doc = "The separator between topic, partition and offset in object names."});
  p.spec.define({.name = "filename.offset.zero.pad.width", .type = KeyType::Int, .default_value = ConfigValue{int64_t{10}},
                 .doc = "Width of the zero-padded start offset in object names.",
                 .validator = config::validators::at_least(0)});
  p.spec.define({.name = "flush.size", .type = KeyType::Int, .default_value = std::nullopt,
                 .doc = "Records of one topic partition per object (all of its open objects are completed together).",
                 .validator = config::validators::at_least(1)});
  p.spec.define({.name = "rotate.interval.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{-1}},
                 .doc = "Complete the objects when a record's time (timestamp.extractor) is this far past the first "
                        "record's of the objects, or its encoded partition changes. -1: off."});
  p.spec.define({.name = "rotate.schedule.interval.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{-1}},
                 .doc = "Complete the objects at wall-clock intervals (needs timezone; not exactly once). -1: off."});
  p.spec.define({.name = "format.class", .type = KeyType::Class, .default_value = std::nullopt,
                 .doc = "io.confluent.connect.s3.format.json.JsonFormat (one JSON value per line), "
                        "io.confluent.connect.s3.format.avro.AvroFormat (an Avro object container file per object, "
                        "schema from AvroData) or io.confluent.connect.s3.format.bytearray.ByteArrayFormat (raw bytes "
                        "and a separator); ParquetFormat is refused."});
  p.spec.define({.name = "avro.codec", .type = KeyType::String, .default_value = ConfigValue{std::string("null")},
                 .doc = "AvroFormat: the container file's codec, null or deflate (Confluent's snappy, bzip2, xz and "
                        "zstandard are refused).",
                 .validator = config::validators::one_of({"null", "deflate", "snappy", "bzip2", "xz", "zstandard"})});
  p.spec.define({.name = "enhanced.avro.schema.support", .type = KeyType::Boolean, .default_value = ConfigValue{false},
                 .doc = "AvroFormat: AvroData's enhanced schema support (enums kept, union members by full name)."});
  p.spec.define({.name = "connect.meta.data", .type = KeyType::Boolean, .default_value = ConfigValue{true},
                 .doc = "AvroFormat: AvroData writes the connect.* properties into the schema."});
  p.spec.define({.name = "format.bytearray.extension", .type = KeyType::String, .default_value = ConfigValue{std::string(".bin")},
                 .doc = "ByteArrayFormat: the object name extension."});
  p.spec.define({.name = "format.bytearray.separator", .type = KeyType::String, .default_value = ConfigValue{},
                 .doc = "ByteArrayFormat: written after each record, Java escapes (\\n) allowed. Null: a newline."});
  p.spec.define({.name = "s3.compression.type", .type = KeyType::String, .default_value = ConfigValue{std::string("none")},
                 .doc = "none or gzip (one gzip stream per object, extension + .gz).",
                 .validator = config::validators::one_of({"none", "gzip"})});
  p.spec.define({.name = "s3.compression.level", .type = KeyType::Int, .default_value = ConfigValue{int64_t{-1}},
                 .doc = "gzip level 0-9, -1 for zlib's default.", .validator = config::validators::between(-1, 9)});
  p.spec.define({.name = "s3.part.size", .type = KeyType::Int, .default_value = ConfigValue{int64_t{25 << 20}},
                 .doc = "Bytes per part of a multipart upload; an object larger than this goes up in parts (S3 needs "
                        "at least 5 MiB).", .validator = config::validators::between(5 << 20, INT32_MAX)});
  p.spec.define({.name = "behavior.on.null.values", .type = KeyType::String, .default_value = ConfigValue{std::string("fail")},
                 .doc = "A record with a null value: fail the task, or ignore (skip) it.",
                 .validator = config::validators::one_of({"fail", "ignore"})});
  define_partitioner_keys(p.spec);
  for (const auto& k : refused_keys())
    p.spec.define({.name = k.name, .type = k.type, .default_value = k.default_value, .doc = k.doc});
  p.make_sink = [] { return std::make_unique<S3SinkTask>(); };
  return p;
}

}  // namespace connectrun::s3
