// The raw etcd3 client with nothing of ours on top: the benchmark's baseline for single puts.
import { Etcd3 } from 'etcd3';

export interface RawPutter {
  put(key: string, value: string): Promise<void>;
  close(): void;
}

export function openRawEtcdPutter(endpoint: string): RawPutter {
  const client = new Etcd3({ hosts: /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}` });
  return {
    put: async (key, value) => {
      await client.put(key).value(value).exec();
    },
    close: () => client.close(),
  };
}
