#!/usr/bin/python3
"""An independent check of a FedLearn privacy-ledger export, written from docs/ledger.md alone.

It re-derives every canonical byte string in Python, recomputes the header hash and every entry hash, follows the
chain, verifies every ECDSA P-256 signature (with the `cryptography` package; Debian: python3-cryptography), matches
checkpoints to entries, and checks that each entry records exactly the guarantee levels its header declares and stays
within their budgets. It does not recompute ε (that needs the RDP/PLD accountants: `fedlearn ledger verify` does it);
it is a second implementation of the format, so an auditor need not trust FedLearn's own code for the integrity of the
chain.

With --model FILE.onnx it also checks an exported model against the ledger (needs python3-onnx): the SHA-256 of its
weights must be the model_sha256 of the entry its metadata names, so a released model is tied to its ledger entry.

Usage: ledger_audit.py LEDGER.json [--public-key BASE64_SPKI] [--model FILE.onnx ...] [--json]
Exit status: 0 when nothing is wrong, 6 when something is, 2 when the file is not a ledger export.
"""

import argparse
import base64
import datetime
import hashlib
import json
import sys

FORMAT = "fedlearn-ledger/1"
HEADER_TYPE = "fedlearn-ledger/1/header"
ENTRY_TYPE = "fedlearn-ledger/1/entry"

