#include "connectors/jdbc/sink_writer.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include <fmt/format.h>

#include "json/json_writer.h"
#include "plugin/connect_error.h"

namespace connectrun::jdbc {

namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

bool same_names(const std::vector<SinkColumn>& a, const std::vector<SinkColumn>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const SinkColumn& x, const SinkColumn& y) { return x.name == y.name; });
}

// A row's key values as one string, to find the records of a batch that share a key.
void append_key(const Value& v, std::string& out) {
  if (auto* s = v.get_if<std::string>()) out += 's' + std::to_string(s->size()) + ':' + *s;
  else if (auto* i = v.get_if<int64_t>()) out += 'l' + std::to_string(*i) + ';';
  else if (auto* j = v.get_if<int32_t>()) out += 'i' + std::to_string(*j) + ';';
  else out += 'j' + to_schemaless_json(v) + ';';
}

}  // namespace

std::string SinkWriter::table_for(const Record& r) const { return replace_all(s_.table_format, "${topic}", r.topic); }

const Value* SinkWriter::ref(const SinkColumn& c, const Record& r, std::deque<Value>& made) const {
  if (const Value* v = column_ref(c, r)) return v;
  return &made.emplace_back(column_value(c, r, &s_.tz));  // a deque: earlier addresses hold
}

TableId SinkWriter::table_id(const std::string& name) const {
  TableId t;
  auto dot = name.rfind('.');
  if (dot == std::string::npos) {
    t.table = name;
  } else {
    // schema.table on PostgreSQL, database.table on MySQL.
    (conn_.dialect().name == "MySQL" ? t.catalog : t.schema) = name.substr(0, dot);
    t.table = name.substr(dot + 1);
  }
  return t;
}

std::vector<SinkWriter::Group> SinkWriter::group(const std::vector<const Record*>& records) {
  std::vector<Group> out;
  const Record* prev = nullptr;  // the last record grouped
  const std::string* table_topic = nullptr;  // the topic `table` was made for
  std::string table;
  for (auto* r : records) {
    if (!table_topic || *table_topic != r->topic) {  // records come in runs of one topic
      table = table_for(*r);
      table_topic = &r->topic;
    }
    bool is_delete = r->value.is_null();
    if (is_delete && !s_.delete_enabled) continue;  // a tombstone without delete.enabled is skipped
    // The columns follow from the table, the schemas and whether it is a tombstone: a record like
    // the one before it (the usual case, schemas shared by the converter) joins its group as is.
    if (prev && out.back().table == table && out.back().is_delete == is_delete &&
        r->key_schema == prev->key_schema && r->value_schema == prev->value_schema) {
      out.back().records.push_back(r);
      prev = r;
      continue;
    }
    prev = r;
    auto fields = fields_metadata(table, s_.pk_mode, s_.pk_fields, s_.whitelist, *r);
    if (is_delete && fields.keys.empty())
      throw ConnectError(fmt::format("table {}: a tombstone to delete, but no key columns (delete.enabled needs "
                                     "pk.mode record_key)", table));
    if (!out.empty()) {
      auto& g = out.back();
      if (g.table == table && g.is_delete == is_delete && same_names(g.fields.keys, fields.keys) &&
          same_names(g.fields.values, fields.values)) {
        g.records.push_back(r);
        continue;
      }
    }
    out.push_back(Group{table, std::move(fields), is_delete, {r}});
  }
  return out;
}

