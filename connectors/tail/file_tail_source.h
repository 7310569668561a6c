// FileTail: follows files matched by paths and globs through rotation
// (rename, copytruncate, while stopped), one record per line or multiline
// event, with offsets kept per file identity (device + inode + fingerprint).
#pragma once

#include "plugin/registry.h"

namespace connectrun::tail {

PluginInfo file_tail_source_plugin();

}  // namespace connectrun::tail
