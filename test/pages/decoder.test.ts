// The verification page's code reader (web/verify/decoder.ts, ZXing's DataMatrix and
// QR readers) run in Node on symbols rendered module by module, as clean as a label
// can be. ZXing misses some clean QR codes at one size and reads them at another;
// the browser test that decodes a photo of a Digital Link QR failed now and then for
// that reason (the demo's port, and so the symbol, changes every run). A photo is
// therefore read at the scales PHOTO_SCALES names until one reads.
import bwipjs from 'bwip-js/node';
import { describe, expect, it } from 'vitest';
import { decodeImageData } from '../../web/verify/decoder';
import { PHOTO_SCALES } from '../../web/verify/scan';

/** RGBA pixels of a symbol: `modulePx` pixels per module, `quietPx` of white around. */
function render(bcid: 'qrcode' | 'gs1datamatrix', text: string, modulePx: number, quietPx: number) {
  const [symbol] = bwipjs.raw({ bcid, text }) as unknown as { pixs: number[]; pixx: number; pixy: number }[];
  const width = symbol.pixx * modulePx + 2 * quietPx;
  const height = symbol.pixy * modulePx + 2 * quietPx;
  const data = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let y = 0; y < symbol.pixy; y++) {
    for (let x = 0; x < symbol.pixx; x++) {
      if (symbol.pixs[y * symbol.pixx + x] !== 1) continue;
      for (let dy = 0; dy < modulePx; dy++) {
        const row = (quietPx + y * modulePx + dy) * width;
        for (let dx = 0; dx < modulePx; dx++) data.fill(0, (row + quietPx + x * modulePx + dx) * 4, (row + quietPx + x * modulePx + dx) * 4 + 3);
      }
    }
  }
  return { data, width, height };
}

const link = (port: number) => `http://127.0.0.1:${port}/01/09506000134352/10/WVOK1/21/WVOK1-000002?17=270515`;
// Digital Links whose QR ZXing misses at 5 px per module with 10 px of quiet zone.
const MISSED_AT_FULL_SIZE = [40078, 40092, 40236, 40474, 40630];

describe('the verification page reading a photo', () => {
  it('reads the QR codes ZXing misses at full size, smaller', () => {
    const missed = MISSED_AT_FULL_SIZE.filter((port) => decodeImageData(render('qrcode', link(port), 5, 10)) === null);
    // If ZXing now reads them all at full size, these symbols no longer exercise the retry: find new ones.
    expect(missed.length, 'symbols ZXing misses at full size').toBeGreaterThan(0);
    for (const port of MISSED_AT_FULL_SIZE) expect(decodeImageData(render('qrcode', link(port), 5, 10), PHOTO_SCALES)).toBe(link(port));
  });

  it('reads every Digital Link QR of a sweep of ports, and every GS1 DataMatrix of a year of expiry dates', () => {
    const unread: string[] = [];
    for (let port = 41000; port < 41300; port++) {
      if (decodeImageData(render('qrcode', link(port), 5, 10), PHOTO_SCALES) !== link(port)) unread.push(link(port));
    }
    for (let day = 0; day < 366; day++) {
      const expiry = new Date(Date.UTC(2027, 0, 1) + day * 86_400_000).toISOString().slice(2, 10).replaceAll('-', '');
      const text = decodeImageData(render('gs1datamatrix', `(01)09506000134352(17)${expiry}(10)WVOK1(21)WVOK1-00000${1 + (day % 3)}`, 6, 60), PHOTO_SCALES);
      // A GS1 DataMatrix reads as its element string, FNC1 as GS (ASCII 29).
      if (text !== `\u001d0109506000134352` + `17${expiry}10WVOK1\u001d21WVOK1-00000${1 + (day % 3)}`) unread.push(`DataMatrix ${expiry}: ${JSON.stringify(text)}`);
    }
    expect(unread).toEqual([]);
  });
});
