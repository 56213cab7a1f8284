// Gzip detection on bytes (unzipping needs a platform library: see node/read-file.ts).

/** True when the buffer starts with the gzip magic bytes (1f 8b). */
export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}
