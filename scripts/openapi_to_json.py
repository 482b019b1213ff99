#!/usr/bin/env python3
"""Converts openapi/paygate.yaml to JSON and to a C++ source that embeds it.

Run by the build (a CMake custom command). Fails the build when the YAML does
not parse, is not OpenAPI 3.1, or holds a local $ref that points nowhere, so a
broken description never reaches the binary.

usage: openapi_to_json.py IN.yaml OUT.json OUT.cpp
"""
import json
import sys

import yaml


def check_refs(node, root, where="#"):
    """Every local $ref ("#/...") must resolve."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target = root
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if not isinstance(target, dict) or part not in target:
                    sys.exit(f"openapi: {where}: $ref {ref} points nowhere")
                target = target[part]
        for key, value in node.items():
            check_refs(value, root, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            check_refs(value, root, f"{where}/{i}")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    src, out_json, out_cpp = sys.argv[1:]
    with open(src, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3.1."):
        sys.exit(f"openapi: {src} is not an OpenAPI 3.1 document")
    check_refs(doc, doc)
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    with open(out_json, "w", encoding="utf-8") as f:
        f.write(text)
    # Raw string pieces of at most 8000 bytes, so no compiler's literal limit is
    # ever near; the delimiter cannot occur in JSON text.
    data = text.encode("utf-8")
    pieces = []
    i = 0
    while i < len(data):
        j = min(i + 8000, len(data))
        while j < len(data) and (data[j] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            j -= 1
        pieces.append(data[i:j].decode("utf-8"))
        i = j
    body = "\n".join(f'R"pgjson({p})pgjson"' for p in pieces)
    with open(out_cpp, "w", encoding="utf-8") as f:
        f.write("// Generated from openapi/paygate.yaml by scripts/openapi_to_json.py. Do not edit.\n")
        f.write('#include "api/openapi.h"\n\n')
        f.write("namespace paygate::api {\n\n")
        f.write("std::string_view openapi_json() {\n")
        f.write(f"  static constexpr char kJson[] =\n{body};\n")
        f.write("  return {kJson, sizeof(kJson) - 1};\n}\n\n}  // namespace paygate::api\n")


if __name__ == "__main__":
    main()
