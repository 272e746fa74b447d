// GS1 DataMatrix labels with human-readable text, as SVG and PNG. The symbol's
// content is the SDK's element string (the one GS1 implementation): the
// bracketed form fed to bwip-js's `gs1datamatrix` encoder; when a value holds
// a parenthesis (which bwip-js's bracket parser cannot take) the SDK's raw
// form after FNC1 in first position, with its GS separators, to `datamatrix`.
import bwipjs from 'bwip-js/node';
import { toCaseElementString, toElementString, toRawCaseElementString, toRawElementString, type Gs1CaseData, type Gs1Data } from '../../sdk';

export interface LabelContent {
  /** A unit or lot label's data… */
  data?: Gs1Data;
  /** …or a case label's: (00) SSCC, (02) content, (37) count (or (01) + (30)). */
  caseData?: Gs1CaseData;
  /** Lines of plain text under the element string (product name, dates…). */
  lines?: string[];
}

export interface EncoderInput {
  bcid: 'gs1datamatrix' | 'datamatrix';
  text: string;
  parsefnc?: boolean;
}

/** What goes into the encoder for these data, and the human-readable element string. */
export function encoderInput(data: Gs1Data): { encoder: EncoderInput; hri: string } {
  return symbolInput(toElementString(data), () => toRawElementString(data), [data.lot, data.serial]);
}

/** The same for a case label. */
export function caseEncoderInput(data: Gs1CaseData): { encoder: EncoderInput; hri: string } {
  return symbolInput(toCaseElementString(data), () => toRawCaseElementString(data), [data.lot]);
}

function symbolInput(hri: string, raw: () => string, values: (string | undefined)[]): { encoder: EncoderInput; hri: string } {
  if (values.some((value) => value !== undefined && /[()]/.test(value))) {
    return { encoder: { bcid: 'datamatrix', text: `^FNC1${raw()}`, parsefnc: true }, hri };
  }
  return { encoder: { bcid: 'gs1datamatrix', text: hri }, hri };
}

function contentInput(content: LabelContent): { encoder: EncoderInput; hri: string } {
  if (content.caseData) return caseEncoderInput(content.caseData);
  if (content.data) return encoderInput(content.data);
  throw new Error('a label needs unit, lot or case data');
}

const SVG_SCALE = 4;
const PNG_SCALE = 4;
const FONT_SIZE = 12;
const LINE_HEIGHT = 16;
const PAD = 8;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!);
}

/** An SVG label: the symbol, then the element string and the text lines. */
export function labelSvg(content: LabelContent): string {
  const { encoder, hri } = contentInput(content);
  const symbol = bwipjs.toSVG({ ...encoder, scale: SVG_SCALE });
  const box = /viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/.exec(symbol);
  if (!box) throw new Error('bwip-js returned an SVG without a viewBox');
  const [w, h] = [Number(box[1]), Number(box[2])];
  const inner = symbol.replace(/^[\s\S]*?<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
  const lines = [hri, ...(content.lines ?? [])];
  // Monospace text: about 0.6 em per character.
  const textWidth = Math.max(...lines.map((line) => Math.ceil(line.length * FONT_SIZE * 0.6)));
  const width = Math.max(w, textWidth) + 2 * PAD;
  const height = PAD + h + PAD + lines.length * LINE_HEIGHT + PAD;
  const text = lines
    .map(
      (line, i) =>
        `<text x="${PAD}" y="${PAD + h + PAD + (i + 1) * LINE_HEIGHT - 4}" font-family="OCR-B, 'DejaVu Sans Mono', monospace" font-size="${FONT_SIZE}">${escapeXml(line)}</text>`,
    )
    .join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<svg x="${PAD}" y="${PAD}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${inner}</svg>`,
    text,
    '</svg>',
    '',
  ].join('\n');
}

/** The bwip-js options of a PNG label (the element string drawn under the symbol). */
export function pngOptions(content: LabelContent) {
  const { encoder, hri } = contentInput(content);
  return { ...encoder, scale: PNG_SCALE, includetext: true, alttext: hri, textsize: 8, textxalign: 'center' as const, paddingwidth: 4, paddingheight: 4, backgroundcolor: 'FFFFFF' };
}

/** A PNG label: the symbol and its element string. */
export async function labelPng(content: LabelContent): Promise<Buffer> {
  return bwipjs.toBuffer(pngOptions(content));
}
