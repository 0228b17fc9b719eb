#!/usr/bin/env python3
"""A strict fake of the OpenAI API parts gcx uses (standard library only).

  python3 openai_server.py --port 0 --key sk-test [--script FILE] [--log FILE]

Prints "PORT <n>" first. Serves POST /v1/chat/completions, /v1/images/edits (multipart),
/v1/images/generations (JSON), and the Batch API for chat completions: POST /v1/files (multipart,
purpose batch), POST /v1/batches, GET /v1/batches/{id}, GET /v1/files/{id}/content. Checks method, path, Bearer key, content type, field names and
types, images (PNG signature + IHDR), sizes/quality per model; answers in the documented shapes.
Behaviours (faults, captions, logging): see fakecommon.py.
"""

import base64
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakecommon import (Fault, State, common_args, encode_png, parse_multipart, serve,  # noqa: E402
                        sniff_image, strict_b64decode)

DEFAULT_CAPTION = (
    "Type: photograph. Style: natural. Lighting: soft daylight. Palette: grey, green.\n"
    "Top-left: pale grey sky.\nTop-center: continues the sky.\nTop-right: continues the sky.\n"
    "Middle-left: green trees.\nMiddle-center: a white house.\nMiddle-right: continues the trees.\n"
    "Bottom-left: green lawn.\nBottom-center: gravel path.\nBottom-right: continues the lawn.\n"
    "Composition: eye-level view, house centred, horizon in the middle.")

GPT_IMAGE = ("gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5")
SIZES = {
    "gpt-image": {"1024x1024", "1536x1024", "1024x1536", "auto"},
    "dall-e-3": {"1024x1024", "1792x1024", "1024x1792"},
    "dall-e-2": {"256x256", "512x512", "1024x1024"},
}
QUALITY = {
    "gpt-image": {"low", "medium", "high", "auto"},
    "dall-e-3": {"standard", "hd"},
    "dall-e-2": {"standard"},
}
CHAT_KEYS = {"model", "messages", "temperature", "top_p", "max_tokens", "max_completion_tokens", "n",
             "stream", "stop", "seed", "user", "response_format", "presence_penalty",
             "frequency_penalty", "logprobs", "top_logprobs", "store", "metadata", "reasoning_effort"}
EDIT_FIELDS = {"image", "image[]", "mask", "prompt", "model", "n", "size", "quality", "input_fidelity",
               "response_format", "background", "output_format", "output_compression", "user",
               "moderation", "partial_images", "stream"}
GEN_KEYS = {"prompt", "model", "n", "size", "quality", "response_format", "style", "background",
            "output_format", "output_compression", "user", "moderation", "partial_images", "stream"}


def family(model):
    if model in GPT_IMAGE:
        return "gpt-image"
    if model in ("dall-e-2", "dall-e-3"):
        return model
    return None


def error(status, message, param=None, code=None, etype="invalid_request_error"):
    return Fault(status, {"error": {"message": message, "type": etype, "param": param, "code": code}})


def bad(message, param=None, code=None):
    return error(400, message, param, code)


