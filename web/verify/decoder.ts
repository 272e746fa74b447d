// The code reader for browsers without a BarcodeDetector that reads DataMatrix
// or QR: ZXing's DataMatrix and QR readers, only those two (a chunk of its own,
// loaded when the reader first asks for the camera or a photo). A GS1
// DataMatrix's FNC1 comes out as GS (ASCII 29), the leading one included, which
// parseGs1 reads as a raw element string.
import BinaryBitmap from '@zxing/library/esm/core/BinaryBitmap';
import HybridBinarizer from '@zxing/library/esm/core/common/HybridBinarizer';
import DataMatrixReader from '@zxing/library/esm/core/datamatrix/DataMatrixReader';
import QRCodeReader from '@zxing/library/esm/core/qrcode/QRCodeReader';
import RGBLuminanceSource from '@zxing/library/esm/core/RGBLuminanceSource';

const readers = [new DataMatrixReader(), new QRCodeReader()];

/** The luminance (0-255) of each pixel of RGBA image data, weighted as the eye sees green. */
function luminance({ data, width, height }: ImageData): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height);
  for (let i = 0, p = 0; p < out.length; i += 4, p++) out[p] = (data[i] * 77 + data[i + 1] * 150 + data[i + 2] * 29) >> 8;
  return out;
}

/** The text of the first DataMatrix or QR code found in the image, or null. */
export function decodeImageData(image: ImageData): string | null {
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminance(image), image.width, image.height)));
  for (const reader of readers) {
    try {
      return reader.decode(bitmap).getText();
    } catch {
      // NotFound, Checksum or Format: no readable code of this kind in the frame.
    } finally {
      reader.reset();
    }
  }
  return null;
}
