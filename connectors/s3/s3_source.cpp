#include "connectors/s3/s3_source.h"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/s3/s3_format.h"
#include "connectors/s3/s3_keys.h"
#include "json/json_reader.h"
#include "json/json_writer.h"

namespace connectrun::s3 {

namespace {

using config::ConfigError;
using config::ConfigValue;
using config::KeyType;

// One object of a topic partition, as its name says.
struct ObjectName {
  std::string key;
  std::string topic;
  int32_t partition = 0;
  int64_t start_offset = 0;
};

std::string gunzip(const std::string& in, const std::string& key) {
  return inflate_all(in, 15 + 32, fmt::format("object {} is not valid gzip", key));
}

class S3SourceTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    cfg_ = cfg;
    format_.kind = parse_format_class(cfg.get_string("format.class"));
    format_.bytearray_extension = cfg.get_string("format.bytearray.extension");
    format_.bytearray_separator = cfg.is_null("format.bytearray.separator")
                                      ? std::string("\n") : unescape_java(cfg.get_string("format.bytearray.separator"));
    if (format_.bytearray_separator.empty())
      throw ConfigError("format.bytearray.separator", "the separator must not be empty: records are split at it");
    topics_dir_ = cfg.get_string("topics.dir");
    dir_delim_ = cfg.get_string("directory.delim");
    file_delim_ = cfg.get_string("file.delim");
    for (const auto& t : cfg.get_list("topics")) topics_.push_back(t);
    for (const auto& pair : cfg.get_list("topic.regex.list")) {
      auto colon = pair.find(':');
      if (colon == std::string::npos || colon == 0)
        throw ConfigError("topic.regex.list", fmt::format("'{}' is not <topic>:<regex>", pair));
      try {
        mapping_.emplace_back(pair.substr(0, colon), std::regex(pair.substr(colon + 1)));
      } catch (const std::regex_error& e) {
        throw ConfigError("topic.regex.list", fmt::format("bad regex in '{}': {}", pair, e.what()));
      }
    }
    poll_interval_ = std::chrono::milliseconds(cfg.get_long("s3.poll.interval.ms"));
    batch_ = static_cast<size_t>(cfg.get_long("record.batch.max.size"));
  }

