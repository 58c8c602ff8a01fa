// The resource model: Kubernetes-style objects kept in the Store.
export const API_VERSION = 'stackd.io/v1';

export type Kind = 'Stack' | 'Service' | 'Task' | 'Node' | 'Config' | 'Secret' | 'Network' | 'Volume' | 'GitSource' | 'GitOpsSecret';

export interface OwnerReference {
  apiVersion: string;
  kind: Kind;
  name: string;
  uid: string;
  /** true on the owner that manages this object (the one `rm` follows) */
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  /** the stack an object belongs to; '' for cluster-scoped kinds (Stack, Node, GitSource, GitOpsSecret) */
  namespace: string;
  uid: string;
  /** bumped only when `spec` changes */
  generation: number;
  /** the Store's modRevision of this key, as a string; filled on read, never stored */
  resourceVersion: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  creationTimestamp: string;
  ownerReferences: OwnerReference[];
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface BaseStatus {
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface Resource<K extends Kind = Kind, Spec = unknown, Status extends BaseStatus = BaseStatus> {
  apiVersion: string;
  kind: K;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/** What a writer supplies; uid, generation, resourceVersion and creationTimestamp are the Store layer's. */
export interface NewObject<K extends Kind = Kind, Spec = unknown> {
  kind: K;
  metadata: Pick<ObjectMeta, 'name' | 'namespace'> & Partial<Pick<ObjectMeta, 'labels' | 'annotations' | 'ownerReferences'>>;
  spec: Spec;
}
