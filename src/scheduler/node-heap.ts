// A binary min-heap that knows where each item sits, so one item whose key changed (the node a
// task was just placed on) moves in O(log n) instead of the whole set being sorted again
// (SwarmKit's nodeHeap, with removal).
export class IndexedHeap<T> {
  private readonly items: T[] = [];
  private readonly at = new Map<T, number>();

  /** @param less strict order; items that compare equal must be equal (ties broken inside `less`) */
  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  top(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    this.items.push(item);
    this.at.set(item, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  /** `item`'s key changed: move it to its place */
  update(item: T): void {
    const i = this.at.get(item);
    if (i !== undefined) this.down(this.up(i));
  }

  remove(item: T): void {
    const i = this.at.get(item);
    if (i === undefined) return;
    this.at.delete(item);
    const last = this.items.pop()!;
    if (i === this.items.length) return;
    this.items[i] = last;
    this.at.set(last, i);
    this.down(this.up(i));
  }

  private up(i: number): number {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i], this.items[parent])) break;
      this.swap(i, parent);
      i = parent;
    }
    return i;
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < this.items.length && this.less(this.items[l], this.items[min])) min = l;
      if (r < this.items.length && this.less(this.items[r], this.items[min])) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.items[i];
    const b = this.items[j];
    this.items[i] = b;
    this.items[j] = a;
    this.at.set(b, i);
    this.at.set(a, j);
  }
}
