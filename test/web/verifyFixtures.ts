// Test data and helpers of the verification page's browser tests: lots of
// their own at the demo's maker (prefix WV), anchored before a page looks at
// them; a recall through the maker's API; the page opened and its verdict read;
// a GS1 DataMatrix as a Y4M video for Chromium's fake camera and as a photo.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bwipjs from 'bwip-js/node';
import type { Page } from 'playwright-core';
import { toDigitalLink, toElementString, type Gs1Data } from '../../sdk';
import { adminApi, demo, makerLot } from './browser';

/** Waits (polling the maker's audit API, not sleeping blind) until ledger event `seq` is anchored. */
export async function anchored(seq: number, timeoutMs = 90_000): Promise<void> {
  const maker = demo().companies.maker;
  const { token } = await adminApi(maker);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${maker.url}/audit/v1/events/${seq}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 200) return;
    if (res.status !== 409) throw new Error(`GET /audit/v1/events/${seq}: ${res.status} ${await res.text()}`);
    if (Date.now() > deadline) {
      // What the maker's anchoring worker says of itself, for the failure message.
      const metrics = await fetch(`${maker.url}/metrics`).then((r) => r.text()).catch(() => '');
      const anchoring = metrics.split('\n').filter((line) => line.startsWith('medtrace_anchor') || line.startsWith('medtrace_ledger'));
      throw new Error(`event ${seq} not anchored within ${timeoutMs} ms; the maker's node says:\n${anchoring.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface MyLot {
  gtin: string;
  lot: string;
  serials: string[];
  expiry: string;
  lotPath: string;
}

/**
 * A lot of the demo product at the maker (makerLot), released by e-signature unless
 * `release: false`, and anchored: the page finds its commissioning (and release) proofs.
 */
export async function myLot(lot: string, options: { release?: boolean; expiry?: string; serials?: number } = {}): Promise<MyLot> {
  const state = demo();
  const expiry = options.expiry ?? state.expiry;
  const made = await makerLot({ lot, serials: options.serials ?? 3, release: false, expiry });
  const lotPath = `/api/v1/lots/${made.gtin}/${encodeURIComponent(lot)}`;
  let lastSeq = made.ledgerSeq;
  if (options.release !== false) {
    const api = await adminApi(state.companies.maker);
    const released = await api.post<{ ledgerSeq: number }>(`${lotPath}/release`, {
      signature: { username: state.admin.username, password: state.admin.password, meaning: 'released' },
    });
    lastSeq = released.ledgerSeq;
  }
  await anchored(lastSeq);
  return { gtin: made.gtin, lot, serials: made.serials, expiry, lotPath };
}

/** Recalls `lot` through the maker's API with the admin's e-signature (meaning recalled). */
export async function recallLot(lot: MyLot, options: { recallClass?: 1 | 2 | 3; action?: 'return' | 'correct' | 'destroy' | 'notice' } = {}): Promise<{ id: number; noticeUri: string }> {
  const state = demo();
  const api = await adminApi(state.companies.maker);
  const view = await api.post<{ id: number; noticeUri: string }>('/api/v1/recalls', {
    gtin: lot.gtin,
    lots: [lot.lot],
    recallClass: options.recallClass ?? 1,
    action: options.action ?? 'return',
    notice: { title: `Recall of lot ${lot.lot}`, text: 'The sterile barrier may be breached. Stop using the devices of this lot and return them.' },
    signature: { username: state.admin.username, password: state.admin.password, meaning: 'recalled' },
    reason: 'verification page test',
  });
  return view;
}

/** The code of a unit as its label's DataMatrix carries it (bracketed HRI, for bwip-js). */
export function unitCode(lot: MyLot, serial: string): Gs1Data {
  return { gtin: lot.gtin, lot: lot.lot, serial, expiry: lot.expiry };
}

/** Waits for the page's verdict and answers its state and verdict key. */
export async function verdictOf(page: Page, timeoutMs = 20_000): Promise<{ state: string; verdict: string; title: string }> {
  const banner = page.locator('#result .verdict');
  try {
    await banner.waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (error) {
    // Say what the page shows instead (a scan message, an error, a spinner), for the failure message.
    const shown = await page
      .locator('body')
      .innerText({ timeout: 2000 })
      .catch(() => '(the page did not answer)');
    throw new Error(`no verdict within ${timeoutMs} ms; the page shows:\n${shown.trim().slice(0, 1500)}`, { cause: error });
  }
  return {
    state: (await banner.getAttribute('data-state')) ?? '',
    verdict: (await banner.getAttribute('data-verdict')) ?? '',
    title: (await page.locator('#verdict-title').innerText()).trim(),
  };
}

/** The page's URL on `base` for a unit: the Digital Link path where a 303 lands. */
export function verifyPath(base: string, data: Gs1Data): string {
  return toDigitalLink(data, `${base}/verify`);
}

/** A GS1 DataMatrix of `data` as module rows (true = dark), quiet zone excluded. */
function dataMatrixModules(data: Gs1Data): boolean[][] {
  const [symbol] = bwipjs.raw({ bcid: 'gs1datamatrix', text: toElementString(data) }) as unknown as { pixs: number[]; pixx: number; pixy: number }[];
  return Array.from({ length: symbol.pixy }, (_, y) => Array.from({ length: symbol.pixx }, (_, x) => symbol.pixs[y * symbol.pixx + x] === 1));
}

/**
 * A Y4M video (4:2:0, grey: U = V = 128) of a GS1 DataMatrix of `data` in the middle of a
 * 640×480 frame, for Chromium's --use-file-for-fake-video-capture. Returns the file.
 */
export function dataMatrixY4m(data: Gs1Data, frames = 5): string {
  const width = 640;
  const height = 480;
  const modules = dataMatrixModules(data);
  const size = modules.length;
  const scale = Math.floor(Math.min(width, height) * 0.6 / size);
  const left = Math.floor((width - size * scale) / 2);
  const top = Math.floor((height - size * scale) / 2);
  const luma = Buffer.alloc(width * height, 225); // paper, not pure white
  for (let y = 0; y < size * scale; y++) {
    for (let x = 0; x < size * scale; x++) {
      if (modules[Math.floor(y / scale)][Math.floor(x / scale)]) luma[(top + y) * width + left + x] = 30;
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-camera-')), 'datamatrix.y4m');
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420\n`), ...Array.from({ length: frames }, () => frame)]));
  return file;
}

/** A PNG photo of a label's GS1 DataMatrix. */
export async function dataMatrixPng(data: Gs1Data): Promise<Buffer> {
  return bwipjs.toBuffer({ bcid: 'gs1datamatrix', text: toElementString(data), scale: 6, paddingwidth: 10, paddingheight: 10, backgroundcolor: 'FFFFFF' });
}

/** A PNG photo of a QR code holding `text` (a Digital Link). */
export async function qrPng(text: string): Promise<Buffer> {
  return bwipjs.toBuffer({ bcid: 'qrcode', text, scale: 5, paddingwidth: 10, paddingheight: 10, backgroundcolor: 'FFFFFF' });
}
