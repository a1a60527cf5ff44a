/**
 * One claim at a time per provider in this process: a claim holds its lane's lock in Redis until the
 * take, so the drivers of one process would only wait for each other there (and poll Redis doing so).
 * Claims queue here instead, in the order they asked.
 */
export class ClaimGate {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