  void start(SourceTaskContext& ctx) override {
    ctx_ = &ctx;
    client_ = make_client(cfg_);
    ctx.retry("reach " + client_->where(), [&] { client_->check_bucket(); });
  }

  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override {
    if (current_line_ >= object_records() && !next_object()) {
      if (listed_once_ && ctx_->stop_at_end_of_data) return PollStatus::Exhausted;  // --once: what was there at start
      auto now = std::chrono::steady_clock::now();
      if (listed_once_ && now < next_list_) {
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(max_wait, next_list_ - now));
        return PollStatus::Ok;
      }
      refresh();
      next_list_ = std::chrono::steady_clock::now() + poll_interval_;
      if (!next_object()) return ctx_->stop_at_end_of_data ? PollStatus::Exhausted : PollStatus::Ok;
    }
    while (out.size() < batch_ && current_line_ < object_records()) {
      out.push_back(make_record(current_line_));
      ++current_line_;
      out.back().source_offset = Value(MapEntries{{Value("object"), Value(current_.key)},
                                                  {Value("line"), Value(static_cast<int64_t>(current_line_))}});
    }
    return PollStatus::Ok;
  }

  // Offsets as S3Source stores them: partition {"bucket","topic","partition"},
  // offset {"object": its key, "line": lines of it read}.
  std::optional<std::string> check_offset(const Value& partition, const Value& offset) const override {
    const Value* bucket = partition.find("bucket");
    const Value* topic = partition.find("topic");
    const Value* part_value = partition.find("partition");
    // partition_of makes an INT32, the offsets file gives back an INT64
    const int64_t part = !part_value                       ? -1
                         : part_value->is<int32_t>() ? part_value->as<int32_t>()
                         : part_value->is<int64_t>() ? part_value->as<int64_t>()
                                                     : -1;
    if (!partition.is<MapEntries>() || partition.as<MapEntries>().size() != 3 || !bucket || !bucket->is<std::string>() ||
        !topic || !topic->is<std::string>() || part < 0)
      return fmt::format("a partition is {{\"bucket\":\"BUCKET\",\"topic\":\"TOPIC\",\"partition\":N}}, got {}",
                         to_schemaless_json(partition));
    if (bucket->as<std::string>() != cfg_.get_string("s3.bucket.name"))
      return fmt::format("an offset for bucket '{}' would never be used: this connector reads bucket '{}'",
                         bucket->as<std::string>(), cfg_.get_string("s3.bucket.name"));
    const Value* object = offset.find("object");
    const Value* line = offset.find("line");
    if (!offset.is<MapEntries>() || offset.as<MapEntries>().size() != 2 || !object || !line)
      return fmt::format("an offset is {{\"object\":\"KEY\",\"line\":N}} (N: records read from that object), got {}",
                         to_schemaless_json(offset));
    if (!line->is<int64_t>() || line->as<int64_t>() < 0)
      return fmt::format("\"line\" must be a whole number of records (0 or more), got {}", to_schemaless_json(*line));
    auto o = object->is<std::string>() ? parse(object->as<std::string>()) : std::nullopt;
    if (!o || o->topic != topic->as<std::string>() || o->partition != part)
      return fmt::format("\"object\" must be the key of an object of {}-{} as the sink names it "
                         "(<topics.dir>/…/<topic>{}<partition>{}<start offset><extension>), got {}",
                         topic->as<std::string>(), part, file_delim_, file_delim_,
                         to_schemaless_json(*object));
    return std::nullopt;
  }

 private:
  std::string target_topic(const std::string& topic) const {
    for (const auto& [target, re] : mapping_)
      if (std::regex_match(topic, re)) return target;
    return topic;
  }

  // Records in the object being read: its lines, or its Avro values.
  size_t object_records() const { return format_.kind == FormatKind::Avro ? avro_.values.size() : lines_.size(); }

  Record make_record(size_t i) {
    Record r;
    r.topic = target_topic(current_.topic);
    r.partition = current_.partition;
    r.source_partition = partition_value_;
    if (format_.kind == FormatKind::Avro) {
      r.value_schema = avro_.schema;
      r.value = std::move(avro_.values[i]);
      return r;
    }
    const std::string& line = lines_[i];
    if (format_.kind == FormatKind::Json) {
      r.value = parse_schemaless_json(parser_, line);
    } else {
      r.value_schema = nullptr;
      r.value = Value(Bytes{std::string(line)});
    }
    return r;
  }

  // Parses <topics.dir>/<topic>/…/<topic><d><p><d><offset><ext>.
  std::optional<ObjectName> parse(const std::string& key) const {
    auto slash = key.rfind(dir_delim_);
    std::string name = slash == std::string::npos ? key : key.substr(slash + dir_delim_.size());
    std::string ext = extension(FormatOptions{format_.kind, format_.bytearray_extension, "", false, -1});
    bool gz = name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0;
    std::string base = gz ? name.substr(0, name.size() - 3) : name;
    if (base.size() <= ext.size() || base.compare(base.size() - ext.size(), ext.size(), ext) != 0) return std::nullopt;
    base.resize(base.size() - ext.size());
    auto d2 = base.rfind(file_delim_);
    if (d2 == std::string::npos || d2 == 0) return std::nullopt;
    auto d1 = base.rfind(file_delim_, d2 - 1);
    if (d1 == std::string::npos) return std::nullopt;
    ObjectName o;
    o.key = key;
    o.topic = base.substr(0, d1);
    try {
      o.partition = std::stoi(base.substr(d1 + file_delim_.size(), d2 - d1 - file_delim_.size()));
      o.start_offset = std::stoll(base.substr(d2 + file_delim_.size()));
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (!topics_.empty() && std::find(topics_.begin(), topics_.end(), o.topic) == topics_.end()) return std::nullopt;
    return o;
  }

  static Value partition_of(const std::string& bucket, const ObjectName& o) {
    return Value(MapEntries{{Value("bucket"), Value(bucket)}, {Value("topic"), Value(o.topic)},
                            {Value("partition"), Value(o.partition)}});
  }

  // Lists the bucket and queues, per topic partition in offset order, the
  // objects not yet read (after the stored offset, or after those queued).
  void refresh() {
    std::vector<S3Object> objects;
    ctx_->retry("list " + client_->where(), [&] { objects = client_->list_objects(topics_dir_ + dir_delim_); });
    listed_once_ = true;
    std::map<std::pair<std::string, int32_t>, std::vector<ObjectName>> by_tp;
    for (const auto& obj : objects)
      if (auto o = parse(obj.key)) by_tp[{o->topic, o->partition}].push_back(*o);
    std::string bucket = cfg_.get_string("s3.bucket.name");
    for (auto& [tp, list] : by_tp) {
      std::sort(list.begin(), list.end(), [](auto& a, auto& b) {
        return std::tie(a.start_offset, a.key) < std::tie(b.start_offset, b.key);
      });
      auto& st = state_[tp];
      if (!st.loaded) {
        st.loaded = true;
        const Value partition = partition_of(bucket, list.front());
        Value stored = ctx_->offset_for(partition);
        if (!stored.is_null())
          if (auto problem = check_offset(partition, stored))
            throw ConnectError(fmt::format("the stored offset of {} is {}, but {}: the offsets file is damaged. Fix "
                                           "that entry (`connectrun offsets set`), or remove it with `connectrun "
                                           "offsets reset --connector {}` to read from the start",
                                           to_schemaless_json(partition), to_schemaless_json(stored), *problem,
                                           ctx_->connector_name));
        if (const Value* obj = stored.find("object")) {
          st.done_key = obj->as<std::string>();
          const Value* line = stored.find("line");
          st.done_lines = line && line->is<int64_t>() ? line->as<int64_t>() : 0;
        }
      }
      for (auto& o : list) {
        if (st.seen.count(o.key)) continue;
        st.seen.insert(o.key);
        int64_t skip = 0;
        if (!st.done_key.empty()) {
          auto done = parse(st.done_key);
          if (o.key == st.done_key) skip = st.done_lines;
          else if (done && std::tie(o.start_offset, o.key) < std::tie(done->start_offset, done->key)) continue;
        }
        queue_.push_back({o, skip});
      }
    }
  }

  bool next_object() {
    while (!queue_.empty()) {
      // Not a structured binding: clang 14 cannot capture one in the lambda below.
      const ObjectName o = queue_.front().first;
      const int64_t skip = queue_.front().second;
      queue_.erase(queue_.begin());
      std::string body;
      ctx_->retry("read " + o.key, [&] { body = client_->get_object(o.key); });
      if (o.key.size() > 3 && o.key.compare(o.key.size() - 3, 3, ".gz") == 0) body = gunzip(body, o.key);
      lines_.clear();
      avro_ = {};
      if (format_.kind == FormatKind::Avro) {
        avro_ = read_avro_container(body, "object " + o.key);
      } else {
        const std::string sep = format_.kind == FormatKind::Json ? std::string("\n") : format_.bytearray_separator;
        size_t at = 0;
        while (at < body.size()) {
          size_t end = body.find(sep, at);
          if (end == std::string::npos) end = body.size();
          lines_.push_back(body.substr(at, end - at));
          at = end + sep.size();
        }
      }
      current_ = o;
      current_line_ = static_cast<size_t>(std::min<int64_t>(skip, static_cast<int64_t>(object_records())));
      partition_value_ = std::make_shared<const Value>(partition_of(cfg_.get_string("s3.bucket.name"), o));
      if (current_line_ < object_records()) return true;
    }
    lines_.clear();
    avro_ = {};
    return false;
  }

  struct TpState {
    bool loaded = false;
    std::string done_key;
    int64_t done_lines = 0;
    std::set<std::string> seen;
  };

  config::ConfigValues cfg_;
  FormatOptions format_;
  std::string topics_dir_, dir_delim_, file_delim_;
  std::vector<std::string> topics_;
  std::vector<std::pair<std::string, std::regex>> mapping_;
  std::chrono::milliseconds poll_interval_{60000};
  size_t batch_ = 500;
  SourceTaskContext* ctx_ = nullptr;
  std::unique_ptr<S3Client> client_;
  simdjson::dom::parser parser_;
  std::map<std::pair<std::string, int32_t>, TpState> state_;
  std::vector<std::pair<ObjectName, int64_t>> queue_;
  bool listed_once_ = false;
  std::chrono::steady_clock::time_point next_list_{};
  ObjectName current_;
  std::vector<std::string> lines_;
  AvroContainer avro_;  // AvroFormat: the object's records
  size_t current_line_ = 0;
  std::shared_ptr<const Value> partition_value_;
};

}  // namespace

