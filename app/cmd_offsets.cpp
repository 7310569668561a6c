// `connectrun offsets list|reset|set`: Kafka Connect's KIP-875 offset
// management on the command line. Source offsets live in the offsets file;
// sink offsets on the Kafka bus are the group connect-<name>'s committed
// offsets. Changes happen only while no job runs (the offsets file's lock).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "commands.h"
#include "json/json_reader.h"
#include "json/json_writer.h"
#include "plugin/connector.h"
#include "exit_codes.h"
#include "offsets/kafka_offsets_file.h"
#include "offsets/offset_store.h"
#include "offsets/private_file.h"
#include "kafka/kafka_api.h"

namespace connectrun::cli {

namespace {

struct Row {
  std::string connector, type;
  Value partition, offset;
  std::optional<SourceTask::OffsetStatus> status;  // the connector's word on it (describe_offset_status)
};

// Usage errors: exit 2 with a message.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Value parse_json_arg(const std::string& flag, const std::string& text) {
  try {
    return parse_schemaless_json(text);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("{}: not valid JSON ({}): {}", flag, e.what(), text));
  }
}

std::string json(const Value& v) { return v.is_null() ? "null" : to_schemaless_json(v); }

void print_cells(const std::vector<std::array<std::string, 4>>& cells, std::ostream& out) {
  std::array<size_t, 4> width{};
  for (auto& c : cells)
    for (size_t i = 0; i < 4; ++i) width[i] = std::max(width[i], c[i].size());
  for (auto& c : cells)
    out << fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", c[0], width[0], c[1], width[1], c[2], width[2], c[3]);
}

void print_table(const std::vector<Row>& rows, std::ostream& out) {
  std::vector<std::array<std::string, 4>> cells{{"CONNECTOR", "TYPE", "PARTITION", "OFFSET"}};
  for (auto& r : rows) cells.push_back({r.connector, r.type, json(r.partition), json(r.offset)});
  print_cells(cells, out);
}

// Kafka Connect's GET /connectors/NAME/offsets body, plus each entry's
// "status" when its connector described it.
std::string offsets_json(const std::vector<Row>& rows, const std::string& connector) {
  std::vector<OffsetEntry> mine;
  for (auto& r : rows)
    if (r.connector == connector) mine.push_back(OffsetEntry{r.connector, r.partition, r.offset});
  const bool any_status = std::any_of(rows.begin(), rows.end(), [&](auto& r) { return r.connector == connector && r.status; });
  if (!any_status) return connector_offsets_json(mine);
  std::string out = "{\"offsets\":[";
  bool first = true;
  for (auto& r : rows) {
    if (r.connector != connector) continue;
    out += first ? "{\"partition\":" : ",{\"partition\":";
    first = false;
    append_schemaless_json(out, r.partition);
    out += ",\"offset\":";
    append_schemaless_json(out, r.offset);
    if (r.status) {
      out += ",\"status\":";
      append_schemaless_json(out, r.status->fields);
    }
    out += "}";
  }
  return out + "]}";
}

