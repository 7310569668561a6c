// PostgreSQL: the connection (libpq; results streamed through a cursor, FETCH by batches) and its dialect.
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <iterator>
#include <optional>

#include <fmt/format.h>

#include "connectors/jdbc/connection_url.h"
#include "connectors/jdbc/db.h"
#include "plugin/connect_error.h"

namespace connectrun::jdbc {

namespace {

struct PgDialect : Dialect {
  PgDialect() { name = "PostgreSQL"; quote = '"'; }
  std::string marker(size_t i) const override { return "$" + std::to_string(i + 1); }
  // kafka-connect-jdbc's PostgreSqlDatabaseDialect.getSqlType.
  std::string sql_type(const Schema& s) const override {
    if (s.name) {
      if (*s.name == schemas::kDecimalName) return "DECIMAL";
      if (*s.name == schemas::kDateName) return "DATE";
      if (*s.name == schemas::kTimeName) return "TIME";
      if (*s.name == schemas::kTimestampName) return "TIMESTAMP";
    }
    switch (s.type) {
      case Type::Int8: case Type::Int16: return "SMALLINT";
      case Type::Int32: return "INT";
      case Type::Int64: return "BIGINT";
      case Type::Float32: return "REAL";
      case Type::Float64: return "DOUBLE PRECISION";
      case Type::Boolean: return "BOOLEAN";
      case Type::String: return "TEXT";
      case Type::Bytes: return "BYTEA";
      default: return "";
    }
  }
  std::string upsert_clause(const std::vector<std::string>& keys, const std::vector<std::string>& cols) const override {
    std::string sql = fmt::format(" ON CONFLICT ({}) ", fmt::join(keys, ","));
    if (cols.empty()) return sql + "DO NOTHING";
    sql += "DO UPDATE SET ";
    for (size_t i = 0; i < cols.size(); ++i) sql += (i ? "," : "") + cols[i] + "=EXCLUDED." + cols[i];
    return sql;
  }
};

const PgDialect& dialect_instance() {
  static const PgDialect d;
  return d;
}

struct ConnDeleter { void operator()(PGconn* c) const { PQfinish(c); } };
struct ResDeleter { void operator()(PGresult* r) const { PQclear(r); } };
using Result = std::unique_ptr<PGresult, ResDeleter>;

// Type OIDs (pg_type.h) and how kafka-connect-jdbc maps what pgjdbc reports for them.
Column column_for(const char* name, Oid oid, int typmod) {
  Column c;
  c.name = name;
  switch (oid) {
    case 16: c.kind = ColKind::Boolean; c.db_type = "boolean"; break;
    case 20: c.kind = ColKind::Int64; c.db_type = "bigint"; break;
    case 21: c.kind = ColKind::Int16; c.db_type = "smallint"; break;
    case 23: c.kind = ColKind::Int32; c.db_type = "integer"; break;
    case 26: c.kind = ColKind::Int64; c.db_type = "oid"; break;
    case 700: c.kind = ColKind::Float32; c.db_type = "real"; break;
    case 701: c.kind = ColKind::Float64; c.db_type = "double precision"; break;
    case 1700:
      c.kind = ColKind::Decimal;
      c.db_type = "numeric";
      c.scale = 127;  // unconstrained numeric: kafka-connect-jdbc's NUMERIC_TYPE_SCALE_HIGH
      if (typmod >= 4) {
        c.precision = ((typmod - 4) >> 16) & 0xffff;
        c.scale = (typmod - 4) & 0xffff;
      }
      break;
    case 25: case 1043: case 1042: case 18: case 19: case 114: case 3802: case 2950: case 142:
      c.kind = ColKind::String;
      c.db_type = oid == 114 ? "json" : oid == 3802 ? "jsonb" : oid == 2950 ? "uuid" : "text";
      break;
    case 17: c.kind = ColKind::Bytes; c.db_type = "bytea"; break;
    case 1082: c.kind = ColKind::Date; c.db_type = "date"; break;
    case 1083: case 1266: c.kind = ColKind::Time; c.db_type = "time"; break;
    case 1114: c.kind = ColKind::Timestamp; c.db_type = "timestamp"; break;
    case 1184: c.kind = ColKind::Timestamp; c.db_type = "timestamptz"; c.zoned = true; break;
    default: c.kind = ColKind::Unsupported; c.db_type = fmt::format("type oid {}", oid);
  }
  return c;
}

std::string unescape_bytea(const char* text) {
  size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &n);
  if (!raw) throw ConnectError("PostgreSQL: out of memory reading a bytea value");
  std::string out(reinterpret_cast<char*>(raw), n);
  PQfreemem(raw);
  return out;
}

// JDBC's ? markers (outside quotes) as libpq's $1, $2, …; SQL already using $n is left alone.
std::string numbered_markers(const std::string& sql, size_t params) {
  if (params == 0 || sql.find('?') == std::string::npos) return sql;
  std::string out;
  size_t n = 0;
  char in_quote = 0;
  for (char c : sql) {
    if (in_quote) {
      out += c;
      if (c == in_quote) in_quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') in_quote = c;
    if (c == '?' && n < params) {
      out += "$" + std::to_string(++n);
      continue;
    }
    out += c;
  }
  return out;
}

class PgConnection;

// A query's rows through a server-side cursor: FETCH returns `fetch_rows` rows per round trip
// (one PGresult per batch, where libpq's single-row mode allocates one per row), and memory
// stays bounded by two batches whatever the result's size. The next FETCH is sent as soon as a
// batch arrives, so the server produces it while this one is converted.
class PgResult : public ResultSet {
 public:
  // `own_tx`: the cursor's transaction was opened for it (COMMIT at the end, ROLLBACK when abandoned).
  PgResult(PgConnection& conn, PGconn* pg, std::string cursor, int fetch_rows, bool own_tx);
  ~PgResult() override;
  const std::vector<Column>& columns() const override { return cols_; }
  bool next(Row& row) override {
    if (pos_ >= rows_) {
      if (last_) { finish(); return false; }
      fetch();
      if (rows_ == 0) { finish(); return false; }
    }
    auto* r = current_.get();
    const int ri = pos_++;
    row.values.resize(cols_.size());
    row.nanos.assign(cols_.size(), 0);
    for (size_t i = 0; i < cols_.size(); ++i) {
      int ci = static_cast<int>(i);
      if (PQgetisnull(r, ri, ci) || cols_[i].kind == ColKind::Unsupported) { row.values[i] = Value(); continue; }
      const char* text = PQgetvalue(r, ri, ci);
      if (cols_[i].kind == ColKind::Bytes) row.values[i] = Value(Bytes{unescape_bytea(text)});
      else row.values[i] = value_from_text(cols_[i], text, static_cast<size_t>(PQgetlength(r, ri, ci)), &row.nanos[i]);
    }
    return true;
  }

 private:
  void fetch();
  void finish();  // CLOSE (and COMMIT what the cursor opened); throws on failure
  void request();  // sends the next FETCH

 public:
  // Waits for the FETCH in flight (before the connection runs another command).
  void collect();

 private:
  PgConnection& conn_;
  PGconn* pg_;
  std::string cursor_;
  std::string fetch_sql_;
  int fetch_rows_;
  bool own_tx_;
  Result current_, next_;
  bool pending_ = false;  // a FETCH is in flight; its result goes to next_
  std::vector<Column> cols_;
  int rows_ = 0, pos_ = 0;
  bool last_ = false;  // the last FETCH returned fewer rows than asked: the cursor is exhausted
  bool done_ = false;  // closed
};

class PgConnection : public Connection {
 public:
  PgConnection(const ConnectionUrl& url, const ConnectOptions& o) : where_(url.where()) {
    std::vector<std::string> keys, vals;
    auto add = [&](const std::string& k, const std::string& v) { keys.push_back(k); vals.push_back(v); };
    if (!url.libpq_uri.empty()) {
      add("dbname", url.libpq_uri);
    } else {
      add("host", url.host);
      add("port", std::to_string(url.port));
      if (!url.database.empty()) add("dbname", url.database);
      for (auto& [k, v] : url.params) {
        // pgjdbc's URL properties that libpq knows under the same name.
        if (k == "user" || k == "password" || k == "sslmode" || k == "application_name" || k == "connect_timeout" ||
            k == "sslcert" || k == "sslkey" || k == "sslrootcert" || k == "options")
          add(k, v);
      }
    }
    if (!o.user.empty()) add("user", o.user);
    if (!o.password.empty()) add("password", o.password);
    bool has_timeout = false;
    for (auto& k : keys) has_timeout |= k == "connect_timeout";
    if (!has_timeout) add("connect_timeout", "10");
    std::vector<const char*> kp, vp;
    for (size_t i = 0; i < keys.size(); ++i) { kp.push_back(keys[i].c_str()); vp.push_back(vals[i].c_str()); }
    kp.push_back(nullptr);
    vp.push_back(nullptr);
    pg_.reset(PQconnectdbParams(kp.data(), vp.data(), 1));
    if (!pg_ || PQstatus(pg_.get()) != CONNECTION_OK) {
      std::string msg = pg_ ? PQerrorMessage(pg_.get()) : "out of memory";
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      // A refused password will not get better by retrying; a server that is down may.
      bool auth = msg.find("password") != std::string::npos || msg.find("authentication") != std::string::npos ||
                  msg.find("does not exist") != std::string::npos;
      throw ConnectError(fmt::format("cannot connect to PostgreSQL at {}: {}", where_, msg), !auth);
    }
    execute("SET TimeZone TO '" + o.timezone + "'");
  }
  const Dialect& dialect() const override { return dialect_instance(); }
  void execute(const std::string& sql) override {
    settle();
    check(Result(PQexec(pg_.get(), sql.c_str())), sql);
  }
  int64_t update(const std::string& text, const Params& params) override {
    settle();
    const auto sql = numbered_markers(text, params.size());
    Bound b(params);
    Result r(PQexecParams(pg_.get(), sql.c_str(), static_cast<int>(params.size()), b.types.data(), b.values.data(),
                          b.lengths.data(), b.formats.data(), 0));
    check(r, sql);
    const char* n = PQcmdTuples(r.get());
    return n && *n ? std::atoll(n) : 0;
  }
  std::unique_ptr<ResultSet> query(const std::string& text, const Params& params) override {
    settle();
    const auto sql = numbered_markers(text, params.size());
    // Inside the caller's transaction the cursor lives in it; otherwise in one of its own.
    const bool own_tx = PQtransactionStatus(pg_.get()) == PQTRANS_IDLE;
    if (own_tx) execute("BEGIN");
    // Named per query: a query made while another one's rows are being read (the source listing
    // tables again) gets its own cursor in the same transaction.
    auto cursor = "connectrun_cursor_" + std::to_string(++cursors_);
    const auto declare = "DECLARE " + cursor + " NO SCROLL CURSOR FOR " + sql;
    Bound b(params);
    Result r(PQexecParams(pg_.get(), declare.c_str(), static_cast<int>(params.size()), b.types.data(), b.values.data(),
                          b.lengths.data(), b.formats.data(), 0));
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      auto err = error(sql, r.get());
      if (own_tx) rollback();
      throw err;
    }
    return std::make_unique<PgResult>(*this, pg_.get(), std::move(cursor), fetch_rows_, own_tx);
  }
  void set_fetch_rows(int rows) override { fetch_rows_ = std::max(1, rows); }
  void begin() override { execute("BEGIN"); }
  void commit() override { execute("COMMIT"); }
  void rollback() override {
    if (PQstatus(pg_.get()) != CONNECTION_OK) return;
    try {
      settle();
    } catch (const ConnectError&) {
      // A COPY sent without waiting failed: what follows rolls its transaction back.
    }
    // Not outside a transaction (a COPY's own COMMIT failed and ended it): the server would warn, and libpq
    // print that warning on stderr.
    if (PQtransactionStatus(pg_.get()) == PQTRANS_IDLE) return;
    Result(PQexec(pg_.get(), "ROLLBACK"));
  }
  std::vector<TableId> tables(const std::string& schema_pattern, const std::vector<std::string>& types) override {
    std::string kinds;
    for (auto& t : types) {
      std::string code = t == "TABLE" ? "r','p" : t == "VIEW" ? "v" : t == "MATERIALIZED VIEW" ? "m" : t == "FOREIGN TABLE" ? "f" : "";
      if (!code.empty()) kinds += (kinds.empty() ? "'" : ",'") + code + "'";
    }
    if (kinds.empty()) return {};
    std::vector<TableId> out;
    auto rs = query("SELECT current_database(), n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                    "c.relnamespace WHERE c.relkind IN (" + kinds + ") AND n.nspname NOT IN ('pg_catalog', "
                    "'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND ($1 = '' OR n.nspname LIKE $1) "
                    "ORDER BY 2, 3", {Value(schema_pattern)});
    Row row;
    while (rs->next(row))
      out.push_back(TableId{row.values[0].as<std::string>(), row.values[1].as<std::string>(), row.values[2].as<std::string>()});
    return out;
  }
  std::vector<Column> describe(const TableId& t) override {
    std::vector<Column> out;
    // pgjdbc's IS_AUTOINCREMENT: a nextval(...) default (serial) or an identity column.
    auto rs = query("SELECT a.attname, a.atttypid::int8, a.atttypmod::int8, NOT a.attnotnull, a.attidentity <> '' OR "
                    "COALESCE(pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval(%', false) FROM pg_attribute a JOIN "
                    "pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef d "
                    "ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE c.relname = $1 "
                    "AND ($2 = '' AND n.nspname = current_schema() OR n.nspname = $2) AND a.attnum > 0 AND NOT "
                    "a.attisdropped ORDER BY a.attnum", {Value(t.table), Value(t.schema)});
    Row row;
    while (rs->next(row)) {
      auto c = column_for(row.values[0].as<std::string>().c_str(), static_cast<Oid>(row.values[1].as<int64_t>()),
                          static_cast<int>(row.values[2].as<int64_t>()));
      c.nullable = row.values[3].as<bool>();
      c.auto_increment = row.values[4].as<bool>();
      out.push_back(c);
    }
    return out;
  }
  bool alive() override { return PQstatus(pg_.get()) == CONNECTION_OK; }

  // COPY … FROM STDIN in text format: one round trip per batch and no statement to parse per row.
  // The statements around the COPY share its simple-protocol query string: the server runs them in order and
  // stops at the first that fails. PQexec returns at the COPY (or at an earlier failure).
  bool copy_in(const std::string& table_sql, const std::vector<std::string>& cols, const ParamRefs& params,
               size_t rows, const CopyAround& around, bool wait) override {
    settle();
    std::string sql = around.before.empty() ? "" : around.before + "; ";
    sql += "COPY " + table_sql + " (";
    for (size_t i = 0; i < cols.size(); ++i) sql += (i ? "," : "") + cols[i];
    sql += ") FROM STDIN";
    if (!around.after.empty()) sql += "; " + around.after;
    Result start(PQexec(pg_.get(), sql.c_str()));
    if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) throw error(sql, start.get());
    std::string buf;
    buf.reserve(1 << 16);
    const char* failed = nullptr;
    std::string why;
    auto flush = [&] {
      if (!buf.empty() && PQputCopyData(pg_.get(), buf.data(), static_cast<int>(buf.size())) != 1) failed = "send";
      buf.clear();
    };
    try {
      for (size_t r = 0; r < rows && !failed; ++r) {
        for (size_t c = 0; c < cols.size(); ++c) {
          if (c) buf += '\t';
          copy_text(*params[r * cols.size() + c], buf);
        }
        buf += '\n';
        if (buf.size() >= (1 << 16)) flush();
      }
      if (!failed) flush();
    } catch (const ConnectError& e) {
      failed = "value";
      why = e.what();
    }
    PQputCopyEnd(pg_.get(), failed ? (why.empty() ? "connectrun could not send the rows" : why.c_str()) : nullptr);
    if (!wait && !failed) {
      copy_sql_ = std::move(sql);
      copy_pending_ = true;
      return true;
    }
    collect_copy(sql);
    return true;
  }

  void copy_finish() override {
    if (!copy_pending_) return;
    copy_pending_ = false;
    collect_copy(copy_sql_);
  }

  bool copy_ready() override {
    if (!copy_pending_) return true;
    if (!PQconsumeInput(pg_.get())) return true;  // the connection failed: copy_finish() says so without waiting
    return !PQisBusy(pg_.get());
  }

  ConnectError error(const std::string& sql, const PGresult* r = nullptr) const {
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(pg_.get());
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    bool lost = PQstatus(pg_.get()) != CONNECTION_OK;
    if (sql.size() > 300) return ConnectError(fmt::format("PostgreSQL at {}: {}", where_, msg), lost);
    return ConnectError(fmt::format("PostgreSQL at {}: {} (in: {})", where_, msg, sql), lost);
  }

 private:
  // Parameters in text format with types left to the server, bytes in binary as bytea.
  struct Bound {
    std::vector<std::string> text;
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    std::vector<Oid> types;
    explicit Bound(const Params& params) {
      text.reserve(params.size());
      for (auto& v : params) {
        Oid type = 0;
        int format = 0;
        bool null = v.is_null();
        std::string t;
        if (auto* b = v.get_if<Bytes>()) { t = b->data; type = 17; format = 1; }
        else if (auto* s = v.get_if<std::string>()) t = *s;
        else if (auto* d = v.get_if<Decimal>()) t = d->to_string();
        else if (auto* x = v.get_if<bool>()) t = *x ? "true" : "false";
        else if (auto* ts = v.get_if<Timestamp>()) t = format_timestamp(ts->millis);
        else if (!null) {
          std::visit([&](const auto& n) {
            using T = std::decay_t<decltype(n)>;
            if constexpr (std::is_same_v<T, int8_t> || std::is_same_v<T, int16_t>) t = std::to_string(static_cast<int>(n));
            else if constexpr (std::is_arithmetic_v<T>) t = fmt::format("{}", n);
            else throw ConnectError("PostgreSQL: a parameter of an unsupported type (array, map or struct)");
          }, v.storage());
        }
        text.push_back(std::move(t));
        types.push_back(type);
        formats.push_back(format);
        lengths.push_back(static_cast<int>(text.back().size()));
        values.push_back(null ? nullptr : "");
      }
      for (size_t i = 0; i < text.size(); ++i)
        if (values[i]) values[i] = text[i].data();
    }
  };
  // One value in COPY's text format; bytea in its hex form.
  static void copy_text(const Value& v, std::string& out) {
    if (append_bulk_text(out, v, "PostgreSQL", "ft")) return;
    static const char* hex = "0123456789abcdef";
    out += "\\\\x";  // bytea's hex form, its backslash escaped for COPY
    for (unsigned char ch : v.as<Bytes>().data) { out += hex[ch >> 4]; out += hex[ch & 15]; }
  }
  void check(const Result& r, const std::string& sql) const {
    auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw error(sql, r.get());
  }
  std::string where_;
  std::unique_ptr<PGconn, ConnDeleter> pg_;
  uint64_t cursors_ = 0;
  int fetch_rows_ = 1000;  // kafka-connect-jdbc's batch.max.rows default

 public:
  PgResult* fetching_ = nullptr;  // the result whose FETCH is in flight
  void settle() {
    if (fetching_) fetching_->collect();
    if (copy_pending_) copy_finish();
  }
  // One result for the COPY, then one per statement after it (up to the first failure).
  void collect_copy(const std::string& sql) {
    std::optional<ConnectError> err;
    Result r(PQgetResult(pg_.get()));
    if (!r) err = error(sql);
    for (; r; r = Result(PQgetResult(pg_.get())))
      if (!err && PQresultStatus(r.get()) != PGRES_COMMAND_OK && PQresultStatus(r.get()) != PGRES_TUPLES_OK)
        err = error(sql, r.get());
    if (err) throw *err;
  }
  bool copy_pending_ = false;  // a COPY sent without waiting; its answer not read yet
  std::string copy_sql_;
};

PgResult::PgResult(PgConnection& conn, PGconn* pg, std::string cursor, int fetch_rows, bool own_tx)
    : conn_(conn), pg_(pg), cursor_(std::move(cursor)),
      fetch_sql_("FETCH " + std::to_string(fetch_rows) + " FROM " + cursor_), fetch_rows_(fetch_rows), own_tx_(own_tx) {
  try {
    fetch();
  } catch (...) {
    if (own_tx_) conn_.rollback();
    done_ = true;
    throw;
  }
  int n = PQnfields(current_.get());
  for (int i = 0; i < n; ++i)
    cols_.push_back(column_for(PQfname(current_.get(), i), PQftype(current_.get(), i), PQfmod(current_.get(), i)));
}

void PgResult::request() {
  if (!PQsendQuery(pg_, fetch_sql_.c_str())) throw conn_.error("query");
  pending_ = true;
  conn_.fetching_ = this;
}

void PgResult::collect() {
  if (!pending_) return;
  pending_ = false;
  if (conn_.fetching_ == this) conn_.fetching_ = nullptr;
  next_.reset(PQgetResult(pg_));
  Result rest;
  while ((rest = Result(PQgetResult(pg_)))) {}
}

void PgResult::fetch() {
  if (!pending_ && !next_) request();
  collect();
  current_ = std::move(next_);
  if (!current_ || PQresultStatus(current_.get()) != PGRES_TUPLES_OK) {
    auto err = conn_.error("query", current_.get());
    current_.reset();
    rows_ = pos_ = 0;
    last_ = true;
    throw err;
  }
  rows_ = PQntuples(current_.get());
  pos_ = 0;
  last_ = rows_ < fetch_rows_;
  if (!last_) request();
}

void PgResult::finish() {
  if (done_) return;
  done_ = true;
  collect();
  if (own_tx_) conn_.commit();  // also closes the cursor
  else conn_.execute("CLOSE " + cursor_);
}

PgResult::~PgResult() {
  if (done_) return;
  collect();
  // Abandoned before its end (or after an error): close the cursor so the connection can run the next query.
  if (own_tx_) conn_.rollback();
  else if (PQstatus(pg_) == CONNECTION_OK) Result(PQexec(pg_, ("CLOSE " + cursor_).c_str()));
}

}  // namespace

std::unique_ptr<Connection> connect_postgres(const ConnectionUrl& url, const ConnectOptions& options) {
  return std::make_unique<PgConnection>(url, options);
}

}  // namespace connectrun::jdbc
