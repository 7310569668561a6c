// Every job example in README.md, docs/*.md and docs/connectors/*.md is run through `connectrun
// validate`, so the docs stay true (docs/config-tests.md, "Examples in the
// docs"). A ```yaml or ```properties block is checked unless its info string
// says `fragment` (```yaml fragment): a piece of a file, not a whole one.
//   yaml with `connectors:`            a job
//   yaml with `worker:` only           a piece of a worker section: stock values fill the
//                                      required keys it leaves out, a stock connector is added
//   properties with connector.class    a connector file, behind a stock worker.properties
//   properties without it              a worker file (required keys filled in likewise),
//                                      before a stock connector file
// Any other yaml block must be marked a fragment.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "support.h"

using namespace testsupport;

namespace {

const std::string kSourceDir = CONNECTRUN_SOURCE_DIR;

struct Block {
  std::string file, lang, text;
  int line = 0;  // of the opening fence
  bool fragment = false;
};

// Fenced code blocks (``` only, possibly indented inside a list item).
std::vector<Block> code_blocks(const std::string& path, const std::string& shown) {
  std::vector<Block> out;
  std::istringstream in(read_file(path));
  std::string line;
  int n = 0;
  std::optional<Block> open;
  size_t indent = 0;
  while (std::getline(in, line)) {
    ++n;
    size_t start = line.find_first_not_of(' ');
    bool fence = start != std::string::npos && line.compare(start, 3, "```") == 0;
    if (open) {
      if (fence && line.find_first_not_of('`', start) == std::string::npos) {
        out.push_back(*open);
        open.reset();
      } else {
        open->text += (line.size() >= indent ? line.substr(indent) : std::string()) + "\n";
      }
    } else if (fence) {
      std::istringstream info(line.substr(start + 3));
      Block b{shown, "", "", n, false};
      info >> b.lang;
      for (std::string word; info >> word;) b.fragment = b.fragment || word == "fragment";
      indent = start;
      open = b;
    }
  }
  return out;
}

const char* kStockWorker = "offset.storage.file.filename=offsets.json\nkey.converter=StringConverter\n"
                           "value.converter=StringConverter\n";
const char* kStockConnector = "name=docs-stock-source\nconnector.class=FileStreamSource\nfile=in.txt\ntopic=docs-stock\n";
const char* kStockConnectorsYaml = "connectors:\n  - name: docs-stock-source\n    connector.class: FileStreamSource\n"
                                   "    file: in.txt\n    topic: docs-stock\n";

// Config provider references in an example point at the reader's secrets:
// ${env:NAME} gets a placeholder value (set in this process, inherited by
// connectrun) and ${file:PATH:KEY} is pointed at a placeholder file in `dir`.
std::string with_placeholder_secrets(std::string text, const TempDir& dir) {
  static const std::regex env(R"(\$\{env:([A-Za-z_][A-Za-z0-9_]*)\})");
  for (std::sregex_iterator it(text.begin(), text.end(), env), end; it != end; ++it)
    ::setenv((*it)[1].str().c_str(), "docs-placeholder", 0);
  static const std::regex file(R"(\$\{file:([^:}]+):([^}]+)\})");
  std::string secrets;
  for (std::sregex_iterator it(text.begin(), text.end(), file), end; it != end; ++it)
    secrets += (*it)[2].str() + "=docs-placeholder\n";
  if (secrets.empty()) return text;
  write_file(dir / "secrets.properties", secrets);
  return std::regex_replace(text, file, "$${file:" + (dir / "secrets.properties") + ":$2}");
}

// Directory keys (`….path`) an example points into /tmp (SpoolDir's input.path,
// …) must exist for validate: they are moved into `dir` and created there, so
// the check does not depend on what happens to be in the machine's /tmp.
std::string with_directories_made(const std::string& text, const TempDir& dir) {
  static const std::regex path_key(R"(([A-Za-z0-9_.]+\.path[ \t]*[=:][ \t]*)/tmp/([^\s]+))");
  for (std::sregex_iterator it(text.begin(), text.end(), path_key), end; it != end; ++it)
    std::filesystem::create_directories(dir / ("tmp/" + (*it)[2].str()));
  return std::regex_replace(text, path_key, "$1" + (dir / "tmp") + "/$2");
}

// The files to validate for a block, written into `dir`; empty (and `why`) when it is no job.
std::vector<std::string> job_files(Block b, const TempDir& dir, std::string& why) {
  b.text = with_directories_made(with_placeholder_secrets(b.text, dir), dir);
  if (b.lang == "yaml") {
    YAML::Node root;
    try {
      root = YAML::Load(b.text);
    } catch (const YAML::Exception& e) {
      why = std::string("not valid YAML: ") + e.what();
      return {};
    }
    if (!root.IsMap() || (!root["connectors"] && !root["worker"])) {
      why = "neither a job (connectors:) nor a worker section (worker:); mark the block ```yaml fragment";
      return {};
    }
    std::string text = b.text;
    if (!root["connectors"]) {
      // A piece of a worker section: stock values for the required keys it leaves out.
      YAML::Node worker = root["worker"];
      for (auto [key, value] : {std::pair{"offset.storage.file.filename", "offsets.json"},
                                std::pair{"key.converter", "StringConverter"},
                                std::pair{"value.converter", "StringConverter"}})
        if (worker.IsMap() && !worker[key]) worker[key] = value;
      YAML::Emitter emitted;
      emitted << root;
      text = std::string(emitted.c_str()) + "\n" + kStockConnectorsYaml;
    }
    write_file(dir / "job.yaml", text);
    return {dir / "job.yaml"};
  }
  bool connector = b.text.find("connector.class") != std::string::npos;
  std::string worker = b.text;
  if (!connector)  // stock values for the required keys a worker file leaves out
    for (auto key : {"offset.storage.file.filename", "key.converter", "value.converter"})
      if (worker.find(key) == std::string::npos)
        for (auto& line : split_lines(kStockWorker))
          if (line.rfind(std::string(key) + "=", 0) == 0) worker += "\n" + line + "\n";
  write_file(dir / "worker.properties", connector ? kStockWorker : worker);
  write_file(dir / "connector.properties", connector ? b.text : kStockConnector);
  return {dir / "worker.properties", dir / "connector.properties"};
}

}  // namespace

