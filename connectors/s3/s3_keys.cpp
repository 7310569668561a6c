#include "connectors/s3/s3_keys.h"

namespace connectrun::s3 {

using config::ConfigValue;
using config::KeyType;

void define_connection_keys(config::ConfigSpec& spec) {
  spec.define({.name = "s3.bucket.name", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "The bucket.", .validator = config::validators::non_empty_string()});
  spec.define({.name = "s3.region", .type = KeyType::String, .default_value = ConfigValue{std::string("us-west-2")},
               .doc = "The region, signed into every request (SigV4) and naming the AWS endpoint when store.url is empty."});
  spec.define({.name = "store.url", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "The endpoint of an S3-compatible store (http://host:port, https://storage.googleapis.com, …). "
                      "Empty: Amazon S3 at https://s3.<s3.region>.amazonaws.com."});
  spec.define({.name = "s3.path.style.access.enabled", .type = KeyType::Boolean, .default_value = ConfigValue{true},
               .doc = "Path-style URLs (endpoint/bucket/key); false: virtual-hosted (bucket.endpoint/key)."});
  spec.define({.name = "aws.access.key.id", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "The access key. Empty: AWS_ACCESS_KEY_ID, else the shared credentials file (~/.aws/credentials, "
                      "AWS_SHARED_CREDENTIALS_FILE, profile AWS_PROFILE)."});
  spec.define({.name = "aws.secret.access.key", .type = KeyType::Password, .default_value = ConfigValue{std::string()},
               .doc = "The secret key (see aws.access.key.id)."});
  spec.define({.name = "s3.part.retries", .type = KeyType::Int, .default_value = ConfigValue{int64_t{3}},
               .doc = "Retries of a failed request (5xx, throttling, connection failure) before it counts as failed; "
                      "then errors.retry.timeout applies.", .validator = config::validators::at_least(0)});
  spec.define({.name = "s3.retry.backoff.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{200}},
               .doc = "Wait before the first retry of a request, doubled for each further one.",
               .validator = config::validators::at_least(0)});
}

std::unique_ptr<S3Client> make_client(const config::ConfigValues& cfg) {
  S3Endpoint ep{cfg.get_string("store.url"), cfg.get_string("s3.region"), cfg.get_string("s3.bucket.name"),
                cfg.get_bool("s3.path.style.access.enabled")};
  S3Credentials cred = resolve_credentials(cfg.get_string("aws.access.key.id"), cfg.get_string("aws.secret.access.key"));
  return std::make_unique<S3Client>(ep, cred, S3RetryPolicy{cfg.get_int("s3.part.retries"), cfg.get_long("s3.retry.backoff.ms")});
}

}  // namespace connectrun::s3
