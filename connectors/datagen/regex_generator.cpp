#include "connectors/datagen/regex_generator.h"

#include <fmt/format.h>

#include <utility>
#include <vector>

namespace connectrun::datagen {

// A parsed pattern: alternatives of sequences of quantified atoms. An atom is
// a set of characters (one is drawn) or a group (a nested alternation).
struct RegexGenerator::Node {
  enum class Kind { Chars, Group, Alternation, Sequence };
  Kind kind = Kind::Chars;
  std::string chars;  // Chars: the characters to draw from, each once
  std::vector<Node> children;
  int min = 1, max = 1;  // repetitions of this node inside a sequence
};

namespace {

using Node = RegexGenerator::Node;

// Printable ASCII: what '.' and negated classes draw from.
std::string printable_ascii() {
  std::string s;
  for (char c = 0x20; c < 0x7f; ++c) s.push_back(c);
  return s;
}

std::string class_escape(char c) {
  std::string s;
  switch (c) {
    case 'd':
      for (char d = '0'; d <= '9'; ++d) s.push_back(d);
      return s;
    case 'w':
      for (char d = 'a'; d <= 'z'; ++d) s.push_back(d);
      for (char d = 'A'; d <= 'Z'; ++d) s.push_back(d);
      for (char d = '0'; d <= '9'; ++d) s.push_back(d);
      s.push_back('_');
      return s;
    case 's':
      return " \t";
    default:
      return {};
  }
}

// Keeps each character once, in first-seen order, so that a class like
// [aab] draws a and b equally.
std::string unique_chars(const std::string& in) {
  bool seen[256] = {};
  std::string out;
  for (char c : in) {
    auto u = static_cast<unsigned char>(c);
    if (!seen[u]) {
      seen[u] = true;
      out.push_back(c);
    }
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view p, int max_unbounded) : p_(p), max_unbounded_(max_unbounded) {}

  Node parse() {
    if (!p_.empty() && p_.front() == '^') ++i_;  // anchors at the very ends mean nothing to a generator
    Node n = alternation();
    if (i_ < p_.size() && p_[i_] == '$' && i_ + 1 == p_.size()) ++i_;
    if (i_ < p_.size()) fail(p_[i_] == ')' ? "an unmatched ')'" : fmt::format("'{}'", p_[i_]));
    return n;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw RegexError(fmt::format(
        "the regex \"{}\" has {} at position {}, outside the subset connectrun generates from (literals, [classes] "
        "with ranges, ., \\d \\w \\s, escaped metacharacters, (groups), |, and the quantifiers ? * + {{n}} {{n,}} "
        "{{n,m}})",
        p_, what, i_));
  }

  bool at_end() const { return i_ >= p_.size(); }

  Node alternation() {
    Node alt;
    alt.kind = Node::Kind::Alternation;
    alt.children.push_back(sequence());
    while (!at_end() && p_[i_] == '|') {
      ++i_;
      alt.children.push_back(sequence());
    }
    return alt;
  }

  Node sequence() {
    Node seq;
    seq.kind = Node::Kind::Sequence;
    while (!at_end() && p_[i_] != '|' && p_[i_] != ')') {
      if (p_[i_] == '$' && i_ + 1 == p_.size()) break;
      Node a = atom();
      quantifier(a);
      seq.children.push_back(std::move(a));
    }
    return seq;
  }

  Node atom() {
    const char c = p_[i_];
    Node n;
    switch (c) {
      case '(': {
        ++i_;
        if (p_.substr(i_, 2) == "?:") {
          i_ += 2;
        } else if (!at_end() && p_[i_] == '?') {
          fail("a group construct '(?'");
        }
        n.kind = Node::Kind::Group;
        n.children.push_back(alternation());
        if (at_end() || p_[i_] != ')') fail("a '(' without its ')'");
        ++i_;
        return n;
      }
      case '[':
        n.chars = char_class();
        return n;
      case '.':
        ++i_;
        n.chars = printable_ascii();
        return n;
      case '\\':
        n.chars = escape(false);
        return n;
      case '*':
      case '+':
      case '?':
      case '{':
        fail(fmt::format("a quantifier '{}' with nothing before it", c));
      case '^':
      case '$':
        fail(fmt::format("an anchor '{}' inside the pattern", c));
      default:
        ++i_;
        n.chars = std::string(1, c);
        return n;
    }
  }

  // After a '\\': the characters it stands for.
  std::string escape(bool in_class) {
    ++i_;
    if (at_end()) fail("a '\\' at the end");
    const char e = p_[i_++];
    std::string s = class_escape(e);
    if (!s.empty()) return s;
    switch (e) {
      case 't': return "\t";
      case 'n': return "\n";
      case 'r': return "\r";
      case 'f': return "\f";
      default: break;
    }
    const std::string_view meta = in_class ? std::string_view("\\]-^[.$|()?*+{}/") : std::string_view("\\.[]{}()|?*+^$-/");
    if (meta.find(e) != std::string_view::npos) return std::string(1, e);
    --i_;
    fail(fmt::format("the escape '\\{}'", e));
  }

  std::string char_class() {
    ++i_;  // '['
    bool negate = false;
    if (!at_end() && p_[i_] == '^') {
      negate = true;
      ++i_;
    }
    std::string set;
    bool first = true;
    while (!at_end() && (p_[i_] != ']' || first)) {
      first = false;
      std::string lo;
      if (p_[i_] == '\\') {
        lo = escape(true);
      } else if (p_[i_] == '[') {
        fail("a nested class '['");
      } else {
        lo = std::string(1, p_[i_++]);
      }
      if (lo.size() == 1 && i_ + 1 < p_.size() && p_[i_] == '-' && p_[i_ + 1] != ']') {
        ++i_;
        std::string hi;
        if (p_[i_] == '\\') {
          hi = escape(true);
        } else {
          hi = std::string(1, p_[i_++]);
        }
        if (hi.size() != 1 || static_cast<unsigned char>(hi[0]) < static_cast<unsigned char>(lo[0]))
          fail(fmt::format("a range '{}-{}' that runs backwards", lo, hi));
        for (int ch = static_cast<unsigned char>(lo[0]); ch <= static_cast<unsigned char>(hi[0]); ++ch)
          set.push_back(static_cast<char>(ch));
      } else {
        set += lo;
      }
    }
    if (at_end()) fail("a '[' without its ']'");
    ++i_;  // ']'
    if (negate) {
      std::string keep;
      for (char ch : printable_ascii())
        if (set.find(ch) == std::string::npos) keep.push_back(ch);
      set = keep;
    }
    if (set.empty()) fail("a class that matches no printable character");
    return unique_chars(set);
  }

  int number() {
    size_t start = i_;
    long v = 0;
    while (!at_end() && p_[i_] >= '0' && p_[i_] <= '9') {
      v = v * 10 + (p_[i_++] - '0');
      if (v > 100000) fail("a repetition count above 100000");
    }
    if (i_ == start) fail("a '{' not followed by a number");
    return static_cast<int>(v);
  }

  void quantifier(Node& a) {
    if (at_end()) return;
    switch (p_[i_]) {
      case '?': a.min = 0; a.max = 1; ++i_; break;
      case '*': a.min = 0; a.max = max_unbounded_; ++i_; break;
      case '+': a.min = 1; a.max = 1 + max_unbounded_; ++i_; break;
      case '{': {
        ++i_;
        a.min = number();
        a.max = a.min;
        if (!at_end() && p_[i_] == ',') {
          ++i_;
          a.max = (!at_end() && p_[i_] == '}') ? a.min + max_unbounded_ : number();
        }
        if (at_end() || p_[i_] != '}') fail("a '{' without its '}'");
        ++i_;
        if (a.max < a.min) fail(fmt::format("a repetition {{{},{}}} whose maximum is below its minimum", a.min, a.max));
        break;
      }
      default:
        return;
    }
    // Lazy and possessive forms match the same strings.
    if (!at_end() && (p_[i_] == '?' || p_[i_] == '+')) ++i_;
    if (!at_end() && (p_[i_] == '*' || p_[i_] == '+' || p_[i_] == '?' || p_[i_] == '{')) fail("a second quantifier");
  }

  std::string_view p_;
  size_t i_ = 0;
  int max_unbounded_;
};

void emit(const Node& n, Rng& rng, std::string& out) {
  const int reps = n.min == n.max ? n.min : static_cast<int>(rng.between(n.min, n.max));
  for (int r = 0; r < reps; ++r) {
    switch (n.kind) {
      case Node::Kind::Chars:
        out.push_back(n.chars.size() == 1 ? n.chars[0] : n.chars[rng.below(n.chars.size())]);
        break;
      case Node::Kind::Group:
        emit(n.children[0], rng, out);
        break;
      case Node::Kind::Alternation:
        emit(n.children.size() == 1 ? n.children[0] : n.children[rng.below(n.children.size())], rng, out);
        break;
      case Node::Kind::Sequence:
        for (const Node& c : n.children) emit(c, rng, out);
        break;
    }
  }
}

}  // namespace

RegexGenerator::RegexGenerator(std::string_view pattern, int max_unbounded)
    : root_(std::make_unique<Node>(Parser(pattern, max_unbounded).parse())) {}
RegexGenerator::~RegexGenerator() = default;
RegexGenerator::RegexGenerator(RegexGenerator&&) noexcept = default;
RegexGenerator& RegexGenerator::operator=(RegexGenerator&&) noexcept = default;

std::string RegexGenerator::generate(Rng& rng) const {
  std::string out;
  emit(*root_, rng, out);
  return out;
}

}  // namespace connectrun::datagen
