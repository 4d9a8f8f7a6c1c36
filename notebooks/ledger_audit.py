#!/usr/bin/python3
"""An independent check of a FedLearn privacy-ledger export, written from docs/ledger.md alone.

It re-derives every canonical byte string in Python, recomputes the header hash and every entry hash, follows the
chain, verifies every ECDSA P-256 signature (with the `cryptography` package; Debian: python3-cryptography), matches
checkpoints to entries, and checks that each entry records exactly the guarantee levels its header declares and stays
within their budgets. It does not recompute ε (that needs the RDP/PLD accountants: `fedlearn ledger verify` does it);
it does recompute, from the recorded ε and the entries' sampler distances, the δ each figure truly holds at
(`delta_total`, accounting version 2; from version 6 plus each secure attempt's colluder tail δ_c), and, from the noise
inputs each entry records (accounting versions 3 to 5), its sensitivity, its σ (secure aggregation: the certainly honest
shares of a sum of discrete Gaussians, Kairouz, Liu & Steinke 2021, Prop. 14; from version 6 s_min − c(n), with c(n)
re-derived from n, ρ and δ_c) and its samplers' distance η. For accounting versions 4 and 5, whose release-consumer figures claim no amplification by
sampling, it checks each recorded ε against the exact ε of the composed Gaussian mechanisms at q = 1 (a lower bound any
sound accountant's figure must reach), so a ledger that still claims amplification is named. It is a second implementation of the format, so an auditor need not trust FedLearn's own code for the integrity of the
chain.

With --model FILE.onnx it also checks an exported model against the ledger (needs python3-onnx): the SHA-256 of its
weights must be the model_sha256 of the entry its metadata names, so a released model is tied to its ledger entry.

Usage: ledger_audit.py LEDGER.json [--public-key BASE64_SPKI] [--model FILE.onnx ...] [--json]
Exit status: 0 when nothing is wrong, 6 when something is, 2 when the file is not a ledger export (not JSON, another
format, a member the format does not define, a value of the wrong type such as 1.0 for an integer, NaN or Infinity).
"""

import argparse
import base64
import datetime
import hashlib
import json
import math
import sys

FORMAT = "fedlearn-ledger/1"
HEADER_TYPE = "fedlearn-ledger/1/header"
ENTRY_TYPE = "fedlearn-ledger/1/entry"

# Canonical member order (docs/ledger.md, "Canonical encoding", rule 1). Kinds: s string, i integer, n number, t time.
HEADER_MEMBERS = [
    ("session_id", "s"), ("created_at", "t"), ("neighbouring_relation", "s"), ("accounting_version", "i"),
    ("epsilon_budget", "n"), ("delta", "n"),
    ("accountant", "s"), ("epsilon_against", "s"), ("against_coordinator", "s"),
    ("example_epsilon_budget", "n"), ("example_delta", "n"), ("example_accountant", "s"), ("example_clip_norm", "n"),
    ("example_noise_multiplier", "n"), ("example_expected_batch_size", "i"), ("example_calibration_attempts", "i"), ("example_epsilon_against", "s"),
    ("initial_model_sha256", "s"), ("audit_commitment", "s"),
    ("public_key", "s"),
]
ENTRY_MEMBERS = [
    ("sequence", "i"), ("session_id", "s"), ("round", "i"), ("recorded_at", "t"), ("mechanism", "s"),
    ("sampling_rate", "n"), ("noise_multiplier", "n"), ("clip_norm", "n"), ("sensitivity", "n"),
    ("participants_selected", "i"), ("participants_aggregated", "i"), ("delta", "n"), ("epsilon_rdp", "n"),
    ("epsilon_pld", "n"), ("epsilon_against_coordinator_rdp", "n"), ("epsilon_against_coordinator_pld", "n"),
    ("sampler_tv_distance", "n"), ("delta_total", "n"), ("delta_total_against_coordinator", "n"),
    ("dimension", "i"), ("grid_scale", "n"), ("integer_noise_variance", "i"), ("padded_dimension", "i"),
    ("shamir_threshold", "i"), ("minimum_survivors", "i"), ("dropout_allowance", "n"), ("corruption_rate", "n"),
    ("clip_target_quantile", "n"), ("clip_learning_rate", "n"), ("bit_noise_stddev", "n"), ("report_noise_variance", "i"),
    ("noisy_unclipped_count", "n"), ("assumed_colluders", "i"), ("colluder_tail_probability", "n"),
    ("example_epsilon_max", "n"), ("model_sha256", "s"), ("previous_hash", "s"),
]
COORDINATOR_ENTRY_MEMBERS = ["epsilon_against_coordinator_rdp", "epsilon_against_coordinator_pld"]
RESIDUE_ENTRY_MEMBERS = ["sampler_tv_distance", "delta_total", "delta_total_against_coordinator"]
# Accounting version 3 (docs/ledger.md, "Noise inputs"): central noise records the first three, secure aggregation all.
CENTRAL_INPUT_MEMBERS = ["dimension", "grid_scale", "integer_noise_variance"]
SECURE_INPUT_MEMBERS = CENTRAL_INPUT_MEMBERS + [
    "padded_dimension", "shamir_threshold", "minimum_survivors", "dropout_allowance", "corruption_rate"]
