#!/usr/bin/env python3
"""A strict fake of the AUTOMATIC1111 / Forge web UI API (standard library only).

  python3 a1111_server.py --port 0 [--models a,b] [--script FILE] [--log FILE]

Prints "PORT <n>" first. Serves POST /sdapi/v1/txt2img and /sdapi/v1/img2img and
GET /sdapi/v1/sd-models. Validates field types the way the API's pydantic models do (422 with
{"detail": [{"loc", "msg", "type"}]}), rejects unknown fields (stricter than the real server, to
catch misspelt parameters), width/height not multiples of 8, init images that are not base64
PNG/JPEG; answers {"images": [...], "parameters": {...}, "info": "<json>"} with a real PNG of the
requested size. Logs whether an Authorization header was sent ("auth": "present"/"absent").
Behaviours (faults, logging): see fakecommon.py.
"""

import base64
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakecommon import Fault, State, common_args, encode_png, serve, sniff_image  # noqa: E402

# field -> accepted Python types (a subset of StableDiffusionProcessing*API)
COMMON = {
    "prompt": str, "negative_prompt": str, "styles": list, "seed": int, "subseed": int,
    "subseed_strength": (int, float), "seed_resize_from_h": int, "seed_resize_from_w": int,
    "sampler_name": str, "sampler_index": str, "scheduler": str, "batch_size": int, "n_iter": int,
    "steps": int, "cfg_scale": (int, float), "width": int, "height": int, "restore_faces": bool,
    "tiling": bool, "do_not_save_samples": bool, "do_not_save_grid": bool, "eta": (int, float),
    "denoising_strength": (int, float), "override_settings": dict,
    "override_settings_restore_afterwards": bool, "send_images": bool, "save_images": bool,
    "alwayson_scripts": dict, "script_name": str, "script_args": list,
}
TXT2IMG = dict(COMMON, enable_hr=bool, hr_scale=(int, float), hr_upscaler=str,
               hr_second_pass_steps=int, firstphase_width=int, firstphase_height=int)
IMG2IMG = dict(COMMON, init_images=list, resize_mode=int, image_cfg_scale=(int, float), mask=str,
               mask_blur=int, inpainting_fill=int, inpaint_full_res=bool,
               inpaint_full_res_padding=int, inpainting_mask_invert=int, include_init_images=bool)
TYPE_NAMES = {str: "str", int: "integer", bool: "bool", list: "list", dict: "dict"}


def validation_error(loc, msg, kind):
    return Fault(422, {"detail": [{"loc": ["body"] + loc, "msg": msg, "type": kind}]})


def server_error(message, kind="RuntimeError"):
    # modules/api/api.py exception handler shape
    return Fault(500, {"error": kind, "detail": "", "body": "", "errors": message})