// Asks on the terminal; refuses without one unless --yes.
bool confirm(bool yes, const std::string& what) {
  std::cerr << what;
  if (yes) return true;
  if (!::isatty(STDIN_FILENO))
    throw UsageError("refusing to change offsets without confirmation: stdin is not a terminal; pass --yes to "
                     "confirm (for scripts)");
  std::cerr << "Proceed? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

class Offsets {
 public:
  Offsets(OffsetsCommand& cmd, JobPlan plan) : cmd_(cmd), plan_(std::move(plan)) {
    path_ = plan_.worker.get_string("offset.storage.file.filename");
    where_ = path_;
    if (!plan_.worker.is_null("offset.storage.topic")) {
      topic_ = plan_.worker.get_string("offset.storage.topic");
      where_ = fmt::format("offsets topic '{}'", topic_);
    }
  }

  int list() {
    auto store = read_store();
    const ConnectorPlan* only = cmd_.connector.empty() ? nullptr : find(*store);
    std::vector<Row> rows;
    std::vector<std::string> names;  // in job order, then stored-only ones
    for (auto& c : plan_.connectors) {
      if (only && only != &c) continue;
      names.push_back(c.name);
      if (c.is_source) {
        for (auto& e : store->entries())
          if (e.connector == c.name) rows.push_back(Row{c.name, "source", e.partition, e.offset, offset_status(c, e)});
      } else if (plan_.kafka()) {
        for (auto& o : kafka_api().list_sink_offsets(plan_, c)) {
          OffsetEntry e = sink_offset_entry(c.name, o.topic, o.partition, o.offset);
          rows.push_back(Row{c.name, "sink", std::move(e.partition), std::move(e.offset)});
        }
      }
    }
    // Offsets of connectors no longer in the job are still in the file: show them.
    for (auto& e : store->entries()) {
      bool in_job = std::any_of(plan_.connectors.begin(), plan_.connectors.end(), [&](auto& c) { return c.name == e.connector; });
      if (in_job || (!cmd_.connector.empty() && e.connector != cmd_.connector)) continue;
      if (std::find(names.begin(), names.end(), e.connector) == names.end()) names.push_back(e.connector);
      rows.push_back(Row{e.connector, "source (not in this job)", e.partition, e.offset});
    }
    if (cmd_.json) {
      if (!cmd_.connector.empty()) {
        std::cout << offsets_json(rows, cmd_.connector) << "\n";
      } else {
        std::string out = "{";
        for (size_t i = 0; i < names.size(); ++i) {
          if (i) out += ',';
          append_json_string(out, names[i]);
          out += ':' + offsets_json(rows, names[i]);
        }
        std::cout << out << "}\n";
      }
      return kExitOk;
    }
    print_table(rows, std::cout);
    for (auto& r : rows)
      if (r.status) std::cout << fmt::format("{}: {}\n", r.connector, r.status->text);
    if (!plan_.kafka() && std::any_of(plan_.connectors.begin(), plan_.connectors.end(), [](auto& c) { return !c.is_source; }))
      std::cerr << "note: sink connectors on the in-process bus keep no offsets (they read what the sources send)\n";
    return kExitOk;
  }

  int reset() {
    auto store = lock();
    const ConnectorPlan* c = find(*store);
    if (c && !c->is_source) {
      require_kafka(*c);
      std::string where = plan_.worker.get_string("bootstrap.servers");  // never secret
      if (!confirm(cmd_.yes, fmt::format("This resets consumer group 'connect-{}' on {}: sink connector '{}' will "
                                         "start again from auto.offset.reset on every partition.\n", c->name, where,
                                         c->name)))
        return aborted();
      auto done = kafka_api().reset_sink_offsets(plan_, *c);
      for (auto& o : done) std::cerr << fmt::format("reset: {}-{} → {}\n", o.topic, o.partition, o.offset);
      if (done.empty()) std::cerr << fmt::format("connector '{}' has no committed offsets: nothing to reset\n", c->name);
      return kExitOk;
    }
    refuse_topic("reset");
    std::vector<OffsetEntry> mine;
    for (auto& e : store->entries())
      if (e.connector == cmd_.connector) mine.push_back(e);
    if (mine.empty()) {
      std::cerr << fmt::format("connector '{}' has no stored offsets: nothing to reset\n", cmd_.connector);
      return kExitOk;
    }
    std::string what = fmt::format("This removes {} stored source offset(s) of connector '{}' from {}:\n", mine.size(),
                                   cmd_.connector, path_);
    for (auto& e : mine) what += fmt::format("  {}  {}\n", json(e.partition), json(e.offset));
    if (!confirm(cmd_.yes, what)) return aborted();
    for (auto& e : mine) store->put(e.connector, e.partition, Value());
    return store_or_fail(*store, fmt::format("reset: {} source offset(s) of '{}' removed", mine.size(), cmd_.connector));
  }

  // connect-standalone's offsets file → connectrun's offsets file.
  int import_kafka() {
    refuse_topic("import");
    std::vector<OffsetEntry> incoming;
    try {
      incoming = decode_kafka_offsets(read_kafka_offsets_file(cmd_.kafka_file));
    } catch (const KafkaOffsetsFileError& e) {
      throw UsageError(fmt::format("{}: {}", cmd_.kafka_file, e.what()));
    }
    // Kafka's worker.properties unchanged: offset.storage.file.filename is the
    // very file to import, replaced by connectrun's after a copy is kept.
    bool in_place = same_file(cmd_.kafka_file, path_);
    auto wait = std::chrono::milliseconds(static_cast<long>(cmd_.wait_lock * 1000));
    auto store = in_place ? OffsetStore::open_replacing_kafka_file(path_, wait) : lock();
    std::vector<Row> rows;
    std::vector<std::string> bad;
    for (auto& e : incoming) {
      const ConnectorPlan* c = nullptr;
      for (auto& p : plan_.connectors)
        if (p.name == e.connector) c = &p;
      std::string note;
      if (!c) {
        note = "not in this job (kept for it)";
      } else if (!c->is_source) {
        note = "a SINK connector in this job";
        bad.push_back(fmt::format("connector '{}' is a sink connector in this job, but the file holds a source offset "
                                  "for it", e.connector));
      } else if (auto problem = offset_problem(*c, e.partition, e.offset)) {
        note = "unusable: " + *problem;
        bad.push_back(fmt::format("connector '{}' ({}) cannot resume from {} for partition {}: {}", c->name,
                                  c->plugin->name, json(e.offset), json(e.partition), *problem));
      }
      Value old = store->get(e.connector, e.partition);
      if (!old.is_null() && !(old == e.offset)) note += (note.empty() ? "" : "; ") + ("replaces " + json(old));
      rows.push_back(Row{e.connector, note, e.partition, e.offset});
    }
    std::ostringstream table;
    std::vector<std::array<std::string, 4>> cells{{"CONNECTOR", "PARTITION", "OFFSET", "NOTE"}};
    for (auto& r : rows) cells.push_back({r.connector, json(r.partition), json(r.offset), r.type});
    print_cells(cells, table);
    std::cerr << fmt::format("{} holds {} source offset(s):\n{}", cmd_.kafka_file, incoming.size(), table.str());
    if (!bad.empty()) {
      for (auto& b : bad) std::cerr << "error: " << b << "\n";
      throw UsageError(fmt::format("{} offset(s) cannot be used by this job's connectors; nothing was imported "
                                   "(fix the job files, or remove those entries with connect-standalone)", bad.size()));
    }
    std::string what = fmt::format("This writes them into connectrun's offsets file {}{}.\n", path_,
                                   in_place ? fmt::format(", which is this Kafka Connect file: a copy is kept as "
                                                          "{}.kafka-connect", path_)
                                            : std::string());
    if (!confirm(cmd_.yes, what)) return aborted();
    if (in_place) {
      Folder folder(path_);
      auto bytes = read_kafka_offsets_file(path_);
      if (auto err = write_file_atomically(folder, file_name_of(path_) + ".kafka-connect", bytes)) {
        std::cerr << fmt::format("error: cannot keep a copy of {} as {}.kafka-connect: {}; nothing was changed\n",
                                 path_, path_, *err);
        return kExitConnectorFailed;
      }
    }
    for (auto& e : incoming) store->put(e.connector, e.partition, e.offset);
    return store_or_fail(*store, fmt::format("import: {} source offset(s) from {} written to {}", incoming.size(),
                                             cmd_.kafka_file, path_));
  }

  // connectrun's source offsets → a file connect-standalone reads as its offset.storage.file.filename.
  int export_kafka() {
    if (same_file(cmd_.kafka_file, path_))
      throw UsageError(fmt::format("--to-kafka-connect {} is this job's own offsets file: choose another file",
                                   cmd_.kafka_file));
    auto store = read_store();
    auto entries = store->entries();
    struct stat st {};
    bool exists = ::lstat(cmd_.kafka_file.c_str(), &st) == 0;
    std::string what = fmt::format("This writes {} source offset(s) from {} to {} in Kafka Connect's format{}.\n",
                                   entries.size(), where_, cmd_.kafka_file,
                                   exists ? " (the file exists and is replaced)" : "");
    if (exists && !confirm(cmd_.yes, what)) return aborted();
    Folder folder(cmd_.kafka_file);
    if (auto err = write_file_atomically(folder, file_name_of(cmd_.kafka_file), encode_kafka_offsets(entries))) {
      std::cerr << fmt::format("error: cannot write {}: {}\n", cmd_.kafka_file, *err);
      return kExitConnectorFailed;
    }
    std::cerr << fmt::format("export: {} source offset(s) written to {}; connect-standalone reads it when its "
                             "offset.storage.file.filename names it\n", entries.size(), cmd_.kafka_file);
    return kExitOk;
  }

  int set() {
    Value partition = parse_json_arg("--partition", cmd_.partition);
    Value offset = parse_json_arg("--offset", cmd_.offset);
    if (!partition.is<MapEntries>()) throw UsageError("--partition: expected a JSON object, e.g. '{\"filename\":\"/data/in.txt\"}'");
    if (!offset.is<MapEntries>() && !offset.is_null())
      throw UsageError("--offset: expected a JSON object (e.g. '{\"position\":0}'), or null to remove the offset");
    auto store = lock();
    const ConnectorPlan* c = find(*store);
    if (c && !c->is_source) return set_sink(*c, partition, offset);
    refuse_topic("set");
    if (c && !offset.is_null())
      if (auto problem = offset_problem(*c, partition, offset))
        throw UsageError(fmt::format("--offset: connector '{}' ({}) cannot resume from {} for partition {}: {}",
                                     c->name, c->plugin->name, json(offset), json(partition), *problem));
    Value old = store->get(cmd_.connector, partition);
    if (!confirm(cmd_.yes, fmt::format("This changes the source offset of connector '{}' for partition {} in {}: {} → "
                                       "{}\n", cmd_.connector, json(partition), path_, json(old), json(offset))))
      return aborted();
    store->put(cmd_.connector, partition, offset);
    return store_or_fail(*store, fmt::format("set: connector '{}' partition {} offset {}", cmd_.connector,
                                             json(partition), json(offset)));
  }

 private:
  // Kafka Connect's sink offset shapes: {"kafka_topic","kafka_partition"} → {"kafka_offset"}.
  int set_sink(const ConnectorPlan& c, const Value& partition, const Value& offset) {
    require_kafka(c);
    const Value* topic = partition.find("kafka_topic");
    const Value* part = partition.find("kafka_partition");
    if (!topic || !topic->is<std::string>() || !part || !part->is<int64_t>() || part->as<int64_t>() < 0 ||
        partition.as<MapEntries>().size() != 2)
      throw UsageError(fmt::format("--partition: a sink connector's partition is "
                                   "{{\"kafka_topic\":\"TOPIC\",\"kafka_partition\":N}}, got {}", json(partition)));
    std::optional<int64_t> to;
    if (!offset.is_null()) {
      const Value* o = offset.find("kafka_offset");
      if (!o || !o->is<int64_t>() || o->as<int64_t>() < 0 || offset.as<MapEntries>().size() != 1)
        throw UsageError(fmt::format("--offset: a sink connector's offset is {{\"kafka_offset\":N}} (N >= 0) or null, "
                                     "got {}", json(offset)));
      to = o->as<int64_t>();
    }
    const auto& t = topic->as<std::string>();
    auto p = static_cast<int32_t>(part->as<int64_t>());
    if (!confirm(cmd_.yes, fmt::format("This sets the committed offset of {}-{} in consumer group 'connect-{}' to {}.\n",
                                       t, p, c.name, to ? std::to_string(*to) : "the auto.offset.reset position")))
      return aborted();
    int64_t done = kafka_api().set_sink_offset(plan_, c, t, p, to);
    std::cerr << fmt::format("set: connector '{}' {}-{} offset {}\n", c.name, t, p, done);
    return kExitOk;
  }

  // What the connector says about a stored offset's state outside (SourceTask::describe_offset_status).
  static std::optional<SourceTask::OffsetStatus> offset_status(const ConnectorPlan& c, const OffsetEntry& e) {
    if (!c.plugin) return std::nullopt;
    try {
      auto task = c.plugin->make_source();
      task->configure(c.plugin_cfg);
      return task->describe_offset_status(e.partition, e.offset);
    } catch (const std::exception& ex) {
      return SourceTask::OffsetStatus{std::string("status unknown: ") + ex.what(),
                                      Value(MapEntries{{Value("error"), Value(std::string(ex.what()))}})};
    }
  }

  // What the connector says about an offset (SourceTask::check_offset), after configuring it as the job does.
  static std::optional<std::string> offset_problem(const ConnectorPlan& c, const Value& partition, const Value& offset) {
    if (!c.plugin || !c.is_source) return std::nullopt;
    auto task = c.plugin->make_source();
    task->configure(c.plugin_cfg);
    return task->check_offset(partition, offset);
  }

  static bool same_file(const std::string& a, const std::string& b) {
    struct stat sa {}, sb {};
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  }

  void require_kafka(const ConnectorPlan& c) {
    if (!plan_.kafka())
      throw UsageError(fmt::format("sink connector '{}' has no offsets to change: on the in-process bus (no "
                                   "bootstrap.servers) sinks read only what the sources send in the same run",
                                   c.name));
  }

  // The connector named by --connector: in the job, or only in the offsets file (nullptr then).
  const ConnectorPlan* find(const OffsetStore& store) {
    std::vector<std::string> known;
    for (auto& c : plan_.connectors) {
      if (c.name == cmd_.connector) return &c;
      known.push_back(c.name);
    }
    for (auto& e : store.entries()) {
      if (e.connector == cmd_.connector) return nullptr;
      known.push_back(e.connector);
    }
    throw UsageError(fmt::format("unknown connector '{}'{}: neither in the job nor in {}", cmd_.connector,
                                 config::did_you_mean(cmd_.connector, known), where_));
  }

  // Source offsets as stored: the offsets topic (read to its end) or the file (no lock needed to read).
  std::unique_ptr<OffsetStore> read_store() {
    if (!topic_.empty()) return OffsetStore::open_backed(kafka_api().make_offset_store(plan_, false), path_);
    return OffsetStore::read_only(path_);
  }

  // Source offsets in a topic are not changed from here yet: nothing keeps a
  // running job (which writes the entries it changes) from undoing the change,
  // as the offsets file's lock does. Sink connectors' group offsets are.
  void refuse_topic(const char* what) const {
    if (!topic_.empty())
      throw UsageError(fmt::format("`offsets {}` of source offsets does not work with offset.storage.topic yet ({} holds "
                                   "them); stop the job and produce the record yourself in Kafka Connect's format, "
                                   "see docs/scaling.md",
                                   what, where_));
  }

  // The store to change: locked (the file), or as read (the topic: only sink changes get this far).
  std::unique_ptr<OffsetStore> lock() {
    if (!topic_.empty()) return read_store();
    return OffsetStore::open(path_, std::chrono::milliseconds(static_cast<long>(cmd_.wait_lock * 1000)));
  }

  int store_or_fail(OffsetStore& store, const std::string& done) {
    if (auto err = store.flush()) {
      std::cerr << fmt::format("error: cannot write {}: {}; nothing was changed\n", path_, *err);
      return kExitConnectorFailed;
    }
    std::cerr << done << "\n";
    return kExitOk;
  }

  int aborted() {
    std::cerr << "aborted: nothing was changed\n";
    return kExitConnectorFailed;
  }

  OffsetsCommand& cmd_;
  JobPlan plan_;
  std::string path_;
  std::string topic_;  // offset.storage.topic, "" when offsets are in the file
  std::string where_;  // where source offsets are, for messages
};

}  // namespace

