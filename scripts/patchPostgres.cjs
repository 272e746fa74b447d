#!/usr/bin/env node
// Patches the postgres driver (3.4.9, the pinned version) after `npm install` / `npm ci`
// (the postinstall script). Found by the fault runs (test/faults/postgresRestart.test.ts,
// test/node/postgresDriver.test.ts): when Postgres restarts or ends sessions under load,
// - a write deferred with setImmediate, or a query sent on a connection the server
//   already closed, reaches nextWrite() with no socket and throws inside the timer: an
//   uncaught TypeError that kills the process (porsager/postgres#1208, #1154, #1066).
//   Patched: such a write fails its queries with CONNECTION_CLOSED and, unless the pool
//   already knows, hands the connection back to it as closed;
// - closed() and terminate() cancel that deferred write but keep its timer handle and
//   bytes, so the reconnected socket never flushes again. Patched: both are reset;
// - a new connection reads the array types with a query whose promise nobody handles:
//   a session ended during it is an unhandled rejection, which ends a Node process too.
//   Patched: handled (the query's own error path has already dealt with it);
// - a transaction whose connection closed keeps sending its statements (the rest of the
//   work, then its ROLLBACK) to that connection, which by then may be reconnected and
//   serving another transaction: a stray ROLLBACK there silently undoes the other
//   transaction's first statements while it goes on in autocommit, or the statement
//   waits forever. Patched: once its session is lost, a transaction's statements fail
//   at once with that error, and the ones queued are failed too.
// Idempotent; another version of the driver is left alone with a notice (check whether
// upstream fixed these, then update or remove this script). By hand: node scripts/patchPostgres.cjs
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const PATCHED_VERSION = '3.4.9';
const MARK = 'medtrace patch: scripts/patchPostgres.cjs';
const BUILDS = ['src', 'cjs/src', 'cf/src'];

/** [file, [text, replacement, times it must occur]] for each build. */
const EDITS = {
  'connection.js': [
    ['  function nextWrite(fn) {\n', `  function nextWrite(fn) {\n    if (!socket) return closedWhileWriting() // ${MARK}\n`, 1],
    [
      '\n  function connectTimedOut() {',
      `
  // ${MARK} (porsager/postgres#1208). A deferred write, or a query on a connection
  // the server closed, finds no socket: fail its queries, instead of throwing in a
  // timer and taking the process down, and give the connection back to the pool as
  // closed unless the pool already knows (closed, or reconnecting it).
  function closedWhileWriting() {
    nextWriteTimer !== null && clearImmediate(nextWriteTimer)
    chunk = nextWriteTimer = null
    const err = Errors.connection('CONNECTION_CLOSED', options)
    error(err)
    connection.queue !== queues.closed && connection.queue !== queues.connecting && onclose(connection, err)
    return true
  }

  function connectTimedOut() {`,
      1,
    ],
    ['    clearImmediate(nextWriteTimer)\n', `    clearImmediate(nextWriteTimer)\n    nextWriteTimer = chunk = null // ${MARK}\n`, 2],
    ['        return fetchArrayTypes()\n', `        return fetchArrayTypes().catch(noop) // ${MARK}\n`, 1],
  ],
  'index.js': [
    ['    let savepoints = 0\n', `    let savepoints = 0\n      , sessionLost = null // ${MARK}\n`, 1],
    [
      '        new Promise((_, reject) => connection.onclose = reject)\n',
      `        new Promise((_, reject) => connection.onclose = e => { // ${MARK}
          sessionLost = e
          while (queries.length) queries.shift().reject(e)
          reject(e)
        })\n`,
      1,
    ],
    [
      '      function handler(q) {\n        q.catch(e => uncaughtError || (uncaughtError = e))\n',
      `      function handler(q) {\n        q.catch(e => uncaughtError || (uncaughtError = e))\n        if (sessionLost) return q.reject(sessionLost) // ${MARK}\n`,
      1,
    ],
  ],
};

function main() {
  const root = path.join(__dirname, '..', 'node_modules', 'postgres');
  if (!fs.existsSync(path.join(root, 'package.json'))) return; // not installed (yet)
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (version !== PATCHED_VERSION) {
    console.log(`[patchPostgres] postgres ${version} is not ${PATCHED_VERSION}: not patched (check porsager/postgres#1208 and update scripts/patchPostgres.cjs)`);
    return;
  }
  for (const build of BUILDS) {
    for (const [name, edits] of Object.entries(EDITS)) {
      const file = path.join(root, build, name);
      if (!fs.existsSync(file)) continue;
      let text = fs.readFileSync(file, 'utf8');
      if (text.includes(MARK)) continue;
      for (const [from, to, times] of edits) {
        const found = text.split(from).length - 1;
        if (found !== times) throw new Error(`[patchPostgres] ${file}: ${JSON.stringify(from)} found ${found} times, expected ${times}`);
        text = text.split(from).join(to);
      }
      fs.writeFileSync(file, text);
      console.log(`[patchPostgres] patched ${path.relative(process.cwd(), file)}`);
    }
  }
}

// Run as a script (postinstall, or by hand); required, it only tells what it patches (node/db/driverPatch.ts).
if (require.main === module) main();
module.exports = { PATCHED_VERSION, MARK, BUILDS };
