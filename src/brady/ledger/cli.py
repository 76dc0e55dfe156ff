"""brady-verify: check a Brady ledger export or proof offline, trusting only the log's key.

    brady-verify export DIR --key VKEY [--against CHECKPOINT]
    brady-verify proof PROOF_FILE --entry ENTRY_FILE --key VKEY
    brady-verify consistency OLD_CHECKPOINT NEW_CHECKPOINT PROOF_FILE --key VKEY
    brady-verify certificate CERTIFICATE (--later CHECKPOINT --proof FILE | --export DIR) --key VKEY

VKEY is the log's public key string, or @FILE holding it. Exit 0: verified;
exit 1: it does not verify (the reason is printed); exit 2: bad usage.
Standard library plus PyNaCl and rfc8785 only, so it installs anywhere.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._b64 import b64decode_strict
from .bundle import check_manifest, verify_bundle
from .cited import verify_cited
from .errors import LedgerError
from .offline import verify_consistency_proof, verify_export, verify_proof


def _key(value: str) -> str:
    if value.startswith("@"):
        return Path(value[1:]).read_text().strip()
    return value.strip()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="brady-verify", description="Check a Brady ledger export or proof offline."
    )
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("export", help="check a whole exported ledger (tlog-tiles folder)")
    e.add_argument("directory", type=Path)
    e.add_argument("--against", type=Path, help="a checkpoint published earlier")
    pr = sub.add_parser("proof", help="check that one entry is in the ledger")
    pr.add_argument("proof", type=Path, help="c2sp.org/tlog-proof@v1 file")
    pr.add_argument("--entry", type=Path, required=True, help="the entry's exact bytes")
    c = sub.add_parser("consistency", help="check that a newer checkpoint extends an older one")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    c.add_argument("proof", type=Path, help="one base64 hash per line")
    ce = sub.add_parser(
        "certificate",
        help="check that the record a certificate of compliance cites is unchanged in a "
        "later ledger",
    )
    ce.add_argument(
        "certificate", type=Path, help="the certificate (.html) or its .checkpoint file"
    )
    ce.add_argument("--later", type=Path, help="a later checkpoint of the ledger")
    ce.add_argument(
        "--proof", type=Path, help="consistency proof to the later checkpoint (base64 per line)"
    )
    ce.add_argument("--export", type=Path, help="or: a later full export of the ledger")
    b = sub.add_parser(
        "bundle", help="check the ledger proofs of a disclosure production (a bag or its folder)"
    )
    b.add_argument("directory", type=Path, help="the bag, or its data/ledger folder")
    b.add_argument(
        "--earlier",
        type=Path,
        action="append",
        default=[],
        help="an earlier production of the case (bag or checkpoint file); repeatable",
    )
    for s in (e, pr, c, ce):
        s.add_argument("--key", required=True, help="the log's public key, or @FILE")
    b.add_argument("--key", help="the log's public key, or @FILE (default: the bundle's log.vkey)")
    return p


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "bundle":
            return _bundle(args)
        key = _key(args.key)
        if args.command == "certificate":
            return _certificate(args, key)
        if args.command == "export":
            against = args.against.read_text() if args.against else None
            rep = verify_export(args.directory, key, against)
            extra = (
                f" It contains the published checkpoint of {rep.against.size} entries."
                if rep.against
                else ""
            )
            print(
                f"Verified: {rep.entries} entries of {rep.checkpoint.origin}, every signature, "
                f"hash and tile matches the signed checkpoint.{extra}"
            )
        elif args.command == "proof":
            cp, entry = verify_proof(args.proof.read_text(), key, args.entry.read_bytes())
            what = f" ({entry.kind}, recorded {entry.recorded_at})" if entry else ""
            print(f"Verified: the entry{what} is in {cp.origin} as signed at {cp.size} entries.")
        else:
            hashes = [
                b64decode_strict(x, f"proof line {i + 1}")
                for i, x in enumerate(args.proof.read_text().split())
            ]
            verify_consistency_proof(args.old.read_text(), args.new.read_text(), key, hashes)
            print(
                "Verified: the newer checkpoint extends the older one; nothing was removed "
                "or rewritten in between."
            )
    except (LedgerError, OSError, ValueError) as exc:
        print(f"NOT VERIFIED: {exc}", file=sys.stderr)
        return 1
    return 0


def _certificate(args: argparse.Namespace, key: str) -> int:
    if (args.later is None) == (args.export is None):
        print("give --later CHECKPOINT with --proof FILE, or --export DIR", file=sys.stderr)
        return 2
    proof = None
    if args.later is not None:
        lines = args.proof.read_text().split() if args.proof else []
        proof = [b64decode_strict(x, f"proof line {i + 1}") for i, x in enumerate(lines)]
    rep = verify_cited(
        args.certificate.read_text(encoding="utf-8"),
        key,
        args.later.read_text(encoding="utf-8") if args.later else None,
        proof,
        args.export,
    )
    issued = (
        f" The certificate's own proof to the {rep.at_issue.size} entries at issue holds too."
        if rep.at_issue
        else ""
    )
    print(
        f"Verified: the record the certificate cites ({rep.cited.size} entries of "
        f"{rep.cited.origin}, signed checkpoint) is unchanged at the start of the later "
        f"ledger of {rep.later.size} entries.{issued}"
    )
    return 0


def _ledger_folder(path: Path) -> Path:
    return path / "data" / "ledger" if (path / "data" / "ledger").is_dir() else path


def _bundle(args: argparse.Namespace) -> int:
    folder = _ledger_folder(args.directory)
    is_bag = (args.directory / "manifest-sha256.txt").is_file()
    files = check_manifest(args.directory) if is_bag else 0
    key = _key(args.key) if args.key else (folder / "log.vkey").read_text().strip()
    earlier = []
    for path in args.earlier:
        cp = path if path.is_file() else _ledger_folder(path) / "checkpoint"
        earlier.append(cp.read_text(encoding="utf-8"))
    rep = verify_bundle(folder, key, earlier)
    since = (
        f" It extends the earlier checkpoint(s) of {', '.join(map(str, rep.earlier))} entries: "
        "nothing shown before was removed or rewritten."
        if rep.earlier
        else ""
    )
    origin = "" if args.key else " (key taken from the bundle: compare it with a published copy)"
    bag = f" All {files} files of the bag match its manifest." if is_bag else ""
    print(
        f"Verified: {rep.entries} entries and {rep.keys} key events are in {rep.checkpoint.origin} "
        f"as signed at {rep.checkpoint.size} entries, each signed by a key valid at the "
        f"time.{since}{bag}{origin}"
    )
    return 0


def main() -> None:
    sys.exit(run())
