// A decoder of PostgreSQL's pgoutput logical replication messages (protocol
// version 1, values in text form): Begin, Commit, Relation, Insert, Update,
// Delete, Truncate; Origin and Type are read and ignored. A binary protocol,
// documented in "Logical Replication Message Formats" of PostgreSQL's manual.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace connectrun::postgres_cdc {

// One column value of a tuple: null, unchanged TOAST (not sent), or text.
struct TupleValue {
  enum Kind : char { Null = 'n', Unchanged = 'u', Text = 't' } kind = Null;
  std::string text;
};
using Tuple = std::vector<TupleValue>;

struct RelationColumn {
  bool key = false;  // part of the replica identity
  std::string name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};

struct PgMessage {
  enum class Kind { Begin, Commit, Relation, Insert, Update, Delete, Truncate, Other } kind = Kind::Other;
  // Begin: final (commit) LSN, commit time, xid. Commit: commit LSN, end LSN, time.
  uint64_t commit_lsn = 0;
  uint64_t end_lsn = 0;
  int64_t commit_time_us = 0;  // microseconds since the Unix epoch
  uint32_t xid = 0;
  // Relation, Insert, Update, Delete
  uint32_t relid = 0;
  std::string nspname, relname;
  char replica_identity = 'd';
  std::vector<RelationColumn> columns;
  // Update/Delete: the old tuple ('K' key columns only, 'O' whole row), when sent.
  char old_kind = 0;
  Tuple old_tuple;
  Tuple new_tuple;
  // Truncate
  std::vector<uint32_t> relids;
};

// Throws std::runtime_error on a malformed message.
PgMessage decode_pgoutput(std::string_view data);

// PostgreSQL timestamps count microseconds from 2000-01-01.
inline constexpr int64_t kPgEpochUnixMicros = 946684800LL * 1000000LL;

}  // namespace connectrun::postgres_cdc
