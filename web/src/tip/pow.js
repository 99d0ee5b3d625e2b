// pow.js - the proof of work of the public tip routes (docs/tips.md
// "Abuse"): find a nonce so that BLAKE2b-256(challenge + ":" + nonce) has at
// least `bits` leading zero bits, as src/tips/tips_guard.c checks it. Works
// in slices so the page stays responsive and can show progress.
import { blake2b } from "blakejs";

const SLICE = 4000; // hashes between two yields to the browser

export function leadingZeroBits(hash) {
  let z = 0;
  for (const byte of hash) {
    if (byte === 0) {
      z += 8;
      continue;
    }
    for (let b = 7; b >= 0 && !((byte >> b) & 1); b--) z++;
    break;
  }
  return z;
}

// The nonce (hex counter, as the CLI's solver) for challenge at `bits`;
// onProgress(tried) after every slice.
export async function solve(challenge, bits, onProgress = () => {}) {
  const enc = new TextEncoder();
  const prefix = enc.encode(`${challenge}:`);
  const buf = new Uint8Array(prefix.length + 16);
  buf.set(prefix);
  for (let i = 0; ; i++) {
    const nonce = i.toString(16);
    for (let k = 0; k < nonce.length; k++) buf[prefix.length + k] = nonce.charCodeAt(k);
    const h = blake2b(buf.subarray(0, prefix.length + nonce.length), undefined, 32);
    if (leadingZeroBits(h) >= bits) return nonce;
    if (i % SLICE === SLICE - 1) {
      onProgress(i + 1);
      await new Promise((r) => setTimeout(r, 0));
    }
  }
}
