// MariaDB and MySQL: the connection (libmariadb; results streamed with
// mysql_use_result) and the dialect. Parameters are bound on the client, as
// MariaDB Connector/J does by default (useServerPrepStmts=false): each value
// is escaped by mysql_real_escape_string for the connection's character set.
#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <iterator>

#include <fmt/format.h>

#include "connectors/jdbc/connection_url.h"
#include "connectors/jdbc/db.h"
#include "plugin/connect_error.h"

namespace connectrun::jdbc {

namespace {

struct MySqlDialect : Dialect {
  MySqlDialect() { name = "MySQL"; quote = '`'; }
  // kafka-connect-jdbc's MySqlDatabaseDialect.getSqlType.
  std::string sql_type(const Schema& s) const override {
    if (s.name) {
      if (*s.name == schemas::kDecimalName) {
        auto* scale = s.parameter(schemas::kDecimalScaleParam);
        return "DECIMAL(65," + (scale ? *scale : std::string("0")) + ")";
      }
      if (*s.name == schemas::kDateName) return "DATE";
      if (*s.name == schemas::kTimeName) return "TIME(3)";
      if (*s.name == schemas::kTimestampName) return "DATETIME(3)";
    }
    switch (s.type) {
      case Type::Int8: return "TINYINT";
      case Type::Int16: return "SMALLINT";
      case Type::Int32: return "INT";
      case Type::Int64: return "BIGINT";
      case Type::Float32: return "FLOAT";
      case Type::Float64: return "DOUBLE";
      case Type::Boolean: return "TINYINT";
      case Type::String: return "TEXT";
      case Type::Bytes: return "VARBINARY(1024)";
      default: return "";
    }
  }
  std::string upsert_clause(const std::vector<std::string>& keys, const std::vector<std::string>& cols) const override {
    // Every column a key: a no-op update of the keys keeps the row.
    const auto& set = cols.empty() ? keys : cols;
    std::string sql = " ON DUPLICATE KEY UPDATE ";
    for (size_t i = 0; i < set.size(); ++i) sql += (i ? "," : "") + set[i] + "=VALUES(" + set[i] + ")";
    return sql;
  }
};

const MySqlDialect& dialect_instance() {
  static const MySqlDialect d;
  return d;
}

struct MysqlDeleter { void operator()(MYSQL* m) const { mysql_close(m); } };
struct ResDeleter { void operator()(MYSQL_RES* r) const { mysql_free_result(r); } };

constexpr unsigned kBinaryCharset = 63;

// How kafka-connect-jdbc maps what Connector/J reports for a field.
Column column_for(const MYSQL_FIELD& f) {
  Column c;
  c.name = f.name;
  bool is_unsigned = f.flags & UNSIGNED_FLAG;
  switch (f.type) {
    case MYSQL_TYPE_TINY:
      if (f.length == 1) { c.kind = ColKind::Boolean; c.db_type = "TINYINT(1)"; }  // tinyInt1isBit
      else { c.kind = is_unsigned ? ColKind::Int16 : ColKind::Int8; c.db_type = "TINYINT"; }
      break;
    case MYSQL_TYPE_SHORT: c.kind = is_unsigned ? ColKind::Int32 : ColKind::Int16; c.db_type = "SMALLINT"; break;
    case MYSQL_TYPE_INT24: c.kind = ColKind::Int32; c.db_type = "MEDIUMINT"; break;
    case MYSQL_TYPE_LONG: c.kind = is_unsigned ? ColKind::Int64 : ColKind::Int32; c.db_type = "INT"; break;
    case MYSQL_TYPE_LONGLONG: c.kind = ColKind::Int64; c.db_type = "BIGINT"; break;
    case MYSQL_TYPE_YEAR: c.kind = ColKind::Date; c.db_type = "YEAR"; break;
    case MYSQL_TYPE_FLOAT: c.kind = ColKind::Float32; c.db_type = "FLOAT"; break;
    case MYSQL_TYPE_DOUBLE: c.kind = ColKind::Float64; c.db_type = "DOUBLE"; break;
    case MYSQL_TYPE_DECIMAL: case MYSQL_TYPE_NEWDECIMAL:
      c.kind = ColKind::Decimal;
      c.db_type = "DECIMAL";
      c.scale = static_cast<int>(f.decimals);
      c.precision = static_cast<int>(f.length) - (c.scale > 0 ? 1 : 0) - (is_unsigned ? 0 : 1);
      break;
    case MYSQL_TYPE_BIT: c.kind = f.length == 1 ? ColKind::Boolean : ColKind::Bytes; c.db_type = "BIT"; break;
    case MYSQL_TYPE_DATE: case MYSQL_TYPE_NEWDATE: c.kind = ColKind::Date; c.db_type = "DATE"; break;
    case MYSQL_TYPE_TIME: c.kind = ColKind::Time; c.db_type = "TIME"; break;
    case MYSQL_TYPE_DATETIME: c.kind = ColKind::Timestamp; c.db_type = "DATETIME"; break;
    case MYSQL_TYPE_TIMESTAMP: c.kind = ColKind::Timestamp; c.db_type = "TIMESTAMP"; c.zoned = true; break;
    case MYSQL_TYPE_VARCHAR: case MYSQL_TYPE_VAR_STRING: case MYSQL_TYPE_STRING: case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB: case MYSQL_TYPE_LONG_BLOB: case MYSQL_TYPE_BLOB: case MYSQL_TYPE_ENUM:
    case MYSQL_TYPE_SET: case MYSQL_TYPE_JSON:
      c.kind = f.charsetnr == kBinaryCharset && f.type != MYSQL_TYPE_JSON ? ColKind::Bytes : ColKind::String;
      c.db_type = c.kind == ColKind::Bytes ? "BLOB" : "TEXT";
      break;
    default: c.kind = ColKind::Unsupported; c.db_type = fmt::format("MySQL type {}", static_cast<int>(f.type));
  }
  c.nullable = !(f.flags & NOT_NULL_FLAG);
  return c;
}

class MyConnection;

class MyResult : public ResultSet {
 public:
  MyResult(MYSQL* my, std::string where) : my_(my), where_(std::move(where)) {
    res_.reset(mysql_use_result(my_));
    if (!res_) {
      if (mysql_field_count(my_) == 0) return;  // not a query
      throw ConnectError(fmt::format("MariaDB at {}: {}", where_, mysql_error(my_)), lost());
    }
    unsigned n = mysql_num_fields(res_.get());
    MYSQL_FIELD* f = mysql_fetch_fields(res_.get());
    for (unsigned i = 0; i < n; ++i) cols_.push_back(column_for(f[i]));
  }
  const std::vector<Column>& columns() const override { return cols_; }
  bool next(Row& row) override {
    if (!res_) return false;
    MYSQL_ROW r = mysql_fetch_row(res_.get());
    if (!r) {
      if (mysql_errno(my_)) throw ConnectError(fmt::format("MariaDB at {}: {}", where_, mysql_error(my_)), lost());
      res_.reset();
      return false;
    }
    unsigned long* lengths = mysql_fetch_lengths(res_.get());
    row.values.resize(cols_.size());
    row.nanos.assign(cols_.size(), 0);
    for (size_t i = 0; i < cols_.size(); ++i) {
      if (!r[i] || cols_[i].kind == ColKind::Unsupported) { row.values[i] = Value(); continue; }
      if (cols_[i].kind == ColKind::Boolean && cols_[i].db_type == "BIT") { row.values[i] = Value(r[i][0] != 0); continue; }
      row.values[i] = value_from_text(cols_[i], r[i], lengths[i], &row.nanos[i]);
    }
    return true;
  }

