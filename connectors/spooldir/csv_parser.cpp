#include "connectors/spooldir/csv_parser.h"

#include <cctype>

namespace connectrun::spooldir {

namespace {
bool all_white(const std::string& s) {
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}
}  // namespace

bool CsvParser::is_null(const std::string& text, bool quoted) const {
  if (!text.empty()) return false;
  switch (o_.null_field) {
    case NullFieldIndicator::EmptySeparators: return !quoted;
    case NullFieldIndicator::EmptyQuotes: return quoted;
    case NullFieldIndicator::Both: return true;
    case NullFieldIndicator::Neither: return false;
  }
  return false;
}

CsvField& CsvParser::next_field() {
  if (count_ == fields_.size()) fields_.emplace_back();
  return fields_[count_++];
}

void CsvParser::end_field(std::string& text, bool quoted) {
  CsvField& f = next_field();
  f.null = is_null(text, quoted);
  f.text.swap(text);
  text.clear();
}

// opencsv's CSVParser.parseLineMulti, character for character (its quirks
// included: a quote inside an unquoted field toggles quoting, a lone escape
// character is dropped), and RFC4180Parser when o_.rfc4180 is set.
bool CsvParser::feed(std::string_view line) {
  bool in_quotes = false;
  if (!pending_) {
    count_ = 0;
    sb_.clear();
    quoted_ = false;
    in_field_ = false;
  } else {
    in_quotes = !o_.ignore_quotations;
  }
  const size_t n = line.size();
  for (size_t i = 0; i < n; ++i) {
    const char c = line[i];
    const bool quoting = (in_quotes && !o_.ignore_quotations) || in_field_;
    if (!o_.rfc4180 && c == o_.escape) {
      // Only a quote or the escape character itself can be escaped; a lone
      // escape character is dropped (opencsv).
      if (quoting && i + 1 < n && (line[i + 1] == o_.quote || line[i + 1] == o_.escape)) {
        sb_.push_back(line[i + 1]);
        ++i;
      }
      continue;
    }
    if (c == o_.quote) {
      if (quoting && i + 1 < n && line[i + 1] == o_.quote) {  // "" inside quotes
        sb_.push_back(c);
        ++i;
        continue;
      }
      in_quotes = !in_quotes;
      if (sb_.empty()) quoted_ = true;
      if (o_.rfc4180) {
        // RFC 4180: a quote inside an unquoted field is text.
        if (!quoted_ && !sb_.empty()) {
          sb_.push_back(c);
          in_quotes = false;
        }
        continue;
      }
      if (!o_.strict_quotes && i > 2 && line[i - 1] != o_.separator && i + 1 < n && line[i + 1] != o_.separator) {
        if (o_.ignore_leading_whitespace && !sb_.empty() && all_white(sb_))
          sb_.clear();
        else
          sb_.push_back(c);
      }
      in_field_ = !in_field_;
      continue;
    }
    if (c == o_.separator && !(in_quotes && !o_.ignore_quotations)) {
      end_field(sb_, quoted_);
      quoted_ = false;
      in_field_ = false;
      continue;
    }
    if (!o_.strict_quotes || (in_quotes && !o_.ignore_quotations)) {
      sb_.push_back(c);
      in_field_ = true;
    }
  }
  if (in_quotes && !o_.ignore_quotations) {
    sb_.push_back('\n');  // the field goes on with the next line
    pending_ = true;
    return false;
  }
  pending_ = false;
  in_field_ = false;
  end_field(sb_, quoted_);
  quoted_ = false;
  return true;
}

}  // namespace connectrun::spooldir
