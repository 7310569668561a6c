#!/usr/bin/env python3
"""A test stand-in: an HTTP proxy in front of s3rver that checks AWS Signature
Version 4 as Amazon S3 does, because s3rver checks only the access key id.

For every request it recomputes the signature from what arrived (method, path,
query, the signed headers, the payload hash) with the secret key given on the
command line. A mismatch is answered 403 SignatureDoesNotMatch (a payload whose
SHA-256 is not the x-amz-content-sha256 header: 400 XAmzContentSHA256Mismatch),
as S3 answers; a request that passes goes on to s3rver unchanged and its answer
comes back. With --delay-ms every request waits that long first (a slow
server); with --drop-answers N the first N PutObject requests are passed on
(the object is written) but their connection is closed without an answer, as
when an answer is lost or times out. Each request gives one line in --log: "OK <operation> <method> <target>"
or "BAD <operation> <method> <target> <why>".

The canonical forms follow AWS's documentation: the path and the query are
decoded, then each part is percent-encoded again (everything but A-Z a-z 0-9
- _ . ~, '/' kept in the path), the query parameters sorted. A client that
signs something else than what it sends (a '+' or a space left unencoded, a
query in another order, a wrong secret) is therefore refused.

--self-test checks this code against the signatures of AWS's published
examples (docs: "Signature Calculations for the Authorization Header:
Transferring Payload in a Single Chunk") and exits 1 if one differs; the proxy
runs the same check before it listens.
"""
import argparse
import hashlib
import hmac
import http.client
import http.server
import socketserver
import sys
import threading
import time
import urllib.parse

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def uri_encode(s, keep_slash):
    out = []
    for b in s.encode("utf-8") if isinstance(s, str) else s:
        c = chr(b)
        if c in UNRESERVED or (keep_slash and c == "/"):
            out.append(c)
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def canonical_uri(raw_path):
    # S3 does not normalise the path (no removal of '//' or '.'): each byte as decoded, encoded once.
    return uri_encode(urllib.parse.unquote_to_bytes(raw_path), True) or "/"


def canonical_query(raw_query):
    if not raw_query:
        return ""
    params = []
    for part in raw_query.split("&"):
        name, _, value = part.partition("=")
        params.append((uri_encode(urllib.parse.unquote_to_bytes(name), False),
                       uri_encode(urllib.parse.unquote_to_bytes(value), False)))
    params.sort()
    return "&".join(f"{n}={v}" for n, v in params)


def canonical_headers(headers, signed):
    lines = []
    for name in signed:
        values = headers.get(name)
        if values is None:
            raise ValueError(f"signed header '{name}' is missing")
        lines.append(name + ":" + ",".join(" ".join(v.split()) for v in values) + "\n")
    return "".join(lines)


def signing_key(secret, date, region, service):
    k = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


def signature(secret, method, raw_path, raw_query, headers, signed, payload_hash, amz_date, scope):
    """headers: lower-case name -> list of values as received."""
    creq = "\n".join([method, canonical_uri(raw_path), canonical_query(raw_query),
                      canonical_headers(headers, signed), ";".join(signed), payload_hash])
    sts = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(creq.encode()).hexdigest()])
    date, region, service, _ = scope.split("/")
    return hmac.new(signing_key(secret, date, region, service), sts.encode(), hashlib.sha256).hexdigest()


