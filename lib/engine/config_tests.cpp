#include "engine/config_tests.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <ostream>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "converters/json_data.h"
#include "converters/json_schema.h"
#include "json/json_reader.h"
#include "json/json_writer.h"
#include "engine/record_pipeline.h"

namespace connectrun {

namespace {

// ---------------------------------------------------------------- YAML helpers

std::string where(const std::string& file, const YAML::Node& n) {
  auto m = n.Mark();
  return fmt::format("{}:{}:{}", file, m.line + 1, m.column + 1);
}

[[noreturn]] void bad(const std::string& file, const YAML::Node& n, const std::string& msg) {
  throw TestFileError(fmt::format("{}: {}", where(file, n), msg));
}

void check_keys(const std::string& file, const YAML::Node& map, const std::set<std::string>& allowed, const char* what) {
  if (!map.IsMap()) bad(file, map, fmt::format("{} must be a map", what));
  std::vector<std::string> names(allowed.begin(), allowed.end());
  for (auto it = map.begin(); it != map.end(); ++it) {
    auto k = it->first.as<std::string>();
    if (!allowed.count(k))
      bad(file, it->first, fmt::format("unknown key '{}' in {}{}", k, what, config::did_you_mean(k, names)));
  }
}

// YAML → JSON text, typing plain scalars as YAML 1.2's core schema does.
void append_yaml_json(std::string& out, const YAML::Node& n) {
  if (n.IsNull()) {
    out += "null";
  } else if (n.IsSequence()) {
    out += '[';
    for (size_t i = 0; i < n.size(); ++i) {
      if (i) out += ',';
      append_yaml_json(out, n[i]);
    }
    out += ']';
  } else if (n.IsMap()) {
    out += '{';
    bool first = true;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, it->first.as<std::string>());
      out += ':';
      append_yaml_json(out, it->second);
    }
    out += '}';
  } else {
    const std::string& s = n.Scalar();
    static const std::regex number(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
    if (n.Tag() == "?" && (s == "true" || s == "false" || std::regex_match(s, number))) out += s;
    else if (n.Tag() == "?" && (s == "null" || s == "~")) out += "null";
    else append_json_string(out, s);
  }
}

// A YAML value as a schemaless value (maps, arrays, int64, double, strings).
Value yaml_value(const std::string& file, const YAML::Node& n) {
  std::string json;
  append_yaml_json(json, n);
  try {
    return parse_schemaless_json(json);
  } catch (const std::exception& e) {
    bad(file, n, fmt::format("cannot read this value: {}", e.what()));
  }
}

bool is_yaml_name(const std::filesystem::path& p) {
  auto ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml";
}

// A test file has `cases:` at its top level; a job file has `connectors:`.
bool is_config_test_file(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw TestFileError(fmt::format("{}: not a readable YAML file: {}", path, e.what()));
  }
  return root.IsMap() && root["cases"];
}

// Normalised JSON text of a value, so that 5 (int32) and 5 (int64) compare equal.
std::string canonical(const Value& v) { return to_schemaless_json(parse_schemaless_json(to_schemaless_json(v))); }

// ---------------------------------------------------------------- inputs

// A source-side value: the YAML value, typed by `schema` (JsonConverter's schema JSON) when given.
std::pair<SchemaPtr, Value> connect_value(const std::string& file, const YAML::Node& value, const YAML::Node& schema) {
  if (!value) return {nullptr, Value()};
  if (!schema) return {nullptr, yaml_value(file, value)};
  std::string schema_json, value_json;
  append_yaml_json(schema_json, schema);
  append_yaml_json(value_json, value);
  try {
    simdjson::dom::parser p1, p2;
    json::Options opts;
    opts.decimal_format = json::DecimalFormat::Numeric;
    SchemaPtr s = json::json_to_schema(p1.parse(schema_json).value(), opts);
    simdjson::dom::element e = p2.parse(value_json).value();
    return {s, json::json_to_connect(s, &e, opts)};
  } catch (const std::exception& e) {
    bad(file, schema, fmt::format("the value does not fit the schema: {}", e.what()));
  }
}

