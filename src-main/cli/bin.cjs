#!/usr/bin/env node
'use strict';
// The `liveslice` command: loads the CLI that `npm install` (prepare) / `npm run build` built.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(
    'liveslice: the CLI is not built (out/main/cli.js is missing): run `npm run build` in the project directory\n',
  );
  process.exit(1);
}
require(cli).run();
