#!/usr/bin/env node
// The `medtrace` bin (package.json "bin"): registers tsx so Node runs the
// TypeScript CLI directly, then hands over to scripts/cli.ts.
'use strict';
require('tsx/cjs');
require('./cli.ts');
