#!/usr/bin/env node
import { main } from '../dist/cli/stackctl.js';
main(process.argv).then((code) => {
  process.exitCode = code;
});
