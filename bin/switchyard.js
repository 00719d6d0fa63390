#!/usr/bin/env node
// The CLI entry: runs the compiled command line from dist/ (built by `npm run build`).
import { main } from '../dist/cli/main.js';

await main(process.argv.slice(2));
