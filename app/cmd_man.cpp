// `connectrun man connectrun.1|connectrun-job.5`: the man pages, written from
// the same declarations as --help (the CLI11 commands) and `connectrun plugins`
// (every plugin's keys), so they cannot drift from the binary. The build
// writes them into build/man/ and `cmake --install` puts them in share/man.
#include <iostream>

#include <fmt/format.h>

#include "commands.h"
#include "config/spec.h"
#include "connectors/connectors.h"
#include "exit_codes.h"
#include "plan/job_config.h"
#include "plugin/plugin_docs.h"

namespace connectrun::cli {

namespace {

// Text safe in roff: backslashes escaped, '-' as a real hyphen-minus (so
// options can be searched and pasted), and a leading '.' or '\'' neutralised.
std::string roff(std::string_view s) {
  std::string out;
  bool line_start = true;
  for (char c : s) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
    line_start = c == '\n';
  }
  return out;
}

std::string option_entry(const CLI::Option* opt) {
  std::string names = opt->nonpositional() ? opt->get_name(false, true) : opt->get_name(true);
  std::string type = opt->get_type_name();
  std::string out = ".TP\n\\fB" + roff(names) + "\\fR";
  if (!type.empty() && opt->get_expected_max() != 0) out += " \\fI" + roff(type) + "\\fR";
  return out + "\n" + roff(opt->get_description()) + "\n";
}

std::string options_of(const CLI::App& app) {
  std::string out;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_name() == "--help" || opt->get_name() == "-h,--help" || opt->get_description().empty()) continue;
    out += option_entry(opt);
  }
  return out;
}

void command_section(const CLI::App& cmd, const std::string& path, std::string& out) {
  auto subs = cmd.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); });
  std::string usage = path;
  for (const CLI::Option* opt : cmd.get_options())
    if (!opt->nonpositional()) usage += " " + opt->get_name(true) + (opt->get_expected_max() > 1 ? "..." : "");
  out += ".SS " + roff(usage) + "\n" + roff(cmd.get_description()) + "\n";
  std::string opts = options_of(cmd);
  if (!opts.empty()) out += ".RS\n" + opts + ".RE\n";
  if (!cmd.get_footer().empty()) out += ".PP\n" + roff(cmd.get_footer()) + "\n";
  for (const CLI::App* sub : subs) command_section(*sub, path + " " + sub->get_name(), out);
}

std::string connectrun_1(const CLI::App& app) {
  std::string out = fmt::format(".TH CONNECTRUN 1 \"\" \"connectrun {}\" \"User Commands\"\n", CONNECTRUN_VERSION);
  out += ".SH NAME\nconnectrun \\- Kafka Connect's standalone mode as one native binary\n";
  out += ".SH SYNOPSIS\n\\fBconnectrun\\fR [\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] \\fIfiles\\fR...\n";
  out += ".SH DESCRIPTION\n" + roff(app.get_description()) + "\n";
  out += ".PP\nThe job file's format and every plugin's keys are in \\fBconnectrun\\-job\\fR(5).\n";
  out += ".SH GLOBAL OPTIONS\n" + options_of(app);
  out += ".SH COMMANDS\n";
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); }))
    command_section(*sub, "connectrun " + sub->get_name(), out);
  out += ".SH EXIT STATUS\n";
  for (const ExitCodeInfo& e : kExitCodes) out += fmt::format(".TP\n\\fB{}\\fR\n{}\n", e.code, roff(e.meaning));
  out += ".SH ENVIRONMENT\n";
  for (auto [name, what] : std::initializer_list<std::pair<const char*, const char*>>{
           {"NOTIFY_SOCKET, WATCHDOG_USEC", "Set by systemd for Type=notify units: connectrun reports READY=1, "
                                            "STOPPING=1, STATUS= and watchdog pings."},
           {"JOURNAL_STREAM", "Set by systemd when stderr goes to the journal: log lines carry <N> priority "
                              "prefixes and no time stamps."},
           {"CONNECTRUN_LOG_LEVEL, CONNECTRUN_LOG_FORMAT", "Stand in for --log-level and --log-format when those "
                                                          "are not given (the flags win); a bad value exits 2."},
           {"CONNECTRUN_MODULE_DIR", "The folder holding the modules (connectrun-FAMILY.so for the connector "
                                     "families, connectrun-rest.so for the REST server, connectrun-kafka.so for "
                                     "the Kafka client, connectrun-icu.so for the date formats), instead of the binary's modules/ folder and the installed lib/connectrun."},
           {"NO_COLOR", "Any non-empty value turns off the colour of level words on a terminal "
                        "(https://no-color.org)."},
           {"TERM", "Level words are coloured only on a terminal whose TERM is set and not dumb."},
           {"${env:NAME}", "Job files may take any value from the environment with this placeholder "
                           "(Kafka's EnvVarConfigProvider); ${env:NAME:-default} takes default when NAME is unset "
                           "or empty."},
           {"AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE",
            "The S3 connectors' credentials when the job gives none."}})
    out += fmt::format(".TP\n\\fB{}\\fR\n{}\n", roff(name), roff(what));
  out += ".SH FILES\n"
         ".TP\n\\fB/etc/connectrun/\\fINAME\\fB.yaml\\fR\nThe job run by the systemd unit \\fBconnectrun@\\fINAME\\fR.\n"
         ".TP\n\\fB/var/lib/connectrun/\\fINAME\\fB/\\fR\nThat unit's working and state directory: a relative "
         "\\fBoffset.storage.file.filename\\fR lands here.\n"
         ".TP\n\\fB/usr/share/doc/connectrun/\\fR\nThe documentation and examples/ with runnable jobs.\n";
  out += ".SH EXAMPLES\n.nf\n"
         "connectrun run examples/quickstart.yaml\n"
         "connectrun run \\-\\-once job.yaml            # from cron: up to the end of the input, then exit\n"
         "connectrun validate job.yaml\n"
         "connectrun run connect\\-standalone.properties connect\\-file\\-source.properties\n"
         "connectrun offsets list job.yaml\n"
         "connectrun plugins FileStreamSource\n.fi\n";
  out += ".SH SEE ALSO\n\\fBconnectrun\\-job\\fR(5), \\fBsystemctl\\fR(1), \\fBkcat\\fR(1)\n";
  return out;
}

