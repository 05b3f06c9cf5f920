/**
 * A SQLite database in WAL mode keeps recent commits in `<db>-wal` until a checkpoint copies them into the main
 * file; a reader that loads the main file alone (sql.js loads a copy into memory) misses them. This rebuilds the
 * database as a reader of the WAL would see it, following SQLite's file format ("The Write-Ahead Log"): frames
 * whose salts match the WAL header and whose running checksum holds, up to the last commit frame, each page's
 * newest frame over the main file's page. The copy is switched to the rollback journal (header bytes 18-19), so
 * an in-memory SQLite opens it without a WAL of its own.
 */

const WAL_HEADER = 32;
const FRAME_HEADER = 24;

export interface WalReplay {
  image: Uint8Array;
  /** Frames of committed transactions applied from the WAL. */
  frames: number;
}

function checksum(data: Uint8Array, bigEndian: boolean, seed: [number, number]): [number, number] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let [s0, s1] = seed;
  for (let i = 0; i < data.byteLength; i += 8) {
    s0 = (s0 + view.getUint32(i, !bigEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, !bigEndian) + s0) >>> 0;
  }
  return [s0, s1];
}

/** The WAL header's identity (checkpoint sequence and salts): a checkpoint that restarts the WAL changes it. */
export function walIdentity(wal: Uint8Array): string {
  return wal.byteLength < WAL_HEADER ? '' : Buffer.from(wal.subarray(12, 24)).toString('hex');
}

/** The main file with the WAL's committed frames applied (the main file unchanged when the WAL has none). */
export function applySqliteWal(main: Uint8Array, wal: Uint8Array | undefined): WalReplay {
  const pages: Array<{ number: number; page: Uint8Array }> = [];
  let committed = 0;
  let databasePages = 0;
  let pageSize = 0;
  if (wal && wal.byteLength >= WAL_HEADER) {
    const header = new DataView(wal.buffer, wal.byteOffset, WAL_HEADER);
    const magic = header.getUint32(0);
    pageSize = header.getUint32(8);
    const validSize = pageSize >= 512 && pageSize <= 65536 && (pageSize & (pageSize - 1)) === 0;
    if ((magic === 0x377f0682 || magic === 0x377f0683) && validSize) {
      const bigEndian = (magic & 1) === 1;
      const salts = [header.getUint32(16), header.getUint32(20)];
      let sum = checksum(wal.subarray(0, 24), bigEndian, [0, 0]);
      if (sum[0] === header.getUint32(24) && sum[1] === header.getUint32(28)) {
        for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= wal.byteLength; at += FRAME_HEADER + pageSize) {
          const frame = new DataView(wal.buffer, wal.byteOffset + at, FRAME_HEADER);
          if (frame.getUint32(8) !== salts[0] || frame.getUint32(12) !== salts[1]) break;
          sum = checksum(wal.subarray(at, at + 8), bigEndian, sum);
          const page = wal.subarray(at + FRAME_HEADER, at + FRAME_HEADER + pageSize);
          sum = checksum(page, bigEndian, sum);
          if (sum[0] !== frame.getUint32(16) || sum[1] !== frame.getUint32(20)) break;
          pages.push({ number: frame.getUint32(0), page });
          const commitSize = frame.getUint32(4);
          if (commitSize > 0) {
            committed = pages.length;
            databasePages = commitSize;
          }
        }
      }
    }
  }
  if (committed === 0) return { image: main, frames: 0 };
  const image = new Uint8Array(databasePages * pageSize);
  image.set(main.subarray(0, Math.min(main.byteLength, image.byteLength)));
  for (const { number, page } of pages.slice(0, committed)) {
    if (number >= 1 && number <= databasePages) image.set(page, (number - 1) * pageSize);
  }
  image[18] = 1;
  image[19] = 1;
  return { image, frames: committed };
}