# AWS's published examples: secret, request and the documented signature.
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AWS_SCOPE = "20130524/us-east-1/s3/aws4_request"
PUT_SHA256 = hashlib.sha256(b"Welcome to Amazon S3.").hexdigest()  # the PUT example's body
AWS_EXAMPLES = [
    ("GET Object", "GET", "/test.txt", "",
     {"host": ["examplebucket.s3.amazonaws.com"], "range": ["bytes=0-9"],
      "x-amz-content-sha256": [EMPTY_SHA256], "x-amz-date": ["20130524T000000Z"]},
     ["host", "range", "x-amz-content-sha256", "x-amz-date"], EMPTY_SHA256,
     "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
    ("PUT Object", "PUT", "/test%24file.text", "",
     {"host": ["examplebucket.s3.amazonaws.com"], "date": ["Fri, 24 May 2013 00:00:00 GMT"],
      "x-amz-content-sha256": [PUT_SHA256], "x-amz-date": ["20130524T000000Z"],
      "x-amz-storage-class": ["REDUCED_REDUNDANCY"]},
     ["date", "host", "x-amz-content-sha256", "x-amz-date", "x-amz-storage-class"], PUT_SHA256,
     "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
    ("GET Bucket Lifecycle", "GET", "/", "lifecycle",
     {"host": ["examplebucket.s3.amazonaws.com"], "x-amz-content-sha256": [EMPTY_SHA256],
      "x-amz-date": ["20130524T000000Z"]},
     ["host", "x-amz-content-sha256", "x-amz-date"], EMPTY_SHA256,
     "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
    ("GET Bucket (List Objects)", "GET", "/", "max-keys=2&prefix=J",
     {"host": ["examplebucket.s3.amazonaws.com"], "x-amz-content-sha256": [EMPTY_SHA256],
      "x-amz-date": ["20130524T000000Z"]},
     ["host", "x-amz-content-sha256", "x-amz-date"], EMPTY_SHA256,
     "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
]


def self_test():
    ok = True
    for name, method, path, query, headers, signed, payload, expected in AWS_EXAMPLES:
        got = signature(AWS_SECRET, method, path, query, headers, signed, payload, "20130524T000000Z", AWS_SCOPE)
        good = got == expected
        ok = ok and good
        print(f"AWS example '{name}': signature {got} {'matches' if good else 'DIFFERS from'} the documented {expected}")
    return ok


def operation(method, path, query):
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    on_bucket = path.strip("/").count("/") == 0  # path style: /bucket
    if method == "PUT":
        return "UploadPart" if "partNumber" in q else "PutObject"
    if method == "POST":
        return "CreateMultipartUpload" if "uploads" in q else "CompleteMultipartUpload"
    if method == "GET":
        if on_bucket:
            return "ListObjectsV2" if q.get("list-type") == ["2"] else "ListObjects"
        return "GetObject"
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in q else "DeleteObject"
    if method == "HEAD":
        return "HeadBucket" if on_bucket else "HeadObject"
    return method


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client reuses its connection

    def log_message(self, fmt, *args):
        pass

    def record(self, line):
        with self.server.log_lock, open(self.server.log_path, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code>"
                f"<Message>{message}</Message></Error>").encode()
        self.reply(status, body, [("Content-Type", "application/xml")])

    def verify(self, body):
        """None when the request is signed right, else (status, code, message, why)."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 "):
            return 403, "AccessDenied", "Only AWS Signature Version 4 is accepted here.", "not SigV4"
        fields = {}
        for part in auth[len("AWS4-HMAC-SHA256 "):].split(","):
            k, _, v = part.strip().partition("=")
            fields[k] = v
        access_key, _, scope = fields.get("Credential", "").partition("/")
        if access_key != self.server.access_key:
            return 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", \
                "access key " + access_key
        signed = fields.get("SignedHeaders", "").split(";")
        if "host" not in signed or "x-amz-content-sha256" not in signed:
            return 403, "AccessDenied", "host and x-amz-content-sha256 must be signed.", "unsigned host/sha256"
        payload_hash = self.headers.get("x-amz-content-sha256", "")
        if payload_hash != "UNSIGNED-PAYLOAD" and payload_hash != hashlib.sha256(body).hexdigest():
            return 400, "XAmzContentSHA256Mismatch", \
                "The provided 'x-amz-content-sha256' header does not match what was computed.", "payload hash"
        headers = {}
        for k, v in self.headers.items():
            headers.setdefault(k.lower(), []).append(v)
        raw_path, _, raw_query = self.path.partition("?")
        try:
            expected = signature(self.server.secret, self.command, raw_path, raw_query, headers, signed,
                                 payload_hash, self.headers.get("x-amz-date", ""), scope)
        except ValueError as e:
            return 403, "AccessDenied", str(e), str(e)
        if not hmac.compare_digest(expected, fields.get("Signature", "")):
            return 403, "SignatureDoesNotMatch", ("The request signature we calculated does not match the signature "
                                                  "you provided. Check your key and signing method."), "signature"
        return None

    def handle_any(self):
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length) if length else b""
        raw_query = self.path.partition("?")[2]
        op = operation(self.command, self.path.partition("?")[0], raw_query)
        if self.server.delay > 0:
            time.sleep(self.server.delay)
        bad = self.verify(body)
        if bad:
            status, code, message, why = bad
            self.record(f"BAD {op} {self.command} {self.path} {why}")
            self.error(status, code, message)
            return
        self.record(f"OK {op} {self.command} {self.path}")
        drop = False
        if op == "PutObject":
            with self.server.log_lock:
                drop = self.server.drops_left > 0
                self.server.drops_left -= 1
        up = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
            up.request(self.command, self.path, body=body if (body or self.command in ("PUT", "POST")) else None,
                       headers=headers)
            r = up.getresponse()
            data = r.read()
            if drop:  # the object is written, but the answer never comes: the client must try again
                self.record(f"DROPPED {op} {self.command} {self.path} {r.status}")
                self.close_connection = True
                self.connection.shutdown(2)
                return
            keep = [(k, v) for k, v in r.getheaders()
                    if k.lower() in ("etag", "content-type", "last-modified", "x-amz-request-id")]
            self.reply(r.status, data, keep)
        except OSError as e:
            self.record(f"UPSTREAM {op} {e}")
            self.error(502, "BadGateway", str(e))
        finally:
            up.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--self-test", action="store_true")
    p.add_argument("--port", type=int)
    p.add_argument("--upstream-port", type=int)
    p.add_argument("--access-key", default="S3RVER")
    p.add_argument("--secret", default="S3RVER")
    p.add_argument("--log", default="/dev/null")
    p.add_argument("--delay-ms", type=int, default=0)
    p.add_argument("--drop-answers", type=int, default=0)
    a = p.parse_args()
    if not self_test():
        sys.exit(1)
    if a.self_test:
        return
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.upstream_port, srv.access_key, srv.secret = a.upstream_port, a.access_key, a.secret
    srv.log_path, srv.log_lock, srv.delay = a.log, threading.Lock(), a.delay_ms / 1000.0
    srv.drops_left = a.drop_answers
    srv.serve_forever()


if __name__ == "__main__":
    main()
