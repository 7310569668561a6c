// Helpers the JDBC family's tests share: job files and database CLIs.
#pragma once

#include <string>

#include <fmt/format.h>

#include "support.h"

namespace jdbctest {

// Runs the sqlite3 CLI on `db` with `sql`; returns its output (REQUIREs success).
std::string sqlite(const std::string& db, const std::string& sql);
// A job: a JdbcSource (its keys in `source_keys`, YAML lines indented 4) into
// a FileStreamSink writing JSON with schemas to `out`.
std::string source_job(const std::string& dir, const std::string& source_keys);
// A job: FileStreamSource reading `in` (JSON envelopes, one per line, to topic
// `topic`) into a JdbcSink with `sink_keys`.
std::string sink_job(const std::string& dir, const std::string& topic, const std::string& sink_keys);
// JsonConverter's envelope of a struct value {id:int32, name:string optional[, extra:optional string]}.
std::string person(int id, const std::string& name, bool with_extra = false, const std::string& extra = "");

}  // namespace jdbctest
