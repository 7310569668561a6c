// The CSV row parser of kafka-connect-spooldir's SpoolDirCsvSource: opencsv's
// CSVParser (separator, quote, backslash escape, strict quotes, ignore leading
// whitespace, ignore quotations, null field indicator) or, with
// csv.rfc.4180.parser.enabled, opencsv's RFC4180Parser. Written here because
// Debian's libcsv has no escape character (the Java connector's default is \)
// and cannot tell an empty quoted field from an empty unquoted one
// (csv.null.field.indicator EMPTY_QUOTES).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace connectrun::spooldir {

enum class NullFieldIndicator { EmptySeparators, EmptyQuotes, Both, Neither };

struct CsvOptions {
  char separator = ',';
  char quote = '"';
  char escape = '\\';
  bool strict_quotes = false;
  bool ignore_leading_whitespace = true;
  bool ignore_quotations = false;
  bool rfc4180 = false;  // RFC4180Parser: "" inside quotes, no escape character, whitespace kept
  NullFieldIndicator null_field = NullFieldIndicator::Neither;
};

struct CsvField {
  std::string text;
  bool null = false;
};

// Parses physical lines (without their terminator) into rows. A quoted field
// may span lines: feed() returns false until the row is complete.
class CsvParser {
 public:
  explicit CsvParser(const CsvOptions& options) : o_(options) {}
  // Parses one line into the current row. True when the row is complete.
  bool feed(std::string_view line);
  // Inside a quoted field that continues on the next line.
  bool pending() const { return pending_; }
  // The fields of the last complete row (valid until the next feed()).
  const std::vector<CsvField>& fields() const { return fields_; }
  size_t size() const { return count_; }

 private:
  CsvField& next_field();
  void end_field(std::string& text, bool quoted);
  bool is_null(const std::string& text, bool quoted) const;

  CsvOptions o_;
  std::vector<CsvField> fields_;  // reused: a row allocates nothing once warm
  size_t count_ = 0;
  std::string sb_;  // the field being read
  bool pending_ = false;
  bool quoted_ = false;   // the field started with a quote (for the null indicator)
  bool in_field_ = false;
};

}  // namespace connectrun::spooldir
