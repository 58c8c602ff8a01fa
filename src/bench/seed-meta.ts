// Object metadata for objects the console benchmark and screenshots write straight into a
// throwaway store (no deploy): just enough for the console's feed and pages.
export function seedMeta(name: string, namespace: string, created: Date = new Date()) {
  return {
    name,
    namespace,
    uid: `${namespace}/${name}`,
    generation: 1,
    resourceVersion: '',
    labels: {},
    annotations: {},
    creationTimestamp: created.toISOString(),
    ownerReferences: [],
  };
}
