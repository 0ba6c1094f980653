/**
 * A first-in first-out queue with O(1) push and shift. `Array.prototype.shift` moves every
 * element, so a queue of 50,000 waiting questions shifted one by one turns a fleet run
 * quadratic; this keeps a read index instead and compacts now and then.
 */
export class Fifo<T> {
  private items: (T | undefined)[] = []
  private head = 0

  /** How many items are waiting. */
  get length(): number {
    return this.items.length - this.head
  }

  push(item: T): void {
    this.items.push(item)
  }

  /** The oldest item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.head === this.items.length ? undefined : this.items[this.head]
  }

  /** The oldest item, removed; undefined when empty. */
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined
    const item = this.items[this.head]
    // Drop the reference so a long-lived queue does not keep settled items alive.
    this.items[this.head] = undefined
    this.head++
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      // Compacting when at least half is spent keeps the cost per item constant.
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }

  /** Every waiting item in order, leaving the queue empty. */
  drain(): T[] {
    const rest = this.items.slice(this.head) as T[]
    this.items = []
    this.head = 0
    return rest
  }
}