void SinkWriter::ensure_table(const Group& g) {
  auto& known = known_columns_[g.table];
  auto missing_from = [&](const std::set<std::string>& have) {
    std::vector<const SinkColumn*> missing;
    for (auto* cols : {&g.fields.keys, &g.fields.values})
      for (auto& c : *cols)
        if (!have.count(c.name)) missing.push_back(&c);
    return missing;
  };
  if (!known.empty() && missing_from(known).empty()) return;
  const auto& d = conn_.dialect();
  auto id = table_id(g.table);
  auto tname = d.table_name(id, s_.quote);
  auto col_type = [&](const SinkColumn& c, bool key) {
    auto t = d.sql_type(*c.schema);
    if (t.empty())
      throw ConnectError(fmt::format("table {}: field {} has type {}, which has no column type in {}", g.table, c.name,
                                     type_name(c.schema->type), d.name));
    // MySQL cannot index TEXT without a length: keys are VARCHAR(256) as in kafka-connect-jdbc.
    if (key && d.name == "MySQL" && c.schema->type == Type::String && !c.schema->name) t = "VARCHAR(256)";
    return t;
  };
  auto cols = conn_.describe(id);
  if (cols.empty()) {
    if (!s_.auto_create)
      throw ConnectError(fmt::format("table {} does not exist and auto.create is disabled: create it, or set "
                                     "auto.create=true", g.table));
    std::string sql = "CREATE TABLE " + tname + " (";
    bool first = true;
    for (auto* list : {&g.fields.keys, &g.fields.values})
      for (auto& c : *list) {
        bool key = list == &g.fields.keys;
        sql += (first ? "\n" : ",\n") + q(c.name) + " " + col_type(c, key) + (key || !c.schema->optional ? " NOT NULL" : " NULL");
        first = false;
      }
    if (!g.fields.keys.empty()) {
      sql += ",\nPRIMARY KEY(";
      for (size_t i = 0; i < g.fields.keys.size(); ++i) sql += (i ? "," : "") + q(g.fields.keys[i].name);
      sql += ")";
    }
    sql += ")";
    conn_.execute(sql);
    cols = conn_.describe(id);
  }
  known.clear();
  for (auto& c : cols) known.insert(c.name);
  auto missing = missing_from(known);
  if (missing.empty()) return;
  std::string list;
  for (auto* c : missing) list += (list.empty() ? "" : ", ") + c->name;
  if (!s_.auto_evolve)
    throw ConnectError(fmt::format("table {} is missing column(s) {} for the record's fields and auto.evolve is "
                                   "disabled: add them, or set auto.evolve=true", g.table, list));
  for (auto* c : missing) {
    if (!c->schema->optional && !c->schema->default_value)
      throw ConnectError(fmt::format("table {}: cannot add the column {}: the field is required and has no default "
                                     "value (make it optional or give it a default)", g.table, c->name));
    conn_.execute("ALTER TABLE " + tname + " ADD " + q(c->name) + " " + col_type(*c, false) + " NULL");
    known.insert(c->name);
  }
}

bool SinkWriter::copies(const Group& g, size_t rows) const {
  if (g.is_delete || s_.insert_mode == InsertMode::Update || rows < 2) return false;
  // MariaDB's LOAD DATA (Connection::copy_in) for plain inserts only: its REPLACE is a delete and an
  // insert, not the ON DUPLICATE KEY UPDATE of an upsert.
  if (conn_.dialect().name == "MySQL") return s_.insert_mode == InsertMode::Insert;
  if (conn_.dialect().name != "PostgreSQL") return false;
  // An upsert finds the rows to update by their key: without one it inserts row by row.
  return s_.insert_mode == InsertMode::Insert || !g.fields.keys.empty();
}

void SinkWriter::quoted_columns(const Group& g, std::vector<std::string>& kq, std::vector<std::string>& vq) const {
  for (auto& c : g.fields.keys) kq.push_back(q(c.name));
  for (auto& c : g.fields.values) vq.push_back(q(c.name));
}