std::string key_entries(const config::ConfigSpec& spec) {
  std::string out;
  for (const auto& k : spec.keys())
    out += fmt::format(".TP\n\\fB{}\\fR ({}, default {})\n{}\n", roff(k.name), config::key_type_name(k.type),
                       roff(default_text(k)), roff(k.doc));
  return out;
}

std::string connectrun_job_5() {
  std::string out = fmt::format(".TH CONNECTRUN\\-JOB 5 \"\" \"connectrun {}\" \"File Formats\"\n", CONNECTRUN_VERSION);
  out += ".SH NAME\nconnectrun\\-job \\- the job file connectrun runs, and every plugin's keys\n";
  out += ".SH DESCRIPTION\nA job is one YAML file with a \\fBworker\\fR section (Kafka Connect's worker keys) and a "
         "\\fBconnectors\\fR list, each connector a map with \\fBname\\fR, \\fBconnector.class\\fR and that "
         "connector's keys, as in Kafka Connect's connector .properties files. Kafka Connect's own files "
         "(worker.properties followed by connector .properties or .json files) are read too.\n"
         ".PP\n.nf\nworker:\n  offset.storage.file.filename: offsets.json\nconnectors:\n"
         "  \\- name: lines\n    connector.class: FileStreamSource\n    file: input.txt\n    topic: lines\n"
         "  \\- name: out\n    connector.class: FileStreamSink\n    file: output.txt\n    topics: lines\n.fi\n";
  out += ".SH WORKER KEYS\n" + key_entries(worker_spec());
  out += ".SH KEYS OF EVERY CONNECTOR\n" + key_entries(connector_common_spec());
  out += ".SS Sink connectors also take\n" + key_entries(sink_common_spec());
  out += ".SS Source connectors also take\n" + key_entries(source_common_spec());
  out += ".SH PLUGINS\n";
  for (PluginKind kind : {PluginKind::Source, PluginKind::Sink, PluginKind::Converter, PluginKind::HeaderConverter,
                          PluginKind::Transform, PluginKind::Predicate}) {
    for (const PluginInfo& p : all_builtin_plugins().all()) {
      if (p.kind != kind) continue;
      out += fmt::format(".SS {} ({})\n{}\n", roff(p.name), plugin_kind_name(p.kind), roff(p.summary));
      if (!p.aliases.empty()) {
        std::string aliases;
        for (auto& a : p.aliases) aliases += (aliases.empty() ? "" : ", ") + a;
        out += ".PP\nAlso named: " + roff(aliases) + "\n";
      }
      if (!p.spec.keys().empty()) out += ".RS\n" + key_entries(p.spec) + ".RE\n";
    }
  }
  out += ".SH SEE ALSO\n\\fBconnectrun\\fR(1)\n";
  return out;
}

}  // namespace

void ManCommand::add(CLI::App& app) {
  root = &app;
  cmd = app.add_subcommand("man", "Print a man page in roff: connectrun.1 (the commands) or connectrun-job.5 "
                                  "(the job file and every plugin's keys).");
  cmd->add_option("page", page, "connectrun.1 or connectrun-job.5")
      ->required()
      ->check(CLI::IsMember({"connectrun.1", "connectrun-job.5"}));
}

int ManCommand::run() {
  std::cout << (page == "connectrun.1" ? connectrun_1(*root) : connectrun_job_5());
  return kExitOk;
}

}  // namespace connectrun::cli