std::optional<std::string> bytes_of(const std::string& file, const YAML::Node& n) {
  if (!n || n.IsNull()) return std::nullopt;
  if (n.IsScalar()) return n.Scalar();
  std::string json;  // a map or list stands for its JSON text
  append_yaml_json(json, n);
  (void)file;
  return json;
}

// ---------------------------------------------------------------- the output record

// What a case can check, as JSON texts ("key", "value", "topic", "headers.X", "key_bytes", "value_bytes").
struct Output {
  bool dropped = false;
  std::map<std::string, Value> fields;  // schemaless
};

Value header_map(const std::vector<Header>& headers) {
  MapEntries m;
  for (auto& h : headers) m.emplace_back(h.key, parse_schemaless_json(to_schemaless_json(h.value)));
  return m;
}

// Resolves "value.a.b" / "headers.X" / "topic" in the output.
const Value* resolve(const Output& o, const std::string& path) {
  for (auto& [root, v] : o.fields) {
    if (path == root) return &v;
    if (path.rfind(root + ".", 0) != 0) continue;
    const Value* cur = &v;
    size_t start = root.size() + 1;
    while (cur && start <= path.size()) {
      size_t dot = path.find('.', start);
      std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      cur = cur->find(part);
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return cur;
  }
  return nullptr;
}

std::string shown(const Value* v) { return v ? canonical(*v) : "(absent)"; }

std::string as_text(const Value& v) { return v.is<std::string>() ? v.as<std::string>() : canonical(v); }

}  // namespace

std::vector<std::string> expand_config_test_paths(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (auto& path : paths) {
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw TestFileError(fmt::format("{}: cannot read the test file: no such file or directory", path));
    if (!fs::is_directory(status)) {
      out.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec))
      if (it->is_regular_file() && is_yaml_name(it->path())) found.push_back(it->path().string());
    if (ec) throw TestFileError(fmt::format("{}: cannot list the directory: {}", path, ec.message()));
    std::sort(found.begin(), found.end());
    size_t before = out.size();
    for (auto& f : found)
      if (is_config_test_file(f)) out.push_back(f);
    if (out.size() == before)
      throw TestFileError(fmt::format("{}: no test file under this directory (a .yaml or .yml file with a top-level "
                                      "'cases:' key; docs/config-tests.md)", path));
  }
  return out;
}

