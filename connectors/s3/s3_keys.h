// The connection keys the S3 sink and source share (bucket, endpoint,
// credentials, retries), declared once, and the client they make.
#pragma once

#include <memory>

#include "config/spec.h"
#include "connectors/s3/s3_client.h"

namespace connectrun::s3 {

void define_connection_keys(config::ConfigSpec& spec);
// Throws ConnectError when no credentials are found.
std::unique_ptr<S3Client> make_client(const config::ConfigValues& cfg);

}  // namespace connectrun::s3