PluginInfo s3_source_plugin() {
  PluginInfo p;
  p.name = "S3Source";
  p.aliases = {"io.confluent.connect.s3.source.S3SourceConnector", "S3SourceConnector"};
  p.kind = PluginKind::Source;
  p.summary = "Restores what S3Sink wrote: reads its objects in offset order per topic partition into topics again.";
  p.description =
      "Lists the objects under topics.dir, groups them by the topic and partition in their names and reads them in "
      "start-offset order, one record per line (JsonFormat: the JSON value without schema; ByteArrayFormat: the bytes "
      "between separators), gzip objects (.gz) decompressed; AvroFormat: each record of the container file with the "
      "Connect schema AvroData makes of the file's schema. Offsets: partition {bucket, topic, partition}, offset "
      "{object, line}: the last object and how many of its records were produced. New objects are found every "
      "s3.poll.interval.ms; with --once it reads what is there at start and stops.";
  define_connection_keys(p.spec);
  p.spec.define({.name = "topics.dir", .type = KeyType::String, .default_value = ConfigValue{std::string("topics")},
                 .doc = "The top-level folder the sink wrote to."});
  p.spec.define({.name = "directory.delim", .type = KeyType::String, .default_value = ConfigValue{std::string("/")},
                 .doc = "The separator between folders of object names, as the sink used it."});
  p.spec.define({.name = "file.delim", .type = KeyType::String, .default_value = ConfigValue{std::string("+")},
                 .doc = "The separator between topic, partition and offset in object names, as the sink used it."});
  p.spec.define({.name = "format.class", .type = KeyType::Class, .default_value = std::nullopt,
                 .doc = "The sink's format: io.confluent.connect.s3.format.json.JsonFormat, "
                        "io.confluent.connect.s3.format.avro.AvroFormat or "
                        "io.confluent.connect.s3.format.bytearray.ByteArrayFormat."});
  p.spec.define({.name = "format.bytearray.extension", .type = KeyType::String, .default_value = ConfigValue{std::string(".bin")},
                 .doc = "ByteArrayFormat: the object name extension the sink used."});
  p.spec.define({.name = "format.bytearray.separator", .type = KeyType::String, .default_value = ConfigValue{},
                 .doc = "ByteArrayFormat: the separator the sink wrote after each record (Java escapes). Null: a newline."});
  p.spec.define({.name = "topics", .type = KeyType::List, .default_value = ConfigValue{},
                 .doc = "The archived topics to restore. Empty: every topic found under topics.dir."});
  p.spec.define({.name = "topic.regex.list", .type = KeyType::List, .default_value = ConfigValue{},
                 .doc = "Renames: <target topic>:<regex> pairs; an archived topic matching the regex is produced to the "
                        "target topic (first match wins), others keep their name."});
  p.spec.define({.name = "s3.poll.interval.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{60000}},
                 .doc = "How often the bucket is listed for new objects.", .validator = config::validators::at_least(1)});
  p.spec.define({.name = "record.batch.max.size", .type = KeyType::Int, .default_value = ConfigValue{int64_t{500}},
                 .doc = "Records per poll at most.", .validator = config::validators::at_least(1)});
  p.make_source = [] { return std::make_unique<S3SourceTask>(); };
  return p;
}

}  // namespace connectrun::s3
