// File-system helpers of the spool directory task: listing, ordering, task
// partitioning (kafka-connect-spooldir's ByName), moving across file systems.
#pragma once

#include <string>
#include <vector>

#include "connectors/spooldir/spool_config.h"
#include "connectors/spooldir/spool_task.h"

namespace connectrun::spooldir {

// Regular files under `cfg.input_path` (recursively when walking) whose name
// matches input.file.pattern and is not a processing marker, sorted by
// files.sort.attributes and restricted to this task's share. Throws
// std::runtime_error when input.path cannot be listed.
std::vector<InputFile> list_input_files(const SpoolConfig& cfg);

// kafka-connect-spooldir's ByName partitioner: abs(Adler-32 of the name's
// UTF-16 code units, little-endian) % task.count == task.index.
bool belongs_to_task(const std::string& name, int task_index, int task_count);

// rename(2), or copy and remove when `to` is on another file system. Creates
// the target's folder. Throws std::runtime_error.
void move_file(const std::string& from, const std::string& to);

// Writes `text` to `path` (replacing it) and fsyncs it. Throws std::runtime_error.
void write_small_file(const std::string& path, const std::string& text);

int64_t now_ms();

}  // namespace connectrun::spooldir
