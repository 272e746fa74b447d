// Reading a code with the camera or from a photo. The browser's own
// BarcodeDetector when it reads DataMatrix or QR; otherwise ZXing (decoder.ts),
// fetched as a chunk of its own the first time the reader asks for it, so the
// page's first load stays small.

/** The part of the Barcode Detection API used here (not in TypeScript's DOM types yet). */
interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: ImageBitmapSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

/** How decoder.ts reads (type only: the decoder is a chunk of its own). */
type Reading = import('./decoder').Reading;

/** Reads a code from a frame (the native detector ignores `reading`). */
type FrameReader = (source: HTMLVideoElement | ImageBitmap, reading?: Reading) => Promise<string | null>;

/** A photo is read as it is, then smaller, then as a pure symbol (decoder.ts says why). */
export const PHOTO_READING: Reading = { scales: [1, 0.5, 0.7], pure: true };
/** The camera tries one scale per frame, in turn, so a frame costs one pass. */
const CAMERA_READINGS: Reading[] = [{ scales: [1] }, { scales: [0.5] }];

let reader: Promise<FrameReader> | undefined;

/** Longest side a frame is scaled to before ZXing reads it (speed; a label fills far less). */
const MAX_SIDE = 1024;

async function nativeReader(): Promise<FrameReader | null> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return null;
  const supported = await Detector.getSupportedFormats().catch(() => [] as string[]);
  const formats = ['data_matrix', 'qr_code'].filter((f) => supported.includes(f));
  if (formats.length === 0) return null;
  const detector = new Detector({ formats });
  return async (source) => (await detector.detect(source))[0]?.rawValue ?? null;
}

async function zxingReader(): Promise<FrameReader> {
  const { decodeImageData } = await import('./decoder');
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  return async (source, reading) => {
    const width = source instanceof HTMLVideoElement ? source.videoWidth : source.width;
    const height = source instanceof HTMLVideoElement ? source.videoHeight : source.height;
    if (!width || !height) return null;
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    return decodeImageData(context.getImageData(0, 0, canvas.width, canvas.height), reading);
  };
}

/** The frame reader, chosen once: native when it reads our symbologies, else ZXing (loaded now). */
export function frameReader(): Promise<FrameReader> {
  reader ??= nativeReader()
    .then((native) => native ?? zxingReader())
    .catch((error: unknown) => {
      reader = undefined;
      throw error;
    });
  return reader;
}

/** The code in a photo, or null when none is found. */
export async function readPhoto(file: Blob): Promise<string | null> {
  const read = await frameReader();
  const bitmap = await createImageBitmap(file);
  try {
    return await read(bitmap, PHOTO_READING);
  } finally {
    bitmap.close();
  }
}

export interface CameraScan {
  stop(): void;
}

/**
 * Opens the back camera into `video` and reads frames until a code is found
 * (then stops and calls `onCode`) or `stop()` is called.
 */
export async function startCamera(video: HTMLVideoElement, onCode: (text: string) => void): Promise<CameraScan> {
  const readFrame = await frameReader();
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let frames = 0;
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  video.srcObject = stream;
  video.muted = true;
  video.setAttribute('playsinline', '');
  await video.play().catch(() => undefined);
  const tick = async () => {
    if (stopped) return;
    let text: string | null = null;
    const reading = CAMERA_READINGS[frames++ % CAMERA_READINGS.length];
    if (video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) text = await readFrame(video, reading).catch(() => null);
    if (stopped) return;
    if (text) {
      stop();
      onCode(text);
    } else {
      timer = setTimeout(tick, 120);
    }
  };
  void tick();
  return { stop };
}