 private:
  bool lost() const { return mysql_errno(my_) == CR_SERVER_GONE_ERROR || mysql_errno(my_) == CR_SERVER_LOST; }
  MYSQL* my_;
  std::string where_;
  std::unique_ptr<MYSQL_RES, ResDeleter> res_;
  std::vector<Column> cols_;
};

class MyConnection : public Connection {
 public:
  MyConnection(const ConnectionUrl& url, const ConnectOptions& o) : where_(url.where()) {
    my_.reset(mysql_init(nullptr));
    if (!my_) throw ConnectError("MariaDB: out of memory");
    unsigned timeout = 10;
    mysql_optionsv(my_.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(my_.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
    // LOAD DATA LOCAL for the sink's plain inserts. The handler serves only the rows of the load under
    // way, from memory: a server asking for a file at any other time gets an error, never a local file.
    unsigned local_infile = 1;
    mysql_optionsv(my_.get(), MYSQL_OPT_LOCAL_INFILE, &local_infile);
    mysql_set_local_infile_handler(my_.get(), &MyConnection::infile_init, &MyConnection::infile_read,
                                   &MyConnection::infile_end, &MyConnection::infile_error, this);
    std::string user = o.user, password = o.password;
    if (auto it = url.params.find("user"); it != url.params.end() && user.empty()) user = it->second;
    if (auto it = url.params.find("password"); it != url.params.end() && password.empty()) password = it->second;
    if (!mysql_real_connect(my_.get(), url.host.c_str(), user.empty() ? nullptr : user.c_str(), password.c_str(),
                            url.database.empty() ? nullptr : url.database.c_str(), static_cast<unsigned>(url.port),
                            nullptr, CLIENT_FOUND_ROWS)) {
      unsigned err = mysql_errno(my_.get());
      bool retriable = err == CR_CONNECTION_ERROR || err == CR_CONN_HOST_ERROR || err == CR_SERVER_LOST ||
                       err == CR_SERVER_GONE_ERROR || err == CR_UNKNOWN_HOST;
      throw ConnectError(fmt::format("cannot connect to MariaDB/MySQL at {}: {}", where_, mysql_error(my_.get())), retriable);
    }
    // TIMESTAMP columns in UTC; DATETIME columns are moved from db.timezone by the connectors
    // (the server's named zones need its time zone tables, often not loaded).
    execute("SET time_zone = '+00:00'");
  }
  const Dialect& dialect() const override { return dialect_instance(); }
  void execute(const std::string& sql) override {
    if (mysql_real_query(my_.get(), sql.data(), sql.size())) throw error(sql);
    // A statement that returns rows (none of ours do) would leave them pending.
    if (MYSQL_RES* r = mysql_store_result(my_.get())) mysql_free_result(r);
  }
  int64_t update(const std::string& sql, const Params& params) override {
    execute(bind(sql, params));
    return static_cast<int64_t>(mysql_affected_rows(my_.get()));
  }
  std::unique_ptr<ResultSet> query(const std::string& sql, const Params& params) override {
    auto text = bind(sql, params);
    if (mysql_real_query(my_.get(), text.data(), text.size())) throw error(text);
    return std::make_unique<MyResult>(my_.get(), where_);
  }
  void begin() override { execute("START TRANSACTION"); }
  void commit() override { execute("COMMIT"); }
  void rollback() override { mysql_real_query(my_.get(), "ROLLBACK", 8); }
  std::vector<TableId> tables(const std::string& schema_pattern, const std::vector<std::string>& types) override {
    std::string kinds;
    for (auto& t : types) {
      std::string code = t == "TABLE" ? "BASE TABLE" : t == "VIEW" ? "VIEW" : "";
      if (!code.empty()) kinds += (kinds.empty() ? "'" : ",'") + code + "'";
    }
    if (kinds.empty()) return {};
    std::vector<TableId> out;
    // Connector/J reports the database as the catalog.
    auto rs = query("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
                    "AND table_type IN (" + kinds + ") AND (? = '' OR table_schema LIKE ?) ORDER BY table_name",
                    {Value(schema_pattern), Value(schema_pattern)});
    Row row;
    while (rs->next(row)) out.push_back(TableId{row.values[0].as<std::string>(), "", row.values[1].as<std::string>()});
    return out;
  }
  std::vector<Column> describe(const TableId& t) override {
    std::vector<Column> out;
    auto rs = query("SELECT column_name, is_nullable, IF(extra LIKE '%auto_increment%', 'YES', 'NO') FROM "
                    "information_schema.columns WHERE table_schema = "
                    "COALESCE(NULLIF(?, ''), DATABASE()) AND table_name = ? ORDER BY ordinal_position",
                    {Value(t.catalog), Value(t.table)});
    Row row;
    while (rs->next(row)) {
      Column c;
      c.name = row.values[0].as<std::string>();
      c.nullable = row.values[1].as<std::string>() == "YES";
      c.auto_increment = row.values[2].as<std::string>() == "YES";
      out.push_back(c);
    }
    return out;
  }
  bool alive() override { return mysql_ping(my_.get()) == 0; }
  // Plain inserts as LOAD DATA LOCAL INFILE (what `mariadb-import --local` does), its rows sent from
  // memory. LOAD DATA LOCAL turns what would fail an INSERT (a duplicate key, a NULL in a NOT NULL
  // column, a value that does not fit) into warnings and skips or bends the row; so a load with any
  // warning is undone (to a savepoint) and the caller writes the rows with INSERT, which fails, or
  // warns, as an INSERT does. Not used for bytes (LOAD DATA would take them as text) nor with
  // statements around it (MariaDB runs one statement per query).
  bool copy_in(const std::string& table_sql, const std::vector<std::string>& cols, const ParamRefs& params,
               size_t rows, const CopyAround& around, bool wait) override {
    (void)wait;  // answered before this returns
    if (!local_infile_ || !around.before.empty() || !around.after.empty() || cols.empty()) return false;
    for (const Value* v : params)
      if (v->get_if<Bytes>()) return false;
    std::string data;
    data.reserve(rows * cols.size() * 16);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < cols.size(); ++c) {
        if (c) data += '\t';
        append_bulk_text(data, *params[r * cols.size() + c], "MariaDB", "01");
      }
      data += '\n';
    }
    // LOAD DATA's default FIELDS and LINES are the format above (tab, backslash escapes, \n), except
    // under sql_mode NO_BACKSLASH_ESCAPES, where nothing escapes unless ESCAPED BY says so (and '\' is
    // then one backslash).
    std::string sql = "LOAD DATA LOCAL INFILE 'connectrun-rows' INTO TABLE " + table_sql + " CHARACTER SET utf8mb4 ";
    if (my_->server_status & SERVER_STATUS_NO_BACKSLASH_ESCAPES) sql += "FIELDS ESCAPED BY '\\' ";
    sql += '(';
    for (size_t c = 0; c < cols.size(); ++c) sql += (c ? "," : "") + cols[c];
    sql += ')';
    execute("SAVEPOINT connectrun_load");
    infile_ = data;
    loading_ = true;
    const bool failed = mysql_real_query(my_.get(), sql.data(), sql.size()) != 0;
    loading_ = false;
    if (failed) {
      const unsigned err = mysql_errno(my_.get());
      // Refused by the server (local_infile=OFF: MariaDB's ER_LOAD_INFILE_CAPABILITY_DISABLED, older servers'
      // ER_NOT_ALLOWED_COMMAND, MySQL 8's ER_CLIENT_LOCAL_FILES_DISABLED 3948) or by the client library
      // (MySQL's CR_LOAD_DATA_LOCAL_INFILE_REJECTED, 2068): INSERT from now on.
      if (err == ER_LOAD_INFILE_CAPABILITY_DISABLED || err == ER_NOT_ALLOWED_COMMAND || err == 3948 || err == 2068) {
        local_infile_ = false;
        return false;
      }
      throw error(sql);
    }
    if (mysql_warning_count(my_.get()) > 0) {
      execute("ROLLBACK TO SAVEPOINT connectrun_load");
      return false;
    }
    return true;
  }

