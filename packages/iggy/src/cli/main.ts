#!/usr/bin/env node
import { processIo } from './io';
import { run } from './run';

// Ctrl-C once (or the reader of stdout going away): commands stop cleanly, so tail exits and
// data dirs are released; Ctrl-C twice: exit at once.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
const stop = () => interrupt.abort();

process.exitCode = await run(process.argv.slice(2), processIo(interrupt.signal, stop));
