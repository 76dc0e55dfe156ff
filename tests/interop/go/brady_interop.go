// Command brady-interop checks Brady's ledger output with Go's own verifiers,
// golang.org/x/mod/sumdb/note (C2SP signed notes) and golang.org/x/mod/sumdb/tlog
// (RFC 6962 inclusion and consistency proofs).
//
// Usage:
//
//	brady-interop verify-note VKEY NOTEFILE
//	brady-interop verify-inclusion VKEY CHECKPOINTNOTEFILE LEAFINDEX LEAFHASH_B64 PROOFFILE
//	brady-interop verify-consistency VKEY OLDNOTE NEWNOTE PROOFFILE
//	brady-interop vkey NAME PUBKEY_B64
//	brady-interop open-cosigned LOGVKEY NOTEFILE [WITNESSNAME WITNESSPUBKEY_B64]...
//
// open-cosigned opens a checkpoint with the log's verifier plus a cosignature/v1
// verifier (c2sp.org/tlog-cosignature, written here from the specification) for each
// witness given, prints the note's text, then "verified NAME" for each signature Go
// checked and "unverified NAME" for each it ignored as unknown.
//
// A proof file holds one base64 SHA-256 hash per line, in RFC 6962 order
// (an empty file is an empty proof). Exit status 0 means accepted; 1 means
// rejected, with the reason on stderr; 2 means a usage error.
//
// Built in GOPATH mode against Debian's golang-golang-x-mod-dev; see
// scripts/install-go-interop.sh.
package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "brady-interop: "+format+"\n", args...)
	os.Exit(1)
}

func usage() {
	fmt.Fprint(os.Stderr, `usage:
  brady-interop verify-note VKEY NOTEFILE
  brady-interop verify-inclusion VKEY CHECKPOINTNOTEFILE LEAFINDEX LEAFHASH_B64 PROOFFILE
  brady-interop verify-consistency VKEY OLDNOTE NEWNOTE PROOFFILE
  brady-interop vkey NAME PUBKEY_B64
  brady-interop open-cosigned LOGVKEY NOTEFILE [WITNESSNAME WITNESSPUBKEY_B64]...
`)
	os.Exit(2)
}

// openNote verifies the note in file with the one verifier key and returns its text.
func openNote(vkey, file string) (string, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return "", fmt.Errorf("verifier key: %w", err)
	}
	msg, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return "", fmt.Errorf("%s: %w", file, err)
	}
	if len(n.Sigs) == 0 {
		return "", fmt.Errorf("%s: no verified signature", file)
	}
	return n.Text, nil
}

// parseCheckpoint reads a c2sp.org/tlog-checkpoint body: origin, decimal
// size and base64 root hash lines, then optional extension lines.
func parseCheckpoint(text string) (checkpoint, error) {
	var cp checkpoint
	if !strings.HasSuffix(text, "\n") {
		return cp, errors.New("checkpoint body does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return cp, errors.New("checkpoint body needs origin, size and root lines")
	}
	cp.origin = lines[0]
	if cp.origin == "" {
		return cp, errors.New("empty origin")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return cp, fmt.Errorf("malformed tree size %q", lines[1])
	}
	cp.size = size
	cp.root, err = tlog.ParseHash(lines[2])
	if err != nil {
		return cp, fmt.Errorf("malformed root hash %q: %w", lines[2], err)
	}
	return cp, nil
}

func openCheckpoint(vkey, file string) checkpoint {
	text, err := openNote(vkey, file)
	if err != nil {
		fail("%v", err)
	}
	cp, err := parseCheckpoint(text)
	if err != nil {
		fail("%s: %v", file, err)
	}
	// c2sp.org/tlog-checkpoint: the note must be signed by the log's own key,
	// whose name is the origin.
	v, _ := note.NewVerifier(vkey)
	if cp.origin != v.Name() {
		fail("%s: origin %q is not the key name %q", file, cp.origin, v.Name())
	}
	return cp
}

func readProof(file string) []tlog.Hash {
	data, err := os.ReadFile(file)
	if err != nil {
		fail("%v", err)
	}
	var proof []tlog.Hash
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" {
			continue
		}
		h, err := tlog.ParseHash(line)
		if err != nil {
			fail("%s: line %d: %v", file, i+1, err)
		}
		proof = append(proof, h)
	}
	return proof
}

