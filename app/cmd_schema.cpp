// `connectrun schema`: a JSON Schema (draft 2020-12) of the YAML job file,
// written from the same key declarations that parse it (the worker's and
// every plugin's ConfigSpec), so editors with yaml-language-server complete
// and check job files and the schema cannot drift from the binary. It accepts
// what the loader accepts (numbers and booleans as strings, lists as "a,b" or
// YAML lists, ${env:…}/${file:…} placeholders in any value) and, where the
// loader refuses unknown keys, refuses them too (additionalProperties false).
// The document is a schemaless Value written by the project's JSON writer.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <set>

#include "commands.h"
#include "config/loader.h"
#include "config/spec.h"
#include "connectors/connectors.h"
#include "exit_codes.h"
#include "json/json_writer.h"
#include "plan/job_config.h"
#include "plan/worker_compat.h"
#include "schema_keys.h"

namespace connectrun::cli {

namespace {

using config::KeyDef;
using config::KeyType;
using namespace schema;

// The keys every connector section shares (the common, source, sink and converter
// keys), written once under $defs and referred to from each connector's section.
struct SharedKeys {
  Obj defs;
  std::set<std::string> names;
  Value ref(const KeyDef& k, const std::string& prefix) {
    std::string id = "key." + k.name;
    if (names.insert(id).second) defs.set(id, key_schema(k, prefix));
    return Obj{}.set("$ref", "#/$defs/" + id);
  }
};

// Properties of one section, each declared once (the first declaration wins).
struct Properties {
  SharedKeys* shared = nullptr;  // set: keys added with share=true become $refs
  Obj props;
  std::set<std::string> names;
  std::vector<std::string> required;
  void add(const KeyDef& k, const std::string& prefix = "", bool share = false) {
    if (!names.insert(k.name).second) return;
    props.set(k.name, share && shared ? shared->ref(k, prefix) : key_schema(k, prefix));
    if (k.required()) required.push_back(k.name);
  }
  void add(const config::ConfigSpec& spec, bool share = false) {
    for (auto& k : spec.keys()) add(k, "", share);
  }
  void add_raw(const std::string& name, Value schema) {
    if (names.insert(name).second) props.set(name, std::move(schema));
  }
};

// key.converter.*, value.converter.* and header.converter.*: the keys any converter
// declares (a key of another converter than the one set only warns, as in Kafka).
void add_converter_keys(const PluginRegistry& registry, Properties& p) {
  std::map<std::string, std::vector<const PluginInfo*>> owners;
  std::vector<const KeyDef*> first;
  for (auto& info : registry.all()) {
    if (info.kind != PluginKind::Converter && info.kind != PluginKind::HeaderConverter) continue;
    for (auto& k : info.spec.keys()) {
      auto& o = owners[k.name];
      if (o.empty()) first.push_back(&k);
      o.push_back(&info);
    }
  }
  for (const std::string role : {"key.converter", "value.converter", "header.converter"}) {
    for (const KeyDef* k : first) {
      std::string who;
      for (auto* info : owners[k->name]) who += (who.empty() ? "" : ", ") + info->name;
      KeyDef sub = *k;
      sub.name = role + "." + k->name;
      sub.default_value = k->default_value ? k->default_value : std::optional<config::ConfigValue>(std::monostate{});
      p.add(sub, "(" + who + ") ", true);
    }
  }
}

// A JSON pointer's token (RFC 6901), percent-encoded where a URI fragment needs it.
std::string pointer_token(std::string_view name) {
  std::string out;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else if (std::isalnum(u) || std::string_view("-._$:").find(c) != std::string_view::npos)
      out += c;
    else
      out += fmt::format("%{:02X}", u);
  }
  return out;
}

// Keys of a section given as a required list: a dotted one may also come as a nested
// map (`connector: {class: X}`), whose inside the nested schemas check.
Value required_keys(const std::vector<std::string>& keys, Obj& s) {
  std::vector<std::string> plain;
  Array nested;
  for (auto& k : keys) {
    auto dot = k.find('.');
    if (dot == std::string::npos)
      plain.push_back(k);
    else
      nested.push_back(Obj{}.set(
          "anyOf", Array{Obj{}.set("required", strings({k})), Obj{}.set("required", strings({k.substr(0, dot)}))}));
  }
  if (!plain.empty()) s.set("required", strings(plain));
  return nested;
}

// A section's object schema, flat dotted keys as declared. The loader also takes
// nested maps for any dotted prefix (`errors: {tolerance: all}` is errors.tolerance),
// so each prefix may be an object holding the rest, checked as strictly: its schema
// is a $def (`<section>:<prefix>`) referring to the flat keys' schemas. A prefix that
// leads into pattern keys (`producer: {override.linger.ms: 5}`) takes any map.
// `roots` are the literal beginnings of the pattern keys ("transforms.").
Value object(Properties& p, Obj patterns, const std::vector<std::string>& roots, const std::string& section, Obj& defs,
             std::map<std::string, std::string>& written) {
  const std::string self = "#/$defs/" + pointer_token(section);
  std::set<std::string> keys(p.names.begin(), p.names.end());
  std::set<std::string> strict, lenient;
  auto under_root = [&](const std::string& prefix) {
    std::string dotted = prefix + ".";
    for (auto& r : roots)
      if (dotted.starts_with(r) || r.starts_with(dotted)) return true;
    return false;
  };
  for (auto& k : keys)
    for (auto dot = k.find('.'); dot != std::string::npos; dot = k.find('.', dot + 1)) {
      std::string prefix = k.substr(0, dot);
      (under_root(prefix) ? lenient : strict).insert(prefix);
    }
  for (auto& r : roots)
    for (auto dot = r.find('.'); dot != std::string::npos; dot = r.find('.', dot + 1)) lenient.insert(r.substr(0, dot));
  for (auto& l : lenient) strict.erase(l);
  // Nested schemas equal in content (the converter and errors.* prefixes of every connector) are written once.
  std::map<std::string, std::string> nest_of;  // prefix → its $def's name
  auto nest_ref = [&](const std::string& prefix) {
    return Obj{}.set("$ref", "#/$defs/" + pointer_token(nest_of.at(prefix)));
  };
  std::map<std::string, const Value*> flat;
  for (auto& [name, schema] : p.props.m) flat[name.as<std::string>()] = &schema;
  auto schema_for = [&](const std::string& name) -> Value {
    // A shared key's own $ref, so that equal nested schemas stay equal across sections.
    const Value* f = flat.count(name) ? flat[name] : nullptr;
    const Value* shared_ref = f ? f->find("$ref") : nullptr;
    Value key = shared_ref && f->as<MapEntries>().size() == 1
                    ? Value(Obj{}.set("$ref", *shared_ref))
                    : Value(Obj{}.set("$ref", self + "/properties/" + pointer_token(name)));
    if (lenient.count(name)) {
      Value any_map = Obj{}.set("type", "object");
      return keys.count(name) ? Value(Obj{}.set("anyOf", Array{key, any_map})) : any_map;
    }
    if (!strict.count(name)) return key;
    return keys.count(name) ? Value(Obj{}.set("anyOf", Array{key, nest_ref(name)})) : Value(nest_ref(name));
  };
  std::set<std::string> names = keys;
  names.insert(strict.begin(), strict.end());
  names.insert(lenient.begin(), lenient.end());
  std::vector<std::string> longest_first(strict.begin(), strict.end());
  std::sort(longest_first.begin(), longest_first.end(), [](auto& a, auto& b) { return a.size() > b.size(); });
  for (auto& prefix : longest_first) {
    Obj props;
    std::string dotted = prefix + ".";
    for (auto& n : names)
      if (n.starts_with(dotted)) props.set(n.substr(dotted.size()), schema_for(n));
    Value nest = Obj{}
                     .set("description", "Keys under " + dotted + " as a nested map.")
                     .set("type", "object")
                     .set("properties", std::move(props))
                     .set("additionalProperties", false);
    std::string text = to_schemaless_json(nest);
    auto [it, fresh] = written.try_emplace(text, section + ":" + prefix);
    nest_of[prefix] = it->second;
    if (fresh) defs.set(it->second, std::move(nest));
  }
  // The prefixes themselves as top-level keys; a key that is also a prefix (value.converter) takes either.
  Obj props;
  for (auto& [name, schema] : p.props.m) {
    const std::string& n = name.as<std::string>();
    if (strict.count(n) || lenient.count(n)) {
      Value alt = lenient.count(n) ? Value(Obj{}.set("type", "object")) : Value(nest_ref(n));
      props.set(n, Obj{}.set("anyOf", Array{std::move(schema), std::move(alt)}));
    } else {
      props.set(n, std::move(schema));
    }
  }
  for (auto& n : names)
    if (!keys.count(n)) props.set(n, schema_for(n));
  Obj s;
  s.set("type", "object");
  Value nested_required = required_keys(p.required, s);
  s.set("properties", std::move(props));
  if (!patterns.m.empty()) s.set("patternProperties", std::move(patterns));
  s.set("additionalProperties", false);
  if (!nested_required.as<Array>().empty()) s.set("allOf", std::move(nested_required));
  return s;
}

Value worker_schema(const PluginRegistry& registry, Obj& defs) {
  std::vector<std::string> roots{"sasl.", "ssl.", "producer.", "consumer.", "admin.", "config.providers."};
  Properties p;
  p.add(worker_spec());
  add_converter_keys(registry, p);
  for (const char* k : {"security.protocol", "statistics.interval.ms"})
    p.add_raw(k, Obj{}
                     .set("description", "A Kafka client key for every client (producers, consumers, admin).")
                     .set("type", types({"string", "number", "boolean"})));
  Obj patterns;
  patterns.set("^(?:sasl|ssl)\\.", Obj{}
                                       .set("description", "A Kafka client key for every client.")
                                       .set("type", types({"string", "number", "boolean", "null"})));
  patterns.set("^(?:producer|consumer|admin)\\..+",
               Obj{}
                   .set("description", "A key of the Kafka producer, consumer or admin client of every connector.")
                   .set("type", types({"string", "number", "boolean", "null"})));
  patterns.set("^config\\.providers\\..+",
               Obj{}
                   .set("description",
                        "Kafka's config providers: only FileConfigProvider (file) and EnvVarConfigProvider "
                        "(env), which are built in.")
                   .set("type", types({"string", "number", "boolean", "null"})));
  for (auto [key, why] : worker_keys_without_effect()) {
    Value s = Obj{}
                  .set("description", "Has no effect in connectrun (a warning says so): " + std::string(why) + ".")
                  .set("deprecated", true)
                  .set("type", types({"string", "number", "boolean", "null", "array"}));
    if (key.back() == '.') {
      patterns.set("^" + regex_escape(key) + ".+", std::move(s));
      roots.emplace_back(key);
    } else
      p.add_raw(std::string(key), std::move(s));
  }
  std::map<std::string, std::string> written;
  return object(p, std::move(patterns), roots, "worker", defs, written);
}

std::vector<std::string> plugin_names(const PluginRegistry& registry, PluginKind kind) {
  return registry.names({kind});
}

std::string def_name(const PluginInfo& p) { return "connector-" + p.name; }

// One connector plugin's whole section: the keys of every connector, of its kind, its own, and the
// prefixed keys (converters, transforms, predicates, client overrides).
Value connector_schema(const PluginRegistry& registry, const PluginInfo& plugin, SharedKeys& shared, Obj& defs,
                       std::map<std::string, std::string>& written) {
  Properties p;
  p.shared = &shared;
  bool source = plugin.kind == PluginKind::Source;
  p.add(connector_common_spec(), true);
  p.add(source ? source_common_spec() : sink_common_spec(), true);
  p.add(plugin.spec);
  add_converter_keys(registry, p);
  Obj patterns;
  auto names_or_placeholder = [&](PluginKind kind, const char* what) {
    return Obj{}
        .set("description", what)
        .set("anyOf", Array{Obj{}.set("enum", strings(plugin_names(registry, kind))), placeholder()});
  };
  patterns.set("^transforms\\.[^.]+\\.type$",
               names_or_placeholder(PluginKind::Transform, "The transform this alias runs."));
  patterns.set(
      "^transforms\\.[^.]+\\.predicate$",
      Obj{}
          .set("description", "The alias (under predicates) of the predicate that decides whether the transform runs.")
          .set("type", "string"));
  KeyDef negate{.name = "negate",
                .type = KeyType::Boolean,
                .default_value = config::ConfigValue{false},
                .doc = "Run the transform when the predicate does NOT match."};
  patterns.set("^transforms\\.[^.]+\\.negate$", key_schema(negate));
  patterns.set("^transforms\\.[^.]+\\..+",
               Obj{}
                   .set("description", "A key of the transform with this alias (see `connectrun plugins TYPE`).")
                   .set("type", types({"string", "number", "boolean", "null", "array"}))
                   .set("items", scalar()));
  patterns.set("^predicates\\.[^.]+\\.type$",
               names_or_placeholder(PluginKind::Predicate, "The predicate this alias tests."));
  patterns.set("^predicates\\.[^.]+\\..+",
               Obj{}
                   .set("description", "A key of the predicate with this alias (see `connectrun plugins TYPE`).")
                   .set("type", types({"string", "number", "boolean", "null", "array"}))
                   .set("items", scalar()));
  patterns.set("^(?:producer|consumer|admin)\\.override\\..+",
               Obj{}
                   .set("description", "A Kafka client key for this connector's producer, consumer or admin client.")
                   .set("type", types({"string", "number", "boolean", "null"})));
  const std::vector<std::string> roots{"transforms.", "predicates.", "producer.override.", "consumer.override.",
                                       "admin.override."};
  Value s = object(p, std::move(patterns), roots, def_name(plugin), defs, written);
  if (!source) {
    s.as<MapEntries>().emplace_back(Value("anyOf"), Array{Obj{}.set("required", strings({"topics"})),
                                                          Obj{}.set("required", strings({"topics.regex"}))});
  }
  s.as<MapEntries>().insert(
      s.as<MapEntries>().begin(),
      {Value("description"),
       Value(plugin.name + " (" + std::string(plugin_kind_name(plugin.kind)) + "): " + plugin.summary)});
  return s;
}

Value connector_item(const PluginRegistry& registry) {
  std::vector<std::string> classes;
  Array branches;
  for (auto& p : registry.all()) {
    if (p.kind != PluginKind::Source && p.kind != PluginKind::Sink) continue;
    std::vector<std::string> names{p.name};
    names.insert(names.end(), p.aliases.begin(), p.aliases.end());
    classes.insert(classes.end(), names.begin(), names.end());
    branches.push_back(
        Obj{}
            .set("if", Obj{}
                           .set("properties", Obj{}.set("connector.class", Obj{}.set("enum", strings(names))))
                           .set("required", strings({"connector.class"})))
            .set("then", Obj{}.set("$ref", "#/$defs/" + def_name(p))));
  }
  Properties base;
  base.add(*connector_common_spec().find("name"));
  base.add_raw("connector.class", Obj{}
                                      .set("description", connector_common_spec().find("connector.class")->doc)
                                      .set("type", "string")
                                      .set("enum", strings(classes)));
  Obj item;
  item.set("type", "object");
  Value nested_required = required_keys({"name", "connector.class"}, item);
  for (auto& r : nested_required.as<Array>()) branches.push_back(std::move(r));
  return std::move(item).set("properties", std::move(base.props)).set("allOf", std::move(branches));
}

Value job_schema(const PluginRegistry& registry) {
  Obj defs;
  defs.set("placeholder", placeholder_def());
  Value worker = worker_schema(registry, defs);
  defs.set("worker", std::move(worker));
  defs.set("connector", connector_item(registry));
  SharedKeys shared;
  std::map<std::string, std::string> written;  // nested schemas by content, shared by the connectors
  for (auto& p : registry.all())
    if (p.kind == PluginKind::Source || p.kind == PluginKind::Sink) {
      Value section = connector_schema(registry, p, shared, defs, written);
      defs.set(def_name(p), std::move(section));
    }
  for (auto& member : shared.defs.m) defs.m.push_back(std::move(member));
  return Obj{}
      .set("$schema", "https://json-schema.org/draft/2020-12/schema")
      .set("title", "connectrun job file")
      .set("description", std::string("A connectrun job (connectrun ") + CONNECTRUN_VERSION +
                              "): the worker's keys and a list of connectors, each with the keys of its "
                              "connector.class. See connectrun-job(5) and `connectrun plugins NAME`.")
      .set("type", "object")
      .set("required", strings({"worker", "connectors"}))
      .set("properties",
           Obj{}
               .set("worker", Obj{}.set("description", "Kafka Connect's worker keys.").set("$ref", "#/$defs/worker"))
               .set("connectors", Obj{}
                                      .set("description", "The connectors this job runs.")
                                      .set("type", "array")
                                      .set("minItems", int64_t{1})
                                      .set("maxItems", static_cast<int64_t>(config::kMaxConnectors))
                                      .set("items", Obj{}.set("$ref", "#/$defs/connector"))))
      .set("additionalProperties", false)
      .set("$defs", std::move(defs));
}

}  // namespace

void SchemaCommand::add(CLI::App& app) {
  cmd = app.add_subcommand("schema",
                           "Print a JSON Schema (draft 2020-12) of the YAML job file, for editors "
                           "(yaml-language-server) and checks: every worker key and every connector's keys, "
                           "selected by connector.class.");
}

int SchemaCommand::run() {
  std::cout << to_schemaless_json(job_schema(all_builtin_plugins())) << "\n";
  return kExitOk;
}

}  // namespace connectrun::cli