# Accounting version 5 (docs/ledger.md, "Adaptive clipping"): a session that adapts its clip norm records the first four
# in every entry and the released count in every entry that aggregated something.
ADAPTIVE_PARAMETER_MEMBERS = ["clip_target_quantile", "clip_learning_rate", "bit_noise_stddev", "report_noise_variance"]
ADAPTIVE_MEMBERS = ADAPTIVE_PARAMETER_MEMBERS + ["noisy_unclipped_count"]
# Accounting version 6: a secure entry with noise inputs also records c(n) and δ_c (review-10 S2).
COLLUDER_MEMBERS = ["assumed_colluders", "colluder_tail_probability"]
PARTICIPANT_LEVEL_ENTRY_MEMBERS = [
    "sampling_rate", "noise_multiplier", "clip_norm", "sensitivity", "delta", "epsilon_rdp", "epsilon_pld",
] + COORDINATOR_ENTRY_MEMBERS + RESIDUE_ENTRY_MEMBERS + SECURE_INPUT_MEMBERS + ADAPTIVE_MEMBERS + COLLUDER_MEMBERS
# accounting_version (docs/ledger.md): absent = 1 (ε only), 2 = entries record the samplers' distance and delta_total,
# 3 = they also record the noise inputs.
SAMPLER_RESIDUE_VERSION = 2
# 4 = as 2, and the release consumers' figures compose every entry at q = 1 (no amplification by sampling: the cohort
# sizes are published, review-10 S7).
# 3 = as 2, and the entries record the noise inputs (docs/ledger.md, "Noise inputs").
UNAMPLIFIED_VERSION = 4
NOISE_INPUTS_VERSION = 3
# 5 = as 4, and the entries of a session with adaptive clipping record it (Andrew et al. 2021).
ADAPTIVE_VERSION = 5
# 6 = as 5, and a secure cohort is assumed to hold c(n) colluders of a population with the fraction ρ colluding, not ⌊ρ·n⌋.
COLLUDER_VERSION = 6
RESIDUE_VERSIONS = (SAMPLER_RESIDUE_VERSION, NOISE_INPUTS_VERSION, UNAMPLIFIED_VERSION, ADAPTIVE_VERSION, COLLUDER_VERSION)
INPUT_VERSIONS = (NOISE_INPUTS_VERSION, UNAMPLIFIED_VERSION, ADAPTIVE_VERSION, COLLUDER_VERSION)
UNAMPLIFIED_VERSIONS = (UNAMPLIFIED_VERSION, ADAPTIVE_VERSION, COLLUDER_VERSION)
ADAPTIVE_VERSIONS = (ADAPTIVE_VERSION, COLLUDER_VERSION)
MAX_CLIP_LEARNING_RATE = 10.0
TOLERANCE = 1e-6

# The export's shape (docs/ledger.md, "Export formats"): every member the export may hold, and nothing else.
EXAMPLE_LEVEL_MEMBERS = [("epsilon_budget", "n"), ("delta", "n"), ("accountant", "s"), ("clip_norm", "n"),
                         ("noise_multiplier", "n"), ("expected_batch_size", "i"), ("calibration_attempts", "i")]
# has_participant_level: a derived boolean that exports written before the format was pinned carry; never hashed, ignored.
EXPORT_HEADER_MEMBERS = [m for m in HEADER_MEMBERS if not m[0].startswith("example_")] + [
    ("example_level", "o"), ("example_epsilon_against", "s"), ("has_participant_level", "b")]
EXPORT_ENTRY_MEMBERS = ENTRY_MEMBERS + [("entry_hash", "s"), ("signature", "s")]
CHECKPOINT_MEMBERS = [("round", "i"), ("sha256", "s")]
TOP_MEMBERS = {"format", "header", "entries", "checkpoints"}

ZERO_OUT = "zero-out"
# Whom each figure holds against (docs/threat-model.md); the header names them.
ADVERSARY_NAMES = {
    "epsilon_against": ("epsilon_budget", {"release_consumers"}),
    "against_coordinator": ("epsilon_budget", {"recorded", "trusted"}),
    "example_epsilon_against": ("example_epsilon_budget", {"release_consumers_and_coordinator"}),
}
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
    flat = {k: v for k, v in header.items() if k not in ("example_level", "has_participant_level")}
    for key, value in (header.get("example_level") or {}).items():
        flat["example_" + key] = value
    return flat


def check_shape(where, record, members):
    """Rejects what the format does not define: unknown members, and values of the wrong JSON type (an integer written
    as 1.0, a number as a string). Raises ValueError, so the file is refused rather than audited."""
    if not isinstance(record, dict):
        raise ValueError("%s must be a JSON object" % where)
    kinds = dict(members)
    unknown = sorted(set(record) - set(kinds))
    if unknown:
        raise ValueError("%s has unknown member(s): %s" % (where, ", ".join(unknown)))
    for key, value in record.items():
        kind = kinds[key]
        if value is None:
            continue
        if kind == "i" and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError("%s.%s must be an integer; got %r" % (where, key, value))
        if kind == "n" and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError("%s.%s must be a number; got %r" % (where, key, value))
        if kind in ("s", "t") and not isinstance(value, str):
            raise ValueError("%s.%s must be a string; got %r" % (where, key, value))
        if kind == "b" and not isinstance(value, bool):
            raise ValueError("%s.%s must be true or false; got %r" % (where, key, value))
        if kind == "o" and not isinstance(value, dict):
            raise ValueError("%s.%s must be an object; got %r" % (where, key, value))


