// An object's spec sealed inside its JSON value: {"kind":..,"metadata":..,"spec":{"sealed":"stackd:aes256gcm:v1:.."}}.
// Metadata stays readable (names, owners, resourceVersion); the whole spec (a secret's content, its
// sha256, GitOps credentials) is ciphertext bound to the store key.
import { isSealed, sealedKeyId, type Sealer } from './sealer.js';

type Json = { spec?: unknown; [k: string]: unknown };

function sealedSpec(obj: Json): string | undefined {
  const spec = obj.spec as { sealed?: unknown } | undefined;
  return spec && typeof spec.sealed === 'string' && isSealed(spec.sealed) ? spec.sealed : undefined;
}

/** The value with its spec sealed under the sealer's first key (values that are not objects as is). */
export function sealValue(sealer: Sealer, key: string, value: string): string {
  let obj: Json;
  try {
    obj = JSON.parse(value) as Json;
  } catch {
    return value;
  }
  if (!obj || typeof obj !== 'object' || obj.spec === undefined || sealedSpec(obj)) return value;
  return JSON.stringify({ ...obj, spec: { sealed: sealer.seal(JSON.stringify(obj.spec), key) } });
}

/** The value with its spec opened; plain values unchanged. Throws SealedValueError. */
export function openValue(sealer: Sealer, key: string, value: string): string {
  if (!value.includes('stackd:aes256gcm:')) return value; // cheap: most reads are not sealed
  const obj = JSON.parse(value) as Json;
  const sealed = sealedSpec(obj);
  if (!sealed) return value;
  return JSON.stringify({ ...obj, spec: JSON.parse(sealer.open(sealed, key)) });
}

/** The id of the key the value's spec is sealed with; undefined when it is stored in the clear. */
export function valueKeyId(value: string): string | undefined {
  if (!value.includes('stackd:aes256gcm:')) return undefined;
  try {
    const sealed = sealedSpec(JSON.parse(value) as Json);
    return sealed && sealedKeyId(sealed);
  } catch {
    return undefined;
  }
}
