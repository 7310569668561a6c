#include "connectors/s3/s3_client.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "connectors/common/curl_handles.h"

namespace connectrun::s3 {

namespace {

struct XmlDocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// libcurl's and libxml2's global state, set up once per process before the
// first use (neither initialiser is thread-safe; a function-local static is).
void curl_global() {
  static const bool done = [] {
    curl_global_init_once();
    xmlInitParser();
    return true;
  }();
  (void)done;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  constexpr std::string_view name = "etag:";
  if (line.size() > name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) {
    line.remove_prefix(name.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
    *static_cast<std::string*>(user) = std::string(line);
  }
  return size * n;
}

// The text of every element named `name` below `node`, in document order.
void collect(xmlNode* node, const char* name, std::vector<std::string>& out) {
  for (xmlNode* n = node; n; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, reinterpret_cast<const xmlChar*>(name)) == 0) {
      xmlChar* text = xmlNodeGetContent(n);
      out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
      xmlFree(text);
    }
    collect(n->children, name, out);
  }
}

XmlDocPtr parse_xml(const std::string& body) {
  return XmlDocPtr(xmlReadMemory(body.data(), static_cast<int>(body.size()), "s3.xml", nullptr,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

std::string xml_first(const std::string& body, const char* name) {
  XmlDocPtr doc = parse_xml(body);
  if (!doc) return {};
  std::vector<std::string> out;
  collect(xmlDocGetRootElement(doc.get()), name, out);
  return out.empty() ? std::string() : out.front();
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

// ~/.aws/credentials: [profile] sections of key = value lines.
S3Credentials from_shared_file(const std::string& path, const std::string& profile) {
  S3Credentials c;
  std::ifstream in(path);
  std::string line, section;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = trim(line.substr(1, line.size() - 2));
      continue;
    }
    if (section != profile) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = trim(line.substr(0, eq)), v = trim(line.substr(eq + 1));
    if (k == "aws_access_key_id") c.access_key = v;
    else if (k == "aws_secret_access_key") c.secret_key = v;
    else if (k == "aws_session_token") c.session_token = v;
  }
  return c;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

}  // namespace

std::string uri_encode(std::string_view s, bool keep_slash) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

S3Credentials resolve_credentials(const std::string& access_key, const std::string& secret_key) {
  if (!access_key.empty() || !secret_key.empty()) {
    if (access_key.empty() || secret_key.empty())
      throw ConnectError("set both aws.access.key.id and aws.secret.access.key, or neither (then AWS_ACCESS_KEY_ID / "
                         "AWS_SECRET_ACCESS_KEY or ~/.aws/credentials are used)");
    return {access_key, secret_key, ""};
  }
  if (!env("AWS_ACCESS_KEY_ID").empty() && !env("AWS_SECRET_ACCESS_KEY").empty())
    return {env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN")};
  std::string path = env("AWS_SHARED_CREDENTIALS_FILE");
  if (path.empty() && !env("HOME").empty()) path = env("HOME") + "/.aws/credentials";
  std::string profile = env("AWS_PROFILE").empty() ? "default" : env("AWS_PROFILE");
  if (!path.empty()) {
    S3Credentials c = from_shared_file(path, profile);
    if (!c.access_key.empty() && !c.secret_key.empty()) return c;
  }
  throw ConnectError(fmt::format(
      "no AWS credentials: set aws.access.key.id and aws.secret.access.key, or the environment variables "
      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or profile [{}] in {}", profile,
      path.empty() ? std::string("~/.aws/credentials") : path));
}

struct S3Client::Impl {
  CurlEasy curl;
  std::string base;  // scheme://host[:port] (with the bucket in the host for virtual-hosted style)
  std::string bucket_path;  // "/bucket" for path style, "" otherwise
};

S3Client::S3Client(S3Endpoint endpoint, S3Credentials credentials, S3RetryPolicy retry)
    : impl_(std::make_unique<Impl>()), endpoint_(std::move(endpoint)), credentials_(std::move(credentials)),
      retry_(retry) {
  curl_global();
  impl_->curl.reset(curl_easy_init());
  if (!impl_->curl) throw ConnectError("cannot create a libcurl handle");
  std::string url = endpoint_.url.empty() ? fmt::format("https://s3.{}.amazonaws.com", endpoint_.region) : endpoint_.url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (endpoint_.path_style) {
    impl_->base = url;
    impl_->bucket_path = "/" + uri_encode(endpoint_.bucket, false);
  } else {
    auto scheme_end = url.find("://");
    size_t host_at = scheme_end == std::string::npos ? 0 : scheme_end + 3;
    impl_->base = url.substr(0, host_at) + endpoint_.bucket + "." + url.substr(host_at);
  }
}

S3Client::~S3Client() = default;

std::string S3Client::where() const {
  return fmt::format("bucket '{}' at endpoint {}", endpoint_.bucket,
                     endpoint_.url.empty() ? fmt::format("https://s3.{}.amazonaws.com", endpoint_.region) : endpoint_.url);
}

S3Client::Response S3Client::attempt(const char* method, const std::string& url, std::string_view body,
                                     const std::string& content_type) {
  CURL* c = impl_->curl.get();
  curl_easy_reset(c);  // keeps the connection cache: the next request reuses the connection
  Response r;
  std::string sigv4 = "aws:amz:" + endpoint_.region + ":s3";
  std::string method_s(method);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(c, CURLOPT_USERNAME, credentials_.access_key.c_str());
  curl_easy_setopt(c, CURLOPT_PASSWORD, credentials_.secret_key.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  // A stalled transfer (no byte for a minute) counts as a failure to retry.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.etag);
  // No "Expect:" line to switch 100-continue off: libcurl 7.88 signs a header
  // it then removes ("expect" in SignedHeaders, never sent), which a server
  // checking SigV4 refuses (found by the sigv4_proxy.py stand-in). The
  // Expect: 100-continue libcurl adds for bodies over 1 MiB is not signed.
  std::vector<std::string> lines{"x-amz-content-sha256: " + sha256_hex(body)};
  if (!credentials_.session_token.empty()) lines.push_back("x-amz-security-token: " + credentials_.session_token);
  if (method_s == "PUT" || method_s == "POST") {
    lines.push_back("Content-Type: " + (content_type.empty() ? std::string("application/octet-stream") : content_type));
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  } else if (method_s == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (method_s != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  }
  CurlHeaders headers = make_curl_headers(lines);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK)
    throw S3Error(fmt::format("{} {}: {}", method, url, curl_easy_strerror(rc)), true, 0);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

S3Client::Response S3Client::send(const char* method, const std::string& key, const std::string& query,
                                  std::string_view body, const std::string& content_type) {
  std::string url = impl_->base + impl_->bucket_path + "/" + uri_encode(key, true);
  if (!query.empty()) url += "?" + query;
  int64_t backoff = retry_.backoff_ms;
  for (int tries = 0;; ++tries) {
    try {
      Response r = attempt(method, url, body, content_type);
      // Throttling and server errors are worth another try; other answers are final.
      bool retriable = r.status >= 500 || r.status == 429;
      if (!retriable || tries >= retry_.retries) return r;
    } catch (const S3Error& e) {
      if (tries >= retry_.retries) throw;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(backoff));
    backoff = std::min<int64_t>(backoff * 2, 24LL * 3600 * 1000);
  }
}

S3Error S3Client::failure(const char* what, const std::string& key, const Response& r) const {
  std::string code = xml_first(r.body, "Code"), message = xml_first(r.body, "Message");
  std::string object = key.empty() ? std::string() : fmt::format(" (object '{}')", key);
  std::string answer = code.empty() ? fmt::format("HTTP {}", r.status)
                                    : fmt::format("HTTP {} {}{}", r.status, code, message.empty() ? "" : ": " + message);
  std::string hint;
  if (r.status == 403)
    hint = "; check aws.access.key.id / aws.secret.access.key (or AWS_ACCESS_KEY_ID / ~/.aws/credentials), s3.region "
           "and the IAM permissions listed in docs/connectors/s3.md";
  else if (code == "NoSuchBucket" || (r.status == 404 && key.empty()))
    hint = "; the bucket does not exist: create it, or fix s3.bucket.name / store.url";
  bool retriable = r.status >= 500 || r.status == 429;
  return S3Error(fmt::format("cannot {} {}{}: the server answered {}{}", what, where(), object, answer, hint), retriable,
                 r.status);
}

void S3Client::check_bucket() {
  Response r = send("HEAD", "", "", {});
  if (r.status == 404) r.body = "<Error><Code>NoSuchBucket</Code></Error>";
  // A HEAD answer has no body: a 403 is asked again as a one-key listing (the
  // same s3:ListBucket permission) to name its cause (SignatureDoesNotMatch,
  // InvalidAccessKeyId, AccessDenied).
  if (r.status == 403) {
    Response g = send("GET", "", "list-type=2&max-keys=1", {});
    if (g.status == 403 && !g.body.empty()) r = std::move(g);
  }
  if (r.status != 200) throw failure("reach", "", r);
}

void S3Client::put_object(const std::string& key, std::string_view body) {
  Response r = send("PUT", key, "", body);
  if (r.status != 200) throw failure("write", key, r);
}

std::string S3Client::create_multipart_upload(const std::string& key) {
  Response r = send("POST", key, "uploads=", {});
  std::string id = r.status == 200 ? xml_first(r.body, "UploadId") : "";
  if (r.status != 200 || id.empty()) throw failure("start a multipart upload in", key, r);
  return id;
}

std::string S3Client::upload_part(const std::string& key, const std::string& upload_id, int part_number,
                                  std::string_view body) {
  Response r = send("PUT", key, fmt::format("partNumber={}&uploadId={}", part_number, uri_encode(upload_id, false)), body);
  if (r.status != 200) throw failure("upload a part to", key, r);
  return r.etag;
}

void S3Client::complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                         const std::vector<std::string>& etags) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i)
    xml += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1, etags[i]);
  xml += "</CompleteMultipartUpload>";
  Response r = send("POST", key, "uploadId=" + uri_encode(upload_id, false), xml, "application/xml");
  // S3 may answer 200 with an <Error> body when completion fails late.
  if (r.status != 200 || r.body.find("<Error>") != std::string::npos) throw failure("complete an object in", key, r);
}

void S3Client::abort_multipart_upload(const std::string& key, const std::string& upload_id) {
  Response r = send("DELETE", key, "uploadId=" + uri_encode(upload_id, false), {});
  if (r.status != 204 && r.status != 200 && r.status != 404) throw failure("abort a multipart upload in", key, r);
}

std::string S3Client::get_object(const std::string& key) {
  Response r = send("GET", key, "", {});
  if (r.status != 200) throw failure("read", key, r);
  return std::move(r.body);
}

std::vector<S3Object> S3Client::list_objects(const std::string& prefix, const std::string& start_after) {
  std::vector<S3Object> out;
  std::string token;
  for (;;) {
    // Parameters in canonical (sorted, encoded) order: SigV4 signs the query as sent.
    std::string query;
    if (!token.empty()) query += "continuation-token=" + uri_encode(token, false) + "&";
    query += "list-type=2&prefix=" + uri_encode(prefix, false);
    if (!start_after.empty()) query += "&start-after=" + uri_encode(start_after, false);
    Response r = send("GET", "", query, {});
    if (r.status != 200) throw failure("list objects in", "", r);
    XmlDocPtr doc = parse_xml(r.body);
    if (!doc) throw S3Error(fmt::format("cannot list objects in {}: the answer is not XML", where()), false, r.status);
    xmlNode* root = xmlDocGetRootElement(doc.get());
    for (xmlNode* n = root ? root->children : nullptr; n; n = n->next) {
      if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, BAD_CAST "Contents") != 0) continue;
      std::vector<std::string> key, size;
      collect(n->children, "Key", key);
      collect(n->children, "Size", size);
      if (!key.empty()) out.push_back({key.front(), size.empty() ? 0 : std::atoll(size.front().c_str())});
    }
    std::vector<std::string> truncated, next;
    collect(root, "IsTruncated", truncated);
    collect(root, "NextContinuationToken", next);
    if (truncated.empty() || truncated.front() != "true" || next.empty()) break;
    token = next.front();
  }
  return out;
}

}  // namespace connectrun::s3