class A1111App:
    def __init__(self, state):
        self.state = state
        self.models = [m for m in (state.args.models or "").split(",") if m]

    @staticmethod
    def error_body(status, message):
        return {"error": "HTTPException" if status < 500 else "RuntimeError", "detail": message,
                "body": "", "errors": message}

    def handle(self, h, record, answer=True):
        record["auth"] = "present" if h.headers.get("Authorization") is not None else "absent"
        path = record["path"]
        if path == "/sdapi/v1/sd-models" and h.command == "GET":
            names = self.models or ["v1-5-pruned-emaonly.safetensors"]
            return 200, [{"title": n, "model_name": n.rsplit(".", 1)[0], "hash": None, "sha256": None,
                          "filename": "/models/Stable-diffusion/" + n, "config": None} for n in names], {}
        if path not in ("/sdapi/v1/txt2img", "/sdapi/v1/img2img"):
            raise Fault(404, {"detail": "Not Found"})
        if h.command != "POST":
            raise Fault(405, {"detail": "Method Not Allowed"})
        ctype = (h.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            raise validation_error([], "value is not a valid dict (Content-Type %s)" % (ctype or "none"), "type_error.dict")
        try:
            body = json.loads(h.body.decode("utf-8"))
        except Exception as exc:
            raise Fault(422, {"detail": [{"loc": ["body", 0], "msg": "JSON decode error: %s" % exc,
                                          "type": "value_error.jsondecode"}]})
        if not isinstance(body, dict):
            raise validation_error([], "value is not a valid dict", "type_error.dict")
        img2img = path.endswith("img2img")
        schema = IMG2IMG if img2img else TXT2IMG
        record["fields"] = {k: v for k, v in body.items() if k != "init_images"}
        for key, value in body.items():
            if key not in schema:
                raise validation_error([key], "extra fields not permitted", "value_error.extra")
            want = schema[key]
            ok = isinstance(value, want) and not (isinstance(value, bool) and want in (int, (int, float)))
            if value is not None and not ok:
                name = TYPE_NAMES.get(want, "float")
                raise validation_error([key], "value is not a valid %s" % name, "type_error.%s" % name)
        if not isinstance(body.get("prompt"), str):
            raise validation_error(["prompt"], "field required", "value_error.missing")
        width, height = body.get("width", 512), body.get("height", 512)
        for key, value in (("width", width), ("height", height)):
            if value % 8 or not 64 <= value <= 2048:
                raise server_error("%s must be a multiple of 8 between 64 and 2048, got %d" % (key, value), "ValueError")
        strength = body.get("denoising_strength")
        if strength is not None and not 0 <= strength <= 1:
            raise server_error("denoising_strength must be in [0, 1], got %r" % strength, "ValueError")
        checkpoint = (body.get("override_settings") or {}).get("sd_model_checkpoint")
        if checkpoint is not None and not isinstance(checkpoint, str):
            raise validation_error(["override_settings", "sd_model_checkpoint"], "str type expected", "type_error.str")
        if checkpoint is not None and self.models and checkpoint not in self.models:
            raise server_error("model '%s' not found" % checkpoint, "RuntimeError")
        if img2img:
            images = body.get("init_images")
            if not images:
                raise server_error("init_images is required for img2img", "ValueError")
            summaries = []
            for i, text in enumerate(images):
                if not isinstance(text, str):
                    raise validation_error(["init_images", i], "str type expected", "type_error.str")
                payload = text.split(";base64,", 1)[1] if text.startswith("data:") else text
                try:
                    summaries.append(sniff_image(base64.b64decode(payload, validate=True)))
                except Exception:
                    raise Fault(500, {"detail": "Invalid encoded image"})
            record["fields"]["init_images"] = summaries
        if not answer:
            return 200, {}, {}
        seed = body.get("seed", -1)
        if seed == -1:
            seed = 1234567
        png = encode_png(width, height, seed=seed)
        parameters = dict(body)
        if img2img:
            parameters["init_images"] = None
        info = {"prompt": body["prompt"], "all_prompts": [body["prompt"]],
                "negative_prompt": body.get("negative_prompt", ""), "seed": seed, "all_seeds": [seed],
                "width": width, "height": height, "sampler_name": body.get("sampler_name", "Euler"),
                "cfg_scale": body.get("cfg_scale", 7.0), "steps": body.get("steps", 20),
                "sd_model_name": checkpoint or "v1-5-pruned-emaonly",
                "denoising_strength": body.get("denoising_strength", 0), "job_timestamp": time.strftime("%Y%m%d%H%M%S")}
        return 200, {"images": [base64.b64encode(png).decode("ascii")], "parameters": parameters,
                     "info": json.dumps(info)}, {}


def main():
    parser = common_args("Strict fake AUTOMATIC1111 API server for gcx tests")
    parser.add_argument("--models", help="comma-separated checkpoint names the server knows")
    state = State(parser.parse_args())
    serve(state, A1111App(state))


if __name__ == "__main__":
    main()
