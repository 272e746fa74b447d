// `medtrace recall`: issues a recall through a manufacturer node's API (the
// signed-in user signs it with the meaning `recalled`), then prints the recall
// and its reach — per company and in total, units located, quarantined, still
// in the field — while the acknowledgements come in (--wait seconds).
import fs from 'node:fs';
import path from 'node:path';
import type { CompanyReach, RecallView } from '../../node/recalls/view';
import { type Command, EXIT_OK, type ParsedArgs, UsageError, intOption, stringOption } from './command';

const ACTIONS = ['return', 'correct', 'destroy', 'notice'] as const;
const MEDIA_TYPES: Record<string, string> = { '.pdf': 'application/pdf', '.txt': 'text/plain', '.html': 'text/html', '.md': 'text/markdown', '.json': 'application/json' };

/** The node's answer (GET /api/v1/recalls/{id}). */
type RecallAnswer = RecallView;
type Company = CompanyReach;

/** Complete: every customer this node told acknowledged, and no company still waits for one of its own customers. */
const complete = (recall: RecallAnswer) => recall.awaiting.length === 0 && recall.totals.awaiting === 0;

function strings(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [String(value)];
}

async function call(url: string, init: { method?: string; token?: string; body?: unknown }): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON
  }
  return { status: res.status, body };
}

function failure(what: string, answer: { status: number; body: any }): Error {
  const problem = answer.body as { detail?: string; field?: string; type?: string } | null;
  const detail = problem && typeof problem === 'object' && problem.detail ? `${problem.detail}${problem.field ? ` (field ${problem.field})` : ''}` : JSON.stringify(answer.body);
  return new Error(`${what}: HTTP ${answer.status}: ${detail}`);
}