// cosigVerifier checks Ed25519 cosignature/v1 lines: key ID type 0x04, and a
// signature of "cosignature/v1\ntime T\n" + the note text, T being the 8-byte
// big-endian timestamp that precedes the 64 signature bytes.
type cosigVerifier struct {
	name string
	pub  ed25519.PublicKey
}

func (v cosigVerifier) Name() string { return v.name }

func (v cosigVerifier) KeyHash() uint32 {
	h := sha256.Sum256(append([]byte(v.name+"\n\x04"), v.pub...))
	return binary.BigEndian.Uint32(h[:4])
}

func (v cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	if t > 1<<63-1 {
		return false
	}
	signed := append([]byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t)), msg...)
	return ed25519.Verify(v.pub, signed, sig[8:])
}

func openCosigned(args []string) {
	if len(args) < 2 || len(args)%2 != 0 {
		usage()
	}
	logV, err := note.NewVerifier(args[0])
	if err != nil {
		fail("verifier key: %v", err)
	}
	verifiers := []note.Verifier{logV}
	for i := 2; i < len(args); i += 2 {
		pub, err := base64.StdEncoding.DecodeString(args[i+1])
		if err != nil || len(pub) != ed25519.PublicKeySize {
			fail("witness key %q is not base64 of %d bytes", args[i+1], ed25519.PublicKeySize)
		}
		verifiers = append(verifiers, cosigVerifier{args[i], ed25519.PublicKey(pub)})
	}
	msg, err := os.ReadFile(args[1])
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		fail("%s: %v", args[1], err)
	}
	fmt.Print(n.Text)
	for _, s := range n.Sigs {
		fmt.Printf("verified %s\n", s.Name)
	}
	for _, s := range n.UnverifiedSigs {
		fmt.Printf("unverified %s\n", s.Name)
	}
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "verify-note":
		if len(args) != 2 {
			usage()
		}
		text, err := openNote(args[0], args[1])
		if err != nil {
			fail("%v", err)
		}
		fmt.Print(text)

	case "verify-inclusion":
		if len(args) != 5 {
			usage()
		}
		cp := openCheckpoint(args[0], args[1])
		index, err := strconv.ParseInt(args[2], 10, 64)
		if err != nil {
			fail("leaf index %q: %v", args[2], err)
		}
		leaf, err := tlog.ParseHash(args[3])
		if err != nil {
			fail("leaf hash %q: %v", args[3], err)
		}
		proof := readProof(args[4])
		if err := tlog.CheckRecord(tlog.RecordProof(proof), cp.size, cp.root, index, leaf); err != nil {
			fail("inclusion of leaf %d in tree of size %d: %v", index, cp.size, err)
		}
		fmt.Printf("ok: leaf %d is in %s tree of size %d\n", index, cp.origin, cp.size)

	case "verify-consistency":
		if len(args) != 4 {
			usage()
		}
		old := openCheckpoint(args[0], args[1])
		cur := openCheckpoint(args[0], args[2])
		proof := readProof(args[3])
		if err := tlog.CheckTree(tlog.TreeProof(proof), cur.size, cur.root, old.size, old.root); err != nil {
			fail("consistency %d -> %d: %v", old.size, cur.size, err)
		}
		fmt.Printf("ok: %s tree of size %d extends size %d\n", cur.origin, cur.size, old.size)

	case "vkey":
		if len(args) != 2 {
			usage()
		}
		pub, err := base64.StdEncoding.DecodeString(args[1])
		if err != nil || len(pub) != ed25519.PublicKeySize {
			fail("public key %q is not base64 of %d bytes", args[1], ed25519.PublicKeySize)
		}
		vkey, err := note.NewEd25519VerifierKey(args[0], ed25519.PublicKey(pub))
		if err != nil {
			fail("%v", err)
		}
		fmt.Println(vkey)

	case "open-cosigned":
		openCosigned(args)

	default:
		usage()
	}
}
