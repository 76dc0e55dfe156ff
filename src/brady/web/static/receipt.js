// Counsel's receipt of a production, checked in the browser: choose the bag you downloaded
// (the .zip) or its tagmanifest-sha256.txt, and this computes the SHA-256 of the tag
// manifest (the bag's identity, which the State recorded with the production), fills in the
// hash field and says whether it matches. Nothing is uploaded. Without this script (or
// without Web Crypto) the form still works: the hash is typed in.
//
// The zip is read by a small reader of its own (no library): only the end of the file (its
// central directory) and the one entry wanted are read, so a bag of many gigabytes is not
// loaded into memory. Entries are stored or deflated (ZIP method 0 or 8); ZIP64 is read.
"use strict";

(() => {
  const TAG_MANIFEST = "tagmanifest-sha256.txt";
  const EOCD = 0x06054b50;
  const ZIP64_LOCATOR = 0x07064b50;
  const ZIP64_EOCD = 0x06064b50;
  const CENTRAL = 0x02014b50;
  const LOCAL = 0x04034b50;

  class ZipError extends Error {}

  async function bytes(file, start, end) {
    return new DataView(await file.slice(start, end).arrayBuffer());
  }

  function u64(view, at) {
    const value = view.getBigUint64(at, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError("the zip is too large to read");
    return Number(value);
  }

  // Where the central directory is and how many entries it lists.
  async function directory(file) {
    const tailStart = Math.max(0, file.size - (22 + 65535));
    const tail = await bytes(file, tailStart, file.size);
    let at = -1;
    for (let i = tail.byteLength - 22; i >= 0; i -= 1) {
      if (tail.getUint32(i, true) === EOCD) { at = i; break; }
    }
    if (at < 0) throw new ZipError("this file is not a zip");
    let count = tail.getUint16(at + 10, true);
    let size = tail.getUint32(at + 12, true);
    let offset = tail.getUint32(at + 16, true);
    if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
      const locator = tailStart + at - 20;
      const loc = await bytes(file, locator, locator + 20);
      if (loc.getUint32(0, true) !== ZIP64_LOCATOR) throw new ZipError("a damaged ZIP64 zip");
      const where = u64(loc, 8);
      const rec = await bytes(file, where, where + 56);
      if (rec.getUint32(0, true) !== ZIP64_EOCD) throw new ZipError("a damaged ZIP64 zip");
      count = u64(rec, 32);
      size = u64(rec, 40);
      offset = u64(rec, 48);
    }
    return { count, dir: await bytes(file, offset, offset + size) };
  }

  // The 64-bit sizes and offset of a ZIP64 entry, from its extra field.
  function zip64(dir, extraAt, extraEnd, entry) {
    let at = extraAt;
    while (at + 4 <= extraEnd) {
      const id = dir.getUint16(at, true);
      const len = dir.getUint16(at + 2, true);
      if (id === 0x0001) {
        let field = at + 4;
        for (const key of ["size", "compressed", "offset"]) {
          if (entry[key] === 0xffffffff) { entry[key] = u64(dir, field); field += 8; }
        }
        return;
      }
      at += 4 + len;
    }
  }

  // The bag's own tag manifest: the one at the bag's top level (FOLDER/tagmanifest-sha256.txt).
  async function findEntry(file) {
    const { count, dir } = await directory(file);
    const decoder = new TextDecoder();
    let at = 0;
    for (let n = 0; n < count; n += 1) {
      if (dir.getUint32(at, true) !== CENTRAL) throw new ZipError("a damaged zip directory");
      const entry = {
        flags: dir.getUint16(at + 8, true),
        method: dir.getUint16(at + 10, true),
        compressed: dir.getUint32(at + 20, true),
        size: dir.getUint32(at + 24, true),
        offset: dir.getUint32(at + 42, true),
      };
      const nameLen = dir.getUint16(at + 28, true);
      const extraLen = dir.getUint16(at + 30, true);
      const commentLen = dir.getUint16(at + 32, true);
      const name = decoder.decode(new Uint8Array(dir.buffer, dir.byteOffset + at + 46, nameLen));
      const parts = name.split("/");
      if (parts[parts.length - 1] === TAG_MANIFEST && parts.length <= 2) {
        zip64(dir, at + 46 + nameLen, at + 46 + nameLen + extraLen, entry);
        return entry;
      }
      at += 46 + nameLen + extraLen + commentLen;
    }
    throw new ZipError(`the zip holds no ${TAG_MANIFEST}: is it the production's bag?`);
  }

  async function readEntry(file, entry) {
    if (entry.flags & 0x1) throw new ZipError("the zip is encrypted");
    const head = await bytes(file, entry.offset, entry.offset + 30);
    if (head.getUint32(0, true) !== LOCAL) throw new ZipError("a damaged zip entry");
    const start = entry.offset + 30 + head.getUint16(26, true) + head.getUint16(28, true);
    const data = file.slice(start, start + entry.compressed);
    if (entry.method === 0) return new Uint8Array(await data.arrayBuffer());
    if (entry.method !== 8) throw new ZipError(`the zip uses a compression (${entry.method}) this page cannot read`);
    if (!window.DecompressionStream) throw new ZipError("this browser cannot unpack a zip; unzip it and choose the tag manifest");
    const inflated = data.stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(inflated).arrayBuffer());
  }

  async function isZip(file) {
    if (file.size < 4) return false;
    return (await bytes(file, 0, 4)).getUint32(0, true) === LOCAL;
  }

  async function tagManifest(file) {
    if (await isZip(file)) return readEntry(file, await findEntry(file));
    return new Uint8Array(await file.arrayBuffer());
  }

  async function sha256(data) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data));
    return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function wire(form) {
    const pick = form.querySelector(".receipt-pick");
    const input = pick && pick.querySelector("input[type=file]");
    const said = pick && pick.querySelector("[data-receipt-said]");
    const field = form.querySelector("input[name=bag_sha256]");
    if (!input || !field) return;
    pick.hidden = false;
    const expected = (form.dataset.expected || "").toLowerCase();
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      said.className = "hint";
      said.textContent = `Computing the hash of ${file.name}…`;
      try {
        const hash = await sha256(await tagManifest(file));
        field.value = hash;
        if (hash === expected) {
          said.className = "hint good";
          said.textContent = `The hash is filled in below. It matches the hash the State recorded for this production: this is the bag that was produced.`;
        } else {
          said.className = "hint bad";
          said.textContent = `The hash is filled in below, but it does NOT match the hash the State recorded (${expected}): this is not the bag of this production. Check that you chose the right file; acknowledging it will be refused.`;
        }
      } catch (err) {
        said.className = "hint bad";
        said.textContent = err instanceof ZipError
          ? `Brady could not read ${file.name}: ${err.message}. You can unzip it and choose its ${TAG_MANIFEST}, or type the hash.`
          : `Brady could not compute the hash in this browser (${err.message}); type it instead.`;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (!(window.crypto && crypto.subtle)) return; // Web Crypto needs HTTPS; the typed hash remains
    for (const form of document.querySelectorAll("form.receipt")) wire(form);
  });
})();
