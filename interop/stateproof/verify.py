#!/usr/bin/env python3
"""A second verifier of weid state proofs, written from the format in
docs/architecture.md ("State and the app hash") and txn/stateproof.go's
comment, sharing no code with weid: it reads one txn.StateProof (JSON) on
stdin and the expected root (hex) as argv[1], and prints the proven value
(base64url, or "absent") or exits 1 with the reason.

leaf = H(0x00 || H(key) || H(value)); inner = H(0x01 || left || right);
empty = 32 zero bytes; path = bits of H(key), most significant first,
0 = left; siblings from the root down; H is SHA-256 or SM3.
"""
import base64, hashlib, json, sys


def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def main():
    p = json.load(sys.stdin)
    root = bytes.fromhex(sys.argv[1])
    name = {"sha-256": "sha256", "sm3": "sm3"}[p["hash"]]
    H = lambda b: hashlib.new(name, b).digest()
    key = b64(p["key"])
    kh = H(key)
    bit = lambda h, d: (h[d // 8] >> (7 - d % 8)) & 1
    sibs = p["siblings"]
    if p["exists"]:
        node = H(b"\x00" + kh + H(b64(p.get("value", ""))))
    elif p.get("other"):
        okh, ovh = b64(p["other"]["keyHash"]), b64(p["other"]["valueHash"])
        if okh == kh or any(bit(okh, d) != bit(kh, d) for d in range(len(sibs))):
            sys.exit("the other leaf is not another key on the path")
        node = H(b"\x00" + okh + ovh)
    else:
        node = bytes(32)
    for d in range(len(sibs) - 1, -1, -1):
        s = b64(sibs[d]) if sibs[d] else bytes(32)
        node = H(b"\x01" + (node + s if bit(kh, d) == 0 else s + node))
    if node != root:
        sys.exit("root mismatch: %s" % node.hex())
    print(p.get("value", "") if p["exists"] else "absent")


main()