TEST_CASE("every job example in README.md and docs validates", "[e2e][defects][migrate][families]") {
  std::vector<std::pair<std::string, std::string>> docs{{kSourceDir + "/README.md", "README.md"}};
  for (std::string sub : {"docs", "docs/connectors"})
    for (auto& e : std::filesystem::directory_iterator(kSourceDir + "/" + sub))
      if (e.path().extension() == ".md") docs.emplace_back(e.path().string(), sub + "/" + e.path().filename().string());
  int checked = 0;
  for (auto& [path, shown] : docs)
    for (auto& b : code_blocks(path, shown)) {
      if ((b.lang != "yaml" && b.lang != "properties") || b.fragment) continue;
      INFO(b.file << ":" << b.line << " (```" << b.lang << ")\n" << b.text);
      TempDir dir;
      write_file(dir / "in.txt", "");
      std::string why;
      auto files = job_files(b, dir, why);
      INFO(why);
      REQUIRE(!files.empty());
      std::vector<std::string> args{"validate"};
      args.insert(args.end(), files.begin(), files.end());
      auto r = run_connectrun(args, std::chrono::seconds(60), dir.path());
      INFO(r.err);
      CHECK(r.exit_code == 0);
      ++checked;
    }
  // README's job, transforms.md's chain, the worker sections of http-api.md and systemd.md, and the
  // connector pages' migration examples at least.
  CHECK(checked >= 15);
}

TEST_CASE("the docs example checker finds blocks and honours fragment marks", "[defects]") {
  TempDir dir;
  write_file(dir / "t.md", "text\n```yaml\nconnectors: []\n```\n- item\n  ```properties fragment\n  a=b\n  ```\n"
                           "```sh\necho\n```\n");
  auto blocks = code_blocks(dir / "t.md", "t.md");
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[0].lang == "yaml");
  CHECK(blocks[0].line == 2);
  CHECK(blocks[0].text == "connectors: []\n");
  CHECK(!blocks[0].fragment);
  CHECK(blocks[1].lang == "properties");
  CHECK(blocks[1].fragment);
  CHECK(blocks[1].text == "a=b\n");
  CHECK(blocks[2].lang == "sh");
}
