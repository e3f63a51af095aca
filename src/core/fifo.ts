// A FIFO with O(1) push and shift, standing in for the kernel's STAILQ: insertion at the
// tail, removal at the head, and order preserved exactly (the hand-off order of pages and
// waiters is observable in the counters).

export class Fifo<T> {
  private items: T[];
  private head: number;

  constructor(items: T[] = [], head = 0) {
    this.items = items;
    this.head = head;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  push(x: T): void {
    this.items.push(x);
  }

  /** STAILQ_CONCAT: append every element of `xs` in order. */
  pushAll(xs: readonly T[]): void {
    for (let i = 0; i < xs.length; i++) this.items.push(xs[i]);
  }

  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head++];
    // Compact once the dead prefix dominates, so memory stays proportional to length.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }

  /** Remove the first element equal to x (STAILQ_REMOVE); true if found. */
  remove(x: T): boolean {
    const i = this.items.indexOf(x, this.head);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }

  includes(x: T): boolean {
    return this.items.indexOf(x, this.head) >= 0;
  }

  toArray(): T[] {
    return this.items.slice(this.head);
  }

  /** Drain everything (the thread's STAILQ_CONCAT into its local list). */
  takeAll(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }

  clone(): Fifo<T> {
    return new Fifo(this.items.slice(this.head), 0);
  }
}