void SinkWriter::write_group(const Group& g, size_t begin, size_t end, bool own_tx, bool defer) {
  const auto& d = conn_.dialect();
  auto tname = d.table_name(table_id(g.table), s_.quote);
  std::vector<std::string> kq, vq;
  quoted_columns(g, kq, vq);
  Params params;
  if (g.is_delete || s_.insert_mode == InsertMode::Update) {
    for (size_t i = begin; i < end; ++i) {
      const Record& r = *g.records[i];
      params.clear();
      std::string sql;
      size_t n = 0;
      if (g.is_delete) {
        sql = "DELETE FROM " + tname + " WHERE ";
      } else {
        if (vq.empty()) continue;  // nothing to update
        sql = "UPDATE " + tname + " SET ";
        for (size_t c = 0; c < vq.size(); ++c) {
          sql += (c ? ", " : "") + vq[c] + " = " + d.marker(n++);
          params.push_back(column_value(g.fields.values[c], r, &s_.tz));
        }
        sql += " WHERE ";
      }
      for (size_t c = 0; c < kq.size(); ++c) {
        sql += (c ? " AND " : "") + kq[c] + " = " + d.marker(n++);
        params.push_back(column_value(g.fields.keys[c], r, &s_.tz));
      }
      conn_.update(sql, params);
    }
    return;
  }
  const bool upsert = s_.insert_mode == InsertMode::Upsert;
  const size_t ncols = kq.size() + vq.size();
  // BEGIN and COMMIT, when this group is the whole batch, travel in the COPY's query string.
  const Connection::CopyAround tx = own_tx ? Connection::CopyAround{"BEGIN", "COMMIT"} : Connection::CopyAround{};
  if (copies(g, end - begin) && !upsert) {
    // Plain inserts of several rows: the database's bulk path (COPY on PostgreSQL).
    std::vector<std::string> cols = kq;
    cols.insert(cols.end(), vq.begin(), vq.end());
    ParamRefs refs;
    refs.reserve((end - begin) * ncols);
    std::deque<Value> made;
    for (size_t k = begin; k < end; ++k) {
      for (auto& c : g.fields.keys) refs.push_back(ref(c, *g.records[k], made));
      for (auto& c : g.fields.values) refs.push_back(ref(c, *g.records[k], made));
    }
    if (conn_.copy_in(tname, cols, refs, end - begin, tx, !(own_tx && defer))) return;
  }
  if (copies(g, end - begin) && upsert && upsert_via_copy(g, tname, kq, vq, begin, end, tx, !(own_tx && defer)))
    return;
  if (own_tx) throw std::logic_error("SinkWriter: a batch written in its own transaction must be one COPY");
  const size_t chunk =
      std::max<size_t>(1, std::min<size_t>(d.max_insert_rows(), 30000 / std::max<size_t>(1, ncols)));
  std::string full_sql;  // the statement of a whole chunk, the same for each
  for (size_t i = begin; i < end; i += chunk) {
    size_t rows = std::min(chunk, end - i);
    params.clear();
    params.reserve(rows * ncols);
    for (size_t k = i; k < i + rows; ++k) {
      for (auto& c : g.fields.keys) params.push_back(column_value(c, *g.records[k], &s_.tz));
      for (auto& c : g.fields.values) params.push_back(column_value(c, *g.records[k], &s_.tz));
    }
    if (rows < chunk) {
      conn_.update(d.insert(tname, kq, vq, rows, upsert), params);
      continue;
    }
    if (full_sql.empty()) full_sql = d.insert(tname, kq, vq, chunk, upsert);
    conn_.update(full_sql, params);
  }
}