void OffsetsCommand::add(CLI::App& app) {
  auto* offsets = app.add_subcommand("offsets", "List, reset or set connector offsets (Kafka Connect's KIP-875), or "
                                                "import/export connect-standalone's offsets file, while no job runs "
                                                "on the offsets file.");
  offsets->require_subcommand(1);
  offsets->footer("Source offsets are in offset.storage.file.filename; import/export convert from and to "
                  "connect-standalone's own offsets file; sink offsets on the Kafka bus are the committed "
                  "offsets of the consumer group connect-<name>. Exit codes: 0 done, 1 failed or aborted, 2 bad usage "
                  "or configuration, 75 the offsets file is in use by a running job.");
  list = offsets->add_subcommand("list", "Print every stored source offset and, on the Kafka bus, each sink "
                                         "connector's committed group offsets.");
  reset = offsets->add_subcommand("reset", "Remove a connector's stored source offsets, or move a sink connector's "
                                           "committed group offsets to where auto.offset.reset starts.");
  set = offsets->add_subcommand("set", "Set one source partition's offset, or a sink connector's committed offset "
                                       "for one Kafka topic partition.");
  for (auto* c : {list, reset, set}) {
    c->add_option("files", files, "job.yaml, or worker.properties followed by connector files")->required();
    auto* o = c->add_option("--connector", connector, "The connector's name");
    if (c != list) {
      o->required();
      c->add_flag("--yes,-y", yes, "Do not ask for confirmation (needed when stdin is not a terminal)");
      c->add_option("--wait-lock", wait_lock, "Wait up to SECONDS for a running job to release the offsets file")
          ->check(CLI::Range(0.0, 86400.0));
    }
  }
  import_kafka = offsets->add_subcommand(
      "import", "Copy the source offsets of connect-standalone's offsets file (--from-kafka-connect FILE) into "
                "connectrun's offsets file, after showing them.");
  import_kafka->add_option("--from-kafka-connect", kafka_file, "Kafka Connect's offsets file "
                           "(its offset.storage.file.filename; may be this job's own, then a copy is kept as "
                           "FILE.kafka-connect)")->required();
  export_kafka = offsets->add_subcommand(
      "export", "Write connectrun's source offsets as a connect-standalone offsets file (--to-kafka-connect FILE).");
  export_kafka->add_option("--to-kafka-connect", kafka_file, "The file to write, for connect-standalone's "
                           "offset.storage.file.filename")->required();
  for (auto* c : {import_kafka, export_kafka}) {
    c->add_option("files", files, "job.yaml, or worker.properties followed by connector files")->required();
    c->add_flag("--yes,-y", yes, "Do not ask for confirmation (needed when stdin is not a terminal)");
  }
  import_kafka->add_option("--wait-lock", wait_lock, "Wait up to SECONDS for a running job to release the offsets file")
      ->check(CLI::Range(0.0, 86400.0));
  list->add_flag("--json", json, "Kafka Connect's JSON: {\"offsets\":[{\"partition\":{…},\"offset\":{…}}]} with "
                                 "--connector, else one such object per connector name");
  set->add_option("--partition", partition, "The partition as JSON: a source connector's own, e.g. "
                                            "'{\"filename\":\"/data/in.txt\"}', or for a sink "
                                            "'{\"kafka_topic\":\"t\",\"kafka_partition\":0}'")
      ->required();
  set->add_option("--offset", offset, "The offset as JSON, e.g. '{\"position\":0}' or '{\"kafka_offset\":42}'; "
                                      "null removes it")
      ->required();
}

int OffsetsCommand::run() {
  auto plan = load_and_report(files);
  if (!plan) return kExitBadConfig;
  Offsets o(*this, std::move(*plan));
  try {
    if (*list) return o.list();
    if (*reset) return o.reset();
    if (*import_kafka) return o.import_kafka();
    if (*export_kafka) return o.export_kafka();
    return o.set();
  } catch (const UsageError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadConfig;
  } catch (const OffsetStoreLocked& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitLocked;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitConnectorFailed;
  }
}

}  // namespace connectrun::cli