ConfigTestFile read_config_test_file(const std::string& path) {
  ConfigTestFile f;
  f.path = path;
  try {
    f.root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw TestFileError(fmt::format("{}: cannot read the test file", path));
  } catch (const YAML::ParserException& e) {
    throw TestFileError(fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  check_keys(path, f.root, {"job", "connector", "cases"}, "the test file");
  auto job = f.root["job"];
  auto connector = f.root["connector"];
  auto cases = f.root["cases"];
  if (!job) bad(path, f.root, "missing 'job': the job file (or list of files) the tested connector is in, or the job itself");
  if (!connector || !connector.IsScalar()) bad(path, connector ? connector : f.root, "'connector' must name the connector to test");
  if (!cases || !cases.IsSequence() || cases.size() == 0) bad(path, cases ? cases : f.root, "'cases' must be a non-empty list");
  auto dir = std::filesystem::path(path).parent_path();
  auto add_job = [&](const YAML::Node& n) {
    if (!n.IsScalar()) bad(path, n, "'job' must be a file name, a list of file names or a job (worker, connectors)");
    std::filesystem::path p = n.Scalar();
    f.job_files.push_back((p.is_absolute() ? p : dir / p).string());
  };
  if (job.IsMap()) f.inline_job = job;  // checked as a job file is, by the job loader
  else if (job.IsSequence()) for (auto j : job) add_job(j);
  else add_job(job);
  f.connector = connector.Scalar();
  for (auto c : cases) {
    check_keys(path, c, {"name", "input", "expect"}, "a case");
    if (!c["input"]) bad(path, c, "a case needs 'input'");
    if (!c["expect"]) bad(path, c, "a case needs 'expect'");
    check_keys(path, c["input"], {"topic", "partition", "key", "value", "key_schema", "value_schema", "headers", "timestamp"},
               "'input'");
    if (!c["input"]["topic"]) bad(path, c["input"], "'input' needs 'topic'");
    check_keys(path, c["expect"], {"dropped", "topic", "key", "value", "headers", "key_bytes", "value_bytes", "conditions"},
               "'expect'");
    if (auto h = c["input"]["headers"]; h && !h.IsMap()) bad(path, h, "'headers' must be a map of name: value");
    if (auto conds = c["expect"]["conditions"]) {
      if (!conds.IsMap()) bad(path, conds, "'conditions' must be a map of field: {equals|exists|matches: …}");
      for (auto it = conds.begin(); it != conds.end(); ++it) {
        check_keys(path, it->second, {"equals", "exists", "matches"}, "a condition");
        if (auto m = it->second["matches"]) {
          try {
            std::regex re(m.as<std::string>());
          } catch (const std::regex_error& e) {
            bad(path, m, fmt::format("'matches' is not a valid regular expression: {}", e.what()));
          }
        }
      }
    }
  }
  return f;
}

int run_config_tests(const ConfigTestFile& f, const JobPlan& plan, std::ostream& out) {
  const ConnectorPlan* c = nullptr;
  std::vector<std::string> names;
  for (auto& p : plan.connectors) {
    if (p.name == f.connector) c = &p;
    names.push_back(p.name);
  }
  if (!c)
    bad(f.path, f.root["connector"], fmt::format("no connector '{}' in the job{}", f.connector,
                                                 config::did_you_mean(f.connector, names)));
  const std::string& file = f.path;
  int passed = 0, failed = 0, index = 0;
  for (auto cs : f.root["cases"]) {
    ++index;
    std::string name = cs["name"] ? cs["name"].as<std::string>() : fmt::format("case {}", index);
    auto in = cs["input"];
    auto exp = cs["expect"];
    // A fresh pipeline per case: stateful transforms cannot leak between cases.
    RecordPipeline pipeline(*c);
    Output o;
    std::optional<std::string> error;
    try {
      if (c->is_source) {
        Record r;
        r.topic = in["topic"].as<std::string>();
        if (in["partition"]) r.partition = in["partition"].as<int32_t>();
        if (in["timestamp"]) r.timestamp = in["timestamp"].as<int64_t>();
        std::tie(r.key_schema, r.key) = connect_value(file, in["key"], in["key_schema"]);
        std::tie(r.value_schema, r.value) = connect_value(file, in["value"], in["value_schema"]);
        if (auto h = in["headers"])
          for (auto it = h.begin(); it != h.end(); ++it)
            r.headers.push_back(Header{it->first.as<std::string>(), nullptr, yaml_value(file, it->second)});
        Record t;
        auto b = pipeline.source_to_bus(std::move(r), &t);
        o.dropped = !b;
        if (b) {
          o.fields["topic"] = t.topic;
          o.fields["key"] = parse_schemaless_json(to_schemaless_json(t.key));
          o.fields["value"] = parse_schemaless_json(to_schemaless_json(t.value));
          o.fields["headers"] = header_map(t.headers);
          o.fields["key_bytes"] = b->key ? Value(*b->key) : Value();
          o.fields["value_bytes"] = b->value ? Value(*b->value) : Value();
        }
      } else {
        BusRecord b;
        b.topic = in["topic"].as<std::string>();
        b.partition = in["partition"] ? in["partition"].as<int32_t>() : 0;
        b.offset = 0;
        if (in["timestamp"]) b.timestamp = in["timestamp"].as<int64_t>();
        b.key = bytes_of(file, in["key"]);
        b.value = bytes_of(file, in["value"]);
        if (auto h = in["headers"])
          for (auto it = h.begin(); it != h.end(); ++it)
            b.headers.emplace_back(it->first.as<std::string>(), bytes_of(file, it->second));
        auto t = pipeline.bus_to_sink(b);
        o.dropped = !t;
        if (t) {
          o.fields["topic"] = t->topic;
          o.fields["key"] = parse_schemaless_json(to_schemaless_json(t->key));
          o.fields["value"] = parse_schemaless_json(to_schemaless_json(t->value));
          o.fields["headers"] = header_map(t->headers);
        }
      }
    } catch (const StageError& e) {
      error = fmt::format("{} '{}' failed: {}", e.stage(), e.plugin(), e.what());
    } catch (const YAML::Exception& e) {
      bad(file, in, fmt::format("bad input: {}", e.msg));
    }

    // The diff: one "- expected / + actual" pair per field that differs.
    std::vector<std::string> diff;
    auto differ = [&](const std::string& field, const std::string& expected, const std::string& actual) {
      diff.push_back(fmt::format("  - {}: {}", field, expected));
      diff.push_back(fmt::format("  + {}: {}", field, actual));
    };
    try {
      bool expect_dropped = exp["dropped"] && exp["dropped"].as<bool>();
      if (error) {
        differ("record", expect_dropped ? "(dropped)" : "(an output record)", "(error) " + *error);
      } else if (o.dropped != expect_dropped) {
        differ("record", expect_dropped ? "(dropped)" : "(an output record)", o.dropped ? "(dropped)" : "(an output record)");
      } else if (!o.dropped) {
        for (const char* field : {"topic", "key", "value", "headers", "key_bytes", "value_bytes"}) {
          auto e = exp[field];
          if (!e) continue;
          if (!c->is_source && std::string_view(field).ends_with("_bytes"))
            bad(file, e, fmt::format("'{}' is checked for source connectors only (a sink's output is not serialised)", field));
          const Value* actual = resolve(o, field);
          bool bytes = std::string_view(field).ends_with("_bytes");
          std::string want = bytes ? (e.IsNull() ? "null" : e.as<std::string>()) : canonical(yaml_value(file, e));
          std::string got = bytes ? (actual && !actual->is_null() ? actual->as<std::string>() : "null") : shown(actual);
          if (want != got) differ(field, want, got);
        }
        if (auto conds = exp["conditions"]) {
          for (auto it = conds.begin(); it != conds.end(); ++it) {
            std::string path = it->first.as<std::string>();
            const Value* actual = resolve(o, path);
            if (actual && actual->is_null() && path.find('.') != std::string::npos) actual = nullptr;  // a missing field
            auto cond = it->second;
            if (auto ex = cond["exists"]; ex && ex.as<bool>() != (actual != nullptr))
              differ(path, ex.as<bool>() ? "(exists)" : "(absent)", shown(actual));
            if (auto eq = cond["equals"]) {
              std::string want = canonical(yaml_value(file, eq));
              if (want != shown(actual)) differ(path, want, shown(actual));
            }
            if (auto m = cond["matches"]) {
              std::regex re(m.as<std::string>());
              if (!actual || !std::regex_match(as_text(*actual), re))
                differ(path, fmt::format("(matches /{}/)", m.as<std::string>()), shown(actual));
            }
          }
        }
      }
    } catch (const YAML::Exception& e) {
      bad(file, exp, fmt::format("bad expectation: {}", e.msg));
    }
    if (diff.empty()) {
      ++passed;
      out << "PASS  " << name << "\n";
    } else {
      ++failed;
      out << fmt::format("FAIL  {} ({})\n", name, where(file, cs));
      for (auto& d : diff) out << d << "\n";
    }
  }
  out << fmt::format("{} case(s): {} passed, {} failed\n", passed + failed, passed, failed);
  return failed ? 1 : 0;
}

}  // namespace connectrun
