#!/usr/bin/env node
import { main } from '../dist/daemon/stackd.js';
main(process.argv).then((code) => {
  process.exitCode = code;
});
