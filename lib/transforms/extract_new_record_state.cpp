#include "transforms/extract_new_record_state.h"

#include <algorithm>

#include <fmt/format.h>

#include "ops/log.h"

namespace connectrun::transforms {

namespace {
using config::ConfigValue;
using config::KeyDef;
using config::KeyType;

constexpr std::string_view kEnvelopeSuffix = ".Envelope";
constexpr std::string_view kPurpose = "source field insertion";
constexpr const char* kDeletedField = "__deleted";

// Java's String.split on one character: trailing empty strings removed.
std::vector<std::string> java_split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    parts.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  while (parts.size() > 1 && parts.back().empty()) parts.pop_back();
  return parts;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool is_envelope(const SchemaPtr& schema) {
  return schema && schema->name && schema->name->size() >= kEnvelopeSuffix.size() &&
         schema->name->compare(schema->name->size() - kEnvelopeSuffix.size(), kEnvelopeSuffix.size(),
                               kEnvelopeSuffix) == 0;
}

// ExtractField$Value on a struct: the field's value and schema ("Unknown field" as Kafka says it).
std::pair<SchemaPtr, Value> extract(const StructValue& envelope, std::string_view name) {
  const Field* f = envelope.schema->field(name);
  if (!f) throw DataException(fmt::format("Unknown field: {}", name));
  return {f->schema, struct_get(envelope, *f)};
}

// SchemaUtil.copySchemaBasics(schema).optional(): what an added field or header gets.
SchemaPtr optional_copy(const SchemaPtr& s) {
  SchemaBuilder b = SchemaBuilder::from(*s);
  b.optional(true);
  b.schema().default_value.reset();
  return b.build();
}

// A new struct with `schema` holding the values of `from` (same field names).
std::shared_ptr<StructValue> copy_into(const SchemaPtr& schema, const StructValue& from, bool with_defaults) {
  auto out = StructValue::make(schema);
  for (auto& f : schema->fields) {
    const Field* src = from.schema->field(f.name);
    if (!src) continue;
    struct_put_from(*out, f, *src, with_defaults ? struct_get(from, *src) : from.values[src->index]);
  }
  return out;
}

// Debezium's FieldReference.determineStruct: where an unqualified name lives.
std::optional<std::string> determine_parent(const std::string& field) {
  if (field == "id" || field == "total_order" || field == "data_collection_order") return "transaction";
  if (field == "op" || field == "ts_ms" || field == "ts_us" || field == "ts_ns") return std::nullopt;
  if (field == "updateDescription") return "updateDescription";  // MongoDB's events
  return "source";
}

// The referenced field's schema in the envelope: in its struct, else at the top level, else none.
const Field* referenced_field(const ExtractNewRecordState::FieldReference& ref, const Schema& envelope) {
  const Schema* parent = &envelope;
  if (ref.parent) {
    const Field* p = envelope.field(*ref.parent);
    parent = p && p->schema->type == Type::Struct ? p->schema.get() : nullptr;
  }
  const Field* f = parent ? parent->field(ref.field) : nullptr;
  return f ? f : envelope.field(ref.field);
}

// FieldReference.getValue: the raw value (no default substitution); null when its struct is null.
Value referenced_value(const ExtractNewRecordState::FieldReference& ref, const StructValue& envelope) {
  const StructValue* parent = &envelope;
  if (ref.parent) {
    if (const Field* p = envelope.schema->field(*ref.parent); p && p->schema->type == Type::Struct) {
      const Value& v = envelope.values[p->index];
      if (v.is_null()) return Value();
      parent = &v.as_struct();
    }
  }
  if (const Field* f = parent->schema->field(ref.field)) return parent->values[f->index];
  if (const Field* f = envelope.schema->field(ref.field)) return envelope.values[f->index];
  return Value();
}

KeyDef key(std::string name, KeyType type, std::optional<ConfigValue> def, std::string doc,
           std::optional<config::Validator> validator = std::nullopt) {
  return KeyDef{std::move(name), type, std::move(def), std::move(doc), std::move(validator)};
}
}  // namespace

config::ConfigSpec ExtractNewRecordState::spec() {
  config::ConfigSpec s;
  s.define(key("delete.tombstone.handling.mode", KeyType::String, ConfigValue{std::monostate{}},
               "How to handle delete events and tombstones: drop (both removed), tombstone (each delete becomes a "
               "record with a null value, tombstones removed), rewrite (each delete becomes its `before` state with "
               "__deleted=true, tombstones removed; inserts and updates get __deleted=false), rewrite-with-tombstone "
               "(as rewrite, tombstones kept), delete-to-tombstone (each delete becomes a tombstone with a null value "
               "schema, tombstones removed). Unset: drop.tombstones and delete.handling.mode decide, as in Debezium "
               "2.x (Debezium 3.x's default is tombstone).",
               config::validators::one_of({"drop", "tombstone", "rewrite", "rewrite-with-tombstone",
                                           "delete-to-tombstone"})));
  s.define(key("drop.tombstones", KeyType::Boolean, ConfigValue{true},
               "Deprecated (use delete.tombstone.handling.mode): whether tombstones (null values) are dropped. "
               "Used only when delete.tombstone.handling.mode is unset."));
  s.define(key("delete.handling.mode", KeyType::String, ConfigValue{std::string("drop")},
               "Deprecated (use delete.tombstone.handling.mode): drop removes delete events, none passes them with a "
               "null value, rewrite passes their `before` state with __deleted=true (and adds __deleted=false to "
               "inserts and updates). Used only when delete.tombstone.handling.mode is unset.",
               config::validators::one_of({"drop", "rewrite", "none"})));
  s.define(key("route.by.field", KeyType::String, ConfigValue{std::string()},
               "A column of the row whose value replaces the topic name (from `after`, or `before` for deletes); "
               "empty keeps the topic."));
  s.define(key("add.fields.prefix", KeyType::String, ConfigValue{std::string("__")},
               "Prefix of the names of the fields add.fields adds."));
  s.define(key("add.fields", KeyType::List, ConfigValue{std::vector<std::string>{}},
               "Envelope fields to add to the row, each `field`, `struct.field` or either with `:name`: op, ts_ms, "
               "ts_us, ts_ns and the transaction's id, total_order, data_collection_order by their names, any other "
               "name from `source` (e.g. lsn, table). Named <prefix><field>, <prefix><struct>_<field> or "
               "<prefix><name>; a field the event lacks is not added."));
  s.define(key("add.headers.prefix", KeyType::String, ConfigValue{std::string("__")},
               "Prefix of the names of the headers add.headers adds."));
  s.define(key("add.headers", KeyType::List, ConfigValue{std::vector<std::string>{}},
               "Envelope fields to add as headers, named as for add.fields (a tombstone gets the op header \"d\")."));
  s.define(key("drop.fields.header.name", KeyType::String, ConfigValue{std::monostate{}},
               "The name of a header holding a list of field names to remove from the value (and from the key with "
               "drop.fields.from.key)."));
  s.define(key("drop.fields.from.key", KeyType::Boolean, ConfigValue{false},
               "Whether the fields named by the drop.fields.header.name header are removed from the key too."));
  s.define(key("drop.fields.keep.schema.compatible", KeyType::Boolean, ConfigValue{true},
               "true: only optional fields are removed, keeping the schemas compatible; false: every named field is "
               "removed."));
  s.define(key("replace.null.with.default", KeyType::Boolean, ConfigValue{true},
               "When a record is rewritten (__deleted added), whether null fields that have a default value take "
               "that default."));
  return s;
}

ExtractNewRecordState::FieldReference ExtractNewRecordState::parse_reference(const std::string& prefix,
                                                                             const std::string& entry,
                                                                             const std::string& key) {
  std::vector<std::string> parts = java_split(entry, ':');
  if (parts.size() > 2) throw config::ConfigError(key, "Unexpected field name: " + entry);
  std::vector<std::string> path = java_split(parts[0], '.');
  FieldReference ref;
  ref.field = path.size() == 1 ? path[0] : path[1];
  ref.parent = path.size() == 1 ? determine_parent(ref.field) : std::optional<std::string>(path[0]);
  if (parts.size() == 2)
    ref.new_name = prefix + parts[1];
  else
    ref.new_name = prefix + (path.size() == 1 ? ref.field : *ref.parent + "_" + ref.field);
  return ref;
}

void ExtractNewRecordState::configure(const config::ConfigValues& cfg) {
  log_ = make_logger("ExtractNewRecordState");
  fields_.clear();
  headers_.clear();
  for (auto& e : cfg.get_list("add.fields"))
    fields_.push_back(parse_reference(cfg.get_string("add.fields.prefix"), e, "add.fields"));
  for (auto& e : cfg.get_list("add.headers"))
    headers_.push_back(parse_reference(cfg.get_string("add.headers.prefix"), e, "add.headers"));
  route_by_field_ = cfg.get_string("route.by.field");
  drop_fields_header_ = cfg.get_string("drop.fields.header.name");
  if (drop_fields_header_.find_first_not_of(" \t\r\n") == std::string::npos) drop_fields_header_.clear();  // blank: off
  drop_fields_from_key_ = cfg.get_bool("drop.fields.from.key");
  drop_fields_keep_schema_compatible_ = cfg.get_bool("drop.fields.keep.schema.compatible");
  replace_null_with_default_ = cfg.get_bool("replace.null.with.default");

  const bool legacy_set = cfg.was_set("drop.tombstones") || cfg.was_set("delete.handling.mode");
  std::string mode = lower(cfg.get_string("delete.tombstone.handling.mode"));
  if (!mode.empty()) {
    if (legacy_set)
      log_->warn("drop.tombstones and delete.handling.mode are ignored: delete.tombstone.handling.mode is set");
    keep_tombstones_ = mode == "rewrite-with-tombstone";
    rewrite_ = mode == "rewrite" || mode == "rewrite-with-tombstone";
    delete_action_ = mode == "drop"                  ? DeleteAction::Drop
                     : mode == "tombstone"           ? DeleteAction::AfterNull
                     : mode == "delete-to-tombstone" ? DeleteAction::ToTombstone
                                                     : DeleteAction::Rewrite;
    return;
  }
  // Debezium 2.x's LegacyDeleteHandlingStrategy.
  keep_tombstones_ = !cfg.get_bool("drop.tombstones");
  std::string legacy = lower(cfg.get_string("delete.handling.mode"));
  rewrite_ = legacy == "rewrite";
  delete_action_ = legacy == "drop" ? DeleteAction::Drop : legacy == "none" ? DeleteAction::AfterNull
                                                                            : DeleteAction::Rewrite;
  if (legacy_set)
    log_->warn("The deleted record handling configs \"drop.tombstones\" and \"delete.handling.mode\" have been "
               "deprecated, please use \"delete.tombstone.handling.mode\" instead.");
  else
    log_->warn("delete.tombstone.handling.mode is not set: delete events are dropped, as Debezium 2.x does by "
               "default (Debezium 3.x's default is tombstone, which a sink with delete.enabled needs)");
}

void ExtractNewRecordState::add_headers(Record& record, const StructValue* envelope) const {
  for (auto& ref : headers_) {
    if (!envelope) {  // a tombstone: only the op header, as "d"
      if (ref.field == "op") record.headers.push_back(Header{ref.new_name, schemas::string(), Value("d")});
      continue;
    }
    if (const Field* f = referenced_field(ref, *envelope->schema))
      record.headers.push_back(Header{ref.new_name, optional_copy(f->schema), referenced_value(ref, *envelope)});
  }
}

void ExtractNewRecordState::add_deleted_flag(SchemaPtr& schema, Value& value, const char* flag) {
  if (!value.is_struct()) return;  // Debezium adds the flag to structs only
  const StructValue& in = value.as_struct();
  SchemaPtr out_schema = deleted_cache_.get(in.schema, nullptr, {});
  if (!out_schema) {
    SchemaBuilder b = SchemaBuilder::structure();
    copy_schema_basics(*in.schema, b);
    for (auto& f : in.schema->fields) b.field(f.name, f.schema);
    b.field(kDeletedField, schemas::string(true));
    out_schema = b.build();
    deleted_cache_.put(in.schema, nullptr, {}, out_schema);
  }
  auto out = copy_into(out_schema, in, replace_null_with_default_);
  out->put(kDeletedField, Value(flag));
  schema = out_schema;
  value = Value(std::move(out));
}

void ExtractNewRecordState::add_fields(Record& record, const StructValue& envelope) {
  const StructValue& row = require_struct(record.value, kPurpose);
  // Debezium rebuilds the row even with nothing to add: the schema keeps its name but is no longer optional.
  SchemaPtr out_schema = fields_cache_.get(row.schema, envelope.schema, {});
  if (!out_schema) {
    SchemaBuilder b = SchemaBuilder::structure();
    copy_schema_basics(*row.schema, b);
    for (auto& f : row.schema->fields) b.field(f.name, f.schema);
    for (auto& ref : fields_)
      if (const Field* f = referenced_field(ref, *envelope.schema)) b.field(ref.new_name, optional_copy(f->schema));
    out_schema = b.build();
    fields_cache_.put(row.schema, envelope.schema, {}, out_schema);
  }
  auto out = copy_into(out_schema, row, false);
  for (auto& ref : fields_)
    if (referenced_field(ref, *envelope.schema)) out->put(ref.new_name, referenced_value(ref, envelope));
  record.value_schema = out_schema;
  record.value = Value(std::move(out));
}

void ExtractNewRecordState::route(Record& record, const Value& row, const char* purpose) const {
  if (route_by_field_.empty() || row.is_null()) return;
  const StructValue& s = require_struct(row, purpose);
  // Struct.getString: the stored value, no default substituted.
  const Field* f = s.schema->field(route_by_field_);
  if (!f) throw DataException(fmt::format("route.by.field: {} is not a valid field name", route_by_field_));
  const Value& topic = s.values[f->index];
  if (topic.is_null()) return;
  const std::string* name = topic.get_if<std::string>();
  if (!name)
    throw DataException(fmt::format("route.by.field: field {} holds a {}, not a string topic name", route_by_field_,
                                    topic.java_class()));
  if (name->find_first_not_of(" \t\r\n") == std::string::npos) return;  // blank keeps the topic
  record.topic = *name;
}

void ExtractNewRecordState::drop_from(SchemaPtr& schema, Value& value, const std::vector<std::string>& names) {
  if (!schema || schema->type != Type::Struct || value.is_null()) return;
  std::vector<std::string> drop;
  for (auto& f : schema->fields)
    if ((!drop_fields_keep_schema_compatible_ || f.schema->optional) &&
        std::find(names.begin(), names.end(), f.name) != names.end())
      drop.push_back(f.name);
  if (drop.empty()) return;
  // ReplaceField with exclude=<drop>: a struct schema without them, defaults taking the place of nulls.
  std::string tag = fmt::format("{}", fmt::join(drop, ","));
  SchemaPtr out_schema = drop_cache_.get(schema, nullptr, tag);
  if (!out_schema) {
    SchemaBuilder b = SchemaBuilder::structure();
    copy_schema_basics(*schema, b);
    for (auto& f : schema->fields)
      if (std::find(drop.begin(), drop.end(), f.name) == drop.end()) b.field(f.name, f.schema);
    out_schema = b.build();
    drop_cache_.put(schema, nullptr, std::move(tag), out_schema);
  }
  auto out = copy_into(out_schema, require_struct(value, "field replacement"), true);
  schema = out_schema;
  value = Value(std::move(out));
}

void ExtractNewRecordState::drop_fields(Record& record) {
  if (drop_fields_header_.empty()) return;
  auto h = std::find_if(record.headers.begin(), record.headers.end(),
                        [&](const Header& x) { return x.key == drop_fields_header_; });
  if (h == record.headers.end() || h->value.is_null()) return;
  const Array* list = h->value.get_if<Array>();
  if (!list)
    throw DataException(fmt::format("header {} (drop.fields.header.name) must hold a list of field names, found: {}",
                                    drop_fields_header_, h->value.java_class()));
  std::vector<std::string> names;
  for (auto& v : *list)
    if (auto* s = v.get_if<std::string>()) names.push_back(*s);
  if (names.empty()) return;
  if (drop_fields_from_key_) drop_from(record.key_schema, record.key, names);
  drop_from(record.value_schema, record.value, names);
}

bool ExtractNewRecordState::apply_in_place(Record& record) {
  const bool tombstone = record.value.is_null();
  const bool envelope = !tombstone && is_envelope(record.value_schema);
  if (tombstone) {
    if (!headers_.empty()) add_headers(record, nullptr);
    return keep_tombstones_;
  }
  if (!envelope) {
    // Debezium passes anything but a change event unchanged (schema change, heartbeat, schemaless records).
    log_->debug("Expected Envelope for transformation, passing it unchanged");
    return true;
  }
  // The record is ours: keep the envelope alive while its parts become the record's.
  const Value original = std::move(record.value);
  const StructValue& env = require_struct(original, "ExtractNewRecordState");
  if (!headers_.empty()) add_headers(record, &env);

  auto [after_schema, after] = extract(env, "after");
  if (after.is_null()) {
    auto [before_schema, before] = extract(env, "before");
    if (before.is_null()) return false;  // a truncate (op "t"): Debezium drops it
    switch (delete_action_) {
      case DeleteAction::Drop: return false;
      case DeleteAction::AfterNull:
        record.value_schema = after_schema;
        record.value = Value();
        break;
      case DeleteAction::ToTombstone:
        record.value_schema = nullptr;
        record.value = Value();
        break;
      case DeleteAction::Rewrite:
        record.value_schema = before_schema;
        record.value = before;
        add_deleted_flag(record.value_schema, record.value, "true");
        break;
    }
    route(record, before, "Read record to set topic routing for DELETE");
    drop_fields(record);
    if (!record.value.is_null()) add_fields(record, env);
    return true;
  }
  record.value_schema = after_schema;
  record.value = std::move(after);
  if (rewrite_) add_deleted_flag(record.value_schema, record.value, "false");
  route(record, record.value, "Read record to set topic routing for CREATE / UPDATE");
  add_fields(record, env);
  drop_fields(record);
  return true;
}

SchemaPtr ExtractNewRecordState::DerivedSchemas::get(const SchemaPtr& a, const SchemaPtr& b, const std::string& tag) {
  for (size_t i = entries_.size(); i-- > 0;) {
    Entry& e = entries_[i];
    if (e.tag != tag) continue;
    if ((e.a == a || schemas_equal(e.a, a)) && (e.b == b || schemas_equal(e.b, b))) {
      if (i + 1 != entries_.size()) {
        Entry hit = std::move(e);
        entries_.erase(entries_.begin() + static_cast<ptrdiff_t>(i));
        entries_.push_back(std::move(hit));
      }
      return entries_.back().out;
    }
  }
  return nullptr;
}

void ExtractNewRecordState::DerivedSchemas::put(const SchemaPtr& a, const SchemaPtr& b, std::string tag,
                                                SchemaPtr out) {
  if (entries_.size() == kCapacity) entries_.erase(entries_.begin());
  entries_.push_back(Entry{a, b, std::move(tag), std::move(out)});
}

void register_extract_new_record_state(PluginRegistry& registry) {
  PluginInfo info;
  info.name = "ExtractNewRecordState";
  info.aliases.push_back("io.debezium.transforms.ExtractNewRecordState");
  info.kind = PluginKind::Transform;
  info.summary = "Flattens a Debezium change event to its row state";
  info.description =
      "Replaces a Debezium change event (a struct whose schema name ends in .Envelope) by the row it carries: "
      "`after` for inserts, updates and snapshot reads, with delete events and tombstones handled as "
      "delete.tombstone.handling.mode says, envelope fields added as fields or headers, optional topic routing by a "
      "column, and fields named in a header removed. Truncate events are dropped; any other record (schema "
      "changes, heartbeats, schemaless values) passes unchanged.";
  info.spec = ExtractNewRecordState::spec();
  info.make_transform = [] { return std::make_unique<ExtractNewRecordState>(); };
  registry.add(std::move(info));
}

}  // namespace connectrun::transforms
