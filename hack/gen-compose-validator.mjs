#!/usr/bin/env node
// Compiles the vendored compose-spec JSON schema into a standalone ajv validator
// (third_party/compose-spec/validate.cjs), so that stackctl does not spend ~300 ms compiling the
// schema on every start. Run after updating compose-spec.json; a unit test checks they agree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeValidatorSource } from './lib/compose-validator-source.mjs';

const out = fileURLToPath(new URL('../third_party/compose-spec/validate.cjs', import.meta.url));
writeFileSync(out, composeValidatorSource());
console.log(`wrote ${out}`);
