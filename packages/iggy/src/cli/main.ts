#!/usr/bin/env node
import { processIo } from './io';
import { run } from './run';

// Ctrl-C once: commands stop cleanly (tail exits, data dirs are released); twice: exit at once.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

process.exitCode = await run(process.argv.slice(2), processIo(interrupt.signal));