# Canonical member order (docs/ledger.md, "Canonical encoding", rule 1). Kinds: s string, i integer, n number, t time.
HEADER_MEMBERS = [
    ("session_id", "s"), ("created_at", "t"), ("epsilon_budget", "n"), ("delta", "n"), ("accountant", "s"),
    ("example_epsilon_budget", "n"), ("example_delta", "n"), ("example_accountant", "s"), ("example_clip_norm", "n"),
    ("example_noise_multiplier", "n"), ("example_expected_batch_size", "i"), ("public_key", "s"),
]
ENTRY_MEMBERS = [
    ("sequence", "i"), ("session_id", "s"), ("round", "i"), ("recorded_at", "t"), ("mechanism", "s"),
    ("sampling_rate", "n"), ("noise_multiplier", "n"), ("clip_norm", "n"), ("sensitivity", "n"),
    ("participants_selected", "i"), ("participants_aggregated", "i"), ("delta", "n"), ("epsilon_rdp", "n"),
    ("epsilon_pld", "n"), ("example_epsilon_max", "n"), ("model_sha256", "s"), ("previous_hash", "s"),
]
PARTICIPANT_LEVEL_ENTRY_MEMBERS = [
    "sampling_rate", "noise_multiplier", "clip_norm", "sensitivity", "delta", "epsilon_rdp", "epsilon_pld",
]
ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def canonical_string(value):
    """Rule 2: minimal escaping; every other character as itself."""
    out = []
    for ch in value:
        if ch in ESCAPES:
            out.append(ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def canonical_number(value):
    """Rule 4: the shortest round-trip digits (Python's repr finds them), laid out positionally for -5 < e < 17."""
    value = float(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("numbers must be finite")
    if value == 0:
        return "-0" if str(value).startswith("-") else "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = ("%r" % abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    leading_zeros = len(whole + fraction) - len((whole + fraction).lstrip("0"))
    exponent = int(exponent or 0) + len(whole) - 1 - leading_zeros
    digits = digits.rstrip("0")
    if -5 < exponent < 17:
        if exponent >= len(digits) - 1:
            return sign + digits + "0" * (exponent - len(digits) + 1)
        if exponent >= 0:
            return sign + digits[: exponent + 1] + "." + digits[exponent + 1:]
        return sign + "0." + "0" * (-exponent - 1) + digits
    body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return sign + body + "E" + ("+" if exponent >= 0 else "-") + "%02d" % abs(exponent)


def canonical_time(text):
    """Rule 5: UTC, whole milliseconds, yyyy-MM-ddTHH:mm:ss.fffZ (the export writes ISO 8601 with an offset)."""
    moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(datetime.timezone.utc)
    if moment.microsecond % 1000:
        raise ValueError("time %s is not a whole number of milliseconds" % text)
    return '"' + moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000) + '"'


def canonical_bytes(type_name, members, record):
    """Rule 1: one object, members in order, absent (None) members left out, no whitespace; UTF-8."""
    parts = ['"type":' + canonical_string(type_name)]
    for key, kind in members:
        value = record.get(key)
        if value is None:
            continue
        if kind == "n":
            text = canonical_number(value)
        elif kind == "i":
            text = str(int(value))
        elif kind == "t":
            text = canonical_time(value)
        else:
            text = canonical_string(value)
        parts.append(canonical_string(key) + ":" + text)
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def flatten_header(header):
    """The export nests the example level; the canonical header spells it out as example_* members."""
    flat = {k: v for k, v in header.items() if k != "example_level"}
    for key, value in (header.get("example_level") or {}).items():
        flat["example_" + key] = value
    return flat


def load_public_key(spki_base64):
    from cryptography.hazmat.primitives.serialization import load_der_public_key
    return load_der_public_key(base64.b64decode(spki_base64))


def signature_valid(public_key, message, signature_base64):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    raw = base64.b64decode(signature_base64)
    if len(raw) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        public_key.verify(der, message, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def audit(document, expected_public_key=None):
    """Every problem found, as (kind, sequence or None, message); the kinds are those of docs/ledger.md."""
    problems = []
    if document.get("format") != FORMAT:
        raise ValueError("not a %s export" % FORMAT)
    header = flatten_header(document["header"])
    entries = document["entries"]
    checkpoints = document["checkpoints"]
    participant_level = header.get("epsilon_budget") is not None
    example_budget = header.get("example_epsilon_budget")
    key_text = expected_public_key or header["public_key"]
    if expected_public_key is not None and expected_public_key != header["public_key"]:
        problems.append(("public_key_mismatch", None, "the header's key is not the expected coordinator key"))
    key = load_public_key(key_text)

    previous = hashlib.sha256(canonical_bytes(HEADER_TYPE, HEADER_MEMBERS, header)).hexdigest()
    for position, entry in enumerate(entries, start=1):
        sequence = entry.get("sequence")
        if sequence != position:
            problems.append(("sequence_mismatch", sequence, "entry at position %d carries sequence %s" % (position, sequence)))
        if entry.get("previous_hash") != previous:
            problems.append(("broken_link", sequence, "previous_hash is not the hash of what precedes it"))
        message = canonical_bytes(ENTRY_TYPE, ENTRY_MEMBERS, entry)
        if hashlib.sha256(message).hexdigest() != entry.get("entry_hash"):
            problems.append(("hash_mismatch", sequence, "entry_hash is not the SHA-256 of the canonical encoding"))
        if not signature_valid(key, message, entry.get("signature", "")):
            problems.append(("signature_invalid", sequence, "the signature does not verify"))
        previous = entry.get("entry_hash")

        if participant_level == (entry.get("mechanism") == "none"):
            problems.append(("level_mismatch", sequence, "mechanism %r does not match the header's participant level" % entry.get("mechanism")))
        if entry.get("mechanism") == "none":
            present = [k for k in PARTICIPANT_LEVEL_ENTRY_MEMBERS if entry.get(k) is not None]
            if present:
                problems.append(("entry_malformed", sequence, "participant-level members under mechanism none: " + ", ".join(present)))
        if (example_budget is None) != (entry.get("example_epsilon_max") is None):
            problems.append(("level_mismatch", sequence, "example_epsilon_max does not match the header's example level"))
        if example_budget is not None and (entry.get("example_epsilon_max") or 0) > example_budget:
            problems.append(("example_budget_exceeded", sequence, "example ε %r exceeds %r" % (entry["example_epsilon_max"], example_budget)))
        if participant_level:
            enforced = entry.get("epsilon_pld" if header.get("accountant") == "pld" else "epsilon_rdp")
            if enforced is not None and enforced > header["epsilon_budget"]:
                problems.append(("budget_exceeded", sequence, "recorded ε %r exceeds the budget %r" % (enforced, header["epsilon_budget"])))

    entry_shas = {e.get("model_sha256") for e in entries}
    checkpoint_shas = {c["sha256"] for c in checkpoints}
    for checkpoint in checkpoints:
        if checkpoint["sha256"] not in entry_shas:
            problems.append(("checkpoint_without_entry", None, "checkpoint of round %d has no entry" % checkpoint["round"]))
    for entry in entries:
        if entry.get("model_sha256") not in checkpoint_shas:
            problems.append(("entry_without_checkpoint", entry.get("sequence"), "no checkpoint has this model hash"))
    return problems


def audit_model(document, model_path):
    """Problems tying an exported ONNX model to this ledger: its weights' hash, session, round and entry."""
    import onnx
    from onnx import numpy_helper
    try:
        model = onnx.load(model_path)
    except Exception as error:  # onnx raises protobuf's DecodeError, among others, for a file that is not a model
        return [("model_malformed", None, "%s is not an ONNX model: %s" % (model_path, error))]
    metadata = {p.key: p.value for p in model.metadata_props}
    initializers = {i.name: i for i in model.graph.initializer}
    names = metadata.get("fedlearn.weights", "").split(",")
    if not all(name in initializers for name in names):
        return [("model_malformed", None, "%s does not list its weights (fedlearn.weights)" % model_path)]
    weights = b"".join(numpy_helper.to_array(initializers[name]).astype("<f4").tobytes() for name in names)
    sha = hashlib.sha256(weights).hexdigest()
    problems = []
    if metadata.get("fedlearn.weights_sha256") != sha:
        problems.append(("model_weights_mismatch", None, "the weights do not hash to the model's fedlearn.weights_sha256"))
    if metadata.get("fedlearn.session_id") != document["header"]["session_id"]:
        problems.append(("model_session_mismatch", None, "the model is of session %r" % metadata.get("fedlearn.session_id")))
    round_number = int(metadata.get("fedlearn.round", "-1"))
    entry = next((e for e in document["entries"] if e.get("round") == round_number), None)
    if entry is None:
        problems.append(("model_without_entry", None, "the ledger has no entry for the model's round %d" % round_number))
        return problems
    if entry.get("model_sha256") != sha:
        problems.append(("model_sha_mismatch", entry.get("sequence"), "the model's weights are not the ones the entry of round %d records" % round_number))
    if metadata.get("fedlearn.ledger.entry_hash") != entry.get("entry_hash"):
        problems.append(("model_entry_hash_mismatch", entry.get("sequence"), "the model names another entry hash than the ledger's"))
    return problems


def summary(document):
    """The figures an auditor quotes, per guarantee level (participant-level ε as recorded, not recomputed)."""
    header = flatten_header(document["header"])
    entries = document["entries"]
    last = entries[-1] if entries else {}
    example = [e["example_epsilon_max"] for e in entries if e.get("example_epsilon_max") is not None]
    return {
        "session_id": header["session_id"],
        "entries": len(entries),
        "participant_level": None if header.get("epsilon_budget") is None else {
            "epsilon_budget": header["epsilon_budget"], "delta": header["delta"], "accountant": header["accountant"],
            "recorded_epsilon_rdp": last.get("epsilon_rdp"), "recorded_epsilon_pld": last.get("epsilon_pld"),
        },
        "example_level": None if header.get("example_epsilon_budget") is None else {
            "epsilon_budget": header["example_epsilon_budget"], "delta": header["example_delta"],
            "accountant": header["example_accountant"], "largest_reported_epsilon": max(example) if example else None,
        },
    }


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger")
    parser.add_argument("--public-key", help="the coordinator's ledger key as published (base64 SPKI)")
    parser.add_argument("--model", action="append", default=[], help="an exported ONNX model to tie to its ledger entry")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    try:
        with open(args.ledger, encoding="utf-8") as f:
            document = json.load(f)
        problems = audit(document, args.public_key)
        for model_path in args.model:
            problems += audit_model(document, model_path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print("error: %s" % error, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"valid": not problems, "summary": summary(document),
                          "problems": [{"kind": k, "sequence": s, "message": m} for k, s, m in problems]}))
    else:
        print(json.dumps(summary(document), indent=2))
        for kind, sequence, message in problems:
            print("[%s] %s: %s" % (kind, "ledger" if sequence is None else "entry %s" % sequence, message))
        models = " and %d model file(s) match their entries" % len(args.model) if args.model else ""
        print("OK: chain, hashes, signatures, checkpoints and levels verify%s (ε not recomputed here)" % models if not problems
              else "FAILED: %d problems" % len(problems))
    return 0 if not problems else 6


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
