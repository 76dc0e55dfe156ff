"""brady-verify: check a Brady ledger export or proof offline, trusting only the log's key.

    brady-verify export DIR --key VKEY [--against CHECKPOINT]
    brady-verify proof PROOF_FILE --entry ENTRY_FILE --key VKEY
    brady-verify consistency OLD_CHECKPOINT NEW_CHECKPOINT PROOF_FILE --key VKEY
    brady-verify certificate CERTIFICATE (--later CHECKPOINT --proof FILE | --export DIR) --key VKEY
    brady-verify equivocation CHECKPOINT_A [CHECKPOINT_B] [--proof FILE] --key VKEY
    brady-verify checkpoint CHECKPOINT --key VKEY

VKEY is the log's public key string, or @FILE holding it. Every command that reads a
checkpoint (not equivocation) also takes a witness policy: `--witness WITNESS_VKEY`
(repeatable, or @FILE) and `--quorum K` (default: every witness given); the checkpoint is
refused unless it carries K valid cosignatures from those witnesses. Exit 0: verified (for
equivocation: a split view is proven); exit 1: it does not verify, or no split view is
proven (the reason is printed); exit 2: bad usage.
Standard library plus PyNaCl and rfc8785 only, so it installs anywhere.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._b64 import b64decode_strict
from .bundle import check_manifest, verify_bundle
from .checkpoint import InclusionProofFile, open_checkpoint
from .cited import verify_cited
from .cosignature import join_note, split_note
from .equivocation import check_evidence, judge
from .errors import LedgerError
from .note import Verifier
from .offline import verify_consistency_proof, verify_export, verify_proof
from .witness_policy import WitnessPolicy


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
    ce, b, q, k = _later_commands(sub)
    for s in (e, pr, c, ce, q, k):
        s.add_argument("--key", required=True, help="the log's public key, or @FILE")
    b.add_argument("--key", help="the log's public key, or @FILE (default: the bundle's log.vkey)")
    for s in (e, pr, c, ce, b, k):
        _witness_options(s)
    return p


def _later_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
) -> tuple[
    argparse.ArgumentParser,
    argparse.ArgumentParser,
    argparse.ArgumentParser,
    argparse.ArgumentParser,
]:
    """certificate, bundle, equivocation and checkpoint: the commands a court or the defense
    runs on what they were handed."""
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
    q = sub.add_parser(
        "equivocation",
        help="prove that the log showed two histories, from two checkpoints it signed "
        "(or re-check a saved split-view proof)",
    )
    q.add_argument("checkpoints", type=Path, nargs="+", help="two checkpoints, or one saved proof")
    q.add_argument(
        "--proof",
        type=Path,
        help="consistency proof from the smaller size to the larger (base64 per line)",
    )
    k = sub.add_parser(
        "checkpoint", help="check a checkpoint's signature (and its cosignatures, with --witness)"
    )
    k.add_argument("checkpoint", type=Path)
    return ce, b, q, k


def _witness_options(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="WITNESS_VKEY",
        help="a witness whose cosignature the checkpoint must carry (its key, or @FILE); "
        "repeatable",
    )
    s.add_argument(
        "--quorum",
        type=int,
        help="how many of the witnesses given must have cosigned (default: all of them)",
    )


def _policy(args: argparse.Namespace) -> WitnessPolicy:
    witnesses = getattr(args, "witness", [])
    quorum = getattr(args, "quorum", None)
    if quorum is not None and not witnesses:
        raise ValueError("--quorum needs the witnesses' keys (--witness WITNESS_VKEY)")
    return WitnessPolicy.of([_key(w) for w in witnesses], quorum)


def _log_signed(note: str, vkey: str) -> str:
    """The note with the log's own signature only: what the agency stored and signed,
    whatever cosignatures were added to the copy at hand."""
    verifier = Verifier.from_vkey(vkey)
    text, sigs = split_note(note)
    own = [s for s in sigs if s.name == verifier.name and s.key_id == verifier.key_id]
    return join_note(text, own) if own else note


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        policy = _policy(args)
        if args.command == "bundle":
            return _bundle(args, policy)
        key = _key(args.key)
        if args.command == "certificate":
            return _certificate(args, key, policy)
        if args.command == "equivocation":
            return _equivocation(args, key)
        if args.command == "checkpoint":
            note = args.checkpoint.read_text(encoding="utf-8")
            cp = open_checkpoint(note, Verifier.from_vkey(key))
            cosigned = policy.summary(policy.check(note))
            print(
                f"Verified: the checkpoint of {cp.size} entries is signed by {cp.origin}.{cosigned}"
            )
        elif args.command == "export":
            against = args.against.read_text() if args.against else None
            rep = verify_export(args.directory, key, against)
            cosigned = policy.summary(
                policy.check((args.directory / "checkpoint").read_text(encoding="utf-8"))
            )
            extra = (
                f" It contains the published checkpoint of {rep.against.size} entries."
                if rep.against
                else ""
            )
            print(
                f"Verified: {rep.entries} entries of {rep.checkpoint.origin}, every signature, "
                f"hash and tile matches the signed checkpoint.{extra}{cosigned}"
            )
        elif args.command == "proof":
            text = args.proof.read_text()
            cp, entry = verify_proof(text, key, args.entry.read_bytes())
            cosigned = policy.summary(policy.check(InclusionProofFile.parse(text).checkpoint_note))
            what = f" ({entry.kind}, recorded {entry.recorded_at})" if entry else ""
            print(
                f"Verified: the entry{what} is in {cp.origin} as signed at {cp.size} entries."
                f"{cosigned}"
            )
        else:
            hashes = [
                b64decode_strict(x, f"proof line {i + 1}")
                for i, x in enumerate(args.proof.read_text().split())
            ]
            newer = args.new.read_text()
            verify_consistency_proof(args.old.read_text(), newer, key, hashes)
            cosigned = policy.summary(policy.check(newer, "the newer checkpoint"))
            print(
                "Verified: the newer checkpoint extends the older one; nothing was removed "
                f"or rewritten in between.{cosigned}"
            )
    except (LedgerError, OSError, ValueError) as exc:
        print(f"NOT VERIFIED: {exc}", file=sys.stderr)
        return 1
    return 0


def _certificate(args: argparse.Namespace, key: str, policy: WitnessPolicy) -> int:
    if (args.later is None) == (args.export is None):
        print("give --later CHECKPOINT with --proof FILE, or --export DIR", file=sys.stderr)
        return 2
    proof = None
    if args.later is not None:
        lines = args.proof.read_text().split() if args.proof else []
        proof = [b64decode_strict(x, f"proof line {i + 1}") for i, x in enumerate(lines)]
    later = args.later.read_text(encoding="utf-8") if args.later else None
    rep = verify_cited(args.certificate.read_text(encoding="utf-8"), key, later, proof, args.export)
    if later is None:
        later = (args.export / "checkpoint").read_text(encoding="utf-8")
    cosigned = policy.summary(policy.check(later, "the later checkpoint"))
    issued = (
        f" The certificate's own proof to the {rep.at_issue.size} entries at issue holds too."
        if rep.at_issue
        else ""
    )
    print(
        f"Verified: the record the certificate cites ({rep.cited.size} entries of "
        f"{rep.cited.origin}, signed checkpoint) is unchanged at the start of the later "
        f"ledger of {rep.later.size} entries.{issued}{cosigned}"
    )
    return 0


def _equivocation(args: argparse.Namespace, key: str) -> int:
    """Exit 0 only when the checkpoints prove a split view; print the proof to keep."""
    files: list[Path] = args.checkpoints
    if len(files) > 2 or (len(files) == 1 and args.proof is not None):
        print("give two checkpoints (and --proof FILE), or one saved proof", file=sys.stderr)
        return 2
    if len(files) == 1:
        verdict = check_evidence(files[0].read_text(encoding="utf-8"), key)
    else:
        proof = None
        if args.proof is not None:
            lines = args.proof.read_text().split()
            proof = [b64decode_strict(x, f"proof line {i + 1}") for i, x in enumerate(lines)]
        notes = [f.read_text(encoding="utf-8") for f in files]
        verdict = judge(notes[0], notes[1], key, proof)
    if not verdict.proven:
        print(f"NOT PROVEN: {verdict.reason}", file=sys.stderr)
        return 1
    print(verdict.evidence(key), end="")
    print(
        "\nSplit view proven: both checkpoints carry the log's valid signature and cannot both "
        "be true. Keep this text; anyone with the log's key can check it with\n"
        "  brady-verify equivocation PROOF_FILE --key VKEY",
        file=sys.stderr,
    )
    return 0


def _ledger_folder(path: Path) -> Path:
    return path / "data" / "ledger" if (path / "data" / "ledger").is_dir() else path


def _bundle(args: argparse.Namespace, policy: WitnessPolicy) -> int:
    folder = _ledger_folder(args.directory)
    is_bag = (args.directory / "manifest-sha256.txt").is_file()
    files = check_manifest(args.directory) if is_bag else 0
    key = _key(args.key) if args.key else (folder / "log.vkey").read_text().strip()
    earlier = []
    for path in args.earlier:
        cp = path if path.is_file() else _ledger_folder(path) / "checkpoint"
        earlier.append(_log_signed(cp.read_text(encoding="utf-8"), key))
    rep = verify_bundle(folder, key, earlier)
    cosigned = policy.summary(policy.check((folder / "checkpoint").read_text(encoding="utf-8")))
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
        f"time.{since}{bag}{cosigned}{origin}"
    )
    return 0


def main() -> None:
    sys.exit(run())