function reachTable(recall: RecallAnswer): string {
  const rows = recall.companies.map((c) => [c.name || c.company, c.role, String(c.located), String(c.quarantined), String(c.inField), `${(c.timeToAcknowledgeMs / 1000).toFixed(1)} s`]);
  for (const waiting of recall.awaiting) rows.push([waiting.name || waiting.company, '(not acknowledged)', '', '', `${waiting.shippedQuantity} shipped`, '']);
  const t = recall.totals;
  rows.push(['total', `${t.companies} companies`, String(t.located), String(t.quarantined), String(t.inField), t.maxTimeToAcknowledgeMs === null ? '' : `max ${(t.maxTimeToAcknowledgeMs / 1000).toFixed(1)} s`]);
  const header = ['company', 'role', 'located', 'quarantined', 'in field', 'acknowledged after'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const recallCommand: Command = {
  name: 'recall',
  summary: 'issue a recall of a GTIN on a manufacturer node and follow its reach',
  description: `
Signs in to the node (--user, --password), issues the recall with the same
credentials as its e-signature (meaning "recalled"): the node publishes it on
the RecallBoard with the SHA-256 and URI of the notice, quarantines its own
stock and tells its customers. Every node watching the board quarantines its
affected stock and acknowledges upstream. The command prints the recall, then
its reach (per company: units located, quarantined, still in the field, time to
acknowledge) until every notified customer, and every customer of theirs running a node, acknowledged, or --wait seconds pass.
The notice is --title and --text, or a document given with --file.`,
  options: {
    node: { type: 'string', valueName: '<url>', description: "the manufacturer node's URL", env: 'MEDTRACE_NODE', required: true },
    user: { type: 'string', valueName: '<username>', description: 'a user with the admin or qa role', required: true },
    password: { type: 'string', valueName: '<password>', description: 'its password (signs the recall)', env: 'MEDTRACE_PASSWORD', required: true },
    gtin: { type: 'string', valueName: '<gtin>', description: 'the GTIN (its company prefix must be the node\'s)', required: true },
    lot: { type: 'string', valueName: '<lot>', description: 'a recalled lot; repeat for several; none: every lot', multiple: true },
    class: { type: 'string', valueName: '<1|2|3>', description: 'recall class (I, II, III)', required: true },
    action: { type: 'string', valueName: '<action>', description: `${ACTIONS.join('|')}`, required: true },
    title: { type: 'string', valueName: '<text>', description: 'notice title' },
    text: { type: 'string', valueName: '<text>', description: 'notice text' },
    file: { type: 'string', valueName: '<path>', description: 'the notice as a document (PDF, …) instead of --title/--text' },
    'media-type': { type: 'string', valueName: '<type>', description: 'media type of --file (default from its extension)' },
    reason: { type: 'string', valueName: '<text>', description: 'why (audit trail)' },
    wait: { type: 'string', valueName: '<seconds>', description: 'follow the acknowledgements this long (default 10; 0: print once)' },
    json: { type: 'boolean', description: 'print the final recall as JSON' },
  },
  examples: [
    'medtrace recall --node http://127.0.0.1:8080 --user qa --password … --gtin 09506000134352 --lot L2611A --class 1 --action return --title "Field safety notice" --text "Stop using lot L2611A; return all units."',
  ],
  async run(args) {
    const node = stringOption(args, 'node')!.replace(/\/+$/, '');
    const username = stringOption(args, 'user')!;
    const password = stringOption(args, 'password')!;
    const recallClass = intOption(args, 'class', 0, { min: 1, max: 3 });
    const action = stringOption(args, 'action')!;
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`--action must be one of ${ACTIONS.join(', ')}, got '${action}'`);
    const waitSeconds = intOption(args, 'wait', 10, { min: 0, max: 3600 });
    const file = stringOption(args, 'file');
    const title = stringOption(args, 'title');
    const text = stringOption(args, 'text');
    let notice: unknown;
    if (file !== undefined) {
      if (title !== undefined || text !== undefined) throw new UsageError('give the notice either as --file or as --title and --text');
      const mediaType = stringOption(args, 'media-type') ?? MEDIA_TYPES[path.extname(file).toLowerCase()];
      if (!mediaType) throw new UsageError(`--media-type is required: the type of ${file} is not known from its extension`);
      notice = { contentBase64: fs.readFileSync(file).toString('base64'), mediaType, filename: path.basename(file) };
    } else {
      if (title === undefined || text === undefined) throw new UsageError('--title and --text are required (or --file)');
      notice = { title, text };
    }

    const startedAt = Date.now();
    const login = await call(`${node}/api/v1/auth/token`, { method: 'POST', body: { username, password } });
    if (login.status !== 200) throw failure('sign-in', login);
    const token = (login.body as { accessToken: string }).accessToken;
    const reason = stringOption(args, 'reason');
    const issued = await call(`${node}/api/v1/recalls`, {
      method: 'POST',
      token,
      body: {
        gtin: stringOption(args, 'gtin'),
        lots: strings(args, 'lot'),
        recallClass,
        action,
        notice,
        signature: { username, password, meaning: 'recalled' },
        ...(reason === undefined ? {} : { reason }),
      },
    });
    if (issued.status !== 201) throw failure('recall', issued);
    let recall = issued.body as RecallAnswer;
    const out = (line: string) => process.stdout.write(`${line}\n`);
    if (!args.values.json) {
      out(`recall #${recall.id} published: GTIN ${recall.gtin}, ${recall.lots.length === 0 ? 'all lots' : `lots ${recall.lots.join(', ')}`}, class ${recall.recallClass}, ${recall.action}`);
      out(`  board transaction ${recall.txHash ?? '?'} at ${recall.publishedAt}`);
      out(`  notice ${recall.noticeUri}`);
      out(`  notice SHA-256 ${recall.noticeSha256}`);
    }
    const deadline = Date.now() + waitSeconds * 1000;
    let shown = '';
    for (;;) {
      const table = reachTable(recall);
      if (!args.values.json && table !== shown) {
        out(`\nreach after ${((Date.now() - startedAt) / 1000).toFixed(1)} s:\n${table}`);
        shown = table;
      }
      if (complete(recall) || Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const next = await call(`${node}/api/v1/recalls/${recall.id}`, { token });
      if (next.status !== 200) throw failure('reading the recall', next);
      recall = next.body as RecallAnswer;
    }
    if (args.values.json) out(JSON.stringify(recall, null, 2));
    else if (!complete(recall)) {
      const units = recall.totals.awaiting + recall.awaiting.reduce((sum, w) => sum + w.shippedQuantity, 0);
      out(`\nthe reach is not complete yet: ${units} unit(s) wait for a customer's acknowledgement; \`GET ${node}/api/v1/recalls/${recall.id}\` shows it later.`);
    }
    return EXIT_OK;
  },
};
