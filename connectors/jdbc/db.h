// The small database layer the JDBC connectors use: one interface, three
// implementations (SQLite, PostgreSQL, MariaDB/MySQL), each in its dialect
// file with the SQL it generates and its type mapping.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/value.h"

namespace connectrun::jdbc {

// What a column holds, as kafka-connect-jdbc maps JDBC types to Connect types.
enum class ColKind {
  Boolean, Int8, Int16, Int32, Int64, Float32, Float64, Decimal, String, Bytes, Date, Time, Timestamp,
  Unsupported  // dropped by the source (as kafka-connect-jdbc drops ARRAY/OTHER)
};

struct Column {
  std::string name;
  ColKind kind = ColKind::String;
  int precision = 0;
  int scale = 0;          // Decimal
  bool nullable = true;
  // describe(): what JDBC's IS_AUTOINCREMENT reports (PostgreSQL serial/identity,
  // MySQL auto_increment, SQLite INTEGER PRIMARY KEY AUTOINCREMENT).
  bool auto_increment = false;
  // A timestamp whose text carries its instant (PostgreSQL timestamptz, MySQL TIMESTAMP in
  // the session's UTC): db.timezone does not apply to it.
  bool zoned = false;
  std::string db_type;    // the database's name for the type, for messages
};

// One row: values in column order. Date/Time/Timestamp hold epoch
// milliseconds (Timestamp); `nanos` holds, for Timestamp columns, the epoch
// nanoseconds (sub-millisecond precision for the source's offsets).
struct Row {
  std::vector<Value> values;
  std::vector<int64_t> nanos;
};

// A result streamed row by row: memory stays flat whatever its size.
class ResultSet {
 public:
  virtual ~ResultSet() = default;
  virtual const std::vector<Column>& columns() const = 0;
  virtual bool next(Row& row) = 0;  // false at the end; throws ConnectError
};

struct TableId {
  std::string catalog, schema, table;
  // kafka-connect-jdbc's fully qualified name: the parts that are set, joined with '.'.
  std::string qualified() const;
};

// A statement parameter. Date/Time/Timestamp values are passed as text
// ("YYYY-MM-DD HH:MM:SS.fff") by the callers; Bytes as bytes.
using Params = std::vector<Value>;
// Parameters by address, for a path that only reads them (COPY): a record's field goes without a copy.
using ParamRefs = std::vector<const Value*>;

struct Dialect;

class Connection {
 public:
  virtual ~Connection() = default;
  virtual const Dialect& dialect() const = 0;
  virtual void execute(const std::string& sql) = 0;
  // Prepared with typed parameters; returns the rows changed.
  virtual int64_t update(const std::string& sql, const Params& params) = 0;
  // Streams the result; only one result set may be open per connection.
  virtual std::unique_ptr<ResultSet> query(const std::string& sql, const Params& params) = 0;
  // How many rows a query fetches per round trip where the database fetches in batches (a
  // PostgreSQL cursor): the source's batch.max.rows, as kafka-connect-jdbc's fetch size.
  virtual void set_fetch_rows(int rows) { (void)rows; }
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;  // never throws
  // Tables (and views, per `types`) whose schema matches `schema_pattern` (SQL LIKE; empty: any).
  virtual std::vector<TableId> tables(const std::string& schema_pattern, const std::vector<std::string>& types) = 0;
  // The columns of a table; empty when it does not exist.
  virtual std::vector<Column> describe(const TableId& table) = 0;
  // Whether the connection still works (after a failure: reconnect when not).
  virtual bool alive() = 0;
  // A bulk load of plain rows (PostgreSQL's COPY FROM STDIN): `params` holds
  // `rows` rows of `cols.size()` values, as for a multi-row INSERT. `around`
  // holds statements sent in the COPY's own query string, before and after it
  // (BEGIN, COMMIT, …): they cost no round trip of their own, and when one
  // fails, those after it are not run. Returns false, having sent nothing,
  // when the database has no such path (then the caller INSERTs).
  struct CopyAround {
    std::string before, after;  // each empty, one statement, or several joined by "; "
  };
  // With `wait` false the call returns once the rows are sent, before the server's answer: copy_finish()
  // collects it (as does any other call on the connection, first). Meant for a COPY whose `around` commits.
  virtual bool copy_in(const std::string& table_sql, const std::vector<std::string>& cols, const ParamRefs& params,
                       size_t rows, const CopyAround& around, bool wait = true) {
    (void)table_sql, (void)cols, (void)params, (void)rows, (void)around, (void)wait;
    return false;
  }
  // The answer to a COPY sent without waiting: throws ConnectError as copy_in would have. Nothing pending: no-op.
  virtual void copy_finish() {}
  // Whether that answer has come, so that copy_finish() would not wait.
  virtual bool copy_ready() { return true; }
};

// SQL generation and type names per database.
struct Dialect {
  std::string name;  // "PostgreSQL", "MySQL", "SQLite"
  char quote = '"';
  virtual ~Dialect() = default;
  std::string quote_id(const std::string& id, bool quoted) const;
  std::string table_name(const TableId& t, bool quoted) const;
  // The parameter marker for parameter `i` (0-based): "$1" or "?".
  virtual std::string marker(size_t i) const { (void)i; return "?"; }
  // The column type auto.create / auto.evolve use for a field schema.
  virtual std::string sql_type(const Schema& s) const = 0;
  // INSERT … (multi-row: `rows` groups of markers), keys' columns first,
  // and the upsert form, which each database writes its own way.
  std::string insert(const std::string& table, const std::vector<std::string>& keys,
                     const std::vector<std::string>& cols, size_t rows, bool upsert) const;
  // The most rows one INSERT carries (its VALUES list).
  virtual size_t max_insert_rows() const { return 1000; }
  // What comes before INTO when upserting ("INSERT OR REPLACE" on SQLite).
  virtual std::string upsert_verb() const { return "INSERT"; }
  // What follows the VALUES list when upserting (ON CONFLICT …, ON DUPLICATE KEY UPDATE …).
  virtual std::string upsert_clause(const std::vector<std::string>& keys, const std::vector<std::string>& cols) const {
    (void)keys, (void)cols;
    return "";
  }
  // An expression comparing a timestamp column the same way as its text parameter.
  virtual std::string timestamp_expr(const std::string& column_sql) const { return column_sql; }
  std::string values_rows(size_t ncols, size_t rows) const;
};

struct ConnectOptions {
  std::string url;
  std::string user;
  std::string password;
  std::string timezone = "UTC";
};

// Opens a connection for a connection.url (jdbc:postgresql://, postgresql://,
// jdbc:mysql://, jdbc:mariadb://, jdbc:sqlite:). Throws ConnectError (retriable
// when the server could not be reached) naming host and port.
std::unique_ptr<Connection> connect(const ConnectOptions& options);

// Text forms used for parameters and by the parsers.
std::string format_date(int64_t epoch_ms);       // YYYY-MM-DD
std::string format_time(int64_t ms_of_day);      // HH:MM:SS.fff
std::string format_timestamp(int64_t epoch_ms);  // YYYY-MM-DD HH:MM:SS.fff
std::string format_timestamp_nanos(int64_t epoch_ns);  // YYYY-MM-DD HH:MM:SS.fffffffff
// One value in the tab-separated text of a bulk load, as PostgreSQL's COPY (text format) and MariaDB's
// LOAD DATA (its default FIELDS and LINES) read it: \N for null; backslash, tab and line ends escaped;
// booleans as `truth[1]`/`truth[0]`. Bytes are not written here (each database has its own form):
// returns false for them, having appended nothing. `db` names the database in errors.
bool append_bulk_text(std::string& out, const Value& v, const char* db, const char (&truth)[3]);
// Parses "YYYY-MM-DD[ HH:MM:SS[.f…]][+HH[:MM]|Z]" (UTC unless an offset is given) to epoch ns.
std::optional<int64_t> parse_timestamp_nanos(std::string_view text);
std::optional<int64_t> parse_time_ms(std::string_view text);  // HH:MM:SS[.f…] → ms of day
// A decimal number's text at exactly `scale` digits (HALF_UP), as BigDecimal.setScale.
Decimal decimal_at_scale(const std::string& text, int scale);
// The Connect value of a column's text (the text protocols of libpq and libmariadb).
Value value_from_text(const Column& c, const char* text, size_t len, int64_t* nanos);

}  // namespace connectrun::jdbc