// PostgreSQL upsert of many rows: COPY into a temporary table, then one INSERT … SELECT … ON
// CONFLICT DO UPDATE, in the batch's transaction. A statement may change a row only once, so of
// the records sharing a key only the last is sent: the row ends as kafka-connect-jdbc's batch of
// single-row upserts leaves it (the last record per key wins).
bool SinkWriter::upsert_via_copy(const Group& g, const std::string& tname, const std::vector<std::string>& kq,
                                 const std::vector<std::string>& vq, size_t begin, size_t end,
                                 const Connection::CopyAround& tx, bool wait) {
  const auto& d = conn_.dialect();
  const size_t ncols = kq.size() + vq.size();
  ParamRefs params;
  params.reserve((end - begin) * ncols);
  std::deque<Value> made;
  std::unordered_map<std::string, size_t> row_of_key;  // key → its row in `params`
  row_of_key.reserve(end - begin);
  std::string key;
  size_t rows = 0;
  for (size_t k = begin; k < end; ++k) {
    const Record& r = *g.records[k];
    key.clear();
    const size_t first = params.size();
    for (auto& c : g.fields.keys) {
      params.push_back(ref(c, r, made));
      append_key(*params.back(), key);
    }
    for (auto& c : g.fields.values) params.push_back(ref(c, r, made));
    auto [it, fresh] = row_of_key.try_emplace(key, rows);
    if (fresh) { ++rows; continue; }
    // A later record for a key already in the batch: it replaces the earlier one in place.
    std::move(params.begin() + static_cast<std::ptrdiff_t>(first), params.end(),
              params.begin() + static_cast<std::ptrdiff_t>(it->second * ncols));
    params.resize(first);
  }
  std::vector<std::string> cols = kq;
  cols.insert(cols.end(), vq.begin(), vq.end());
  const std::string list = column_list(kq, vq);
  // The COPY into the staging table (made by prepare_staging() before the batch; its rows go at COMMIT) and
  // the INSERT … SELECT from it: one query string, so one round trip but for the rows themselves.
  const std::string& staging = staging_.at(tname + " (" + list + ")");
  Connection::CopyAround around;
  around.before = tx.before;
  around.after = "INSERT INTO " + tname + " (" + list + ") SELECT " + list + " FROM " + staging +
                 d.upsert_clause(kq, vq) + (tx.after.empty() ? "" : "; " + tx.after);
  return conn_.copy_in(staging, cols, params, rows, around, wait);
}

std::string SinkWriter::column_list(const std::vector<std::string>& kq, const std::vector<std::string>& vq) {
  std::string list;
  for (auto* part : {&kq, &vq})
    for (auto& c : *part) list += (list.empty() ? "" : ",") + c;
  return list;
}

// One staging table per target table and column list, made once per connection outside any transaction:
// ON COMMIT DELETE ROWS empties it at each COMMIT, which costs the server less than creating and dropping a
// table in every batch (a 300,000-row upsert replayed with psql: 1.48 s → 1.28 s). A reconnect makes a new
// SinkWriter, and so new staging tables; a column added by auto.evolve gives a new column list, and so a new
// staging table.
void SinkWriter::prepare_staging(const Group& g) {
  if (s_.insert_mode != InsertMode::Upsert || !copies(g, g.records.size())) return;
  const auto& d = conn_.dialect();
  auto tname = d.table_name(table_id(g.table), s_.quote);
  std::vector<std::string> kq, vq;
  quoted_columns(g, kq, vq);
  const std::string list = column_list(kq, vq);
  auto key = tname + " (" + list + ")";
  if (staging_.count(key)) return;
  const std::string staging = q("connectrun_upsert_" + std::to_string(staging_.size()));
  conn_.execute("CREATE TEMP TABLE " + staging + " ON COMMIT DELETE ROWS AS SELECT " + list + " FROM " + tname +
                " WITH NO DATA");
  staging_.emplace(std::move(key), staging);
}

void SinkWriter::write_all(const std::vector<Group>& groups, const Positions& positions) {
  for (auto& g : groups) write_group(g, 0, g.records.size(), false);
  store_positions(positions);
}

void SinkWriter::write_one_by_one(const std::vector<Group>& groups, const Positions& positions,
                                  const std::function<void(const Record&, const std::exception&)>& report) {
  for (auto& g : groups)
    for (size_t i = 0; i < g.records.size(); ++i) {
      conn_.execute("SAVEPOINT connectrun_record");
      try {
        write_group(g, i, i + 1, false);
        conn_.execute("RELEASE SAVEPOINT connectrun_record");
      } catch (const ConnectError& e) {
        if (!conn_.alive()) throw;
        conn_.execute("ROLLBACK TO SAVEPOINT connectrun_record");
        report(*g.records[i], e);  // throws under errors.tolerance=none
      }
    }
  store_positions(positions);
}

