// The code reader for browsers without a BarcodeDetector that reads DataMatrix
// or QR: ZXing's DataMatrix and QR readers, only those two (a chunk of its own,
// loaded when the reader first asks for the camera or a photo). A GS1
// DataMatrix's FNC1 comes out as GS (ASCII 29), the leading one included, which
// parseGs1 reads as a raw element string.
import BinaryBitmap from '@zxing/library/esm/core/BinaryBitmap';
import DecodeHintType from '@zxing/library/esm/core/DecodeHintType';
import HybridBinarizer from '@zxing/library/esm/core/common/HybridBinarizer';
import DataMatrixReader from '@zxing/library/esm/core/datamatrix/DataMatrixReader';
import QRCodeReader from '@zxing/library/esm/core/qrcode/QRCodeReader';
import RGBLuminanceSource from '@zxing/library/esm/core/RGBLuminanceSource';

const readers = [new DataMatrixReader(), new QRCodeReader()];

/** The luminance (0-255) of each pixel of RGBA image data, weighted as the eye sees green. */
function luminance({ data, width, height }: Pick<ImageData, 'data' | 'width' | 'height'>): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0, p = 0; p < out.length; i += 4, p++) out[p] = (data[i] * 77 + data[i + 1] * 150 + data[i + 2] * 29) >> 8;
  return out;
}

/** Luminance scaled down by `factor` (0 < factor < 1), each pixel the area-weighted mean of those it covers. */
function downscale(lum: Uint8ClampedArray, width: number, height: number, factor: number): { lum: Uint8ClampedArray; width: number; height: number } {
  const w = Math.max(1, Math.round(width * factor));
  const h = Math.max(1, Math.round(height * factor));
  const out = new Uint8ClampedArray(w * h);
  const step = 1 / factor;
  for (let y = 0; y < h; y++) {
    const y0 = y * step;
    const y1 = Math.min(height, y0 + step);
    for (let x = 0; x < w; x++) {
      const x0 = x * step;
      const x1 = Math.min(width, x0 + step);
      let sum = 0;
      let area = 0;
      for (let sy = Math.floor(y0); sy < y1; sy++) {
        const wy = Math.min(sy + 1, y1) - Math.max(sy, y0);
        for (let sx = Math.floor(x0); sx < x1; sx++) {
          const weight = wy * (Math.min(sx + 1, x1) - Math.max(sx, x0));
          sum += lum[sy * width + sx] * weight;
          area += weight;
        }
      }
      out[y * w + x] = area > 0 ? sum / area : 255;
    }
  }
  return { lum: out, width: w, height: h };
}

/** ZXing's hint for an image holding nothing but the symbol: it reads the modules straight, without looking for the finder patterns. */
const PURE = new Map<DecodeHintType, unknown>([[DecodeHintType.PURE_BARCODE, true]]);

function decodeLuminance(lum: Uint8ClampedArray, width: number, height: number, hints?: Map<DecodeHintType, unknown>): string | null {
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(lum, width, height)));
  for (const reader of readers) {
    try {
      return reader.decode(bitmap, hints).getText();
    } catch {
      // NotFound, Checksum or Format: no readable code of this kind in the frame.
    } finally {
      reader.reset();
    }
  }
  return null;
}

export interface Reading {
  /** Scales tried in turn until one reads (1: as it is, 0.5: half the width and height); default [1]. */
  scales?: readonly number[];
  /** Last, read the image as holding nothing but the symbol (a screenshot, a label file); default false. */
  pure?: boolean;
}

/**
 * The text of the first DataMatrix or QR code found in the image, or null. ZXing's QR
 * detector misses a few percent of clean symbols (found by the browser tests: a Digital
 * Link QR the demo made; test/pages/decoder.test.ts keeps such symbols): most read at
 * another scale, all of them read as a pure symbol.
 */
export function decodeImageData(image: Pick<ImageData, 'data' | 'width' | 'height'>, reading: Reading = {}): string | null {
  const full = luminance(image);
  for (const scale of reading.scales ?? [1]) {
    const frame = scale === 1 ? { lum: full, width: image.width, height: image.height } : downscale(full, image.width, image.height, scale);
    const text = decodeLuminance(frame.lum, frame.width, frame.height);
    if (text !== null) return text;
  }
  return reading.pure ? decodeLuminance(full, image.width, image.height, PURE) : null;
}
