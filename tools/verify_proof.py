#!/usr/bin/env python3
"""Check an Augury journal proof without trusting Augury's code.

Usage:
    python3 tools/verify_proof.py BUNDLE.json --public-key HEX_OR_FILE

BUNDLE.json comes from `augury journal prove` (an inclusion proof: this entry is in the log) or
`augury journal consistency` (a consistency proof: the newer log extends the older one). The
public key is the venue's Ed25519 key, obtained from the venue through a channel you trust.

Needs only the standard library and the `cryptography` package. Hashing follows RFC 6962/9162:
leaf = SHA-256(0x00 || index as 8 bytes little-endian || payload), node = SHA-256(0x01 || l || r).
Exit status 0 when the proof holds, 1 when it does not.
"""

import argparse
import base64
import hashlib
import json
import os
import struct
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def leaf_hash(index, payload):
    return hashlib.sha256(b"\x00" + struct.pack("<Q", index) + payload).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def checkpoint_body(cp):
    return "augury-journal-checkpoint/v1\n%d\n%s\n%d\n" % (cp["size"], cp["root_hex"], cp["timestamp_ms"])


def check_signature(cp, public_key):
    if cp["public_key_hex"] != public_key.hex():
        raise ValueError("the checkpoint names another signing key")
    key = Ed25519PublicKey.from_public_bytes(public_key)
    try:
        key.verify(base64.b64decode(cp["signature_b64"]), checkpoint_body(cp).encode())
    except InvalidSignature:
        raise ValueError("the checkpoint signature does not verify")


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size, new_size, old_root, new_root, proof):
    """RFC 9162 section 2.1.4.2."""
    if old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundle")
    parser.add_argument("--public-key", required=True, help="64 hex characters, or a file holding them")
    args = parser.parse_args()
    key_text = open(args.public_key).read() if os.path.exists(args.public_key) else args.public_key
    public_key = bytes.fromhex(key_text.strip())
    with open(args.bundle) as f:
        bundle = json.load(f)
    try:
        if "inclusion_proof_hex" in bundle:
            cp = bundle["checkpoint"]
            check_signature(cp, public_key)
            payload = bytes.fromhex(bundle["payload_hex"])
            leaf = leaf_hash(bundle["index"], payload)
            proof = [bytes.fromhex(h) for h in bundle["inclusion_proof_hex"]]
            if not verify_inclusion(bundle["index"], cp["size"], leaf, proof, bytes.fromhex(cp["root_hex"])):
                raise ValueError("entry %d is NOT in the log of size %d" % (bundle["index"], cp["size"]))
            print("OK: entry %d is in the signed log of size %d" % (bundle["index"], cp["size"]))
        else:
            old, new = bundle["old"], bundle["new"]
            check_signature(old, public_key)
            check_signature(new, public_key)
            proof = [bytes.fromhex(h) for h in bundle["consistency_proof_hex"]]
            ok = verify_consistency(old["size"], new["size"], bytes.fromhex(old["root_hex"]),
                                    bytes.fromhex(new["root_hex"]), proof)
            if not ok:
                raise ValueError("the log of size %d is NOT an extension of size %d" % (new["size"], old["size"]))
            print("OK: the signed log of size %d extends the one of size %d" % (new["size"], old["size"]))
    except (ValueError, KeyError) as e:
        print("FAILED: %s" % e)
        sys.exit(1)


if __name__ == "__main__":
    main()
