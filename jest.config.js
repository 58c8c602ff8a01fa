// ts-jest in ESM mode; run through `npm run jest` (node --experimental-vm-modules).
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }] },
};
export default {
  // integration tests start containers and wait for etcd leases; none asserts on time
  testTimeout: 60_000,
  projects: [
    // pure logic: no etcd, no Docker
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    // real etcd (STACKD_TEST_ETCD), SQLite files, real Docker engines started by hack/test.sh
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
  ],
};