def check_export(document):
    """The whole export's shape (see check_shape)."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError("not a %s export" % FORMAT)
    unknown = sorted(set(document) - TOP_MEMBERS)
    if unknown:
        raise ValueError("the export has unknown member(s): %s" % ", ".join(unknown))
    check_shape("header", document["header"], EXPORT_HEADER_MEMBERS)
    if document["header"].get("example_level") is not None:
        check_shape("header.example_level", document["header"]["example_level"], EXAMPLE_LEVEL_MEMBERS)
    for name, members in (("entries", EXPORT_ENTRY_MEMBERS), ("checkpoints", CHECKPOINT_MEMBERS)):
        if not isinstance(document[name], list):
            raise ValueError("%s must be a JSON array" % name)
        for index, record in enumerate(document[name]):
            check_shape("%s[%d]" % (name, index), record, members)


def reject_constant(name):
    """json.loads accepts NaN and Infinity, which are not JSON and never valid in a ledger."""
    raise ValueError("the export contains %s, which is not a JSON number" % name)


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


def total_delta(delta, epsilon, distance):
    """min(1, δ + (1 + e^ε)·η): a mechanism within total variation η of an (ε, δ)-DP one is (ε, δ + (1 + e^ε)·η)-DP."""
    if distance == 0:
        return delta
    try:
        residue = min(1.0, (1 + math.exp(epsilon)) * distance)
    except OverflowError:
        residue = 1.0
    return min(1.0, delta + residue)


def check_delta_total(problems, sequence, field, recorded, delta, distance, epsilons, colluder_tail=0.0):
    """The recorded δ with the samplers' error paid must be δ + (1 + e^ε)·Σ η at the larger recorded ε, within 1e-6; from
    version 6 plus Σ δ_c, unscaled (a union bound over attempts whose cohort may hold more colluders than assumed)."""
    usable = [e for e in epsilons if isinstance(e, (int, float)) and e >= 0 and math.isfinite(e)]
    if recorded is None or not usable:
        return
    expected = min(1.0, total_delta(delta, max(usable), distance) + colluder_tail)
    if recorded < expected * (1 - TOLERANCE):
        problems.append(("delta_total_under_reported", sequence, "%s %r is below the recomputed %r" % (field, recorded, expected)))
    elif recorded > expected * (1 + TOLERANCE):
        problems.append(("delta_total_over_reported", sequence, "%s %r is above the recomputed %r" % (field, recorded, expected)))


def normal_tail(x):
    """Φ(−x) = P[N(0, 1) > x]."""
    return 0.5 * math.erfc(x / math.sqrt(2))


def gaussian_delta(mu, epsilon):
    """The exact δ(ε) of a Gaussian mechanism with sensitivity/σ = μ (Balle & Wang 2018, "Improving the Gaussian mechanism
    for differential privacy", Theorem 8): Φ(−ε/μ + μ/2) − e^ε·Φ(−ε/μ − μ/2). Composing Gaussian mechanisms with μ_i gives
    exactly the one with μ = √Σ μ_i² (Dong, Roth & Su 2022, "Gaussian differential privacy", Corollary 3.3)."""
    try:
        scaled = math.exp(epsilon) * normal_tail(epsilon / mu + mu / 2)
    except OverflowError:
        scaled = 0.0
    return normal_tail(epsilon / mu - mu / 2) - scaled


def check_unamplified(problems, sequence, entry, delta, mu, records_coordinator):
    """Version 4: the release consumers' ε composes every entry so far at q = 1, so at the header's δ it can be no smaller
    than the exact ε of the composed Gaussian (any sound RDP or PLD figure is an upper bound on it; 10⁻⁴ of slack for the
    accountants' rounding). An amplified figure falls below it. With secure aggregation the figure is also the one against
    the coordinator, which composes the same steps."""
    if not (isinstance(delta, (int, float)) and 0 < delta < 1):
        return
    for field in ("epsilon_rdp", "epsilon_pld"):
        recorded = entry.get(field)
        if isinstance(recorded, (int, float)) and math.isfinite(recorded) and recorded >= 0 \
                and gaussian_delta(mu, recorded * (1 + 1e-4)) > delta:
            problems.append(("epsilon_under_reported", sequence,
                             "%s %r is below the exact ε of the entries' Gaussian steps at q = 1 (μ = %r): accounting version 4 "
                             "claims no amplification by sampling" % (field, recorded, mu)))
    if records_coordinator:
        for field, coordinator in (("epsilon_rdp", "epsilon_against_coordinator_rdp"), ("epsilon_pld", "epsilon_against_coordinator_pld")):
            mine, theirs = entry.get(field), entry.get(coordinator)
            if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)) and not abs(mine - theirs) <= TOLERANCE * abs(theirs):
                problems.append(("epsilon_under_reported" if mine < theirs else "epsilon_over_reported", sequence,
                                 "%s %r is not %s %r: accounting version 4 composes the same q = 1 steps for both"
                                 % (field, mine, coordinator, theirs)))
# ---- Accounting version 3: the noise inputs' derivations (docs/ledger.md, "Noise inputs"), written from the formulas. ----

ROUNDING_BETA = 0.6065306597126334  # β = e^(−1/2) of conditional rounding (Kairouz, Liu & Steinke 2021, Algorithm 1)


def grid_sensitivity(clip_norm, gamma, padded):
    """Δ₂ on the grid after conditional rounding (KLS 2021, Theorem 1), c = C/γ:
    min{c² + D/4 + √(2 ln(1/β))·(c + √D/2), (c + √D)²}, square-rooted."""
    c = clip_norm / gamma
    probabilistic = c * c + padded / 4 + math.sqrt(2 * math.log(1 / ROUNDING_BETA)) * (c + math.sqrt(padded) / 2)
    deterministic = (c + math.sqrt(padded)) * (c + math.sqrt(padded))
    return math.sqrt(min(probabilistic, deterministic))


def corrupt(cohort, rho):
    """⌊ρ·n⌋, with 10⁻⁹ of slack so that a product meant to be an integer (0.05·20) is not floored below it."""
    return math.floor(rho * cohort + 1e-9)


def colluders(cohort, rho, tail):
    """c(n): the smallest c with E[(Binomial(n, ρ) − c)+] ≤ δ_c (docs/ledger.md, "Noise inputs: the derivations").

    E[(Y − c)+] = Σ_{k>c} (k − c)·P[Y = k], with ln P[Y = k] from math.lgamma, summed from the far tail; a near-tie within
    2⁻²⁰ relative of δ_c resolves upwards. It bounds P[X > c] for the hypergeometric count X of colluders in a uniform
    n-subset of a population with at most the fraction ρ colluding (Hoeffding 1963, Theorem 4, with the convex (x − c)+)."""
    if rho == 0:
        return 0
    log_pmf = [math.lgamma(cohort + 1) - math.lgamma(k + 1) - math.lgamma(cohort - k + 1)
               + k * math.log(rho) + (cohort - k) * math.log1p(-rho) for k in range(cohort + 1)]
    guarded = tail * (1 - 2.0 ** -20)
    above, excess = 0.0, 0.0  # P[Y ≥ c] and E[(Y − (c − 1))+], walking c down from n (E[(Y − n)+] = 0)
    for c in range(cohort, 0, -1):
        above += math.exp(log_pmf[c])
        excess += above
        if not excess <= guarded:
            return c
    return 0


def tau(shares, variance):
    """τ of KLS 2021, Prop. 14: 10·Σ_{k=1}^{n−1} exp(−2π²σ²·k/(k+1))."""
    total = 0.0
    for k in range(1, shares):
        term = math.exp(-2 * math.pi * math.pi * variance * k / (k + 1))
        total += term
        if term == 0:
            break
    return 10 * total


def sigma_eff(sensitivity, variance, honest, padded):
    """σ_eff = 1/√min{Δ²/(nσ²) + 2τD, (Δ/(√n·σ) + τ√D)²} of n honest N_Z(0, σ²) shares (KLS 2021, Prop. 14; τD doubled so
    that the Gaussian curve α/(2σ_eff²) bounds the proposition at every order α ≥ 1)."""
    t = tau(honest, variance)
    ratio = sensitivity / math.sqrt(honest * variance)
    first = ratio * ratio + 2 * t * padded
    second = ratio + t * math.sqrt(padded)
    return 1 / math.sqrt(min(first, second * second))


def table_bound(variance, half=False):
    """The proven total variation bound of one draw of the tabulated discrete Gaussian sampler (docs/secure-aggregation.md,
    "Sampler error and δ"): tail cut B (least with P[|X| > B] ≤ 2^−72, 2^−100 for the half table), 108-bit weights,
    normalisation to 2^128."""
    s2 = float(variance)
    floor = max(1.0, math.sqrt(2 * math.pi * s2))
    tail_bits = 100 if half else 72

    def tail(cut):
        x = cut + 1.0
        ratio = math.exp(-(2 * x + 1) / (2 * s2))
        return 1.001 * 2 * math.exp(-x * x / (2 * s2)) / (1 - ratio) / floor

    cut = max(0, int(math.sqrt(2 * s2 * (tail_bits * math.log(2) - 4))) - 2)
    while tail(cut) > 2.0 ** -tail_bits:
        cut += 1
    entries = cut + 1.0
    sigma = math.sqrt(s2)
    error_terms = 3 * (s2 + sigma) + 2 * (1 + sigma * math.sqrt(math.pi / 2))
    weight_error = math.ldexp(1.01 * (entries + error_terms), -108)
    normaliser = floor / 2 if half else floor
    return tail(cut) + 2 * entries * weight_error / normaliser + 3 * entries * 2.0 ** -128


def share_bound(variance):
    """Per-coordinate bound of a secure-aggregation share: the table up to σ² = 2^32, the exact sampler (0) beyond."""
    return table_bound(variance) if variance <= 2 ** 32 else 0.0


def scaled_bound(requested):
    """Per-coordinate bound of the central sampler asked for σ² ≥ `requested`: σ² = k²·σ₀², k = 2^m with 4^m ≤ requested/256,
    σ₀² = ⌈requested/4^m⌉ from a half table, rejection-corrected: 2·(half table's bound + 2^−186) (Ducas et al. 2013, §6)."""
    shift = 0 if requested < 1024 else ((requested // 256).bit_length() - 1) // 2
    k2 = 1 << (2 * shift)
    return 2 * (table_bound((requested + k2 - 1) // k2, half=True) + 2.0 ** -186)


def check_noise_inputs(problems, sequence, entry, colluder_bound=False):
    """Version 3: re-derive the entry's sensitivity, σ and η from its noise inputs; each mismatch is a problem. With the
    colluder bound of version 6 the honest shares are s_min − c(n), c(n) re-derived (and compared with the recorded one)."""
    def compare(kind, field, recorded, expected, note):
        if not abs(recorded - expected) <= TOLERANCE * abs(expected):
            problems.append((kind, sequence, "%s %r is not %r, %s" % (field, recorded, expected, note)))

    clip, sigma, recorded_tv = entry["clip_norm"], entry["noise_multiplier"], entry["sampler_tv_distance"]
    d, gamma, variance = entry["dimension"], entry["grid_scale"], entry["integer_noise_variance"]
    if entry["mechanism"] == "central_gaussian":
        sensitivity = clip + gamma * math.sqrt(d)
        compare("sensitivity_mismatch", "sensitivity", entry["sensitivity"], sensitivity, "C + γ√d")
        added = gamma * math.sqrt(variance) / sensitivity
        reports = entry.get("report_noise_variance")
        if reports is not None and entry.get("bit_noise_stddev") is not None:
            # Adaptive clipping (Andrew et al. 2021, §3): the sum and the count are one Gaussian, z = (z_Δ⁻² + z_r⁻²)^(−1/2).
            if reports != central_report_variance(entry["bit_noise_stddev"]):
                problems.append(("noise_multiplier_mismatch", sequence, "report_noise_variance %r is not ⌈(2σ_b)²⌉" % reports))
            joint = 1 / math.sqrt(1 / (added * added) + 1 / reports)
            if sigma > joint * (1 + TOLERANCE):
                problems.append(("noise_multiplier_mismatch", sequence,
                                 "noise_multiplier %r claims more noise than the sum and the clipped count carry together, %r" % (sigma, joint)))
        elif sigma > gamma * math.sqrt(variance) / sensitivity * (1 + TOLERANCE):
            problems.append(("noise_multiplier_mismatch", sequence,
                             "noise_multiplier %r claims more noise than γ·√σ_int²/Δ = %r" % (sigma, gamma * math.sqrt(variance) / sensitivity)))
        if not (entry["participants_aggregated"] == 0 and recorded_tv == 0):
            compare("sampler_tv_distance_mismatch", "sampler_tv_distance", recorded_tv, min(1.0, d * scaled_bound(variance)),
                    "d × the scaled sampler's bound")
        return
    n = entry["participants_selected"]
    padded, t, s_min = entry["padded_dimension"], entry["shamir_threshold"], entry["minimum_survivors"]
    a, rho = entry["dropout_allowance"], entry["corruption_rate"]
    if colluder_bound:
        assumed = colluders(n, rho, entry["colluder_tail_probability"])
        if entry["assumed_colluders"] != assumed:
            problems.append(("assumed_colluders_mismatch", sequence,
                             "assumed_colluders %r is not c(n) = %d for n = %d, ρ = %r, δ_c = %r"
                             % (entry["assumed_colluders"], assumed, n, rho, entry["colluder_tail_probability"])))
        honest = s_min - assumed
    else:
        honest = s_min - corrupt(n, rho)
    if not (t <= s_min <= n and s_min >= n - math.ceil(a * n)) or honest < 1:
        problems.append(("noise_multiplier_mismatch", sequence,
                         "minimum_survivors %d is not one the round could enforce (t = %d, n = %d, a = %r, ρ = %r)" % (s_min, t, n, a, rho)))
        return
    delta2 = grid_sensitivity(clip, gamma, padded)
    compare("sensitivity_mismatch", "sensitivity", entry["sensitivity"], gamma * delta2, "γ·Δ₂")
    expected = sigma_eff(delta2, variance, honest, padded)
    reports = entry.get("report_noise_variance")
    if reports is not None and entry.get("bit_noise_stddev") is not None:
        # Adaptive clipping: the honest shares also noise the report sum (sensitivity 1, one coordinate); joint σ.
        multiplier = 2 * entry["bit_noise_stddev"]
        if reports != max(8, math.ceil(multiplier * multiplier / honest)):
            problems.append(("noise_multiplier_mismatch", sequence, "report_noise_variance %r is not max(8, ⌈(2σ_b)²/h⌉)" % reports))
        report_sigma = sigma_eff(1.0, reports, honest, 1)
        expected = 1 / math.sqrt(1 / (expected * expected) + 1 / (report_sigma * report_sigma))
    compare("noise_multiplier_mismatch", "noise_multiplier", sigma, expected,
            "σ_eff of the %d certainly honest shares (KLS 2021, Prop. 14; with adaptive clipping joint with the reports)" % honest)
    compare("sampler_tv_distance_mismatch", "sampler_tv_distance", recorded_tv, min(1.0, n * padded * share_bound(variance)),
            "n × D × the table's bound")


def central_report_variance(bit_noise):
    """⌈(2σ_b)²⌉ (at least 1): the integer variance of the noise on the sum of the reports (Canonne, Kamath & Steinke 2020)."""
    multiplier = 2 * bit_noise
    return max(1, math.ceil(multiplier * multiplier))


def next_clip_norm(clip, count, aggregated, target, rate):
    """Andrew et al. 2021, §2 (geometric update): C·exp(−η_C·(clamp(b̃/n, 0, 1) − γ)); C when nothing was released."""
    if count is None or aggregated <= 0:
        return clip
    return clip * math.exp(-rate * (min(1.0, max(0.0, count / aggregated)) - target))


def check_adaptive(problems, sequence, entry, previous, first):
    """Version 5, a session with adaptive clipping: its members, and the clip norm re-derived from the previous entry."""
    params = [entry.get(k) for k in ADAPTIVE_PARAMETER_MEMBERS]
    count = entry.get("noisy_unclipped_count")
    if any(p is None for p in params):
        problems.append(("clip_norm_mismatch", sequence, "the session adapts its clip norm: every entry records %s" % ADAPTIVE_PARAMETER_MEMBERS))
        return None
    target, rate, bit_noise, variance = params
    if not (0 < target < 1 and 0 < rate <= MAX_CLIP_LEARNING_RATE and bit_noise > 0 and math.isfinite(bit_noise) and variance >= 1
            and (count is None or math.isfinite(count))):
        problems.append(("entry_malformed", sequence, "an adaptive-clipping member breaks its rule"))
        return None
    if (count is not None) != (entry.get("participants_aggregated", 0) > 0):
        problems.append(("level_mismatch", sequence, "noisy_unclipped_count is recorded exactly when the round aggregated something"))
    if [entry.get(k) for k in ADAPTIVE_PARAMETER_MEMBERS[:3]] != [first.get(k) for k in ADAPTIVE_PARAMETER_MEMBERS[:3]]:
        problems.append(("clip_norm_mismatch", sequence, "clip_target_quantile, clip_learning_rate or bit_noise_stddev changed"))
    clip = entry.get("clip_norm")
    if previous is not None and isinstance(clip, (int, float)):
        expected = next_clip_norm(previous["clip_norm"], previous.get("noisy_unclipped_count"), previous["participants_aggregated"],
                                  previous["clip_target_quantile"], previous["clip_learning_rate"])
        if not abs(clip - expected) <= TOLERANCE * expected:
            problems.append(("clip_norm_mismatch", sequence, "clip_norm %r is not %r, derived from the previous entry's released count" % (clip, expected)))
    return entry if isinstance(clip, (int, float)) and clip > 0 else None


def check_input_levels(problems, sequence, entry, colluder_bound=False):
    """Which noise inputs a version-3 entry records; returns whether they can be derived from."""
    present = [k for k in SECURE_INPUT_MEMBERS + COLLUDER_MEMBERS if entry.get(k) is not None]
    if entry["mechanism"] == "central_gaussian":
        if present != CENTRAL_INPUT_MEMBERS:
            problems.append(("level_mismatch", sequence, "a central_gaussian entry records exactly %s; got %s" % (CENTRAL_INPUT_MEMBERS, present)))
            return False
        return True
    wanted = SECURE_INPUT_MEMBERS + (COLLUDER_MEMBERS if colluder_bound else [])
    if present and present != wanted:
        problems.append(("level_mismatch", sequence, "a secure entry records all of %s or none; got %s" % (wanted, present)))
        return False
    if not present:
        if entry.get("participants_aggregated") != 0 or entry.get("sampler_tv_distance") != 0:
            problems.append(("level_mismatch", sequence, "an entry without noise inputs must aggregate nothing and record sampler_tv_distance 0"))
        return False
    return True


def inputs_well_formed(entry):
    """The rules of docs/ledger.md for the inputs and the fields they are compared with."""
    counts = [entry.get(k) for k in ("dimension", "integer_noise_variance", "padded_dimension", "shamir_threshold", "minimum_survivors")]
    rates = [entry.get(k) for k in ("dropout_allowance", "corruption_rate")]
    tail = entry.get("colluder_tail_probability")
    if entry.get("assumed_colluders") is not None and entry["assumed_colluders"] < 0 or tail is not None and not 0 < tail < 1:
        return False
    numbers = [entry.get(k) for k in ("clip_norm", "noise_multiplier", "sensitivity", "sampler_tv_distance", "grid_scale")]
    return all(c is None or c >= 1 for c in counts) and all(r is None or 0 <= r < 1 for r in rates) \
        and all(isinstance(x, (int, float)) and math.isfinite(x) and x >= 0 for x in numbers) \
        and entry["grid_scale"] > 0 and entry["clip_norm"] > 0 \
        and (entry.get("padded_dimension") is None or entry["padded_dimension"] >= entry["dimension"])


def is_lower_hex64(value):
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def audit(document, expected_public_key=None):
    """Every problem found, as (kind, sequence or None, message); the kinds are those of docs/ledger.md."""
    problems = []
    check_export(document)
    header = flatten_header(document["header"])
    entries = document["entries"]
    checkpoints = document["checkpoints"]
    participant_level = header.get("epsilon_budget") is not None
    example_budget = header.get("example_epsilon_budget")
    key_text = expected_public_key or header["public_key"]
    if expected_public_key is not None and expected_public_key != header["public_key"]:
        problems.append(("public_key_mismatch", None, "the header's key is not the expected coordinator key"))
    key = load_public_key(key_text)
    relation = header.get("neighbouring_relation")
    for name, (level_member, allowed) in ADVERSARY_NAMES.items():
        value, declared = header.get(name), header.get(level_member) is not None
        if relation is None and value is not None:
            problems.append(("header_malformed", None, "%s present in a header that names no neighbouring_relation" % name))
        elif relation is not None and declared and value not in allowed:
            problems.append(("header_malformed", None, "%s must be one of %s; got %r" % (name, sorted(allowed), value)))
        elif relation is not None and not declared and value is not None:
            problems.append(("header_malformed", None, "%s present for an undeclared level" % name))
    if relation is not None and relation != ZERO_OUT:
        problems.append(("header_malformed", None, "neighbouring_relation must be %r; got %r" % (ZERO_OUT, relation)))
    # Anchors (docs/ledger.md): the initial model's hash and an audited session's commitment, 64 lowercase hex digits.
    for name in ("initial_model_sha256", "audit_commitment"):
        if header.get(name) is not None and not is_lower_hex64(header[name]):
            problems.append(("header_malformed", None, "%s must be 64 lowercase hex digits" % name))
    if header.get("audit_commitment") is not None and not participant_level:
        problems.append(("header_malformed", None, "audit_commitment needs a participant-level guarantee"))
    records_coordinator = header.get("against_coordinator") == "recorded"
    version = header.get("accounting_version")
    if version is not None and version not in RESIDUE_VERSIONS:
        problems.append(("header_malformed", None, "accounting_version must be one of %s or absent; got %r" % (RESIDUE_VERSIONS, version)))
    records_residue = participant_level and version in RESIDUE_VERSIONS
    if example_budget is not None and (version in RESIDUE_VERSIONS) != (header.get("example_calibration_attempts") is not None):
        problems.append(("header_malformed", None, "example_calibration_attempts must be declared exactly in headers of accounting_version 2 or later"))
    records_inputs = participant_level and version in INPUT_VERSIONS
    distance = 0.0
    unamplified = participant_level and version in UNAMPLIFIED_VERSIONS
    records_adaptive = participant_level and version in ADAPTIVE_VERSIONS
    adaptive_session = records_adaptive and any(e.get(k) is not None for e in entries for k in ADAPTIVE_MEMBERS)
    previous_adaptive = None  # the last well-formed adaptive entry, whose released count sets the next clip norm
    colluder_bound = participant_level and version == COLLUDER_VERSION
    colluder_tail = 0.0  # Σ δ_c over the entries so far (version 6)
    precision = 0.0  # Σ 1/σ² over the entries so far: the composed Gaussian's μ² (version 4)

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
        if position > 1 and entry.get("participants_aggregated") == 0 \
                and entry.get("model_sha256") != entries[position - 2].get("model_sha256"):
            problems.append(("empty_step_model_changed", sequence, "an empty step names a model other than the previous entry's"))
        if position == 1 and entry.get("participants_aggregated") == 0 and header.get("initial_model_sha256") is not None \
                and entry.get("model_sha256") != header["initial_model_sha256"]:
            problems.append(("empty_step_model_changed", sequence, "an empty first step names a model other than the header's initial model"))

        if participant_level == (entry.get("mechanism") == "none"):
            problems.append(("level_mismatch", sequence, "mechanism %r does not match the header's participant level" % entry.get("mechanism")))
        if entry.get("mechanism") == "none":
            present = [k for k in PARTICIPANT_LEVEL_ENTRY_MEMBERS if entry.get(k) is not None]
            if present:
                problems.append(("entry_malformed", sequence, "participant-level members under mechanism none: " + ", ".join(present)))
        has_coordinator = any(entry.get(k) is not None for k in COORDINATOR_ENTRY_MEMBERS)
        if participant_level and entry.get("mechanism") != "none" and records_coordinator != has_coordinator:
            problems.append(("level_mismatch", sequence, "epsilon against the coordinator does not match the header's against_coordinator"))
        if header.get("against_coordinator") is not None and entry.get("mechanism") != "none" and \
                (header["against_coordinator"] == "recorded") != (entry.get("mechanism") == "distributed_discrete_gaussian"):
            problems.append(("level_mismatch", sequence, "mechanism %r does not match against_coordinator %r"
                             % (entry.get("mechanism"), header["against_coordinator"])))
        has_residue = [k for k in RESIDUE_ENTRY_MEMBERS if entry.get(k) is not None]
        if entry.get("mechanism") != "none" and records_residue:
            wanted = RESIDUE_ENTRY_MEMBERS if records_coordinator else RESIDUE_ENTRY_MEMBERS[:2]
            if set(has_residue) != set(wanted):
                problems.append(("level_mismatch", sequence, "accounting version 2 needs %s; the entry records %s" % (wanted, has_residue)))
            tv = entry.get("sampler_tv_distance")
            if isinstance(tv, (int, float)) and 0 <= tv <= 1:
                distance = min(1.0, distance + tv)
                tail = entry.get("colluder_tail_probability")
                if colluder_bound and isinstance(tail, (int, float)) and 0 < tail < 1:
                    colluder_tail = min(1.0, colluder_tail + tail)
                delta = header.get("delta")
                check_delta_total(problems, sequence, "delta_total", entry.get("delta_total"), delta, distance,
                                  [entry.get("epsilon_rdp"), entry.get("epsilon_pld")], colluder_tail)
                if records_coordinator:
                    check_delta_total(problems, sequence, "delta_total_against_coordinator",
                                      entry.get("delta_total_against_coordinator"), delta, distance,
                                      [entry.get(k) for k in COORDINATOR_ENTRY_MEMBERS], colluder_tail)
            else:
                problems.append(("entry_malformed", sequence, "sampler_tv_distance must be a number in [0, 1]; got %r" % tv))
        elif entry.get("mechanism") != "none" and has_residue:
            problems.append(("level_mismatch", sequence, "sampler residue members in a ledger whose accounting_version does not record them"))
        if unamplified and entry.get("mechanism") != "none":
            sigma = entry.get("noise_multiplier")
            if isinstance(sigma, (int, float)) and sigma > 0 and math.isfinite(sigma) and precision >= 0:
                precision += 1.0 / (sigma * sigma)
                check_unamplified(problems, sequence, entry, header.get("delta"), math.sqrt(precision), records_coordinator)
            else:
                precision = -1.0  # an unusable σ (already named): later prefixes cannot be checked
        if entry.get("mechanism") in ("central_gaussian", "distributed_discrete_gaussian"):
            if records_inputs and check_input_levels(problems, sequence, entry, colluder_bound):
                if inputs_well_formed(entry):
                    check_noise_inputs(problems, sequence, entry, colluder_bound)
                else:
                    problems.append(("entry_malformed", sequence, "a noise input or a figure derived from them breaks its rule"))
            elif not records_inputs and any(entry.get(k) is not None for k in SECURE_INPUT_MEMBERS + COLLUDER_MEMBERS):
                problems.append(("level_mismatch", sequence, "noise inputs in a ledger whose accounting_version does not record them"))
        has_adaptive = [k for k in ADAPTIVE_MEMBERS if entry.get(k) is not None]
        if has_adaptive and not records_adaptive:
            problems.append(("level_mismatch", sequence, "adaptive-clipping members in a ledger whose accounting_version does not record them"))
        elif adaptive_session:
            previous_adaptive = check_adaptive(problems, sequence, entry, previous_adaptive, entries[0])
        if (example_budget is None) != (entry.get("example_epsilon_max") is None):
            problems.append(("level_mismatch", sequence, "example_epsilon_max does not match the header's example level"))
        if example_budget is not None and not ((entry.get("example_epsilon_max") or 0) <= example_budget):
            problems.append(("example_budget_exceeded", sequence, "example ε %r exceeds %r" % (entry["example_epsilon_max"], example_budget)))
        if participant_level:
            enforced = entry.get("epsilon_pld" if header.get("accountant") == "pld" else "epsilon_rdp")
            if enforced is not None and not (enforced <= header["epsilon_budget"]):
                problems.append(("budget_exceeded", sequence, "recorded ε %r exceeds the budget %r" % (enforced, header["epsilon_budget"])))

    # Checkpoints are matched to entries by round: an empty step commits the previous model again under a new round.
    entry_by_round = {e.get("round"): e for e in entries}
    entry_shas = {e.get("model_sha256") for e in entries}
    checkpoint_rounds = {c["round"] for c in checkpoints}
    checkpoint_shas = {c["sha256"] for c in checkpoints}
    for checkpoint in checkpoints:
        same_round = entry_by_round.get(checkpoint["round"])
        if same_round is not None and same_round.get("model_sha256") != checkpoint["sha256"]:
            problems.append(("checkpoint_sha_mismatch", same_round.get("sequence"),
                             "the checkpoint of round %d is not the model the entry records" % checkpoint["round"]))
        elif same_round is None and checkpoint["sha256"] not in entry_shas:
            problems.append(("checkpoint_without_entry", None, "checkpoint of round %d has no entry" % checkpoint["round"]))
        elif same_round is None:
            problems.append(("checkpoint_round_mismatch", None, "checkpoint of round %d is recorded under another round" % checkpoint["round"]))
    for entry in entries:
        if entry.get("model_sha256") not in checkpoint_shas and entry.get("round") not in checkpoint_rounds:
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
    initial = document["header"].get("initial_model_sha256")
    if round_number == 0 and initial is not None:
        # The initial model has no entry; a header that anchors it names its hash (docs/ledger.md).
        if initial != sha:
            problems.append(("model_sha_mismatch", None, "the model's weights are not the initial model the header names"))
        return problems
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
        "neighbouring_relation": header.get("neighbouring_relation"),
        "initial_model_sha256": header.get("initial_model_sha256"),
        "audit_commitment": header.get("audit_commitment"),
        "participant_level": None if header.get("epsilon_budget") is None else {
            "epsilon_budget": header["epsilon_budget"], "delta": header["delta"], "accountant": header["accountant"],
            "epsilon_against": header.get("epsilon_against"),
            "recorded_epsilon_rdp": last.get("epsilon_rdp"), "recorded_epsilon_pld": last.get("epsilon_pld"),
            "against_coordinator": header.get("against_coordinator"),
            "recorded_epsilon_against_coordinator_rdp": last.get("epsilon_against_coordinator_rdp"),
            "recorded_epsilon_against_coordinator_pld": last.get("epsilon_against_coordinator_pld"),
            "accounting_version": header.get("accounting_version") or 1,
            "recorded_delta_total": last.get("delta_total"),
            "recorded_delta_total_against_coordinator": last.get("delta_total_against_coordinator"),
        },
        "example_level": None if header.get("example_epsilon_budget") is None else {
            "epsilon_budget": header["example_epsilon_budget"], "delta": header["example_delta"],
            "accountant": header["example_accountant"], "largest_reported_epsilon": max(example) if example else None,
            "calibration_attempts": header.get("example_calibration_attempts"),
            "epsilon_against": header.get("example_epsilon_against"),
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
            document = json.load(f, parse_constant=reject_constant)
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
        print("OK: chain, hashes, signatures, checkpoints, levels, delta_total and the noise inputs' derivations verify%s (ε not recomputed here)" % models if not problems
              else "FAILED: %d problems" % len(problems))
    return 0 if not problems else 6


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