void SinkWriter::finish() {
  try {
    conn_.copy_finish();
  } catch (const ConnectError&) {
    conn_.rollback();
    throw;
  }
}

bool SinkWriter::write(const std::vector<const Record*>& records, const Positions& positions,
                       const std::function<void(const Record&, const std::exception&)>& report, bool defer) {
  auto groups = group(records);
  for (auto& g : groups) {
    ensure_table(g);
    prepare_staging(g);
  }
  try {
    // The usual batch, one table's rows loaded by one COPY, in a transaction of its own: BEGIN and COMMIT go
    // in the COPY's query string, two round trips a batch instead of four (six for upserts). On a busy
    // machine each round trip also waits for the scheduler. With exactly.once the positions join the
    // transaction, so it takes the general path; so does MariaDB (one statement per query).
    if (groups.size() == 1 && !s_.exactly_once && conn_.dialect().name == "PostgreSQL" &&
        copies(groups[0], groups[0].records.size())) {
      write_group(groups[0], 0, groups[0].records.size(), true, defer);
      return defer;
    }
    conn_.begin();
    write_all(groups, positions);
    conn_.commit();
    return false;
  } catch (const ConnectError& e) {
    conn_.rollback();
    if (!report || !conn_.alive()) throw;
  }
  // A statement was refused (a constraint): find the record(s) one at a time.
  try {
    conn_.begin();
    write_one_by_one(groups, positions, report);
    conn_.commit();
  } catch (...) {
    conn_.rollback();
    throw;
  }
  return false;
}

Positions SinkWriter::read_positions() {
  const auto& d = conn_.dialect();
  auto t = q(s_.positions_table);
  try {
    conn_.execute("CREATE TABLE IF NOT EXISTS " + t + " (" + q("connector") + " VARCHAR(255) NOT NULL, " + q("topic") +
                  " VARCHAR(255) NOT NULL, " + q("kafka_partition") + " INT NOT NULL, " + q("next_offset") +
                  " BIGINT NOT NULL, PRIMARY KEY(" + q("connector") + "," + q("topic") + "," + q("kafka_partition") + "))");
  } catch (const ConnectError&) {
    // Two sinks creating it at once: PostgreSQL's IF NOT EXISTS can still fail for the second one.
    if (!conn_.alive() || conn_.describe(table_id(s_.positions_table)).empty()) throw;
  }
  Positions out;
  auto rs = conn_.query("SELECT " + q("topic") + ", " + q("kafka_partition") + ", " + q("next_offset") + " FROM " + t +
                            " WHERE " + q("connector") + " = " + d.marker(0),
                        {Value(s_.connector)});
  Row row;
  while (rs->next(row)) {
    auto as_long = [](const Value& v) -> int64_t {
      if (auto* a = v.get_if<int64_t>()) return *a;
      if (auto* b = v.get_if<int32_t>()) return *b;
      return 0;
    };
    out[{row.values[0].as<std::string>(), static_cast<int32_t>(as_long(row.values[1]))}] = as_long(row.values[2]);
  }
  return out;
}

void SinkWriter::store_positions(const Positions& positions) {
  if (!s_.exactly_once || positions.empty()) return;
  const auto& d = conn_.dialect();
  std::vector<std::string> keys = {q("connector"), q("topic"), q("kafka_partition")}, cols = {q("next_offset")};
  Params params;
  for (auto& [tp, next] : positions) {
    params.push_back(Value(s_.connector));
    params.push_back(Value(tp.first));
    params.push_back(Value(tp.second));
    params.push_back(Value(next));
  }
  conn_.update(d.insert(q(s_.positions_table), keys, cols, positions.size(), true), params);
}

}  // namespace connectrun::jdbc
