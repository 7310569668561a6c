#include "ops/rest_auth.h"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "config/loader.h"
#include "json/base64.h"

namespace connectrun::rest {

namespace {
// Compares without stopping at the first difference, so the time taken does
// not tell a caller how much of a password was right.
bool same(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}
}  // namespace

BasicAuth BasicAuth::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("rest.auth: cannot read the password file {}", path));
  std::stringstream text;
  text << in.rdbuf();
  config::Problems problems;
  auto entries = config::load_properties_text(text.str(), path, problems);
  if (!problems.empty()) throw std::runtime_error(fmt::format("rest.auth: {}", problems.list().front().str()));
  BasicAuth auth;
  for (auto& [user, entry] : entries) {
    // PropertyFileLoginModule's value is "password[,role…]": the roles are not used here.
    std::string password = entry.value.substr(0, entry.value.find(','));
    if (password.empty())
      throw std::runtime_error(fmt::format("rest.auth: {}: user '{}' has no password (write `{}: PASSWORD`)",
                                           entry.loc.str(), user, user));
    auth.passwords_.emplace(user, std::move(password));
  }
  if (auth.passwords_.empty())
    throw std::runtime_error(fmt::format("rest.auth: the password file {} names no user (write `USER: PASSWORD` lines)", path));
  return auth;
}

bool BasicAuth::accepts(std::string_view authorization) const {
  constexpr std::string_view scheme = "Basic ";
  if (authorization.size() <= scheme.size()) return false;
  for (size_t i = 0; i < scheme.size() - 1; ++i)  // the scheme in any case (RFC 9110)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != std::tolower(static_cast<unsigned char>(scheme[i])))
      return false;
  if (authorization[scheme.size() - 1] != ' ') return false;
  auto decoded = base64::decode(authorization.substr(scheme.size()));
  if (!decoded) return false;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return false;
  auto it = passwords_.find(std::string_view(*decoded).substr(0, colon));
  bool ok = same(std::string_view(*decoded).substr(colon + 1), it == passwords_.end() ? std::string_view() : it->second);
  return ok && it != passwords_.end();
}

}  // namespace connectrun::rest
