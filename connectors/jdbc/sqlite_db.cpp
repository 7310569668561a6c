// SQLite: the connection (libsqlite3, embedded) and its dialect.
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "connectors/jdbc/connection_url.h"
#include "connectors/jdbc/db.h"
#include "plugin/connect_error.h"

namespace connectrun::jdbc {

namespace {

struct SqliteDialect : Dialect {
  SqliteDialect() { name = "SQLite"; quote = '"'; }
  // kafka-connect-jdbc's SqliteDatabaseDialect.getSqlType.
  std::string sql_type(const Schema& s) const override {
    if (s.name) {
      if (*s.name == schemas::kDecimalName || *s.name == schemas::kTimestampName) return "NUMERIC";
      if (*s.name == schemas::kDateName) return "DATE";
      if (*s.name == schemas::kTimeName) return "TIME";
    }
    switch (s.type) {
      case Type::Int8: case Type::Int16: case Type::Int32: case Type::Int64: case Type::Boolean: return "INTEGER";
      case Type::Float32: case Type::Float64: return "REAL";
      case Type::String: return "TEXT";
      case Type::Bytes: return "BLOB";
      default: return "";
    }
  }
  std::string upsert_verb() const override { return "INSERT OR REPLACE"; }
  // One row per INSERT, its statement prepared once and stepped for each row: SQLite compiles a
  // multi-row VALUES list into a compound SELECT, and preparing one of 1,000 rows cost about 9,000
  // instructions a row, more than stepping a prepared single-row INSERT does.
  size_t max_insert_rows() const override { return 1; }
  // Timestamps kept as text compare as text; strftime gives every stored form
  // one shape, the shape of the parameter.
  std::string timestamp_expr(const std::string& column_sql) const override {
    return "strftime('%Y-%m-%d %H:%M:%f'," + column_sql + ")";
  }
};

const SqliteDialect& dialect_instance() {
  static const SqliteDialect d;
  return d;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The declared type, mapped as the SQLite JDBC driver reports it and kafka-connect-jdbc maps that.
Column column_from_decl(const std::string& name, const char* decl) {
  Column c;
  c.name = name;
  c.db_type = decl ? decl : "";
  std::string t = upper(c.db_type);
  auto has = [&](const char* w) { return t.find(w) != std::string::npos; };
  if (t.empty()) c.kind = ColKind::Unsupported;  // an expression: typed by its first value below
  else if (has("BOOL")) c.kind = ColKind::Boolean;
  else if (has("BIGINT")) c.kind = ColKind::Int64;
  else if (has("TINYINT")) c.kind = ColKind::Int8;
  else if (has("SMALLINT")) c.kind = ColKind::Int16;
  else if (has("INT")) c.kind = ColKind::Int32;
  else if (has("DATETIME") || has("TIMESTAMP")) c.kind = ColKind::Timestamp;
  else if (has("DATE")) c.kind = ColKind::Date;
  else if (has("TIME")) c.kind = ColKind::Time;
  else if (has("CHAR") || has("CLOB") || has("TEXT") || has("JSON")) c.kind = ColKind::String;
  else if (has("BLOB")) c.kind = ColKind::Bytes;
  else if (has("REAL")) c.kind = ColKind::Float32;
  else if (has("FLOA") || has("DOUB")) c.kind = ColKind::Float64;
  else if (has("DEC") || has("NUM")) {
    c.kind = ColKind::Decimal;
    auto open = t.find('(');
    if (open != std::string::npos) {
      c.precision = std::atoi(t.c_str() + open + 1);
      auto comma = t.find(',', open);
      if (comma != std::string::npos) c.scale = std::atoi(t.c_str() + comma + 1);
    }
  } else c.kind = ColKind::Unsupported;
  return c;
}

struct StmtDeleter { void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); } };
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;
struct DbDeleter { void operator()(sqlite3* d) const { sqlite3_close_v2(d); } };

class SqliteConnection;

class SqliteResult : public ResultSet {
 public:
  SqliteResult(sqlite3* db, Stmt stmt) : db_(db), stmt_(std::move(stmt)) {
    int n = sqlite3_column_count(stmt_.get());
    for (int i = 0; i < n; ++i) {
      cols_.push_back(column_from_decl(sqlite3_column_name(stmt_.get(), i), sqlite3_column_decltype(stmt_.get(), i)));
      // A column of a table: NOT NULL makes its field required.
      const char* table = sqlite3_column_table_name(stmt_.get(), i);
      const char* origin = sqlite3_column_origin_name(stmt_.get(), i);
      int notnull = 0;
      if (table && origin &&
          sqlite3_table_column_metadata(db_, sqlite3_column_database_name(stmt_.get(), i), table, origin, nullptr,
                                        nullptr, &notnull, nullptr, nullptr) == SQLITE_OK)
        cols_.back().nullable = notnull == 0;
    }
    step();
    // Expressions (query mode) have no declared type: take the first row's.
    for (int i = 0; i < n; ++i) {
      if (cols_[static_cast<size_t>(i)].kind != ColKind::Unsupported || !cols_[static_cast<size_t>(i)].db_type.empty()) continue;
      int t = has_row_ ? sqlite3_column_type(stmt_.get(), i) : SQLITE_TEXT;
      auto& c = cols_[static_cast<size_t>(i)];
      c.kind = t == SQLITE_INTEGER ? ColKind::Int64 : t == SQLITE_FLOAT ? ColKind::Float64 : t == SQLITE_BLOB ? ColKind::Bytes : ColKind::String;
      c.db_type = "(expression)";
    }
  }
  const std::vector<Column>& columns() const override { return cols_; }
  bool next(Row& row) override {
    if (!has_row_) return false;
    auto* s = stmt_.get();
    row.values.resize(cols_.size());
    row.nanos.assign(cols_.size(), 0);
    for (size_t i = 0; i < cols_.size(); ++i) {
      int ci = static_cast<int>(i);
      auto& c = cols_[i];
      int t = sqlite3_column_type(s, ci);
      if (t == SQLITE_NULL || c.kind == ColKind::Unsupported) { row.values[i] = Value(); continue; }
      switch (c.kind) {
        case ColKind::Boolean: row.values[i] = Value(sqlite3_column_int64(s, ci) != 0); break;
        case ColKind::Int8: row.values[i] = Value(static_cast<int8_t>(sqlite3_column_int64(s, ci))); break;
        case ColKind::Int16: row.values[i] = Value(static_cast<int16_t>(sqlite3_column_int64(s, ci))); break;
        case ColKind::Int32: row.values[i] = Value(static_cast<int32_t>(sqlite3_column_int64(s, ci))); break;
        case ColKind::Int64: row.values[i] = Value(static_cast<int64_t>(sqlite3_column_int64(s, ci))); break;
        case ColKind::Float32: row.values[i] = Value(static_cast<float>(sqlite3_column_double(s, ci))); break;
        case ColKind::Float64: row.values[i] = Value(sqlite3_column_double(s, ci)); break;
        case ColKind::Bytes: {
          auto* p = static_cast<const char*>(sqlite3_column_blob(s, ci));
          row.values[i] = Value(Bytes{std::string(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(s, ci)))});
          break;
        }
        case ColKind::Timestamp: case ColKind::Date: case ColKind::Time:
          if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {  // epoch milliseconds, as the JDBC driver stores them
            int64_t ms = sqlite3_column_int64(s, ci);
            row.values[i] = Value(Timestamp{ms});
            row.nanos[i] = ms * 1000000;
            break;
          }
          [[fallthrough]];
        default: {
          auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, ci));
          row.values[i] = value_from_text(c, p, static_cast<size_t>(sqlite3_column_bytes(s, ci)), &row.nanos[i]);
        }
      }
    }
    step();
    return true;
  }

 private:
  void step() {
    int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) { has_row_ = true; return; }
    has_row_ = false;
    if (rc != SQLITE_DONE) throw ConnectError(fmt::format("SQLite: {}", sqlite3_errmsg(db_)));
  }
  sqlite3* db_;
  Stmt stmt_;
  std::vector<Column> cols_;
  bool has_row_ = false;
};