class OpenAIApp:
    def __init__(self, state):
        self.state = state
        self.key = state.args.key
        script = state.script
        self.captions = None
        if "captions" in script:
            self.captions = list(script["captions"])
        elif "captions_jsonl" in script:
            with open(script["captions_jsonl"]) as f:
                self.captions = [json.loads(line)["prompt"] for line in f if line.strip()]
        elif "caption_text" in script:
            self.captions = [script["caption_text"]]
        self.files = {}      # id -> {"purpose", "filename", "data", "created_at"}
        self.batches = {}    # id -> batch object (plus "_polls", "_lines")
        self.lock = threading.Lock()

    @staticmethod
    def error_body(status, message):
        etype = {429: "requests", 401: "invalid_request_error"}.get(status, "server_error" if status >= 500 else "invalid_request_error")
        code = "rate_limit_exceeded" if status == 429 else None
        return {"error": {"message": message, "type": etype, "param": None, "code": code}}

    # ------------------------------------------------------------ dispatch

    def handle(self, h, record, answer=True):
        routes = {("POST", "/v1/chat/completions"): self.chat, ("POST", "/v1/images/edits"): self.edits,
                  ("POST", "/v1/images/generations"): self.generations,
                  ("POST", "/v1/files"): self.upload_file, ("POST", "/v1/batches"): self.create_batch}
        path = record["path"]
        route = routes.get((h.command, path))
        if route is None:
            batch = re.fullmatch(r"/v1/batches/([A-Za-z0-9_-]+)", path)
            content = re.fullmatch(r"/v1/files/([A-Za-z0-9_-]+)/content", path)
            if batch and h.command == "GET":
                route = lambda h, record, answer: self.retrieve_batch(batch.group(1), record, answer)
            elif content and h.command == "GET":
                route = lambda h, record, answer: self.file_content(content.group(1), record, answer)
        if route is None:
            raise error(404, "Invalid URL (%s %s)" % (h.command, path))
        self.check_auth(h, record)
        return route(h, record, answer)

    # ------------------------------------------------------------ batch

    def upload_file(self, h, record, answer):
        try:
            parts = parse_multipart(h.headers.get("Content-Type") or "", h.body)
        except ValueError as exc:
            raise bad("Could not parse multipart form: %s" % exc)
        fields, upload = {}, None
        for name, filename, ctype, content in parts:
            if name == "file" and filename is not None:
                upload = (filename, content)
            elif name == "purpose" and filename is None:
                fields["purpose"] = content.decode("utf-8")
            else:
                raise bad("Unrecognized file upload parameter: '%s'." % name, name)
        record["fields"] = {"purpose": fields.get("purpose"), "filename": upload and upload[0],
                            "bytes": upload and len(upload[1])}
        if upload is None:
            raise bad("Missing required parameter: 'file'.", "file", "missing_required_parameter")
        purpose = fields.get("purpose")
        if purpose not in ("batch", "assistants", "fine-tune", "vision", "user_data", "evals"):
            raise bad("Invalid value for 'purpose': %r." % purpose, "purpose")
        if purpose == "batch" and not upload[0].endswith(".jsonl"):
            raise bad("Batch input files must be .jsonl files.", "file", "invalid_file_format")
        if not answer:
            return 200, {}, {}
        with self.lock:
            file_id = "file-fake%d" % (len(self.files) + 1)
            self.files[file_id] = {"purpose": purpose, "filename": upload[0], "data": upload[1],
                                   "created_at": int(time.time())}
        return 200, {"id": file_id, "object": "file", "bytes": len(upload[1]), "created_at": int(time.time()),
                     "filename": upload[0], "purpose": purpose}, {}

    def create_batch(self, h, record, answer):
        body = self.json_body(h)
        record["fields"] = body
        for key in body:
            if key not in ("input_file_id", "endpoint", "completion_window", "metadata", "output_expires_after"):
                raise bad("Unrecognized request argument supplied: %s" % key, key)
        file_id = body.get("input_file_id")
        stored = self.files.get(file_id)
        if stored is None:
            raise error(404, "No such File object: %s" % file_id, "input_file_id")
        if stored["purpose"] != "batch":
            raise bad("The input file must be uploaded with purpose 'batch'.", "input_file_id")
        if body.get("endpoint") not in ("/v1/responses", "/v1/chat/completions", "/v1/embeddings", "/v1/completions",
                                        "/v1/moderations", "/v1/images/generations", "/v1/images/edits", "/v1/videos"):
            raise bad("Invalid value for 'endpoint': %r." % body.get("endpoint"), "endpoint")
        if body.get("completion_window") != "24h":
            raise bad("Invalid value for 'completion_window': only '24h' is supported.", "completion_window")
        metadata = body.get("metadata")
        if metadata is not None and (not isinstance(metadata, dict) or len(metadata) > 16 or not all(
                isinstance(k, str) and len(k) <= 64 and isinstance(v, str) and len(v) <= 512 for k, v in metadata.items())):
            raise bad("Invalid 'metadata': at most 16 string pairs, keys up to 64 and values up to 512 characters.", "metadata")
        if not answer:
            return 200, {}, {}
        now = int(time.time())
        lines = stored["data"].decode("utf-8").splitlines()
        with self.lock:
            batch_id = "batch_fake%d" % (len(self.batches) + 1)
            batch = {"id": batch_id, "object": "batch", "endpoint": body["endpoint"], "errors": None,
                     "input_file_id": file_id, "completion_window": "24h", "status": "validating",
                     "output_file_id": None, "error_file_id": None, "created_at": now,
                     "in_progress_at": None, "expires_at": now + 86400, "finalizing_at": None,
                     "completed_at": None, "failed_at": None, "expired_at": None, "cancelling_at": None,
                     "cancelled_at": None, "request_counts": {"total": 0, "completed": 0, "failed": 0},
                     "metadata": metadata}
            self.batches[batch_id] = dict(batch, _polls=0, _lines=lines)
        return 200, batch, {}

    def retrieve_batch(self, batch_id, record, answer):
        with self.lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                raise error(404, "No such Batch object: %s" % batch_id)
            if not answer:
                return 200, {}, {}
            plan = self.state.script.get("batch", {})
            if batch["status"] in ("validating", "in_progress"):
                batch["_polls"] += 1
                if batch["_polls"] <= int(plan.get("polls", 1)):
                    batch["status"] = "in_progress"
                    batch["in_progress_at"] = batch["in_progress_at"] or int(time.time())
                    batch["request_counts"]["total"] = len(batch["_lines"])
                else:
                    self.finish_batch(batch, plan)
            record["fields"] = {"batch": batch_id, "status": batch["status"]}
            return 200, {k: v for k, v in batch.items() if not k.startswith("_")}, {}

    def finish_batch(self, batch, plan):
        now = int(time.time())
        lines = batch["_lines"]
        errors, seen = [], set()
        requests = []
        for number, line in enumerate(lines):
            try:
                item = json.loads(line)
            except ValueError:
                errors.append({"code": "invalid_json_line", "message": "This line is not parseable as valid JSON.",
                               "param": None, "line": number + 1})
                continue
            cid = item.get("custom_id") if isinstance(item, dict) else None
            if not isinstance(cid, str) or not cid:
                errors.append({"code": "missing_custom_id", "message": "The custom_id is missing.",
                               "param": "custom_id", "line": number + 1})
            elif cid in seen:
                errors.append({"code": "duplicate_custom_id", "message": "The custom_id for this request is a duplicate of another request. The custom_id parameter must be unique for each request in a batch.",
                               "param": "custom_id", "line": number + 1})
            elif item.get("method") != "POST" or item.get("url") != batch["endpoint"]:
                errors.append({"code": "mismatched_endpoint", "message": "The URL provided for this request does not match the batch endpoint.",
                               "param": "url", "line": number + 1})
            seen.add(cid)
            requests.append(item)
        outcome = plan.get("outcome", "completed")
        if errors or outcome == "failed":
            if not errors:
                errors = [{"code": "invalid_request", "message": "The batch input file is invalid.", "param": None, "line": None}]
            batch.update(status="failed", failed_at=now, errors={"object": "list", "data": errors})
            return
        done = len(requests) if outcome == "completed" else int(plan.get("done_lines", 0))
        fail_lines = set(plan.get("fail_lines", []))
        output, failed = [], []
        for number, item in enumerate(requests):
            rid = "batch_req_fake%d_%d" % (len(self.batches), number)
            if number >= done:
                code = "batch_expired" if outcome == "expired" else "batch_cancelled"
                message = ("This request could not be executed before the completion window expired."
                           if outcome == "expired" else "This request was not executed because the batch was cancelled.")
                failed.append({"id": rid, "custom_id": item["custom_id"], "response": None,
                               "error": {"code": code, "message": message}})
                continue
            if number in fail_lines:
                failed.append({"id": rid, "custom_id": item["custom_id"], "error": None, "response": {
                    "status_code": 500, "request_id": "req_fake%d" % number,
                    "body": self.error_body(500, "The server had an error while processing your request. Sorry about that!")}})
                continue
            shim = type("Shim", (), {})()
            shim.headers = {"Content-Type": "application/json"}
            shim.body = json.dumps(item.get("body")).encode("utf-8")
            inner = {"n": number}
            try:
                status, payload, _ = self.chat(shim, inner, True)
            except Fault as f:
                status, payload = f.status, f.body
            entry = {"id": rid, "custom_id": item["custom_id"], "error": None,
                     "response": {"status_code": status, "request_id": "req_fake%d" % number, "body": payload}}
            (output if status == 200 else failed).append(entry)
        def store(rows):
            if not rows:
                return None
            file_id = "file-fake%d" % (len(self.files) + 1)
            self.files[file_id] = {"purpose": "batch_output", "filename": "batch_output.jsonl",
                                   "data": "".join(json.dumps(r) + "\n" for r in rows).encode("utf-8"), "created_at": now}
            return file_id
        batch["output_file_id"] = store(output)
        batch["error_file_id"] = store(failed)
        batch["request_counts"] = {"total": len(requests), "completed": len(output), "failed": len(failed)}
        if outcome == "completed":
            batch.update(status="completed", finalizing_at=now, completed_at=now)
        elif outcome == "expired":
            batch.update(status="expired", expired_at=now)
        else:
            batch.update(status="cancelled", cancelling_at=now, cancelled_at=now)

    def file_content(self, file_id, record, answer):
        stored = self.files.get(file_id)
        if stored is None:
            raise error(404, "No such File object: %s" % file_id)
        if stored["purpose"] == "batch":
            raise bad("Not allowed to download files of purpose: batch", "file_id")
        if not answer:
            return 200, {}, {}
        record["fields"] = {"file": file_id, "bytes": len(stored["data"])}
        return 200, stored["data"], {"Content-Type": "application/octet-stream"}

    def check_auth(self, h, record):
        value = h.headers.get("Authorization")
        if value is None:
            record["auth"] = "missing"
            raise error(401, "You didn't provide an API key. You need to provide your API key in an "
                             "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
        given = value[7:] if value.startswith("Bearer ") else value
        if self.key is None or given == self.key:
            record["auth"] = "ok"
            return
        record["auth"] = "wrong"
        shown = given if self.state.script.get("echo_key_in_401") else (given[:3] + "*" * 4 + given[-4:])
        raise error(401, "Incorrect API key provided: %s. You can find your API key at "
                         "https://platform.openai.com/account/api-keys." % shown, code="invalid_api_key")

    def json_body(self, h):
        ctype = (h.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise bad("Invalid Content-Type header (%s), expected application/json." % (ctype or "none"))
        try:
            body = json.loads(h.body.decode("utf-8"))
        except Exception as exc:
            raise bad("We could not parse the JSON body of your request. (%s)" % exc)
        if not isinstance(body, dict):
            raise bad("The request body must be a JSON object.")
        return body

    # ------------------------------------------------------------ chat

    def chat(self, h, record, answer):
        body = self.json_body(h)
        for key in body:
            if key not in CHAT_KEYS:
                raise bad("Unrecognized request argument supplied: %s" % key, key)
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise bad("you must provide a model parameter", "model")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise bad("'messages' must be a non-empty array", "messages")
        summary = []
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or m.get("role") not in ("system", "developer", "user", "assistant"):
                raise bad("Invalid value for 'messages[%d].role'." % i, "messages[%d].role" % i)
            content = m.get("content")
            item = {"role": m["role"]}
            if isinstance(content, str):
                item["text"] = content
            elif isinstance(content, list) and m["role"] == "user":
                item["parts"] = [self.chat_part(p, i, j) for j, p in enumerate(content)]
            else:
                raise bad("Invalid type for 'messages[%d].content'." % i, "messages[%d].content" % i)
            summary.append(item)
        record["fields"] = {"model": model, "messages": summary}
        if not answer:
            return 200, {}, {}
        k = self.state.bump("chat")
        text = self.captions[k % len(self.captions)] if self.captions else DEFAULT_CAPTION
        return 200, {
            "id": "chatcmpl-fake%d" % record["n"], "object": "chat.completion", "created": int(time.time()),
            "model": model, "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1000, "completion_tokens": len(text.split()),
                      "total_tokens": 1000 + len(text.split())},
        }, {}

    def chat_part(self, part, i, j):
        where = "messages[%d].content[%d]" % (i, j)
        if not isinstance(part, dict):
            raise bad("Invalid type for '%s'." % where, where)
        kind = part.get("type")
        if kind == "text":
            if not isinstance(part.get("text"), str) or set(part) != {"type", "text"}:
                raise bad("Invalid content part '%s': text parts hold only type and text." % where, where)
            return {"type": "text", "text": part["text"]}
        if kind == "image_url":
            image = part.get("image_url")
            if set(part) != {"type", "image_url"} or not isinstance(image, dict) or not isinstance(image.get("url"), str):
                raise bad("Invalid content part '%s': expected image_url.url." % where, where)
            if not set(image) <= {"url", "detail"} or image.get("detail", "auto") not in ("auto", "low", "high"):
                raise bad("Invalid value for '%s.image_url'." % where, where)
            url = image["url"]
            prefix, sep, data = url.partition(";base64,")
            if not sep or prefix not in ("data:image/png", "data:image/jpeg", "data:image/webp", "data:image/gif"):
                raise bad("Invalid image URL: expected a base64 data URL of a supported image type.",
                          where, "invalid_image_url")
            try:
                info = sniff_image(strict_b64decode(data))
            except ValueError as exc:
                raise bad("You uploaded an unsupported image. Please make sure your image is valid. (%s)" % exc,
                          where, "invalid_image_format")
            if prefix[len("data:image/"):] != info["format"]:
                raise bad("The image data is %s but the data URL says %s." % (info["format"], prefix[5:]),
                          where, "invalid_image_format")
            return dict(info, type="image_url", mime=prefix[5:])
        raise bad("Invalid value for '%s.type': %r." % (where, kind), where)

    # ------------------------------------------------------------ images

    def check_image_options(self, model, size, quality, n, record):
        fam = family(model)
        if fam is None:
            raise bad("Invalid value for 'model': '%s'. Supported: %s, dall-e-2, dall-e-3." %
                      (model, ", ".join(GPT_IMAGE)), "model", "invalid_value")
        if size is not None and size not in SIZES[fam]:
            raise bad("Invalid value: '%s'. Supported values are: %s." %
                      (size, ", ".join("'%s'" % s for s in sorted(SIZES[fam]))), "size", "invalid_value")
        if quality is not None and quality not in QUALITY[fam]:
            raise bad("Invalid value: '%s'. Supported values are: %s." %
                      (quality, ", ".join("'%s'" % s for s in sorted(QUALITY[fam]))), "quality", "invalid_value")
        if not isinstance(n, int) or not 1 <= n <= 10 or (fam == "dall-e-3" and n != 1):
            raise bad("Invalid value for 'n': %r." % (n,), "n", "invalid_value")
        return fam

    def image_answer(self, record, model, size, response_format, fam):
        if size in (None, "auto"):
            size = "1024x1024"
        w, h = (int(v) for v in size.split("x"))
        png = encode_png(w, h, seed=record["n"])
        if self.state.script.get("respond_url") or response_format == "url":
            item = {"url": "https://example.invalid/fake/%d.png" % record["n"]}
        else:
            item = {"b64_json": base64.b64encode(png).decode("ascii")}
        if fam != "gpt-image":
            item["revised_prompt"] = None
        out = {"created": int(time.time()), "data": [item]}
        if fam == "gpt-image":
            out.update({"background": "opaque", "output_format": "png", "size": size, "quality": "high",
                        "usage": {"total_tokens": 6400, "input_tokens": 200, "output_tokens": 6200,
                                  "input_tokens_details": {"text_tokens": 150, "image_tokens": 50}}})
        return 200, out, {}

    def check_response_format(self, fam, value):
        if value is None:
            return
        if fam == "gpt-image":
            raise bad("Unknown parameter: 'response_format'.", "response_format", "unknown_parameter")
        if value not in ("url", "b64_json"):
            raise bad("Invalid value for 'response_format': '%s'." % value, "response_format")

    def edits(self, h, record, answer):
        try:
            parts = parse_multipart(h.headers.get("Content-Type") or "", h.body)
        except ValueError as exc:
            raise bad("Invalid multipart/form-data body: %s" % exc)
        fields, images, summary = {}, [], {}
        for name, filename, ctype, content in parts:
            if name not in EDIT_FIELDS:
                raise bad("Unrecognized request argument supplied: %s" % name, name)
            if name in ("image", "image[]", "mask"):
                if filename is None:
                    raise bad("'%s' must be a file upload." % name, name)
                if ctype not in ("image/png", "image/jpeg", "image/webp"):
                    raise bad("Invalid file '%s': unsupported mimetype ('%s'). Supported file formats are "
                              "'image/jpeg', 'image/png', and 'image/webp'." % (filename, ctype), name,
                              "unsupported_file_mimetype")
                try:
                    info = sniff_image(content)
                except ValueError as exc:
                    raise bad("Invalid image file '%s': %s" % (filename, exc), name, "invalid_image_format")
                if "image/" + info["format"] != ctype:
                    raise bad("Invalid image file '%s': content is %s, part says %s." % (filename, info["format"], ctype),
                              name, "invalid_image_format")
                if name != "mask":
                    images.append(info)
                summary[name] = dict(info, filename=filename, content_type=ctype)
            else:
                if filename is not None:
                    raise bad("'%s' must be a text field, not a file." % name, name)
                if name in fields:
                    raise bad("Duplicate parameter: '%s'." % name, name)
                fields[name] = content.decode("utf-8")
                summary[name] = fields[name]
        record["fields"] = summary
        if not images:
            raise bad("Missing required parameter: 'image'.", "image", "missing_required_parameter")
        if not fields.get("prompt"):
            raise bad("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
        model = fields.get("model", "dall-e-2")
        try:
            n = int(fields.get("n", "1"))
        except ValueError:
            raise bad("Invalid type for 'n': expected an integer.", "n", "invalid_type")
        fam = self.check_image_options(model, fields.get("size"), fields.get("quality"), n, record)
        if fam == "dall-e-3":
            raise bad("Image edits are not supported for dall-e-3.", "model")
        if fam == "dall-e-2" and (len(images) != 1 or images[0].get("width") != images[0].get("height")):
            raise bad("dall-e-2 edits need exactly one square PNG image.", "image")
        if "input_fidelity" in fields:
            if fam != "gpt-image":
                raise bad("input_fidelity is not supported for %s." % model, "input_fidelity", "unsupported_parameter")
            if fields["input_fidelity"] not in ("low", "high"):
                raise bad("Invalid value for 'input_fidelity': '%s'." % fields["input_fidelity"], "input_fidelity")
        self.check_response_format(fam, fields.get("response_format"))
        if not answer:
            return 200, {}, {}
        return self.image_answer(record, model, fields.get("size"), fields.get("response_format"), fam)

    def generations(self, h, record, answer):
        body = self.json_body(h)
        record["fields"] = body
        for key in body:
            if key not in GEN_KEYS:
                raise bad("Unrecognized request argument supplied: %s" % key, key)
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt:
            raise bad("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
        model = body.get("model", "dall-e-2")
        if not isinstance(model, str):
            raise bad("Invalid type for 'model': expected a string.", "model", "invalid_type")
        for key in ("size", "quality", "response_format"):
            if key in body and not isinstance(body[key], str):
                raise bad("Invalid type for '%s': expected a string." % key, key, "invalid_type")
        n = body.get("n", 1)
        if isinstance(n, bool):
            n = None
        fam = self.check_image_options(model, body.get("size"), body.get("quality"), n, record)
        self.check_response_format(fam, body.get("response_format"))
        if not answer:
            return 200, {}, {}
        return self.image_answer(record, model, body.get("size"), body.get("response_format"), fam)


def main():
    parser = common_args("Strict fake OpenAI server for gcx tests")
    parser.add_argument("--key", help="expected API key (any key is accepted when omitted)")
    state = State(parser.parse_args())
    serve(state, OpenAIApp(state))


if __name__ == "__main__":
    main()