 private:
  static int infile_init(void** ptr, const char*, void* self) {
    *ptr = self;
    return static_cast<MyConnection*>(self)->loading_ ? 0 : 1;
  }
  static int infile_read(void* self, char* buf, unsigned int len) {
    auto& rest = static_cast<MyConnection*>(self)->infile_;
    const size_t n = std::min<size_t>(len, rest.size());
    if (n) std::memcpy(buf, rest.data(), n);
    rest.remove_prefix(n);
    return static_cast<int>(n);
  }
  static void infile_end(void*) {}
  static int infile_error(void*, char* msg, unsigned int len) {
    std::snprintf(msg, len, "connectrun sends no file but the rows of its own LOAD DATA");
    return CR_UNKNOWN_ERROR;
  }

  ConnectError error(const std::string& sql) const {
    unsigned err = mysql_errno(my_.get());
    bool lost = err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST;
    if (sql.size() > 300) return ConnectError(fmt::format("MariaDB at {}: {}", where_, mysql_error(my_.get())), lost);
    return ConnectError(fmt::format("MariaDB at {}: {} (in: {})", where_, mysql_error(my_.get()), sql), lost);
  }
  // Appends a parameter as an SQL literal (no string of its own: the statement text is built once per batch).
  void append_literal(std::string& out, const Value& v) const {
    if (v.is_null()) {
      out += "NULL";
      return;
    }
    if (auto* b = v.get_if<bool>()) {
      out += *b ? '1' : '0';
      return;
    }
    if (auto* d = v.get_if<Decimal>()) {
      out += d->to_string();
      return;
    }
    if (auto* ts = v.get_if<Timestamp>()) {
      out += '\'';
      out += format_timestamp(ts->millis);
      out += '\'';
      return;
    }
    if (auto* b = v.get_if<Bytes>()) {
      static const char* digits = "0123456789abcdef";
      out += "x'";
      for (unsigned char c : b->data) {
        out += digits[c >> 4];
        out += digits[c & 15];
      }
      out += '\'';
      return;
    }
    if (auto* s = v.get_if<std::string>()) {
      // Escaped straight into the statement: at most two bytes per byte.
      const size_t at = out.size();
      out.resize(at + s->size() * 2 + 2);
      out[at] = '\'';
      unsigned long n = mysql_real_escape_string(my_.get(), out.data() + at + 1, s->data(), s->size());
      out[at + 1 + n] = '\'';
      out.resize(at + n + 2);
      return;
    }
    std::visit([&](const auto& x) {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_integral_v<T>) {
        char digits[24];
        out.append(digits, std::to_chars(digits, digits + sizeof digits, static_cast<int64_t>(x)).ptr);
      } else if constexpr (std::is_arithmetic_v<T>) {
        fmt::format_to(std::back_inserter(out), "{}", x);
      } else {
        throw ConnectError("MariaDB: a parameter of an unsupported type (array, map or struct)");
      }
    }, v.storage());
  }
  // Replaces each ? outside quotes with the next parameter's literal; the text between them is
  // appended in runs.
  std::string bind(const std::string& sql, const Params& params) const {
    if (params.empty()) return sql;
    std::string out;
    out.reserve(sql.size() + params.size() * 16);
    size_t next = 0, from = 0;
    char in_quote = 0;
    for (size_t i = 0; i < sql.size(); ++i) {
      const char c = sql[i];
      if (in_quote) {
        if (c == in_quote) in_quote = 0;
        continue;
      }
      if (c == '\'' || c == '"' || c == '`') in_quote = c;
      if (c == '?' && next < params.size()) {
        out.append(sql, from, i - from);
        append_literal(out, params[next++]);
        from = i + 1;
      }
    }
    out.append(sql, from, std::string::npos);
    if (next != params.size())
      throw ConnectError(fmt::format("internal: {} parameters for {} markers in {}", params.size(), next, sql));
    return out;
  }
  std::string where_;
  std::unique_ptr<MYSQL, MysqlDeleter> my_;
  bool local_infile_ = true;  // until the server refuses LOAD DATA LOCAL
  bool loading_ = false;
  std::string_view infile_;   // what is left to send of the load under way
};

}  // namespace

std::unique_ptr<Connection> connect_mariadb(const ConnectionUrl& url, const ConnectOptions& options) {
  return std::make_unique<MyConnection>(url, options);
}

}  // namespace connectrun::jdbc
