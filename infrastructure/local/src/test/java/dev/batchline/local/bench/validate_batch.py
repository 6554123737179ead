#!/usr/bin/env python3
"""The baseline of ValidateStartBench: a batch file checked with Python's standard json module
against the rules `batchline validate --profile generic` applies (one streaming pass, every line
checked, problems counted). Exit status 0 valid, 1 invalid."""
import json
import sys

ENDPOINTS = {
    "/v1/chat/completions": "messages",
    "/v1/embeddings": "input",
    "/v1/responses": "input",
    "/v1/completions": "prompt",
    "/v1/moderations": "input",
}
MAX_LINE_BYTES = 10 * 1024 * 1024
MAX_FILE_REQUESTS = 5_000_000
MAX_FILE_BYTES = 10_000 * 1024 * 1024
MAX_CUSTOM_ID = 512


def validate(path):
    errors = 0
    requests = 0
    size = 0
    seen = set()
    endpoint = None
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            size += len(raw)
            line = raw.rstrip(b"\r\n")
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                errors += 1  # blank_line
                continue
            requests += 1
            if len(line) > MAX_LINE_BYTES:
                errors += 1  # line_too_large
                continue
            try:
                text = line.decode("utf-8", errors="strict")
            except UnicodeDecodeError:
                errors += 1  # invalid_encoding
                continue
            try:
                request = json.loads(text)
            except ValueError:
                errors += 1  # invalid_json
                continue
            if not isinstance(request, dict):
                errors += 1
                continue
            custom_id = request.get("custom_id")
            if custom_id is None:
                errors += 1  # missing_custom_id
            elif not isinstance(custom_id, str) or not custom_id or len(custom_id) > MAX_CUSTOM_ID:
                errors += 1  # invalid_custom_id
            elif custom_id in seen:
                errors += 1  # duplicate_custom_id
            else:
                seen.add(custom_id)
            if request.get("method") != "POST":
                errors += 1  # invalid_method
            url = request.get("url")
            if url not in ENDPOINTS:
                errors += 1  # invalid_url
            elif endpoint is None:
                endpoint = url
            elif url != endpoint:
                errors += 1  # mismatched_url
            body = request.get("body")
            if not isinstance(body, dict):
                errors += 1  # missing_body
                continue
            if not isinstance(body.get("model"), str):
                errors += 1  # missing_model
            if "stream" in body and body["stream"] is not False:
                errors += 1  # stream_not_supported
            if url in ENDPOINTS and ENDPOINTS[url] not in body:
                errors += 1  # missing_required_field
    if requests == 0:
        errors += 1  # empty_file
    if requests > MAX_FILE_REQUESTS:
        errors += 1  # too_many_requests
    if size > MAX_FILE_BYTES:
        errors += 1  # file_too_large
    return requests, errors


if __name__ == "__main__":
    count, problems = validate(sys.argv[1])
    print(f"{sys.argv[1]}: {count} requests, {problems} problem(s)")
    sys.exit(0 if problems == 0 else 1)
