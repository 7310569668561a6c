// Writes one batch of sink records in one transaction: tables created and
// evolved as configured, multi-row statements per table, and, with
// exactly.once, the positions in the same transaction.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "connectors/jdbc/db.h"
#include "connectors/jdbc/db_timezone.h"
#include "connectors/jdbc/sink_fields.h"
#include "plugin/topic_partition.h"

namespace connectrun::jdbc {

enum class InsertMode { Insert, Upsert, Update };

struct SinkSettings {
  InsertMode insert_mode = InsertMode::Insert;
  PkMode pk_mode = PkMode::None;
  std::vector<std::string> pk_fields;
  std::set<std::string> whitelist;
  std::string table_format = "${topic}";
  bool delete_enabled = false, auto_create = false, auto_evolve = false, quote = true, exactly_once = false;
  std::string positions_table = "connectrun_jdbc_positions";
  std::string connector;
  DbTimeZone tz;  // db.timezone
};

// (topic, partition) → the offset after the last record written.
using Positions = std::map<std::pair<std::string, int32_t>, int64_t>;

class SinkWriter {
 public:
  SinkWriter(const SinkSettings& s, Connection& conn) : s_(s), conn_(conn) {}
  // Writes `records` in one transaction (COMMIT at the end). `report`, when
  // given, receives records a statement refused (errors.tolerance): the rest
  // is written. Throws ConnectError; the transaction is rolled back then.
  // `defer`: when the batch is one COPY with its own COMMIT (PostgreSQL), it
  // is sent without waiting for the server's answer and true is returned;
  // finish() then collects that answer, and the records must stay alive
  // until it has (a failure is reported there, the transaction rolled back).
  bool write(const std::vector<const Record*>& records, const Positions& positions,
             const std::function<void(const Record&, const std::exception&)>& report, bool defer = false);
  // The answer to a deferred write: throws ConnectError (rolled back) when it failed.
  void finish();
  // Whether finish() would not wait.
  bool ready() { return conn_.copy_ready(); }
  // exactly.once: creates the positions table and reads this connector's rows.
  Positions read_positions();
  // The table a record goes to.
  std::string table_for(const Record& r) const;

 private:
  struct Group {
    std::string table;
    FieldsMetadata fields;
    bool is_delete = false;
    std::vector<const Record*> records;
  };
  void write_all(const std::vector<Group>& groups, const Positions& positions);
  void write_one_by_one(const std::vector<Group>& groups, const Positions& positions,
                        const std::function<void(const Record&, const std::exception&)>& report);
  // `own_tx`: the group is the whole batch and is one COPY, which begins and commits its own transaction.
  void write_group(const Group& g, size_t begin, size_t end, bool own_tx, bool defer = false);
  // Whether `rows` rows of the group are loaded by COPY (PostgreSQL inserts and keyed upserts).
  bool copies(const Group& g, size_t rows) const;
  bool upsert_via_copy(const Group& g, const std::string& tname, const std::vector<std::string>& kq,
                       const std::vector<std::string>& vq, size_t begin, size_t end,
                       const Connection::CopyAround& tx, bool wait);
  void store_positions(const Positions& positions);
  void ensure_table(const Group& g);
  void prepare_staging(const Group& g);
  void quoted_columns(const Group& g, std::vector<std::string>& kq, std::vector<std::string>& vq) const;
  static std::string column_list(const std::vector<std::string>& kq, const std::vector<std::string>& vq);
  std::vector<Group> group(const std::vector<const Record*>& records);
  // A column of `r` for COPY, by address: the record's own value, or one column_value() made, kept in `made`.
  const Value* ref(const SinkColumn& c, const Record& r, std::deque<Value>& made) const;
  TableId table_id(const std::string& name) const;
  std::string q(const std::string& id) const { return conn_.dialect().quote_id(id, s_.quote); }

  const SinkSettings& s_;
  Connection& conn_;
  std::map<std::string, std::set<std::string>> known_columns_;  // per table, after a check
  std::map<std::string, std::string> staging_;  // PostgreSQL upserts: "table (columns)" → its staging table
};

}  // namespace connectrun::jdbc
