// `rest.auth`: HTTP basic authentication for the REST interface, from a
// password file in the format of Kafka's JAAS PropertyFileLoginModule (the
// BasicAuthSecurityRestExtension's): one `user: password` (or `user=password`)
// line per user, read as java.util.Properties. See docs/http-api.md.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace connectrun::rest {

class BasicAuth {
 public:
  // Reads the password file; throws std::runtime_error naming the file and
  // what is wrong (unreadable, no user, a user without a password).
  static BasicAuth from_file(const std::string& path);
  // True when `authorization` (the Authorization header's value) is
  // "Basic base64(user:password)" for a user of the file.
  bool accepts(std::string_view authorization) const;
  size_t users() const { return passwords_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> passwords_;
};

// The value of WWW-Authenticate sent with a 401.
inline constexpr const char* kAuthChallenge = "Basic realm=\"connectrun\", charset=\"UTF-8\"";

}  // namespace connectrun::rest