class SqliteConnection : public Connection {
 public:
  SqliteConnection(const std::string& path) : path_(path) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(db);
    if (rc != SQLITE_OK)
      throw ConnectError(fmt::format("cannot open the SQLite database {}: {}", path, db ? sqlite3_errmsg(db) : "out of memory"));
    sqlite3_busy_timeout(db, 10000);  // another writer (the sqlite3 CLI) holds the lock for a moment
  }
  const Dialect& dialect() const override { return dialect_instance(); }
  void execute(const std::string& sql) override {
    char* err = nullptr;
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "error";
      sqlite3_free(err);
      throw ConnectError(fmt::format("SQLite {}: {} (in: {})", path_, msg, sql));
    }
  }
  int64_t update(const std::string& sql, const Params& params) override {
    // The sink runs the same few statements for every row: each is prepared once and kept.
    auto it = cached_.find(sql);
    if (it == cached_.end()) {
      if (cached_.size() >= kMaxCached) cached_.clear();
      it = cached_.emplace(sql, compile(sql)).first;
    }
    sqlite3_stmt* stmt = it->second.get();
    // The parameters outlive the step, so SQLite need not copy them (SQLITE_STATIC).
    bind(stmt, params, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    std::string error = rc != SQLITE_DONE && rc != SQLITE_ROW ? sqlite3_errmsg(db_.get()) : "";
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (!error.empty()) throw ConnectError(fmt::format("SQLite {}: {}", path_, error), false);
    return sqlite3_changes(db_.get());
  }
  std::unique_ptr<ResultSet> query(const std::string& sql, const Params& params) override {
    return std::make_unique<SqliteResult>(db_.get(), prepare(sql, params));
  }
  void begin() override { execute("BEGIN"); }
  void commit() override { execute("COMMIT"); }
  void rollback() override { sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr); }
  std::vector<TableId> tables(const std::string&, const std::vector<std::string>& types) override {
    std::string kinds;
    for (auto& t : types) {
      auto u = upper(t);
      if (u == "TABLE" || u == "VIEW") kinds += (kinds.empty() ? "'" : ",'") + std::string(u == "TABLE" ? "table" : "view") + "'";
    }
    if (kinds.empty()) return {};
    std::vector<TableId> out;
    auto rs = query("SELECT name FROM sqlite_master WHERE type IN (" + kinds + ") AND name NOT LIKE 'sqlite_%' ORDER BY name", {});
    Row row;
    while (rs->next(row)) out.push_back(TableId{"", "", row.values[0].as<std::string>()});
    return out;
  }
  std::vector<Column> describe(const TableId& table) override {
    std::vector<Column> out;
    // xerial's IS_AUTOINCREMENT: the INTEGER PRIMARY KEY of a table declared with AUTOINCREMENT.
    auto rs = query("SELECT name, type, CAST(\"notnull\" AS TEXT), CAST(pk = 1 AND upper(type) = 'INTEGER' AND "
                    "(SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1) LIKE '%AUTOINCREMENT%' AS TEXT) "
                    "FROM pragma_table_info(?1)", {Value(table.table)});
    Row row;
    while (rs->next(row)) {
      auto c = column_from_decl(row.values[0].as<std::string>(), row.values[1].as<std::string>().c_str());
      c.nullable = row.values[2].as<std::string>() == "0";
      c.auto_increment = row.values[3].as<std::string>() == "1";
      out.push_back(c);
    }
    return out;
  }
  bool alive() override { return true; }

 private:
  static constexpr size_t kMaxCached = 16;

  Stmt compile(const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) != SQLITE_OK)
      throw ConnectError(fmt::format("SQLite {}: {} (in: {})", path_, sqlite3_errmsg(db_.get()), sql));
    return Stmt(raw);
  }
  // A query's result is stepped after `params` may be gone: SQLite copies them (SQLITE_TRANSIENT).
  Stmt prepare(const std::string& sql, const Params& params) {
    Stmt stmt = compile(sql);
    bind(stmt.get(), params, SQLITE_TRANSIENT);
    return stmt;
  }
  void bind(sqlite3_stmt* raw, const Params& params, sqlite3_destructor_type lifetime) {
    for (size_t i = 0; i < params.size(); ++i) {
      int n = static_cast<int>(i) + 1;
      const auto& v = params[i];
      std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) sqlite3_bind_null(raw, n);
            else if constexpr (std::is_same_v<T, bool>) sqlite3_bind_int(raw, n, x ? 1 : 0);
            else if constexpr (std::is_integral_v<T>) sqlite3_bind_int64(raw, n, x);
            else if constexpr (std::is_floating_point_v<T>) sqlite3_bind_double(raw, n, x);
            else if constexpr (std::is_same_v<T, std::string>)
              sqlite3_bind_text(raw, n, x.data(), static_cast<int>(x.size()), lifetime);
            else if constexpr (std::is_same_v<T, Bytes>)
              sqlite3_bind_blob(raw, n, x.data.data(), static_cast<int>(x.data.size()), lifetime);
            else if constexpr (std::is_same_v<T, Decimal>) {
              auto text = x.to_string();
              sqlite3_bind_text(raw, n, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
            } else if constexpr (std::is_same_v<T, Timestamp>) sqlite3_bind_int64(raw, n, x.millis);
            else throw ConnectError("SQLite: a parameter of an unsupported type (array, map or struct)");
          },
          v.storage());
    }
  }
  std::string path_;
  std::unique_ptr<sqlite3, DbDeleter> db_;
  // Declared after db_: finalized before the database is closed.
  std::map<std::string, Stmt, std::less<>> cached_;
};

}  // namespace

std::unique_ptr<Connection> connect_sqlite(const ConnectionUrl& url, const ConnectOptions&) {
  return std::make_unique<SqliteConnection>(url.path);
}

}  // namespace connectrun::jdbc
